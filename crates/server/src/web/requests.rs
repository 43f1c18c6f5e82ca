//! `GET /requests`: requests between the teams. Per party, the period's
//! requests sent, those sent around the agreed channels, the fees owed and
//! the request clocks kept (the report's `requests`, one definition); the
//! requests open now, per owing party and kind, with their due times and
//! states; the period's breached requests. Each request links to its
//! timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::engine::report::Range;
use handshake_core::engine::requests::{RequestRecord, owners_by_guarantee};
use handshake_core::engine::{Clock, ClockState, percent};

use super::lead::extension_words;
use super::scorecard::PeriodQuery;
use super::session::Signed;
use super::{Layout, render, spoken, when_secs};
use crate::AppState;

struct PartyRow {
    party: String,
    sent: usize,
    outside: usize,
    outside_ids: Vec<String>,
    fees: String,
    kept: String,
    compliance: String,
}

struct RequestRow {
    request: String,
    kind: String,
    from: String,
    owes: String,
    guarantee: String,
    state: &'static str,
    due: String,
    left: String,
    extension: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    layout: Layout,
    period: String,
    previous: String,
    next: String,
    parties: Vec<PartyRow>,
    open: Vec<RequestRow>,
    breached: Vec<RequestRow>,
}

/// The words for a request clock's state on this page.
fn state_words(s: ClockState) -> &'static str {
    match s {
        ClockState::Running => "running",
        ClockState::Breached => "breached, still open",
        ClockState::MetLate => "met late",
        ClockState::Met => "met",
        ClockState::NotMeasurable => "not measurable",
    }
}

/// The requests page for `?period=` (default: this month).
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (snap, period, report) = match super::period_report(
        &state,
        &session,
        ("/requests", "Requests"),
        q.period.as_deref(),
    )
    .await
    {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let e = &snap.evaluation;
    let tz = &a.time_zone.tz;
    let range = Range::period(period, a);
    let (from, to) = (range.from.as_second(), range.to.as_second());
    let parties = report
        .requests
        .iter()
        .map(|r| PartyRow {
            party: r.party.clone(),
            sent: r.sent,
            outside: r.outside_channels,
            outside_ids: r.outside.clone(),
            fees: r
                .fees
                .iter()
                .map(|f| f.text())
                .collect::<Vec<_>>()
                .join(", "),
            kept: format!("{} of {}", r.met, r.met + r.late),
            compliance: percent(r.compliance),
        })
        .collect();
    let owners = owners_by_guarantee(a);
    let requests: HashMap<&str, &RequestRecord> =
        e.requests.iter().map(|r| (r.id.as_str(), r)).collect();
    let row = |c: &Clock, owes: &str| {
        let r = requests.get(c.subject.as_str());
        RequestRow {
            request: c.subject.clone(),
            kind: r
                .and_then(|r| r.kind.clone())
                .unwrap_or_else(|| "—".to_string()),
            from: r.map_or_else(|| "—".to_string(), |r| r.from.clone()),
            owes: owes.to_string(),
            guarantee: c.guarantee.clone(),
            state: state_words(c.view.state),
            due: when_secs(c.view.due, tz),
            left: match c.view.state {
                ClockState::Running => format!("{} left", spoken(a, &c.guarantee, c.view.left())),
                ClockState::Breached | ClockState::MetLate => {
                    format!("{} late", spoken(a, &c.guarantee, c.view.left()))
                }
                _ => String::new(),
            },
            extension: extension_words(c.view.extension.as_deref(), tz),
        }
    };
    let request_clocks = || {
        e.clocks
            .iter()
            .filter_map(|c| owners.get(c.guarantee.as_str()).map(|o| (c, *o)))
    };
    // Open now: per owing party, then kind, then due.
    let mut open: Vec<(&str, Option<i64>, RequestRow)> = request_clocks()
        .filter(|(c, _)| matches!(c.view.state, ClockState::Running | ClockState::Breached))
        .map(|(c, o)| (o, c.view.due, row(c, o)))
        .collect();
    open.sort_by(|x, y| (x.0, &x.2.kind, x.1).cmp(&(y.0, &y.2.kind, y.1)));
    let open: Vec<RequestRow> = open.into_iter().map(|(_, _, r)| r).collect();
    let breached: Vec<RequestRow> = request_clocks()
        .filter(|(c, _)| c.view.start >= from && c.view.start < to)
        .filter(|(c, _)| matches!(c.view.state, ClockState::Breached | ClockState::MetLate))
        .map(|(c, o)| row(c, o))
        .collect();
    render(&RequestsPage {
        layout: Layout::new(&session, "/requests", "Requests").fresh(&snap),
        period: period.to_string(),
        previous: period.previous().to_string(),
        next: period.next().to_string(),
        parties,
        open,
        breached,
    })
}
