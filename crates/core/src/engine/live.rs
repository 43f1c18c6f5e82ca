//! [`Live`]: the evaluation a server keeps current. It holds each subject's
//! folded facts (under every agreement version), not its events: a new event
//! for a lead costs that lead's fold, given its events again by the caller
//! (who reads them from the store), and memory grows with leads, not events.
//! Answers are assembled from the facts at the instant asked, so time moving
//! on (clocks falling due) needs no event.
//!
//! The one exception to "facts, not events": a subject with events after the
//! latest instant asked keeps them until that instant passes, since what
//! counts for it depends on when one asks.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::fold::{Facts, Texts, fold, read_attributes, secs};
use super::{Evaluation, assemble, combine_versions};
use crate::agreement::Agreement;
use crate::event::Event;

/// The facts of subjects with events after an instant, folded from the
/// visible ones, with their counts of events and of inferred events.
type Partial = BTreeMap<String, (Vec<Facts>, usize, usize)>;

/// One subject's facts under each version.
struct Held {
    /// Folded from every event of the subject, one per agreement version.
    facts: Vec<Facts>,
    /// The events, kept only while some lie after the latest instant asked
    /// (or always, for [`Live::keeping_events`]); in evaluation order.
    events: Option<Vec<Event>>,
    /// Events, and of them inferred ones.
    count: usize,
    inferred: usize,
    /// The latest event's instant, in whole seconds.
    latest: i64,
    /// The instants of its open clocks' alert steps, as put in the index.
    steps: Vec<i64>,
}

/// The live state of one workspace for a history of agreement versions.
///
/// # Example
/// ```
/// use handshake_core::{check, engine::{Live, evaluate}, event::parse_event};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = check("agreement.toml", &text).agreement.expect("valid");
/// let e = |s: &str| parse_event(s).unwrap();
/// let mut events = vec![
///     e(r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2027-01-11T14:00:00Z","attributes":{"segment":"enterprise"}}"#),
///     e(r#"{"id":"2","type":"lead.stage_changed","lead_id":"L","occurred_at":"2027-01-11T15:00:00Z","stage":"mql"}"#),
/// ];
/// let mut live = Live::new(vec![("2027-01-01T00:00:00Z".parse()?, a.clone())]);
/// live.set_subject("L", events.clone());
/// // A touch arrives: the lead's events are given again, with it.
/// events.push(e(r#"{"id":"3","type":"lead.touched","lead_id":"L","occurred_at":"2027-01-11T15:20:00Z","channel":"call"}"#));
/// live.set_subject("L", events.clone());
/// let at = "2027-01-11T16:30:00Z".parse()?;
/// assert_eq!(live.evaluation(at), evaluate(&a, &events, at));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Live {
    versions: Vec<(Timestamp, Agreement)>,
    read: Vec<Vec<String>>,
    texts: Texts,
    subjects: BTreeMap<String, Held>,
    /// Subjects holding events after `horizon`.
    pending: BTreeSet<String>,
    /// The latest instant asked, whole seconds.
    horizon: i64,
    keep_events: bool,
    /// For a state made to answer one instant: events after it are dropped.
    cutoff: Option<i64>,
    /// Every open clock's alert step instants with its subject: which
    /// steps fell between two instants is a range of it, not a pass over
    /// every clock.
    steps: BTreeSet<(i64, String)>,
    /// Whether any version has an alert step (else no index is kept).
    ladders: bool,
    /// For each kind of event (bit of [`super::fold::kind_bit`]), how many
    /// subjects hold one: a guarantee none of whose stop kinds is held is
    /// not measurable, and its clocks raise no alerts.
    kinds: [u32; 32],
}

impl Live {
    /// An empty live state for `versions` (each in force from its instant,
    /// oldest first; see [`super::evaluate_versions`]).
    pub fn new(versions: Vec<(Timestamp, Agreement)>) -> Live {
        Live {
            read: versions.iter().map(|(_, a)| read_attributes(a)).collect(),
            ladders: versions
                .iter()
                .any(|(_, a)| a.guarantees.iter().any(|g| !g.alerts.is_empty())),
            steps: BTreeSet::new(),
            kinds: [0; 32],
            versions,
            texts: Texts::default(),
            subjects: BTreeMap::new(),
            pending: BTreeSet::new(),
            horizon: i64::MIN,
            keep_events: false,
            cutoff: None,
        }
    }

    /// A state made to answer one question at `as_of` (a report, a past
    /// instant, a what-if): events after `as_of` are dropped as subjects are
    /// set, so only facts are held, and [`Live::evaluation`] at `as_of`
    /// equals a full replay at that instant.
    pub fn at(versions: Vec<(Timestamp, Agreement)>, as_of: Timestamp) -> Live {
        let limit = secs(as_of);
        Live {
            horizon: limit,
            cutoff: Some(limit),
            ..Live::new(versions)
        }
    }

    /// Like [`Live::new`], but every subject's events are kept, so that
    /// [`Live::evaluation`] may be asked about any instant, earlier ones too
    /// (the incremental evaluator's way; it costs the events' memory).
    pub(crate) fn keeping_events(versions: Vec<(Timestamp, Agreement)>) -> Live {
        Live {
            keep_events: true,
            ..Live::new(versions)
        }
    }

    /// The agreement versions, oldest first.
    pub fn versions(&self) -> &[(Timestamp, Agreement)] {
        &self.versions
    }

    /// The events held for `subject` (all of them with
    /// [`Live::keeping_events`]; otherwise only while some lie ahead).
    pub(crate) fn events_of(&self, subject: &str) -> &[Event] {
        self.subjects
            .get(subject)
            .and_then(|h| h.events.as_deref())
            .unwrap_or_default()
    }

    /// How many leads and requests it holds.
    pub fn subjects(&self) -> usize {
        self.subjects.len()
    }

    /// Replaces what is known of `subject` with `events`: all of its events
    /// (any order; events of other subjects are ignored). An empty list
    /// forgets the subject.
    pub fn set_subject(&mut self, subject: &str, mut events: Vec<Event>) {
        let cutoff = self.cutoff.unwrap_or(i64::MAX);
        events.retain(|e| e.subject.as_str() == subject);
        // A corrected event replaces its earlier versions whatever their instants.
        crate::event::latest_versions(&mut events);
        events.retain(|e| secs(e.occurred_at) <= cutoff);
        if let Some(old) = self.subjects.get(subject) {
            for t in &old.steps {
                self.steps.remove(&(*t, subject.to_string()));
            }
            count_kinds(&mut self.kinds, &old.facts, false);
        }
        if events.is_empty() {
            self.subjects.remove(subject);
            self.pending.remove(subject);
            return;
        }
        events.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        events.dedup_by(|a, b| a.id == b.id);
        let latest = events
            .iter()
            .map(|e| secs(e.occurred_at))
            .max()
            .unwrap_or(i64::MIN);
        let refs: Vec<&Event> = events.iter().collect();
        let facts = fold_versions(&self.versions, &self.read, &mut self.texts, subject, &refs);
        let keep = self.keep_events || latest > self.horizon;
        let steps = if self.ladders {
            self.step_instants(&facts)
        } else {
            Vec::new()
        };
        for t in &steps {
            self.steps.insert((*t, subject.to_string()));
        }
        count_kinds(&mut self.kinds, &facts, true);
        let held = Held {
            steps,
            facts,
            count: events.len(),
            inferred: events.iter().filter(|e| e.inferred).count(),
            latest,
            events: keep.then_some(events),
        };
        if latest > self.horizon {
            self.pending.insert(subject.to_string());
        } else {
            self.pending.remove(subject);
        }
        self.subjects.insert(subject.to_string(), held);
    }

    /// The distinct instants of the alert steps of `facts`' open clocks,
    /// each clock judged by the version in force at its start.
    fn step_instants(&self, facts: &[Facts]) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .versions
            .iter()
            .zip(facts)
            .enumerate()
            .flat_map(|(i, ((_, a), f))| {
                super::ladder::step_instants(a, f, super::version_window(&self.versions, i))
            })
            .map(|(t, _, _)| t)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The alert steps that fell in `(from, to]` for clocks still open at
    /// `to`, each clock judged by the version in force at its start, in
    /// order of their instants. Read from the index of step instants: it
    /// costs the steps in the range (and the subjects with events after
    /// `to`), not every clock. Like [`Live::evaluation`], `to` must not be
    /// earlier than an instant asked before.
    pub fn alerts_between(&mut self, from: Timestamp, to: Timestamp) -> Vec<super::AlertDue> {
        let (from, limit) = (secs(from), secs(to));
        if !self.ladders || limit <= from {
            return Vec::new();
        }
        let partial = self.partial_facts(limit);
        let mut subjects: BTreeSet<&str> = self
            .steps
            .range((from.saturating_add(1), String::new())..)
            .take_while(|(t, _)| *t <= limit)
            .map(|(_, s)| s.as_str())
            .collect();
        subjects.extend(partial.keys().map(String::as_str));
        let seen = self
            .kinds
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .fold(0u32, |k, (bit, _)| k | (1 << bit));
        let mut out = Vec::new();
        for subject in subjects {
            let facts = match (partial.get(subject), self.subjects.get(subject)) {
                (Some((facts, _, _)), _) => facts,
                (None, Some(held)) => &held.facts,
                (None, None) => continue,
            };
            for (i, ((_, a), f)) in self.versions.iter().zip(facts).enumerate() {
                let version = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let window = super::version_window(&self.versions, i);
                out.extend(super::ladder::due_between(
                    a,
                    version,
                    f,
                    window,
                    (from, limit),
                    seen,
                ));
            }
        }
        out.sort_by_key(|a| (a.instant, a.key()));
        out
    }

    /// The first alert step instant after `after` among the open clocks
    /// (events already held but dated later aside: they come into view at
    /// [`Live::next_change`]).
    pub fn next_alert(&self, after: Timestamp) -> Option<Timestamp> {
        self.steps
            .range((secs(after).saturating_add(1), String::new())..)
            .next()
            .and_then(|(t, _)| Timestamp::from_second(*t).ok())
    }

    /// The facts of the subjects with events after `limit`, folded from the
    /// visible ones (with their counts of events and inferred events); a
    /// subject with none visible maps to no facts.
    fn partial_facts(&mut self, limit: i64) -> Partial {
        let mut partial = BTreeMap::new();
        let late: Vec<String> = if self.keep_events {
            self.subjects
                .iter()
                .filter(|(_, h)| h.latest > limit)
                .map(|(k, _)| k.clone())
                .collect()
        } else {
            self.pending.iter().cloned().collect()
        };
        for key in late {
            let Some(events) = self.subjects.get(&key).and_then(|h| h.events.as_ref()) else {
                continue;
            };
            let visible: Vec<&Event> = events
                .iter()
                .filter(|e| secs(e.occurred_at) <= limit)
                .collect();
            let counts = (visible.len(), visible.iter().filter(|e| e.inferred).count());
            if counts.0 == 0 {
                partial.insert(key, (Vec::new(), 0, 0));
            } else if counts.0 < events.len() {
                let facts =
                    fold_versions(&self.versions, &self.read, &mut self.texts, &key, &visible);
                partial.insert(key, (facts, counts.0, counts.1));
            }
        }
        partial
    }

    /// The first instant after `as_of` at which [`Live::evaluation`] could
    /// answer differently without a new event: a running clock falls due or
    /// at risk, a pause ends, a period closes, or an event already held but
    /// dated later comes into view. Before it, an evaluation at `as_of`
    /// holds every state, goal and finding (only business time used and
    /// left move on). It may come earlier than the real change, never later.
    pub fn next_change(&mut self, as_of: Timestamp) -> Timestamp {
        let limit = secs(as_of);
        // A subject with later events: its clocks as the visible events leave them.
        let partial = self.partial_facts(limit);
        self.next_change_with(limit, &partial)
    }

    /// [`Live::evaluation`] and [`Live::next_change`] at one instant, the
    /// leads with later events folded once for both (a server's every pass).
    pub fn evaluation_and_next_change(&mut self, as_of: Timestamp) -> (Evaluation, Timestamp) {
        let limit = secs(as_of);
        let partial = self.partial_facts(limit);
        let next = self.next_change_with(limit, &partial);
        (self.evaluation_with(as_of, &partial), next)
    }

    fn next_change_with(&self, limit: i64, partial: &Partial) -> Timestamp {
        let mut next = i64::MAX;
        for (i, (_, agreement)) in self.versions.iter().enumerate() {
            let facts = self
                .subjects
                .iter()
                .filter_map(|(key, h)| match partial.get(key) {
                    Some((facts, _, _)) => facts.get(i),
                    None => h.facts.get(i),
                });
            if let Some(t) = super::transitions::next_clock_change(agreement, facts, limit) {
                next = next.min(t);
            }
            if let Some(t) = super::transitions::next_period_end(agreement, limit) {
                next = next.min(t);
            }
        }
        for key in &self.pending {
            let later = self
                .subjects
                .get(key)
                .and_then(|h| h.events.as_ref())
                .and_then(|list| {
                    list.iter()
                        .map(|e| secs(e.occurred_at))
                        .filter(|t| *t > limit)
                        .min()
                });
            if let Some(t) = later {
                next = next.min(t);
            }
        }
        Timestamp::from_second(next).unwrap_or(Timestamp::MAX)
    }

    /// The evaluation at `as_of`: equal to a full replay of every subject's
    /// events at that instant ([`super::evaluate_versions`]). Without
    /// [`Live::keeping_events`], `as_of` must not be earlier than an instant
    /// asked before (a server's clock only moves on): a subject whose events
    /// all lie before the latest instant asked keeps only its facts.
    pub fn evaluation(&mut self, as_of: Timestamp) -> Evaluation {
        let partial = self.partial_facts(secs(as_of));
        self.evaluation_with(as_of, &partial)
    }

    /// Goal `goal`'s number in `period` at `as_of` and the rows behind it
    /// (the drill-down: each lead, opportunity, deal or clock it counted,
    /// see [`super::GoalRow`]); `None` when the evaluation holds no such goal
    /// period. The rows are read from the facts of the agreement version that
    /// judged the period, so they add up to the number. The instant follows
    /// the rules of [`Live::evaluation`].
    pub fn goal_rows(
        &mut self,
        as_of: Timestamp,
        goal: &str,
        period: super::PeriodKey,
    ) -> Option<(super::GoalResult, Vec<super::GoalRow>)> {
        let limit = secs(as_of);
        let partial = self.partial_facts(limit);
        let e = self.evaluation_with(as_of, &partial);
        let result = e
            .goals
            .iter()
            .find(|r| r.id == goal && r.period == period)?
            .clone();
        let v = usize::try_from(result.version).ok()?.checked_sub(1)?;
        let (_, a) = self.versions.get(v)?;
        let g = a.goals.iter().find(|g| g.id.as_str() == goal)?;
        let facts: Vec<&Facts> = self
            .subjects
            .iter()
            .filter_map(|(key, held)| match partial.get(key) {
                Some((facts, c, _)) => facts.get(v).filter(|_| *c > 0),
                None => held.facts.get(v).filter(|_| held.count > 0),
            })
            .collect();
        let tz = &a.time_zone.tz;
        let (from, to) = (secs(period.start(tz)), secs(period.end(tz)).min(limit + 1));
        let rows = super::drill::goal_rows(a, g, &facts, &e.clocks, from, to);
        Some((result, rows))
    }

    fn evaluation_with(&mut self, as_of: Timestamp, partial: &Partial) -> Evaluation {
        let limit = secs(as_of);
        if limit > self.horizon {
            self.horizon = limit;
            if !self.keep_events {
                let passed: Vec<String> = self
                    .pending
                    .iter()
                    .filter(|k| self.subjects.get(*k).is_none_or(|h| h.latest <= limit))
                    .cloned()
                    .collect();
                for k in passed {
                    self.pending.remove(&k);
                    if let Some(h) = self.subjects.get_mut(&k) {
                        h.events = None;
                    }
                }
            }
        }
        let (mut count, mut inferred) = (0, 0);
        let mut per_version: Vec<Vec<&Facts>> = vec![Vec::new(); self.versions.len()];
        for (key, held) in &self.subjects {
            let (facts, c, i) = match partial.get(key) {
                Some((facts, c, i)) => (facts, *c, *i),
                None => (&held.facts, held.count, held.inferred),
            };
            if c == 0 {
                continue;
            }
            count += c;
            inferred += i;
            for (list, f) in per_version.iter_mut().zip(facts) {
                list.push(f);
            }
        }
        let evaluations: Vec<Evaluation> = self
            .versions
            .iter()
            .zip(&per_version)
            .map(|((_, a), facts)| assemble(a, facts, as_of, count, inferred))
            .collect();
        combine_versions(&self.versions, evaluations, as_of)
    }
}

/// Adds (or takes away) a subject's kinds of events to the counts per kind.
fn count_kinds(counts: &mut [u32; 32], facts: &[Facts], add: bool) {
    // Every version folds the same events: the first's kinds are all's.
    let Some(f) = facts.first() else { return };
    for (bit, n) in counts.iter_mut().enumerate() {
        if f.kinds & (1 << bit) != 0 {
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
        }
    }
}

/// One subject's facts under each version.
fn fold_versions(
    versions: &[(Timestamp, Agreement)],
    read: &[Vec<String>],
    texts: &mut Texts,
    subject: &str,
    events: &[&Event],
) -> Vec<Facts> {
    versions
        .iter()
        .zip(read)
        .map(|((_, a), read)| fold(a, read, texts, subject, events))
        .collect()
}
