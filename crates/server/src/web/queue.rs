//! `GET /queue`: what someone can still act on. Open clocks grouped per
//! rep: running ones soonest due first, then those breached recently (by
//! the agreement's `[queue] keep_breached`), most recent first, with the
//! business time left; breaches older than that are on `/breaches`.
//! Filtered by team, rep, guarantee and state, a page at a time; the page
//! reloads itself.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::engine::{Clock, ClockState, QueueStanding, queue_order, queue_standing};

use super::clock_list::{ListQuery, Pager, Select, UNASSIGNED, open};
use super::session::Signed;
use super::{Layout, render, spoken, when_secs};
use crate::AppState;

pub(crate) struct Row {
    pub lead: String,
    /// The lead's name, else its company (the core's [`Clock::name`]).
    pub name: Option<String>,
    pub guarantee: String,
    pub state: &'static str,
    pub class: &'static str,
    pub due: String,
    pub left: String,
    pub version: u32,
}

pub(crate) struct Group {
    pub owner: String,
    pub summary: String,
    pub clocks: Vec<Row>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    /// Clocks in the queue, before the filters.
    total: usize,
    /// The agreement's `keep_breached`, in words.
    keeps: String,
    /// Open clocks left out: not measurable from the data.
    not_measurable: usize,
    /// Open clocks left out: breached longer ago than the queue keeps.
    long_ago: usize,
    selects: Vec<Select>,
    pager: Pager,
    groups: Vec<Group>,
}

/// The states the queue's filter offers: the standings it holds.
const STATES: [(&str, &str); 4] = [
    ("running", "running"),
    ("paused", "paused"),
    ("at_risk", "at risk"),
    ("breached", "breached"),
];

/// The queue, filtered and paged as the query says.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<ListQuery>,
) -> Response {
    let (listing, snap, people) = match open(
        &state,
        &session,
        q,
        ("/queue", "At-risk queue"),
        &STATES,
        true,
    )
    .await
    {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let e = &snap.evaluation;
    let mut not_measurable = 0;
    let mut long_ago = 0;
    let mut queued: Vec<(&Clock, QueueStanding)> = Vec::new();
    for c in &e.clocks {
        match queue_standing(a, c) {
            Some(s) if s.in_queue() => queued.push((c, s)),
            Some(_) => long_ago += 1,
            None if c.view.state == ClockState::NotMeasurable => not_measurable += 1,
            None => {}
        }
    }
    let total = queued.len();
    let all: Vec<&Clock> = queued.iter().map(|(c, _)| *c).collect();
    let selects = listing.selects(a, &people, &all, &STATES);
    let owner_of = |c: &Clock| c.owner.clone().unwrap_or_else(|| UNASSIGNED.to_string());
    let mut shown: Vec<(&Clock, QueueStanding)> = queued
        .into_iter()
        .filter(|(c, s)| listing.filter.holds(&people, c, Some(*s)))
        .collect();
    shown.sort_by_cached_key(|(c, _)| (owner_of(c), queue_order(c)));
    let pager = Pager::new(&listing, "/queue", shown.len());
    let mut groups: Vec<Group> = Vec::new();
    for (c, s) in &shown[pager.from..pager.to] {
        let owner = owner_of(c);
        if groups.last().is_none_or(|g| g.owner != owner) {
            let theirs = shown.iter().filter(|(d, _)| owner_of(d) == owner);
            let (mut open, mut breached, mut at_risk) = (0, 0, 0);
            for (_, s) in theirs {
                open += 1;
                breached += usize::from(*s == QueueStanding::Breached);
                at_risk += usize::from(*s == QueueStanding::AtRisk);
            }
            groups.push(Group {
                summary: format!("{open} open · {breached} breached · {at_risk} at risk"),
                owner,
                clocks: Vec::new(),
            });
        }
        // Left or overdue by the version that gave the due instant: the
        // one in force at the clock's start.
        let left = c.view.left();
        let row = Row {
            lead: c.subject.clone(),
            name: c.name.clone(),
            guarantee: c.guarantee.clone(),
            state: s.words(),
            class: s.as_str(),
            due: when_secs(c.view.due, tz),
            left: if left >= 0 {
                format!("{} left", spoken(a, &c.guarantee, left))
            } else {
                format!("{} late", spoken(a, &c.guarantee, left))
            },
            version: c.version,
        };
        if let Some(g) = groups.last_mut() {
            g.clocks.push(row);
        }
    }
    let mut layout = Layout::new(&session, "/queue", "At-risk queue").fresh(&snap);
    layout.refresh = 30;
    render(&QueuePage {
        layout,
        total,
        keeps: a.queue.keep_breached.to_string(),
        not_measurable,
        long_ago,
        selects,
        pager,
        groups,
    })
}
