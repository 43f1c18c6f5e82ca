//! The engine: one pure, replayable evaluation of an agreement against
//! events at an instant. Same input, same result: history can be replayed
//! and a draft evaluated against last quarter's real events.
//!
//! Events are grouped by lead (or request) and folded one subject at a time
//! in [`Event::order_key`](crate::event::Event::order_key) order (whole second, kind, id; [`fold`]); clocks are then seen at `as_of`
//! ([`clocks`]); goals, streaks, consequences and findings are sums over the
//! subjects ([`goals`], [`findings`]). Events after `as_of` do not exist for
//! the evaluation.

mod clocks;
mod consequences;
mod drill;
mod extension;
mod findings;
mod fold;
mod goals;
mod incremental;
mod ladder;
mod live;
mod outside;
pub mod owners;
mod periods;
mod quality;
mod queue;
pub mod report;
mod report_model;
pub mod requests;
mod shown;
mod transitions;
pub use report_model::{
    ClockLine, ExtensionLine, Figure, GoalLine, GradeLine, GuaranteeLine, NOT_MEASURABLE, Report,
    ReportAgreement, ScoringLine, SourceLine, StreakLine,
};

pub use clocks::{ClockState, ClockView};
pub use consequences::{
    CANCELLATION_MET, ConsequenceDue, GOAL_MISSED, consequences_due, period_closes_between,
};
pub use drill::GoalRow;
pub use extension::{Extension, ExtensionState};
pub use findings::Finding;
pub use goals::{Actual, GoalResult};
pub use incremental::Evaluator;
pub use ladder::AlertDue;
pub use live::Live;
pub use outside::{OUTSIDE_LABEL, OutsideFigure, outside_figures};
pub use owners::{NO_OWNER, OwnerLine, owner_lines, team_lines};
pub use periods::PeriodKey;
pub use quality::{GradeQuality, Quality};
pub use queue::{ClockFilter, QueueStanding, in_team, queue_order, queue_standing, teams};
pub use requests::{FeeLine, RequestPartyLine};
pub use shown::{GoalStatus, hours_minutes, percent, spoken, spoken_clock};

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::agreement::{Agreement, Condition, Subject};
use crate::event::Event;
use fold::{Facts, Folder, secs};

/// One clock of the evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    /// The guarantee's id.
    pub guarantee: String,
    /// The guarantee's position in the agreement version that judges the clock.
    pub guarantee_index: usize,
    /// The lead or request.
    pub subject: String,
    /// The lead's name where the CRM gave one (its `name` attribute), else
    /// its company, as of the evaluation: who the record id is, for the
    /// people reading the queue.
    pub name: Option<String>,
    /// The period of its start, in the agreement's zone.
    pub period: PeriodKey,
    /// The lead's owner when the clock stopped, or at `as_of` while it runs
    /// (the latest assignment up to then): whose promise it is.
    pub owner: Option<String>,
    /// The lead's segment value at the start.
    pub segment: Option<String>,
    /// Its state at as_of.
    pub view: ClockView,
    /// The agreement version that judged it: the one in force at its start,
    /// numbered from 1 in the order the versions were given (the store's
    /// version numbers).
    pub version: u32,
}

/// Clock counts for one guarantee.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuaranteeSummary {
    /// The guarantee's id.
    pub id: String,
    /// All clocks.
    pub clocks: usize,
    /// Stopped in time.
    pub met: usize,
    /// Stopped after due.
    pub met_late: usize,
    /// Open past due.
    pub breached: usize,
    /// Open, not past due (paused and at risk included).
    pub running: usize,
    /// Running and paused.
    pub paused: usize,
    /// Running and past the warning point.
    pub at_risk: usize,
    /// Open, with no event that could stop them in the data
    /// ([`ClockState::NotMeasurable`]).
    pub not_measurable: usize,
    /// Met in time / (closed or past due); `None` when nothing to measure.
    pub compliance: Option<f64>,
}

/// A goal's run of missed periods, ending at the latest closed period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Streak {
    /// The goal's id.
    pub goal: String,
    /// Consecutive missed closed periods.
    pub missed_in_a_row: u32,
}

/// Leads where the shared scoring model and the CRM disagree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScoringDiagnosis {
    /// Handed to sales as MQL while scoring below the threshold.
    pub handed_below_threshold: Vec<String>,
    /// Scoring at or above the threshold, never handed over.
    pub above_threshold_not_handed: Vec<String>,
}

/// Lead quality for one source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceQuality {
    /// The source (or `(none)`).
    pub source: String,
    /// Leads from it.
    pub leads: usize,
    /// Of them, MQLs.
    pub mqls: usize,
    /// Accepted by sales.
    pub accepted: usize,
    /// Rejected by sales.
    pub rejected: usize,
    /// Reached SQL.
    pub sqls: usize,
    /// Of the MQLs, those that reached SQL at or after their first MQL.
    pub converted: usize,
    /// Won.
    pub won: usize,
    /// Rejection reasons with their counts, most frequent first.
    pub rejection_reasons: Vec<(String, usize)>,
}

/// What stands for one period or range: its streaks, the consequences
/// they and its breaches fire, and the cancellation term when met.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// Missed-period streaks per goal, ending inside the range.
    pub streaks: Vec<Streak>,
    /// Consequences that fire, in words.
    pub consequences: Vec<String>,
    /// The cancellation term, in words, when its condition is met.
    pub cancellation: Option<String>,
}

impl SourceQuality {
    /// Accepted among those sales decided on, 0 to 1; `None` with none decided.
    pub fn acceptance(&self) -> Option<f64> {
        quality::share(self.accepted, self.accepted + self.rejected)
    }

    /// MQL to SQL: of the leads that reached MQL, the share that reached SQL
    /// afterwards (a lead that skipped MQL is in neither count), 0 to 1;
    /// `None` without MQLs.
    pub fn conversion(&self) -> Option<f64> {
        quality::share(self.converted, self.mqls)
    }
}

/// Everything the agreement says about the events at `as_of`.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The instant of the evaluation.
    pub as_of: Timestamp,
    /// Every clock, by guarantee then start.
    pub clocks: Vec<Clock>,
    /// Every goal in every period from the agreement's start to as_of.
    pub goals: Vec<GoalResult>,
    /// Missed-period streaks per goal.
    pub streaks: Vec<Streak>,
    /// Consequences that fire, in words.
    pub consequences: Vec<String>,
    /// The cancellation term, in words, when its condition is met.
    pub cancellation: Option<String>,
    /// Lead quality (by source, by grade, scoring disagreements) of every
    /// month, quarter and year the leads' events fall in; read it with
    /// [`Evaluation::quality`].
    pub quality: BTreeMap<PeriodKey, Quality>,
    /// Every request, by opening (what each party sent, through which
    /// channel, at what fee); read it with [`requests::party_lines`].
    pub requests: Vec<requests::RequestRecord>,
    /// Events marked inferred among those evaluated.
    pub inferred_events: usize,
    /// Events evaluated.
    pub events: usize,
}

impl Evaluation {
    /// Lead quality over `range`: its period's, or for a `--from/--to`
    /// range the quality of each month it touches, added.
    pub fn quality(&self, a: &Agreement, range: &report::Range) -> Quality {
        if let Some(p) = range.period {
            return self.quality.get(&p).cloned().unwrap_or_default();
        }
        let tz = &a.time_zone.tz;
        let mut out = Quality::default();
        let mut m = PeriodKey::containing(crate::agreement::Period::Month, range.from, tz);
        while m.start(tz) < range.to {
            if let Some(q) = self.quality.get(&m) {
                out.add(q);
            }
            m = m.next();
        }
        out
    }

    /// Clock counts per guarantee, for the clocks that started in `[from, to)` (whole seconds).
    pub fn guarantee_summaries(&self, a: &Agreement, from: i64, to: i64) -> Vec<GuaranteeSummary> {
        a.guarantees
            .iter()
            .map(|g| {
                let mut s = GuaranteeSummary {
                    id: g.id.to_string(),
                    ..GuaranteeSummary::default()
                };
                for c in self
                    .clocks
                    .iter()
                    .filter(|c| c.guarantee == s.id && c.view.start >= from && c.view.start < to)
                {
                    s.clocks += 1;
                    match c.view.state {
                        ClockState::Met => s.met += 1,
                        ClockState::MetLate => s.met_late += 1,
                        ClockState::Breached => s.breached += 1,
                        ClockState::Running => {
                            s.running += 1;
                            s.paused += usize::from(c.view.paused);
                            s.at_risk += usize::from(c.view.at_risk);
                        }
                        ClockState::NotMeasurable => s.not_measurable += 1,
                    }
                }
                let measured = s.met + s.met_late + s.breached;
                s.compliance = (measured > 0).then(|| s.met as f64 / measured as f64);
                s
            })
            .collect()
    }

    /// Streaks, consequences and the cancellation term as they stand for
    /// the range `[from, to)` (whole seconds): a streak counts when its
    /// latest closed period ends inside the range, and breaches are those of
    /// clocks started in it. So a period's report holds only what belongs
    /// to that period, and an open or future period shows no past streak.
    pub fn standing(&self, a: &Agreement, from: i64, to: i64) -> Standing {
        let tz = &a.time_zone.tz;
        let until: Vec<GoalResult> = self
            .goals
            .iter()
            .filter(|r| fold::secs(r.period.end(tz)) <= to)
            .cloned()
            .collect();
        let mut streaks = goals::streaks(a, &until);
        for s in &mut streaks {
            let last = until.iter().rev().find(|r| r.id == s.goal && r.closed);
            if last.is_none_or(|r| fold::secs(r.period.end(tz)) <= from) {
                s.missed_in_a_row = 0;
            }
        }
        let clocks = self
            .clocks
            .iter()
            .filter(|c| c.view.start >= from && c.view.start < to);
        let (consequences, cancellation) = goals::consequences(a, &streaks, clocks);
        Standing {
            streaks,
            consequences,
            cancellation,
        }
    }

    /// Findings in plain language for one period, most important first.
    pub fn findings(&self, a: &Agreement, period: PeriodKey) -> Vec<Finding> {
        findings::for_period(self, a, period)
    }
}

/// Evaluates `agreement` against `events` at `as_of`. Pure and deterministic:
/// any order of `events` gives the same result.
///
/// # Example
/// ```
/// use handshake_core::{check, engine::evaluate, event::parse_event};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = check("agreement.toml", &text).agreement.expect("valid");
/// let e = |s: &str| parse_event(s).unwrap();
/// let events = [
///     e(r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2027-01-11T14:00:00Z","attributes":{"segment":"enterprise"}}"#),
///     e(r#"{"id":"2","type":"lead.stage_changed","lead_id":"L","occurred_at":"2027-01-11T15:00:00Z","stage":"mql"}"#),
/// ];
/// let eval = evaluate(&a, &events, "2027-01-11T16:30:00Z".parse()?);
/// let clock = eval.clocks.iter().find(|c| c.guarantee == "enterprise-first-touch").unwrap();
/// // 10:00 New York plus one business hour is 11:00 (16:00Z); at 16:30Z it is breached.
/// assert_eq!(clock.view.state.as_str(), "breached");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(agreement: &Agreement, events: &[Event], as_of: Timestamp) -> Evaluation {
    let mut by_subject: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_subject.entry(e.subject.as_str()).or_default().push(e);
    }
    evaluate_subjects(agreement, by_subject.into_values(), as_of)
}

/// [`evaluate`] over events already grouped by lead (or request), one group
/// at a time (any order inside a group): the way to replay a store's events
/// streamed in subject order without holding them all. Groups are folded and
/// dropped as they come; only their facts are kept.
pub fn evaluate_subjects<G, E>(
    agreement: &Agreement,
    subjects: impl IntoIterator<Item = G>,
    as_of: Timestamp,
) -> Evaluation
where
    G: IntoIterator<Item = E>,
    E: std::borrow::Borrow<Event>,
{
    let limit = secs(as_of);
    let (mut count, mut inferred) = (0, 0);
    let mut facts: Vec<Facts> = Vec::new();
    let mut folder = Folder::new(agreement);
    for group in subjects {
        let owned: Vec<E> = group.into_iter().collect();
        let mut list: Vec<&Event> = owned.iter().map(std::borrow::Borrow::borrow).collect();
        // A corrected event replaces its earlier versions whatever their instants.
        crate::event::latest_versions(&mut list);
        list.retain(|e| secs(e.occurred_at) <= limit);
        let Some(first) = list.first() else { continue };
        let subject = first.subject.as_str().to_string();
        count += list.len();
        inferred += list.iter().filter(|e| e.inferred).count();
        list.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        facts.push(folder.fold(&subject, &list));
    }
    facts.sort_by(|a, b| a.subject.cmp(&b.subject));
    let refs: Vec<&Facts> = facts.iter().collect();
    assemble(agreement, &refs, as_of, count, inferred)
}

/// Evaluates a history of agreement versions, each in force from its instant
/// (sorted, oldest first; the first also covers everything before it): a
/// clock is judged by the version in force at its start, a goal period by the
/// version in force when the period starts; streaks, consequences, scoring and
/// lead quality follow the latest version.
///
/// # Example
/// ```
/// use handshake_core::{check, engine::{evaluate, evaluate_versions}, event::parse_event};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let v1 = check("v1", &text).agreement.expect("valid");
/// let v2 = check("v2", &text.replacen("within = \"1 business hour\"", "within = \"4 business hours\"", 1)).agreement.expect("valid");
/// let e = |s: &str| parse_event(s).unwrap();
/// let events = [
///     e(r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2027-02-10T14:00:00Z","attributes":{"segment":"enterprise"}}"#),
///     e(r#"{"id":"2","type":"lead.stage_changed","lead_id":"L","occurred_at":"2027-02-10T15:00:00Z","stage":"mql"}"#),
/// ];
/// let at = "2027-02-10T17:00:00Z".parse()?;
/// let versions = [("2027-01-01T00:00:00Z".parse()?, &v1), ("2027-02-01T00:00:00Z".parse()?, &v2)];
/// // Started under version 2 (4 hours): still running two hours in, where version 1 says breached.
/// assert_eq!(evaluate_versions(&versions, &events, at).clocks[0].view.state.as_str(), "running");
/// assert_eq!(evaluate(&v1, &events, at).clocks[0].view.state.as_str(), "breached");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_versions<A: std::borrow::Borrow<Agreement>>(
    versions: &[(Timestamp, A)],
    events: &[Event],
    as_of: Timestamp,
) -> Evaluation {
    let evaluations = versions
        .iter()
        .map(|(_, a)| evaluate(a.borrow(), events, as_of))
        .collect();
    combine_versions(versions, evaluations, as_of)
}

/// One evaluation from each version's own (`evaluations[i]` by
/// `versions[i]`): each version's clocks and goal periods from its window,
/// streaks and consequences recomputed by the latest; the rest is the latest's.
pub(crate) fn combine_versions<A: std::borrow::Borrow<Agreement>>(
    versions: &[(Timestamp, A)],
    mut evaluations: Vec<Evaluation>,
    as_of: Timestamp,
) -> Evaluation {
    let (Some(latest), Some(mut merged)) =
        (versions.last().map(|(_, a)| a.borrow()), evaluations.pop())
    else {
        return Evaluation {
            as_of,
            clocks: Vec::new(),
            goals: Vec::new(),
            streaks: Vec::new(),
            consequences: Vec::new(),
            cancellation: None,
            quality: BTreeMap::new(),
            requests: Vec::new(),
            inferred_events: 0,
            events: 0,
        };
    };
    if evaluations.is_empty() {
        return merged;
    }
    let window = |i: usize| version_window(versions, i);
    let latest_index = versions.len() - 1;
    let latest_part = (
        std::mem::take(&mut merged.clocks),
        std::mem::take(&mut merged.goals),
    );
    let parts = evaluations
        .into_iter()
        .map(|e| (e.clocks, e.goals))
        .chain(std::iter::once(latest_part));
    let mut clocks = Vec::new();
    let mut goals = Vec::new();
    for (i, (version_clocks, version_goals)) in parts.enumerate().take(latest_index + 1) {
        let a: &Agreement = versions[i].1.borrow();
        let (start, end) = window(i);
        let version = u32::try_from(i + 1).unwrap_or(u32::MAX);
        clocks.extend(
            version_clocks
                .into_iter()
                .filter(|c| c.view.start >= start && c.view.start < end)
                .map(|c| Clock { version, ..c }),
        );
        let tz = &a.time_zone.tz;
        goals.extend(
            version_goals
                .into_iter()
                .filter(|g| {
                    let s = secs(g.period.start(tz));
                    s >= start && s < end
                })
                .map(|g| GoalResult { version, ..g }),
        );
    }
    clocks.sort_by(|a, b| {
        (a.guarantee.as_str(), a.view.start)
            .cmp(&(b.guarantee.as_str(), b.view.start))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    goals::remeasure_follow_up(versions, &mut goals, &clocks, as_of);
    merged.streaks = goals::streaks(latest, &goals);
    let (consequences, cancellation) = goals::consequences(latest, &merged.streaks, clocks.iter());
    merged.consequences = consequences;
    merged.cancellation = cancellation;
    merged.clocks = clocks;
    merged.goals = goals;
    merged
}

/// The starts `[from, to)` (whole seconds) of the clocks and periods that
/// `versions[i]` judges: from its instant (the first also covers all
/// before it) to the next version's.
pub(crate) fn version_window<A>(versions: &[(Timestamp, A)], i: usize) -> (i64, i64) {
    let start = if i == 0 {
        i64::MIN
    } else {
        secs(versions[i].0)
    };
    let end = versions.get(i + 1).map_or(i64::MAX, |(t, _)| secs(*t));
    (start, end)
}

/// Builds the evaluation from folded subjects (shared with the incremental evaluator).
pub(crate) fn assemble(
    agreement: &Agreement,
    facts: &[&Facts],
    as_of: Timestamp,
    events: usize,
    inferred_events: usize,
) -> Evaluation {
    let limit = secs(as_of);
    let tz = &agreement.time_zone.tz;
    let mut clocks = Vec::new();
    // Each guarantee's calendar and promised seconds, once, not per clock.
    let promises: Vec<_> = agreement
        .guarantees
        .iter()
        .map(|g| agreement.promise(g))
        .collect();
    let seen = facts.iter().fold(0, |k, f| k | f.kinds);
    let judged: Vec<bool> = agreement
        .guarantees
        .iter()
        .map(|g| fold::measurable(g, seen))
        .collect();
    for f in facts {
        for c in &f.clocks {
            let g = &agreement.guarantees[c.guarantee];
            let Some((cal, duration)) = promises[c.guarantee] else {
                continue;
            };
            let mut view = clocks::view(c, limit, &cal.calendar, duration, g.warn_at);
            if c.inferred && c.stop.is_none() && !judged[c.guarantee] {
                view.state = ClockState::NotMeasurable;
                view.at_risk = false;
                view.paused = false;
            }
            let start = jiff::Timestamp::from_second(c.start).unwrap_or(as_of);
            clocks.push(Clock {
                guarantee: g.id.to_string(),
                guarantee_index: c.guarantee,
                subject: f.subject.clone(),
                name: f.name(),
                period: PeriodKey::containing(crate::agreement::Period::Month, start, tz),
                owner: c.owner.as_deref().map(str::to_string),
                segment: c.segment.as_deref().map(str::to_string),
                view,
                version: 1,
            });
        }
    }
    // By guarantee id, start, then subject. `facts` come in subject order, so
    // a stable sort on (the id's rank, start) gives that order without
    // comparing strings for every pair.
    let mut by_id: Vec<usize> = (0..agreement.guarantees.len()).collect();
    by_id.sort_by(|x, y| {
        agreement.guarantees[*x]
            .id
            .cmp(&agreement.guarantees[*y].id)
    });
    let mut rank = vec![0; by_id.len()];
    for (r, g) in by_id.into_iter().enumerate() {
        rank[g] = r;
    }
    debug_assert!(facts.windows(2).all(|w| w[0].subject <= w[1].subject));
    clocks.sort_by_key(|c| (rank[c.guarantee_index], c.view.start));
    let goals = goals::all(agreement, facts, &clocks, as_of);
    let streaks = goals::streaks(agreement, &goals);
    let (consequences, cancellation) = goals::consequences(agreement, &streaks, clocks.iter());
    Evaluation {
        as_of,
        clocks,
        goals,
        streaks,
        consequences,
        cancellation,
        quality: quality::by_period(agreement, facts),
        requests: requests::records(agreement, facts),
        inferred_events,
        events,
    }
}

/// Whether a guarantee starts when a lead becomes an MQL (used for first-touch metrics).
pub(crate) fn starts_at_mql(c: &Condition) -> bool {
    matches!(c, Condition::StageIs(s) if s.as_str() == "mql")
}

/// The lead guarantees, for metrics that count all of them.
pub(crate) fn lead_guarantees(a: &Agreement) -> impl Iterator<Item = &crate::agreement::Guarantee> {
    a.guarantees.iter().filter(|g| g.subject == Subject::Lead)
}
