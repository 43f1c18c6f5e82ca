//! `GET /queue`: the at-risk queue. Open clocks grouped per rep: running
//! ones soonest due first, then breached ones most recent first, with the business time left; the page
//! reloads itself.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::engine::{Clock, ClockState};
use serde::Deserialize;

use super::session::Signed;
use super::{Layout, render, snapshot, spoken, when_secs};
use crate::AppState;

/// Rows per rep when everyone is shown.
const PER_REP: usize = 25;
/// Rows when one rep is shown.
const ONE_REP: usize = 500;

pub(crate) struct Row {
    pub lead: String,
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
    pub more: usize,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    total: usize,
    /// Open clocks left out: not measurable from the data.
    not_measurable: usize,
    owners: Vec<(String, bool)>,
    groups: Vec<Group>,
}

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    owner: Option<String>,
    guarantee: Option<String>,
}

const UNASSIGNED: &str = "(unassigned)";

/// The queue, optionally for one rep or one guarantee.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<QueueQuery>,
) -> Response {
    let snap = match snapshot(&state, &session, "/queue", "At-risk queue").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let e = &snap.evaluation;
    let owner = q.owner.filter(|o| !o.is_empty());
    let guarantee = q.guarantee.filter(|g| !g.is_empty());
    let mut by_owner: BTreeMap<&str, Vec<&Clock>> = BTreeMap::new();
    for c in e
        .clocks
        .iter()
        .filter(|c| matches!(c.view.state, ClockState::Running | ClockState::Breached))
    {
        by_owner
            .entry(c.owner.as_deref().unwrap_or(UNASSIGNED))
            .or_default()
            .push(c);
    }
    let owners: Vec<(String, bool)> = by_owner
        .keys()
        .map(|o| (o.to_string(), owner.as_deref() == Some(*o)))
        .collect();
    let total = by_owner.values().map(Vec::len).sum();
    let not_measurable = e
        .clocks
        .iter()
        .filter(|c| c.view.state == ClockState::NotMeasurable)
        .count();
    let limit = if owner.is_some() { ONE_REP } else { PER_REP };
    let groups = by_owner
        .into_iter()
        .filter(|(o, _)| owner.as_deref().is_none_or(|w| w == *o))
        .filter_map(|(o, mut clocks)| {
            clocks.retain(|c| guarantee.as_deref().is_none_or(|g| g == c.guarantee));
            if clocks.is_empty() {
                return None;
            }
            // Still running first, soonest due first; then breached, the
            // most recently breached first.
            clocks.sort_by_key(|c| {
                let due = c.view.due.unwrap_or(i64::MAX);
                match c.view.state {
                    ClockState::Breached => (1, -due, c.view.start),
                    _ => (0, due, c.view.start),
                }
            });
            let breached = clocks
                .iter()
                .filter(|c| c.view.state == ClockState::Breached)
                .count();
            let at_risk = clocks.iter().filter(|c| c.view.at_risk).count();
            let rows = clocks
                .iter()
                .take(limit)
                .map(|c| {
                    // Left or overdue by the version that gave the due
                    // instant: the one in force at the clock's start.
                    let left = c.view.left();
                    let (state, class) = match (c.view.state, c.view.paused, c.view.at_risk) {
                        (ClockState::Breached, _, _) => ("breached", "breached"),
                        (_, true, _) => ("paused", "paused"),
                        (_, _, true) => ("at risk", "at_risk"),
                        _ => ("running", "running"),
                    };
                    Row {
                        lead: c.subject.clone(),
                        guarantee: c.guarantee.clone(),
                        state,
                        class,
                        due: when_secs(c.view.due, tz),
                        left: if left >= 0 {
                            format!("{} left", spoken(a, &c.guarantee, left))
                        } else {
                            format!("{} late", spoken(a, &c.guarantee, left))
                        },
                        version: c.version,
                    }
                })
                .collect();
            Some(Group {
                owner: o.to_string(),
                summary: format!(
                    "{} open · {breached} breached · {at_risk} at risk",
                    clocks.len()
                ),
                more: clocks.len().saturating_sub(limit),
                clocks: rows,
            })
        })
        .collect();
    let mut layout = Layout::new(&session, "/queue", "At-risk queue").fresh(&snap);
    layout.refresh = 30;
    render(&QueuePage {
        layout,
        total,
        not_measurable,
        owners,
        groups,
    })
}
