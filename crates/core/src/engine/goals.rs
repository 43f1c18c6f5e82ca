//! Goals per period: the actual number against the target, with the goal's
//! filters; streaks of missed closed periods; consequences and cancellation.

use std::fmt;

use jiff::Timestamp;

use super::fold::{Attrs, Facts, secs};
use super::{Clock, ClockState, PeriodKey, Streak, lead_guarantees, starts_at_mql};
use crate::agreement::{Agreement, Direction, Filters, Goal, Metric, Target, Trigger};
use crate::event::Money;

/// A goal's actual number in a period.
#[derive(Clone, Debug, PartialEq)]
pub enum Actual {
    /// A count.
    Count(u64),
    /// A sum of money in the target's currency; other currencies are never added in.
    Money(Money),
    /// A share: `hits` of `of` (met of judged, accepted of decided,
    /// converted of the cohort); nothing to measure when `of` is 0.
    Rate {
        /// The numerator.
        hits: u64,
        /// The denominator.
        of: u64,
    },
    /// A median business duration in seconds over `of` cases, `None` with
    /// none. Fractional: the median of an even count is the mean of the
    /// middle two (1 s and 2 s give 1.5 s).
    Duration {
        /// The median.
        median: Option<f64>,
        /// The cases it is the median of.
        of: u64,
    },
}

impl Actual {
    /// The number as a plain float (rates as fractions, durations in seconds).
    pub fn value(&self) -> Option<f64> {
        match self {
            Actual::Count(n) => Some(*n as f64),
            Actual::Money(m) => Some(m.major()),
            Actual::Rate { hits, of } => (*of > 0).then(|| *hits as f64 / *of as f64),
            Actual::Duration { median, .. } => *median,
        }
    }

    /// The counts a rate divides, or the cases of a median: (numerator,
    /// denominator); `(None, None)` for a count or an amount.
    pub fn counts(&self) -> (Option<u64>, Option<u64>) {
        match self {
            Actual::Rate { hits, of } => (Some(*hits), Some(*of)),
            Actual::Duration { of, .. } => (None, Some(*of)),
            Actual::Count(_) | Actual::Money(_) => (None, None),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actual::Count(n) => write!(f, "{n}"),
            Actual::Money(m) => f.write_str(&m.grouped()),
            Actual::Rate { .. } => f.write_str(&super::percent(self.value())),
            Actual::Duration {
                median: Some(s), ..
            } => f.write_str(&super::hours_minutes(*s as i64)),
            Actual::Duration { median: None, .. } => f.write_str("n/a"),
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
    /// The agreement version that judged it: the one in force at the
    /// period's start, numbered from 1 as [`super::Clock::version`].
    pub version: u32,
}

/// The source and persona filters (the segment one needs the agreement: [`in_segment`]).
pub(crate) fn passes(filters: &Filters, attrs: &Attrs) -> bool {
    let check = |want: Option<&str>, key: &str| {
        want.is_none_or(|w| attrs.get(key).is_some_and(|v| v.eq_ignore_ascii_case(w)))
    };
    check(filters.source.as_deref(), "source")
        && check(filters.persona.as_ref().map(|p| p.as_str()), "persona")
}

pub(crate) fn in_segment(
    a: &Agreement,
    filters: &Filters,
    attrs: &Attrs,
    activities: &[std::sync::Arc<str>],
) -> bool {
    filters.segment.as_ref().is_none_or(|s| {
        a.segment(s)
            .is_some_and(|seg| attrs.matches(&seg.when, activities))
    })
}

/// Every goal in every period from the agreement's start (or the first data) to as_of.
///
/// One pass over the leads per goal: each lead's contribution lands in the
/// period that holds it (see [`measure_periods`]); `measure` is the plain
/// one-period reference the tests compare it with.
pub(crate) fn all(
    a: &Agreement,
    facts: &[&Facts],
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
        let mut periods = Vec::new();
        loop {
            let (ps, pe) = (secs(p.start(tz)), secs(p.end(tz)));
            periods.push((p, ps, pe));
            if p == last {
                break;
            }
            p = p.next();
        }
        let bounds: Vec<(i64, i64)> = periods
            .iter()
            .map(|(_, ps, pe)| (*ps, (*pe).min(limit + 1)))
            .collect();
        let actuals = measure_periods(a, g, facts, clocks, &bounds);
        for ((p, _, pe), actual) in periods.into_iter().zip(actuals) {
            let attained = attained(a, g, &actual);
            out.push(GoalResult {
                id: g.id.to_string(),
                owner: g.owner.to_string(),
                period: p,
                target: g.target.clone(),
                actual,
                attained,
                closed: pe <= limit,
                version: 1,
            });
        }
    }
    out
}

/// Which of `bounds` (sorted, each `[start, end)`) holds `t`.
fn slot(bounds: &[(i64, i64)], t: i64) -> Option<usize> {
    let i = bounds.partition_point(|(s, _)| *s <= t);
    (i > 0 && t < bounds[i - 1].1).then(|| i - 1)
}

/// A lead's first reach of `stage` in each period that passes the goal's
/// filters, as (period, reach), in time order.
/// `out` is cleared first and reused across leads: one buffer per goal, not
/// one allocation per lead.
fn firsts<'f, 'o>(
    a: &Agreement,
    g: &Goal,
    f: &'f Facts,
    stage: &str,
    bounds: &[(i64, i64)],
    out: &'o mut Vec<(usize, &'f super::fold::Reach)>,
) -> &'o [(usize, &'f super::fold::Reach)] {
    out.clear();
    for r in f.reached.iter().filter(|r| &*r.stage == stage) {
        let Some(p) = slot(bounds, r.at) else {
            continue;
        };
        if out.iter().any(|(q, _)| *q == p) {
            continue;
        }
        if passes(&g.filters, &r.attrs) && in_segment(a, &g.filters, &r.attrs, &f.activities) {
            out.push((p, r));
        }
    }
    out
}

/// The goal's actual number in each of `bounds`, in one pass.
fn measure_periods(
    a: &Agreement,
    g: &Goal,
    facts: &[&Facts],
    clocks: &[Clock],
    bounds: &[(i64, i64)],
) -> Vec<Actual> {
    let n = bounds.len();
    let leads = facts.iter().filter(|f| !f.is_request);
    let mut buf = Vec::new();
    let rate = |num: &[usize], den: &[usize]| -> Vec<Actual> {
        num.iter()
            .zip(den)
            .map(|(x, d)| Actual::Rate {
                hits: *x as u64,
                of: *d as u64,
            })
            .collect()
    };
    match &g.metric {
        Metric::Reached(stage) => {
            let mut count = vec![0_u64; n];
            for f in leads {
                for &(p, _) in firsts(a, g, f, stage.as_str(), bounds, &mut buf) {
                    count[p] += 1;
                }
            }
            count.into_iter().map(Actual::Count).collect()
        }
        Metric::Opportunities => {
            let mut count = vec![0_u64; n];
            for f in leads {
                for (at, _, attrs) in &f.opportunities {
                    if let Some(p) = slot(bounds, *at)
                        && passes(&g.filters, attrs)
                        && in_segment(a, &g.filters, attrs, &f.activities)
                    {
                        count[p] += 1;
                    }
                }
            }
            count.into_iter().map(Actual::Count).collect()
        }
        Metric::PipelineValue | Metric::RevenueWon => {
            let currency = match &g.target {
                Target::Money(m) => m.currency.clone(),
                _ => String::new(),
            };
            let mut sum = vec![0_i64; n];
            for f in leads {
                let list = if g.metric == Metric::PipelineValue {
                    &f.opportunities
                } else {
                    &f.wins
                };
                for (at, m, attrs) in list {
                    if let Some(p) = slot(bounds, *at)
                        && *m.currency == *currency
                        && passes(&g.filters, attrs)
                        && in_segment(a, &g.filters, attrs, &f.activities)
                    {
                        sum[p] += m.minor;
                    }
                }
            }
            sum.into_iter()
                .map(|minor| {
                    Actual::Money(Money {
                        minor,
                        currency: currency.clone(),
                    })
                })
                .collect()
        }
        Metric::FollowUpRate => {
            let counted = followed_guarantees(a, g);
            let (mut met, mut measured) = (vec![0_usize; n], vec![0_usize; n]);
            // By id: after a version change the clocks are each judged by
            // their own version, whose guarantee list may differ.
            for c in clocks {
                if let Some(p) = slot(bounds, c.view.start)
                    && let Some(in_time) = followed_in_time(a, g, &counted, c)
                {
                    met[p] += usize::from(in_time);
                    measured[p] += 1;
                }
            }
            rate(&met, &measured)
        }
        Metric::AcceptanceRate => {
            let (mut yes, mut decided) = (vec![0_usize; n], vec![0_usize; n]);
            for f in leads {
                for &(p, r) in firsts(a, g, f, "mql", bounds, &mut buf) {
                    if let Some((_, accepted, _)) = f.decisions.iter().find(|d| d.0 >= r.at) {
                        decided[p] += 1;
                        yes[p] += usize::from(*accepted);
                    }
                }
            }
            rate(&yes, &decided)
        }
        Metric::Conversion { from: s1, to: s2 } => {
            let (mut converted, mut cohort) = (vec![0_usize; n], vec![0_usize; n]);
            for f in leads {
                for &(p, r) in firsts(a, g, f, s1.as_str(), bounds, &mut buf) {
                    cohort[p] += 1;
                    converted[p] += usize::from(
                        f.reached
                            .iter()
                            .any(|x| &*x.stage == s2.as_str() && x.at >= r.at),
                    );
                }
            }
            rate(&converted, &cohort)
        }
        Metric::MedianFirstTouch => {
            let mut times: Vec<Vec<i64>> = vec![Vec::new(); n];
            for f in leads {
                for &(p, r) in firsts(a, g, f, "mql", bounds, &mut buf) {
                    if let Some(t) = first_touch(a, f, r) {
                        times[p].push(t);
                    }
                }
            }
            times.into_iter().map(median).collect()
        }
    }
}

/// The guarantees a follow-up goal counts: those it names, else every lead guarantee.
pub(crate) fn followed_guarantees<'a>(a: &'a Agreement, g: &Goal) -> Vec<&'a str> {
    a.guarantees
        .iter()
        .filter(|x| {
            if g.guarantees.is_empty() {
                x.subject == crate::agreement::Subject::Lead
            } else {
                g.guarantees.contains(&x.id)
            }
        })
        .map(|x| x.id.as_str())
        .collect()
}

/// The follow-up goals of `goals` (each judged by `versions[version - 1]`)
/// measured again on `clocks`, the clocks as each version in force at their
/// start judged them: a period's follow-up rate reads the same clocks as the
/// guarantee lines beside it (it re-judged them by the version in force at
/// the period's start, so one report showed a guarantee at 100% and the
/// follow-up goal built on it at 0%).
pub(crate) fn remeasure_follow_up<A: std::borrow::Borrow<Agreement>>(
    versions: &[(Timestamp, A)],
    goals: &mut [GoalResult],
    clocks: &[Clock],
    as_of: Timestamp,
) {
    let limit = secs(as_of);
    for (i, (_, a)) in versions.iter().enumerate() {
        let a: &Agreement = a.borrow();
        let version = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let tz = &a.time_zone.tz;
        for g in a.goals.iter().filter(|g| g.metric == Metric::FollowUpRate) {
            let mut mine: Vec<&mut GoalResult> = goals
                .iter_mut()
                .filter(|r| r.version == version && r.id == g.id.as_str())
                .collect();
            let bounds: Vec<(i64, i64)> = mine
                .iter()
                .map(|r| {
                    (
                        secs(r.period.start(tz)),
                        secs(r.period.end(tz)).min(limit + 1),
                    )
                })
                .collect();
            let actuals = measure_periods(a, g, &[], clocks, &bounds);
            for (r, actual) in mine.iter_mut().zip(actuals) {
                r.attained = attained(a, g, &actual);
                r.actual = actual;
            }
        }
    }
}

/// Whether a clock counts for follow-up goal `g` (a guarantee it follows,
/// in its segment, judged), and if so whether it was met in time: the one
/// definition the goal's rate and its split by owner share.
pub(crate) fn followed_in_time(
    a: &Agreement,
    g: &Goal,
    counted: &[&str],
    c: &Clock,
) -> Option<bool> {
    if !counted.contains(&c.guarantee.as_str()) || !clock_in_segment(a, g, c) {
        return None;
    }
    match c.view.state {
        ClockState::Met => Some(true),
        ClockState::MetLate | ClockState::Breached => Some(false),
        ClockState::Running | ClockState::NotMeasurable => None,
    }
}

/// One owner's part of a follow-up goal in a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OwnerFollowUp<'c> {
    /// The lead's owner (`None`: no owner).
    pub owner: Option<&'c str>,
    /// Clocks met in time.
    pub in_time: usize,
    /// Clocks judged (met, met late, breached).
    pub measured: usize,
}

/// Follow-up goal `g`'s clocks started in `[from, to)` (unix seconds), split
/// by the lead's owner, most missed first (then by owner): the same clocks
/// and verdicts as the goal's rate, so the parts add up to it.
pub(crate) fn follow_up_by_owner<'c>(
    a: &Agreement,
    g: &Goal,
    clocks: &'c [Clock],
    from: i64,
    to: i64,
) -> Vec<OwnerFollowUp<'c>> {
    let counted = followed_guarantees(a, g);
    let mut by: std::collections::BTreeMap<Option<&str>, (usize, usize)> = Default::default();
    for c in clocks
        .iter()
        .filter(|c| c.view.start >= from && c.view.start < to)
    {
        if let Some(in_time) = followed_in_time(a, g, &counted, c) {
            let e = by.entry(c.owner.as_deref()).or_default();
            e.0 += usize::from(in_time);
            e.1 += 1;
        }
    }
    let mut out: Vec<OwnerFollowUp<'c>> = by
        .into_iter()
        .map(|(owner, (in_time, measured))| OwnerFollowUp {
            owner,
            in_time,
            measured,
        })
        .collect();
    out.sort_by_key(|o| std::cmp::Reverse(o.measured - o.in_time));
    out
}

/// Whether a clock's segment at its start passes the goal's segment filter.
fn clock_in_segment(a: &Agreement, g: &Goal, c: &Clock) -> bool {
    g.filters.segment.as_ref().is_none_or(|s| {
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
    })
}

/// Business seconds from an MQL to the lead's next touch, in the calendar of
/// the first-touch guarantee that covers the lead; `None` for a lead no
/// first-touch guarantee covers (it is not in the median: there is no
/// calendar to time it in and no promise it was owed) or with no touch yet.
pub(crate) fn first_touch(a: &Agreement, f: &Facts, r: &super::fold::Reach) -> Option<i64> {
    let guarantee = first_touch_guarantee(a, f, r)?;
    let touch = *f.touches.iter().find(|t| **t >= r.at)?;
    let cal = a.clock_calendar(guarantee)?;
    Some(cal.calendar.elapsed_seconds(r.at, touch))
}

/// The lead guarantee that promises a first touch after this MQL: it starts
/// at MQL, a touch stops it, and its segment (if any) holds the lead then.
pub(crate) fn first_touch_guarantee<'a>(
    a: &'a Agreement,
    f: &Facts,
    r: &super::fold::Reach,
) -> Option<&'a crate::agreement::Guarantee> {
    lead_guarantees(a).find(|x| {
        starts_at_mql(&x.starts)
            && x.stops
                .iter()
                .any(|s| matches!(s, crate::agreement::Condition::Touched(_)))
            && x.segment.as_ref().is_none_or(|s| {
                a.segment(s)
                    .is_some_and(|seg| r.attrs.matches(&seg.when, &f.activities))
            })
    })
}

/// The median: the middle value, or the mean of the middle two for an even count.
pub(crate) fn median(mut times: Vec<i64>) -> Actual {
    times.sort_unstable();
    Actual::Duration {
        median: match times.len() {
            0 => None,
            n if n % 2 == 1 => Some(times[n / 2] as f64),
            n => Some((times[n / 2 - 1] as f64 + times[n / 2] as f64) / 2.0),
        },
        of: times.len() as u64,
    }
}

fn attained(a: &Agreement, g: &Goal, actual: &Actual) -> Option<bool> {
    let target = match &g.target {
        Target::Count(n) => *n as f64,
        Target::Money(m) => m.major(),
        Target::Rate(bp) => f64::from(*bp) / 10_000.0,
        Target::Duration(spec) => spec.resolve(a.default_day_length()).as_seconds() as f64,
    };
    let value = actual.value()?;
    Some(match g.direction {
        Direction::AtLeast => value + 1e-9 >= target,
        Direction::AtMost => value <= target + 1e-9,
    })
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
pub(crate) fn consequences<'c>(
    a: &Agreement,
    streaks: &[Streak],
    clocks: impl Iterator<Item = &'c Clock> + Clone,
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
                    .clone()
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

/// The first reach of `stage` in [from, to) that passes the goal's filters, per lead.
pub(crate) fn first_reach<'f>(
    a: &Agreement,
    g: &Goal,
    f: &'f Facts,
    stage: &str,
    from: i64,
    to: i64,
) -> Option<&'f super::fold::Reach> {
    f.reached.iter().find(|r| {
        &*r.stage == stage
            && r.at >= from
            && r.at < to
            && passes(&g.filters, &r.attrs)
            && in_segment(a, &g.filters, &r.attrs, &f.activities)
    })
}

/// The plain reference: one period, every lead scanned, the number made
/// from the drill-down rows ([`super::drill::goal_rows`]): so the test
/// below also proves that each list opened from a number holds what it counted.
#[cfg(test)]
pub(crate) fn measure(
    a: &Agreement,
    g: &Goal,
    facts: &[&Facts],
    clocks: &[Clock],
    from: i64,
    to: i64,
) -> Actual {
    super::drill::summarize(g, &super::drill::goal_rows(a, g, facts, clocks, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoSpec, generate};
    use crate::engine::{evaluate, fold::Folder};

    /// The one-pass bucketing gives, for every goal and period, what the
    /// plain scan of one period gives, on demo companies of several seeds
    /// and instants (mid-month and at a period's first second).
    #[test]
    fn one_pass_per_goal_matches_one_scan_per_period() {
        for (seed, as_of) in [
            (1, "2026-11-22T15:00:00Z"),
            (2, "2026-10-01T04:00:00Z"),
            (3, "2027-03-31T23:59:59Z"),
        ] {
            let as_of: Timestamp = as_of.parse().unwrap();
            let d = generate(&DemoSpec {
                seed,
                leads: 1_500,
                as_of,
            })
            .unwrap();
            let a = &d.agreement;
            let e = evaluate(a, &d.events, as_of);
            let mut by: std::collections::BTreeMap<&str, Vec<&crate::event::Event>> =
                std::collections::BTreeMap::new();
            for ev in &d.events {
                by.entry(ev.subject.as_str()).or_default().push(ev);
            }
            let mut folder = Folder::new(a);
            let facts: Vec<Facts> = by
                .into_iter()
                .map(|(s, mut list)| {
                    list.sort_by(|x, y| x.order_key().cmp(&y.order_key()));
                    folder.fold(s, &list)
                })
                .collect();
            let facts: Vec<&Facts> = facts.iter().collect();
            let tz = &a.time_zone.tz;
            let limit = secs(as_of);
            assert!(e.goals.len() > 20);
            for r in &e.goals {
                let g = a.goals.iter().find(|g| g.id.as_str() == r.id).unwrap();
                let (ps, pe) = (secs(r.period.start(tz)), secs(r.period.end(tz)));
                let reference = measure(a, g, &facts, &e.clocks, ps, pe.min(limit + 1));
                assert_eq!(r.actual, reference, "seed {seed}, {} {}", r.id, r.period);
            }
        }
    }
}
