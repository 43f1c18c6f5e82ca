//! Findings: per period, who missed, by how much, and the most likely cause
//! in the data, in plain language, most important first.

use super::{Evaluation, GoalResult, PeriodKey};
use crate::agreement::{Agreement, Metric};

/// One finding: a sentence and how much it weighs (the larger, the earlier).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The sentence.
    pub text: String,
    /// How far from its target, as a fraction (0 for informational findings).
    pub shortfall: f64,
}

fn sentence(a: &Agreement, r: &GoalResult) -> String {
    let owner = a
        .party(&crate::agreement::PartyId(r.owner.clone()))
        .map_or(r.owner.clone(), |p| p.name.clone());
    let goal = a.goals.iter().find(|g| g.id.as_str() == r.id);
    // The texts the report's goal table prints.
    let actual = super::shown::actual_text(a, &r.actual, &r.target);
    let what = match goal.map(|g| &g.metric) {
        Some(Metric::Reached(s)) => format!(
            "delivered {} of {} {}s",
            actual,
            r.target,
            s.as_str().to_uppercase()
        ),
        Some(Metric::FollowUpRate) => format!(
            "met {} of its response-time promises in time (target {})",
            actual, r.target
        ),
        Some(Metric::AcceptanceRate) => format!(
            "accepted {} of the leads it decided on (target {})",
            actual, r.target
        ),
        Some(Metric::Conversion { from, to }) => format!(
            "turned {} of {}s into {}s (target {})",
            actual,
            from.as_str().to_uppercase(),
            to.as_str().to_uppercase(),
            r.target
        ),
        Some(Metric::MedianFirstTouch) => format!(
            "took a median {} to first touch (target at most {})",
            actual, r.target
        ),
        Some(Metric::Opportunities) => {
            format!("created {} of {} opportunities", actual, r.target)
        }
        Some(Metric::PipelineValue) => format!("created {} of {} pipeline", actual, r.target),
        Some(Metric::RevenueWon) => format!("won {} of {} revenue", actual, r.target),
        None => format!("{} against {}", actual, r.target),
    };
    format!("{owner} {what} ({})", r.id)
}

pub(crate) fn for_period(e: &Evaluation, a: &Agreement, period: PeriodKey) -> Vec<Finding> {
    let mut out = Vec::new();
    let results: Vec<&GoalResult> = e
        .goals
        .iter()
        .filter(|r| {
            r.period == period || (r.period.kind != period.kind && contains(r.period, period))
        })
        .collect();
    for r in &results {
        if r.attained == Some(false) {
            let shortfall = match (r.target.value(), r.actual.value()) {
                (Some(t), Some(v)) if t > 0.0 => ((t - v) / t).abs(),
                _ => 0.5,
            };
            // An open period can still be made up: behind, not missed (as
            // the goal table says).
            let verdict = if r.closed {
                "Missed"
            } else {
                "Behind (period open)"
            };
            out.push(Finding {
                text: format!("{verdict}: {}.", sentence(a, r)),
                shortfall,
            });
        }
    }
    // The seeds' quarrel: volume delivered while follow-up lags, or the other way round.
    let is = |r: &&&GoalResult, f: fn(&Metric) -> bool| {
        a.goals
            .iter()
            .any(|g| g.id.as_str() == r.id && f(&g.metric))
    };
    let volume = results.iter().find(|r| {
        is(
            r,
            |m| matches!(m, Metric::Reached(s) if s.as_str() == "mql"),
        )
    });
    let follow = results
        .iter()
        .find(|r| is(r, |m| matches!(m, Metric::FollowUpRate)));
    if let (Some(v), Some(f)) = (volume, follow) {
        match (v.attained, f.attained) {
            (Some(true), Some(false)) => out.push(Finding {
                text: format!(
                    "{}; {}: follow-up speed, not volume, is the gap.",
                    sentence(a, v),
                    sentence(a, f)
                ),
                shortfall: 1.0,
            }),
            (Some(false), Some(true)) => out.push(Finding {
                text: format!(
                    "{}; {}: volume, not follow-up, is the gap.",
                    sentence(a, v),
                    sentence(a, f)
                ),
                shortfall: 1.0,
            }),
            _ => {}
        }
    }
    // Who missed: each follow-up goal short of its target, split by the
    // lead's owner (the same clocks and verdicts as the goal's rate).
    let tz = &a.time_zone.tz;
    for r in results.iter().filter(|r| r.attained == Some(false)) {
        let Some(g) = a
            .goals
            .iter()
            .find(|g| g.id.as_str() == r.id && g.metric == Metric::FollowUpRate)
        else {
            continue;
        };
        let (from, to) = (r.period.start(tz).as_second(), r.period.end(tz).as_second());
        let parts = super::goals::follow_up_by_owner(a, g, &e.clocks, from, to);
        let missed: Vec<String> = parts
            .iter()
            .filter(|o| o.in_time < o.measured)
            .map(|o| {
                format!(
                    "{}: {} of {} in time",
                    o.owner.unwrap_or(super::NO_OWNER),
                    o.in_time,
                    o.measured
                )
            })
            .collect();
        if missed.is_empty() {
            continue;
        }
        const NAMED: usize = 5;
        let more = match missed.len().saturating_sub(NAMED) {
            0 => String::new(),
            1 => ", and 1 more owner with a miss".to_string(),
            n => format!(", and {n} more owners with a miss"),
        };
        out.push(Finding {
            text: format!(
                "Follow-up by owner, most missed first ({}, {}): {}{more}.",
                r.id,
                r.period,
                missed[..missed.len().min(NAMED)].join("; ")
            ),
            shortfall: 0.0,
        });
    }
    // Lead quality of the period: the source whose leads sales rejects
    // most, with its top reason.
    let quality = e.quality(a, &super::report::Range::period(period, a));
    if let Some(q) = quality
        .sources
        .iter()
        .filter(|q| q.accepted + q.rejected >= 5)
        .max_by(|x, y| {
            let rate =
                |q: &super::SourceQuality| q.rejected as f64 / (q.accepted + q.rejected) as f64;
            rate(x).total_cmp(&rate(y))
        })
        && q.rejected > 0
    {
        let reason = q.rejection_reasons.first().map_or(String::new(), |(r, n)| {
            format!(", most often \"{r}\" ({n})")
        });
        out.push(Finding {
            text: format!(
                "Leads from {} are rejected most: {} of {} decided{reason}.",
                q.source,
                q.rejected,
                q.accepted + q.rejected
            ),
            shortfall: 0.0,
        });
    }
    if let Some(d) = &quality.scoring
        && (!d.handed_below_threshold.is_empty() || !d.above_threshold_not_handed.is_empty())
    {
        out.push(Finding {
                text: format!(
                    "Scoring disagreements: {} lead(s) handed over below the MQL threshold, {} at or above it never handed over.",
                    d.handed_below_threshold.len(),
                    d.above_threshold_not_handed.len()
                ),
                shortfall: 0.0,
            });
    }
    out.sort_by(|x, y| y.shortfall.total_cmp(&x.shortfall));
    out
}

/// Whether period `outer` (a quarter or year) holds month `inner`, or the other way.
fn contains(outer: PeriodKey, inner: PeriodKey) -> bool {
    use crate::agreement::Period;
    let month_of = |p: PeriodKey| match p.kind {
        Period::Month => Some(p.index),
        _ => None,
    };
    match (outer.kind, month_of(inner)) {
        (Period::Quarter, Some(m)) => outer.year == inner.year && (m - 1) / 3 + 1 == outer.index,
        (Period::Year, Some(_)) => outer.year == inner.year,
        _ => false,
    }
}
