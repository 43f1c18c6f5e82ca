//! `GET /`: the scorecard. This period's goals per team, attained or missed,
//! each with its last six periods as a chart; the guarantees' clock counts;
//! the diagnostics in plain words.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use handshake_core::agreement::Period;
use handshake_core::engine::{GoalResult, PeriodKey};
use serde::Deserialize;

use super::chart::{Point, bars};
use super::session::Signed;
use super::{Layout, error_page, percent, render, snapshot};
use crate::AppState;

pub(crate) struct GoalCard {
    pub id: String,
    pub description: String,
    pub target: String,
    pub actual: String,
    pub class: &'static str,
    pub status: String,
    pub chart: String,
}

pub(crate) struct Team {
    pub name: String,
    pub summary: String,
    pub goals: Vec<GoalCard>,
}

pub(crate) struct GuaranteeRow {
    pub id: String,
    pub clocks: usize,
    pub met: usize,
    pub met_late: usize,
    pub breached: usize,
    pub running: usize,
    pub at_risk: usize,
    pub compliance: String,
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    layout: Layout,
    period: String,
    previous: String,
    next: String,
    cancellation: Option<String>,
    consequences: Vec<String>,
    teams: Vec<Team>,
    guarantees: Vec<GuaranteeRow>,
    findings: Vec<String>,
    streaks: Vec<String>,
    scoring: String,
}

#[derive(Deserialize)]
pub(crate) struct PeriodQuery {
    period: Option<String>,
}

fn status(r: Option<&GoalResult>) -> (&'static str, &'static str) {
    match r {
        None => ("open", "no data"),
        Some(r) => match (r.attained, r.closed) {
            (Some(true), true) => ("met", "attained"),
            (Some(false), true) => ("missed", "missed"),
            (Some(true), false) => ("met", "on track"),
            (Some(false), false) => ("open", "in progress"),
            (None, _) => ("open", "nothing to measure"),
        },
    }
}

/// The scorecard for `?period=` (default: this month).
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let snap = match snapshot(&state, &session, "/", "Scorecard").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let a = snap.agreement();
    let e = &snap.evaluation;
    let tz = &a.time_zone.tz;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        None => PeriodKey::containing(Period::Month, e.as_of, tz),
        Some(p) => match PeriodKey::parse(p) {
            Some(k) => k,
            None => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "No such period",
                    &format!(
                        "\"{p}\" is not a period; expected a month like 2026-11, a quarter like 2026-Q4 or a year like 2026."
                    ),
                );
            }
        },
    };
    let start = period.start(tz);
    let find = |id: &str, key: PeriodKey| e.goals.iter().find(|g| g.id == id && g.period == key);
    let teams = a
        .parties
        .iter()
        .map(|party| {
            let goals: Vec<GoalCard> = a
                .goals
                .iter()
                .filter(|g| g.owner == party.id)
                .map(|g| {
                    let key = PeriodKey::containing(g.per, start, tz);
                    let now = find(g.id.as_str(), key);
                    let (class, status) = status(now);
                    let mut keys = vec![key];
                    for _ in 0..5 {
                        let k = keys[keys.len() - 1].previous();
                        keys.push(k);
                    }
                    keys.reverse();
                    let points: Vec<Point> = keys
                        .iter()
                        .map(|k| {
                            let r = find(g.id.as_str(), *k);
                            let label = match k.kind {
                                Period::Month => format!("{:02}", k.index),
                                Period::Quarter => format!("Q{} {:02}", k.index, k.year % 100),
                                Period::Year => k.year.to_string(),
                            };
                            Point {
                                label,
                                value: r.and_then(|r| r.actual.value()),
                                text: r.map_or_else(|| "no data".into(), |r| r.actual.to_string()),
                                good: r.and_then(|r| r.attained),
                            }
                        })
                        .collect();
                    let target = now.and_then(|r| r.target.value());
                    GoalCard {
                        id: g.id.to_string(),
                        description: g.description.clone().unwrap_or_default(),
                        target: g.target.to_string(),
                        actual: now.map_or_else(|| "—".into(), |r| r.actual.to_string()),
                        class,
                        status: format!("{status} · {key}"),
                        chart: bars(&format!("{} over six periods", g.id), &points, target),
                    }
                })
                .collect();
            let met = goals.iter().filter(|g| g.class == "met").count();
            Team {
                name: party.name.clone(),
                summary: format!("{met} of {} goals attained or on track", goals.len()),
                goals,
            }
        })
        .collect();
    let guarantees = e
        .guarantee_summaries(a, start.as_second(), period.end(tz).as_second())
        .into_iter()
        .map(|s| GuaranteeRow {
            id: s.id,
            clocks: s.clocks,
            met: s.met,
            met_late: s.met_late,
            breached: s.breached,
            running: s.running,
            at_risk: s.at_risk,
            compliance: percent(s.compliance),
        })
        .collect();
    // What stands for this period only: its streaks, breaches and terms.
    let standing = e.standing(a, start.as_second(), period.end(tz).as_second());
    let streaks = standing
        .streaks
        .iter()
        .filter(|s| s.missed_in_a_row >= 2)
        .map(|s| {
            format!(
                "{} has missed {} periods in a row.",
                s.goal, s.missed_in_a_row
            )
        })
        .collect();
    let scoring = e.scoring.as_ref().map_or_else(String::new, |d| {
        format!(
            "Scoring model against the CRM: {} leads handed to sales below the threshold, {} above it never handed over.",
            d.handed_below_threshold.len(),
            d.above_threshold_not_handed.len()
        )
    });
    render(&ScorecardPage {
        layout: Layout::new(&session, "/", format!("Scorecard · {}", a.name)).fresh(&snap),
        period: period.to_string(),
        previous: period.previous().to_string(),
        next: period.next().to_string(),
        cancellation: standing.cancellation,
        consequences: standing.consequences,
        teams,
        guarantees,
        findings: e.findings(a, period).into_iter().map(|f| f.text).collect(),
        streaks,
        scoring,
    })
}
