//! `GET /quality`: lead quality per source: volume, acceptance, conversion
//! and the reasons sales gave for rejecting.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::engine::percent;

use super::chart::{Point, bars};
use super::scorecard::PeriodQuery;
use super::session::Signed;
use super::{Layout, render};
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

pub(crate) struct GradeRow {
    pub grade: String,
    pub mqls: usize,
    pub accepted: usize,
    pub acceptance: String,
    pub converted: usize,
    pub conversion: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    layout: Layout,
    period: String,
    previous: String,
    next: String,
    chart: String,
    rows: Vec<Row>,
    grades: Vec<GradeRow>,
}

/// The lead quality page for `?period=` (default: this month): the sources
/// and grades of that period's report, the numbers `handshake report` and
/// the API give.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (snap, period, report) = match super::period_report(
        &state,
        &session,
        ("/quality", "Lead quality"),
        q.period.as_deref(),
    )
    .await
    {
        Ok(opened) => opened,
        Err(page) => return page,
    };
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
    let grades = report
        .grades
        .iter()
        .map(|g| GradeRow {
            grade: g.grade.clone(),
            mqls: g.mqls,
            accepted: g.accepted,
            acceptance: percent(g.acceptance),
            converted: g.converted,
            conversion: percent(g.conversion),
        })
        .collect();
    render(&QualityPage {
        layout: Layout::new(&session, "/quality", "Lead quality").fresh(&snap),
        period: period.to_string(),
        previous: period.previous().to_string(),
        next: period.next().to_string(),
        chart: bars("Acceptance by source", &points, Some(0.7)),
        rows,
        grades,
    })
}
