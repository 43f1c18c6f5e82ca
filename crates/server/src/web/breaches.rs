//! `GET /breaches`: every clock that missed its promise, most recently due
//! first: those still open (however long ago) and those met late. The queue
//! keeps only recent breaches; this list is where the older ones are read.
//! Filtered by team, rep, guarantee and state, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::engine::{Clock, ClockState, queue_standing};

use super::clock_list::{ListQuery, Pager, Select, UNASSIGNED, open};
use super::session::Signed;
use super::{Layout, render, spoken, when_secs};
use crate::AppState;

struct Row {
    lead: String,
    /// The lead's name, else its company (the core's `Clock::name`).
    name: Option<String>,
    guarantee: String,
    owner: String,
    state: &'static str,
    due: String,
    late: String,
    version: u32,
}

#[derive(Template)]
#[template(path = "breaches.html")]
struct BreachesPage {
    layout: Layout,
    /// Breaches before the filters.
    total: usize,
    selects: Vec<Select>,
    pager: Pager,
    rows: Vec<Row>,
}

/// The states the list's filter offers.
const STATES: [(&str, &str); 2] = [("breached", "still open"), ("met_late", "met late")];

/// The breaches list, filtered and paged as the query says.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<ListQuery>,
) -> Response {
    let (listing, snap, people) = match open(
        &state,
        &session,
        q,
        ("/breaches", "Breaches"),
        &STATES,
        false,
    )
    .await
    {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let missed: Vec<&Clock> = snap
        .evaluation
        .clocks
        .iter()
        .filter(|c| matches!(c.view.state, ClockState::Breached | ClockState::MetLate))
        .collect();
    let selects = listing.selects(a, &people, &missed, &STATES);
    let mut shown: Vec<&Clock> = missed
        .iter()
        .copied()
        .filter(|c| listing.state.is_empty() || c.view.state.as_str() == listing.state)
        .filter(|c| listing.filter.holds(&people, c, queue_standing(a, c)))
        .collect();
    // Most recently due first; then by lead, so pages stay put.
    shown.sort_by(|x, y| {
        y.view
            .due
            .cmp(&x.view.due)
            .then_with(|| x.subject.cmp(&y.subject))
            .then_with(|| x.guarantee.cmp(&y.guarantee))
    });
    let pager = Pager::new(&listing, "/breaches", shown.len());
    let rows = shown[pager.from..pager.to]
        .iter()
        .map(|c| Row {
            lead: c.subject.clone(),
            name: c.name.clone(),
            guarantee: c.guarantee.clone(),
            owner: c.owner.clone().unwrap_or_else(|| UNASSIGNED.to_string()),
            state: if c.view.state == ClockState::Breached {
                "still open"
            } else {
                "met late"
            },
            due: when_secs(c.view.due, tz),
            late: format!("{} late", spoken(a, &c.guarantee, c.view.left())),
            version: c.version,
        })
        .collect();
    render(&BreachesPage {
        layout: Layout::new(&session, "/breaches", "Breaches").fresh(&snap),
        total: missed.len(),
        selects,
        pager,
        rows,
    })
}
