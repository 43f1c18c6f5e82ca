//! Goals per period: the actual number against the target, with the goal's
//! filters; streaks of missed closed periods; consequences and cancellation.

use std::fmt;

use jiff::Timestamp;

use super::fold::{Attrs, Facts, secs};
use super::{Clock, ClockState, PeriodKey, Streak, lead_guarantees, starts_at_mql};
use crate::agreement::{Agreement, Direction, Filters, Goal, Metric, Target, Trigger};

/// A goal's actual number in a period.
#[derive(Clone, Debug, PartialEq)]
pub enum Actual {
    /// A count.
    Count(u64),
    /// A sum of money in the target's currency (minor units); other currencies are never added in.
    Money {
        /// Minor units.
        minor: i64,
        /// The currency.
        currency: String,
    },
    /// A fraction from 0 to 1, or `None` with nothing to measure.
    Rate(Option<f64>),
    /// A business duration in seconds, or `None` with nothing to measure.
    Duration(Option<i64>),
}

impl Actual {
    /// The number as a plain float (rates as fractions, durations in seconds).
    pub fn value(&self) -> Option<f64> {
        match self {
            Actual::Count(n) => Some(*n as f64),
            Actual::Money { minor, .. } => Some(*minor as f64 / 100.0),
            Actual::Rate(r) => *r,
            Actual::Duration(d) => d.map(|s| s as f64),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actual::Count(n) => write!(f, "{n}"),
            Actual::Money { minor, currency } => write!(
                f,
                "{} {currency}",
                Target::Money {
                    minor: *minor,
                    currency: String::new()
                }
                .to_string()
                .trim()
            ),
            Actual::Rate(Some(r)) => write!(f, "{:.0}%", r * 100.0),
            Actual::Duration(Some(s)) => write!(f, "{}h{:02}m", s / 3600, s / 60 % 60),
            Actual::Rate(None) | Actual::Duration(None) => f.write_str("n/a"),
        }
    }
}

/// A goal in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalResult {
    /// The goal's id.
    pub id: String,
    /// The party that owes it.
    pub owner: String,
    /// The period.
    pub period: PeriodKey,
    /// The target as written.
    pub target: Target,
    /// The actual number.
    pub actual: Actual,
    /// Attained or missed; `None` when there is nothing to measure.
    pub attained: Option<bool>,
    /// Whether the period is over at as_of (only closed periods make streaks).
    pub closed: bool,
}

/// The source and persona filters (the segment one needs the agreement: [`in_segment`]).
fn passes(filters: &Filters, attrs: &Attrs) -> bool {
    let check = |want: Option<&str>, key: &str| {
        want.is_none_or(|w| attrs.get(key).is_some_and(|v| v.eq_ignore_ascii_case(w)))
    };
    check(filters.source.as_deref(), "source")
        && check(filters.persona.as_ref().map(|p| p.as_str()), "persona")
}

fn in_segment(a: &Agreement, filters: &Filters, attrs: &Attrs, activities: &[String]) -> bool {
    filters.segment.as_ref().is_none_or(|s| {
        a.segment(s)
            .is_some_and(|seg| attrs.matches(&seg.when, activities))
    })
}

/// Every goal in every period from the agreement's start (or the first data) to as_of.
pub(crate) fn all(
    a: &Agreement,
    facts: &[Facts],
    clocks: &[Clock],
    as_of: Timestamp,
) -> Vec<GoalResult> {
    let tz = &a.time_zone.tz;
    let limit = secs(as_of);
    let first = a
        .effective
        .from
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(as_of);
    let mut out = Vec::new();
    for g in &a.goals {
        let mut p = PeriodKey::containing(g.per, first, tz);
        let last = PeriodKey::containing(g.per, as_of, tz);
        if p > last {
            continue;
        }
        loop {
            let (ps, pe) = (secs(p.start(tz)), secs(p.end(tz)));
            let actual = measure(a, g, facts, clocks, ps, pe.min(limit + 1));
            let attained = attained(a, g, &actual);
            out.push(GoalResult {
                id: g.id.to_string(),
                owner: g.owner.to_string(),
                period: p,
                target: g.target.clone(),
                actual,
                attained,
                closed: pe <= limit,
            });
            if p == last {
                break;
            }
            p = p.next();
        }
    }
    out
}

fn attained(a: &Agreement, g: &Goal, actual: &Actual) -> Option<bool> {
    let target = match &g.target {
        Target::Count(n) => *n as f64,
        Target::Money { minor, .. } => *minor as f64 / 100.0,
        Target::Rate(bp) => f64::from(*bp) / 10_000.0,
        // Business days are the length of a day in the first calendar.
        Target::Duration(spec) => {
            let day = a
                .calendars
                .first()
                .map_or(handshake_calendar::BusinessDuration::from_hours(8), |c| {
                    c.calendar.day_length()
                });
            spec.resolve(day).as_seconds() as f64
        }
    };
    let value = actual.value()?;
    Some(match g.direction {
        Direction::AtLeast => value + 1e-9 >= target,
        Direction::AtMost => value <= target + 1e-9,
    })
}

/// The first reach of `stage` in [from, to) that passes the goal's filters, per lead.
fn first_reach<'f>(
    a: &Agreement,
    g: &Goal,
    f: &'f Facts,
    stage: &str,
    from: i64,
    to: i64,
) -> Option<&'f super::fold::Reach> {
    f.reached.iter().find(|r| {
        r.stage == stage
            && r.at >= from
            && r.at < to
            && passes(&g.filters, &r.attrs)
            && in_segment(a, &g.filters, &r.attrs, &f.activities)
    })
}

fn measure(
    a: &Agreement,
    g: &Goal,
    facts: &[Facts],
    clocks: &[Clock],
    from: i64,
    to: i64,
) -> Actual {
    let leads = facts.iter().filter(|f| !f.is_request);
    match &g.metric {
        Metric::Reached(stage) => Actual::Count(
            leads
                .filter(|f| first_reach(a, g, f, stage.as_str(), from, to).is_some())
                .count() as u64,
        ),
        Metric::Opportunities => Actual::Count(
            leads
                .flat_map(|f| f.opportunities.iter().map(move |o| (f, o)))
                .filter(|(f, (at, _, attrs))| {
                    *at >= from
                        && *at < to
                        && passes(&g.filters, attrs)
                        && in_segment(a, &g.filters, attrs, &f.activities)
                })
                .count() as u64,
        ),
        Metric::PipelineValue | Metric::RevenueWon => {
            let currency = match &g.target {
                Target::Money { currency, .. } => currency.clone(),
                _ => String::new(),
            };
            let minor = leads
                .flat_map(|f| {
                    let list = if g.metric == Metric::PipelineValue {
                        &f.opportunities
                    } else {
                        &f.wins
                    };
                    list.iter().map(move |o| (f, o))
                })
                .filter(|(f, (at, m, attrs))| {
                    *at >= from
                        && *at < to
                        && m.currency == currency
                        && passes(&g.filters, attrs)
                        && in_segment(a, &g.filters, attrs, &f.activities)
                })
                .map(|(_, (_, m, _))| m.minor)
                .sum();
            Actual::Money { minor, currency }
        }
        Metric::FollowUpRate => {
            let counted: Vec<usize> = a
                .guarantees
                .iter()
                .enumerate()
                .filter(|(_, x)| {
                    if g.guarantees.is_empty() {
                        x.subject == crate::agreement::Subject::Lead
                    } else {
                        g.guarantees.contains(&x.id)
                    }
                })
                .map(|(i, _)| i)
                .collect();
            let (mut met, mut measured) = (0usize, 0usize);
            for c in clocks.iter().filter(|c| {
                counted.contains(&c.guarantee_index) && c.view.start >= from && c.view.start < to
            }) {
                let seg_ok = g.filters.segment.as_ref().is_none_or(|s| {
                    a.segment(s).is_some_and(|seg| match &seg.when {
                        crate::agreement::Matcher::Attribute { attribute, values }
                            if attribute == "segment" =>
                        {
                            c.segment
                                .as_ref()
                                .is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v)))
                        }
                        _ => true,
                    })
                });
                if !seg_ok {
                    continue;
                }
                match c.view.state {
                    ClockState::Met => {
                        met += 1;
                        measured += 1;
                    }
                    ClockState::MetLate | ClockState::Breached => measured += 1,
                    ClockState::Running => {}
                }
            }
            Actual::Rate((measured > 0).then(|| met as f64 / measured as f64))
        }
        Metric::AcceptanceRate => {
            let (mut yes, mut decided) = (0usize, 0usize);
            for f in leads {
                if let Some(r) = first_reach(a, g, f, "mql", from, to)
                    && let Some((_, accepted, _)) = f.decisions.iter().find(|d| d.0 >= r.at)
                {
                    decided += 1;
                    yes += usize::from(*accepted);
                }
            }
            Actual::Rate((decided > 0).then(|| yes as f64 / decided as f64))
        }
        Metric::Conversion { from: s1, to: s2 } => {
            let (mut converted, mut cohort) = (0usize, 0usize);
            for f in leads {
                if let Some(r) = first_reach(a, g, f, s1.as_str(), from, to) {
                    cohort += 1;
                    converted += usize::from(
                        f.reached
                            .iter()
                            .any(|x| x.stage == s2.as_str() && x.at >= r.at),
                    );
                }
            }
            Actual::Rate((cohort > 0).then(|| converted as f64 / cohort as f64))
        }
        Metric::MedianFirstTouch => {
            let mut times = Vec::new();
            for f in leads {
                let Some(r) = first_reach(a, g, f, "mql", from, to) else {
                    continue;
                };
                let Some(&touch) = f.touches.iter().find(|t| **t >= r.at) else {
                    continue;
                };
                let cal = lead_guarantees(a)
                    .find(|x| {
                        starts_at_mql(&x.starts)
                            && x.segment.as_ref().is_none_or(|s| {
                                a.segment(s)
                                    .is_some_and(|seg| r.attrs.matches(&seg.when, &f.activities))
                            })
                    })
                    .and_then(|x| a.calendar(&x.calendar))
                    .or_else(|| a.calendars.first());
                if let Some(cal) = cal {
                    times.push(cal.calendar.elapsed_seconds(r.at, touch));
                }
            }
            times.sort_unstable();
            let median = match times.len() {
                0 => None,
                n if n % 2 == 1 => Some(times[n / 2]),
                n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
            };
            Actual::Duration(median)
        }
    }
}

/// Consecutive missed closed periods per goal, ending at the latest closed one.
pub(crate) fn streaks(a: &Agreement, results: &[GoalResult]) -> Vec<Streak> {
    a.goals
        .iter()
        .map(|g| {
            let mut n = 0;
            for r in results
                .iter()
                .rev()
                .filter(|r| r.id == g.id.as_str() && r.closed)
            {
                if r.attained == Some(false) {
                    n += 1;
                } else {
                    break;
                }
            }
            Streak {
                goal: g.id.to_string(),
                missed_in_a_row: n,
            }
        })
        .collect()
}

/// Consequences that fire and the cancellation term when met, in words.
pub(crate) fn consequences(
    a: &Agreement,
    streaks: &[Streak],
    clocks: &[Clock],
) -> (Vec<String>, Option<String>) {
    let streak_of = |id: &str| {
        streaks
            .iter()
            .find(|s| s.goal == id)
            .map_or(0, |s| s.missed_in_a_row)
    };
    let mut fired = Vec::new();
    for c in &a.consequences {
        let to = a.party(&c.to).map_or(c.to.to_string(), |p| p.name.clone());
        match &c.when {
            Trigger::GoalMissed { goal, periods } => {
                for g in a
                    .goals
                    .iter()
                    .filter(|g| goal.as_ref().is_none_or(|x| x == &g.id))
                {
                    let n = streak_of(g.id.as_str());
                    if n >= *periods {
                        fired.push(format!(
                            "goal {} missed {n} period{} in a row: {} to {to}",
                            g.id,
                            if n == 1 { "" } else { "s" },
                            c.action.as_str()
                        ));
                    }
                }
            }
            Trigger::GuaranteeBreached { guarantee } => {
                let breaches = clocks
                    .iter()
                    .filter(|k| {
                        guarantee.as_ref().is_none_or(|x| x.as_str() == k.guarantee)
                            && matches!(k.view.state, ClockState::Breached | ClockState::MetLate)
                    })
                    .count();
                if breaches > 0 {
                    let which = guarantee
                        .as_ref()
                        .map_or("guarantees".to_string(), |g| format!("guarantee {g}"));
                    fired.push(format!(
                        "{breaches} breach{} of {which}: {} to {to}",
                        if breaches == 1 { "" } else { "es" },
                        c.action.as_str()
                    ));
                }
            }
        }
    }
    let cancellation = a.cancellation.as_ref().and_then(|c| {
        let counted: Vec<&str> = if c.goals.is_empty() {
            a.goals.iter().map(|g| g.id.as_str()).collect()
        } else {
            c.goals.iter().map(|g| g.as_str()).collect()
        };
        let hit: Vec<String> = counted
            .iter()
            .filter(|g| streak_of(g) >= c.after_consecutive_missed_periods)
            .map(|g| g.to_string())
            .collect();
        (!hit.is_empty()).then(|| {
            format!(
                "cancellation term met: goal{} {} missed {} or more consecutive periods{}",
                if hit.len() == 1 { "" } else { "s" },
                hit.join(", "),
                c.after_consecutive_missed_periods,
                c.notice_days.map_or(String::new(), |d| format!(
                    "; either side may end the agreement with {d} days' notice"
                ))
            )
        })
    });
    (fired, cancellation)
}
