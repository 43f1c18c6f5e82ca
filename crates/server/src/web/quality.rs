//! `GET /quality`: lead quality per source: volume, acceptance, conversion
//! and the reasons sales gave for rejecting.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::chart::{Point, bars};
use super::session::Signed;
use super::{Layout, percent, render, snapshot};
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

fn rate(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The lead quality page.
pub(crate) async fn page(State(state): State<AppState>, Signed(session, _): Signed) -> Response {
    let snap = match snapshot(&state, &session, "/quality", "Lead quality").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let sources = &snap.evaluation.sources;
    let rows: Vec<Row> = sources
        .iter()
        .map(|q| Row {
            source: q.source.clone(),
            leads: q.leads,
            mqls: q.mqls,
            accepted: q.accepted,
            acceptance: percent(q.acceptance()),
            sqls: q.sqls,
            conversion: percent(q.conversion()),
            won: q.won,
            reasons: q
                .rejection_reasons
                .iter()
                .take(4)
                .map(|(r, n)| format!("{r} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let points: Vec<Point> = sources
        .iter()
        .map(|q| {
            let r = rate(q.accepted, q.accepted + q.rejected);
            Point {
                label: q.source.chars().take(8).collect(),
                value: r,
                text: format!("{}: {} accepted", q.source, percent(r)),
                good: r.map(|r| r >= 0.7),
            }
        })
        .collect();
    render(&QualityPage {
        layout: Layout::new(&session, "/quality", "Lead quality").fresh(&snap),
        chart: bars("Acceptance by source", &points, Some(0.7)),
        rows,
    })
}
