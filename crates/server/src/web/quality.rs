//! `GET /quality`: lead quality per source: volume, acceptance, conversion
//! and the reasons sales gave for rejecting.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use handshake_core::agreement::Period;
use handshake_core::engine::report::Range;
use handshake_core::engine::{PeriodKey, Report, percent};

use super::chart::{Point, bars};
use super::session::Signed;
use super::{Layout, render, snapshot};
use crate::AppState;

pub(crate) struct Row {
    pub source: String,
    pub leads: usize,
    pub mqls: usize,
    pub accepted: usize,
    pub acceptance: String,
    pub sqls: usize,
    pub conversion: String,
    pub won: usize,
    pub reasons: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    layout: Layout,
    chart: String,
    rows: Vec<Row>,
}

/// The lead quality page: the sources of this month's report, the numbers
/// `handshake report` and the API give.
pub(crate) async fn page(State(state): State<AppState>, Signed(session, _): Signed) -> Response {
    let snap = match snapshot(&state, &session, "/quality", "Lead quality").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let e = &snap.evaluation;
    let month = PeriodKey::containing(Period::Month, e.as_of, &a.time_zone.tz);
    let report = Report::new(e, a, Range::period(month, a), Some(snap.version));
    let rows: Vec<Row> = report
        .sources
        .iter()
        .map(|q| Row {
            source: q.source.clone(),
            leads: q.leads,
            mqls: q.mqls,
            accepted: q.accepted,
            acceptance: percent(q.acceptance),
            sqls: q.sqls,
            conversion: percent(q.conversion),
            won: q.won,
            reasons: q
                .rejection_reasons
                .iter()
                .take(4)
                .map(|r| format!("{} {}", r.reason, r.count))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let points: Vec<Point> = report
        .sources
        .iter()
        .map(|q| Point {
            label: q.source.chars().take(8).collect(),
            value: q.acceptance,
            text: format!("{}: {} accepted", q.source, percent(q.acceptance)),
            good: q.acceptance.map(|r| r >= 0.7),
        })
        .collect();
    render(&QualityPage {
        layout: Layout::new(&session, "/quality", "Lead quality").fresh(&snap),
        chart: bars("Acceptance by source", &points, Some(0.7)),
        rows,
    })
}
