//! `GET /`: the scorecard. This period's goals per team, attained or missed,
//! each with its last six periods as a chart; the guarantees' clock counts;
//! the diagnostics in plain words.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use handshake_core::agreement::Period;
use handshake_core::engine::report::Range;
use handshake_core::engine::{GoalLine, GoalStatus, PeriodKey};
use serde::Deserialize;

use super::chart::{Point, bars};
use super::session::Signed;
use super::{Layout, render};
use crate::AppState;

pub(crate) struct GoalCard {
    /// The list behind the number.
    pub href: String,
    pub id: String,
    pub description: String,
    pub target: String,
    pub actual: String,
    pub class: &'static str,
    pub status: String,
    pub chart: String,
    /// Published figures to read the actual against (speed studies beside a
    /// median first touch), labelled as not the team's data.
    pub outside: Vec<handshake_core::engine::OutsideFigure>,
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
    /// Clocks that cannot be judged from the data, in words; empty when none.
    pub not_measurable: String,
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
    /// Each party's requests: sent, kept in time, around the agreed
    /// channels, fees (the report's `requests`, in its own words).
    requests: Vec<String>,
    /// Each lead guarantee's clocks of the period per owner, then per team.
    owners: Vec<super::owners::OwnerRow>,
    team_rows: Vec<super::owners::OwnerRow>,
    streaks: Vec<String>,
    scoring: String,
    outside_label: &'static str,
    no_owner: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct PeriodQuery {
    pub(crate) period: Option<String>,
}

/// The card's colour: green when attained or on track, red when missed.
fn class(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Attained | GoalStatus::OnTrack => "met",
        GoalStatus::Missed => "missed",
        GoalStatus::Behind | GoalStatus::NothingToMeasure => "open",
    }
}

/// The scorecard for `?period=` (default: this month).
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let (snap, period, report) =
        match super::period_report(&state, &session, ("/", "Scorecard"), q.period.as_deref()).await
        {
            Ok(opened) => opened,
            Err(page) => return page,
        };
    let a = snap.agreement();
    let e = &snap.evaluation;
    let tz = &a.time_zone.tz;
    let start = period.start(tz);
    // Everything below is read from the period's report: the numbers the
    // API and `handshake report` give for the same period.
    let range = Range::period(period, a);
    let people = match super::people(&state, &session).await {
        Ok(p) => p,
        Err(page) => return page,
    };
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
                    // The goal's period that holds the page's: for a month's
                    // page, a quarter goal's quarter to date.
                    let key = PeriodKey::containing(g.per, start, tz);
                    let now = report
                        .goals
                        .iter()
                        .find(|l| l.id == g.id.as_str() && l.period == key.to_string());
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
                                Period::Week => format!("W{:02}", k.index),
                                Period::Month => format!("{:02}", k.index),
                                Period::Quarter => format!("Q{} {:02}", k.index, k.year % 100),
                                Period::Year => k.year.to_string(),
                            };
                            Point {
                                label,
                                value: r.and_then(|r| r.actual.value()),
                                text: r.map_or_else(
                                    || "no data".into(),
                                    |r| GoalLine::new(a, r).actual_text,
                                ),
                                good: r.and_then(|r| r.attained),
                            }
                        })
                        .collect();
                    GoalCard {
                        href: format!("/goals/{}/{key}", super::encode(g.id.as_str(), false)),
                        outside: handshake_core::engine::outside_figures(&g.metric),
                        id: g.id.to_string(),
                        description: g.description.clone().unwrap_or_default(),
                        target: g.target.to_string(),
                        actual: now.map_or_else(|| "—".into(), |l| l.actual_text.clone()),
                        class: now.map_or("open", |l| class(l.status)),
                        status: match now {
                            Some(l) => format!(
                                "{} · {key}{}",
                                l.status.words(),
                                l.version
                                    .map_or_else(String::new, |v| format!(" · version {v}"))
                            ),
                            None => format!("no data · {key}"),
                        },
                        chart: bars(
                            &format!("{} over six periods", g.id),
                            &points,
                            g.target.value(),
                        ),
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
    let guarantees = report
        .guarantees
        .iter()
        .map(|s| GuaranteeRow {
            id: s.id.clone(),
            clocks: s.clocks,
            met: s.met,
            met_late: s.met_late,
            breached: s.breached,
            running: s.running,
            at_risk: s.at_risk,
            compliance: s.compliance_text(),
            not_measurable: if s.not_measurable > 0 {
                format!(
                    "{}: {} {}: no event that could stop {} (a touch, a decision) has arrived from any source. Import the CRM's activities, or send them live.",
                    s.id,
                    if s.not_measurable == 1 {
                        "1 clock is".to_string()
                    } else {
                        format!("{} clocks are", s.not_measurable)
                    },
                    handshake_core::engine::NOT_MEASURABLE,
                    if s.not_measurable == 1 { "it" } else { "them" },
                )
            } else {
                String::new()
            },
        })
        .collect();
    // Streaks are of closed periods: said so, they agree with an open
    // period's "on track" card beneath them.
    let streaks = report
        .streaks
        .iter()
        .filter(|s| s.missed_in_a_row >= 2)
        .map(|s| {
            format!(
                "{} missed its last {} closed periods in a row.",
                s.goal, s.missed_in_a_row
            )
        })
        .collect();
    let scoring = report.scoring.as_ref().map_or_else(String::new, |d| {
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
        cancellation: report.cancellation,
        consequences: report.consequences,
        teams,
        guarantees,
        requests: report.requests.iter().flat_map(|r| r.texts()).collect(),
        owners: super::owners::rows(&report.owners, &people, false),
        team_rows: super::owners::rows(
            &handshake_core::engine::team_lines(
                e,
                a,
                &people,
                range.from.as_second(),
                range.to.as_second(),
            ),
            &people,
            true,
        ),
        findings: report.findings,
        streaks,
        scoring,
        outside_label: handshake_core::engine::OUTSIDE_LABEL,
        no_owner: handshake_core::engine::NO_OWNER,
    })
}
