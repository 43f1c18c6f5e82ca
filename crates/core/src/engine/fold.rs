//! One lead (or request) at a time: its events, in evaluation order, folded
//! into the facts the aggregates need: clocks per guarantee, stages reached
//! with the attributes at that moment, decisions, touches, money.
//!
//! Rules (docs/report.md): a start opens a clock only when none of that
//! guarantee is open for the lead; the first stop at or after the start
//! closes it; a pause stops the count until its `until`; the clock's segment
//! is the lead's at the start; automated touches never count as touches.

use std::sync::Arc;

use crate::agreement::{Agreement, Condition, Matcher, Subject};
use crate::event::{Event, EventKind, Money};

/// Whole seconds of an instant (evaluation truncates sub-second parts).
pub(crate) fn secs(t: jiff::Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// A lead's attributes by name, as text: a short sorted list (a lead has a
/// handful), cheap to copy into the snapshots goals are filtered by.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Attrs(Vec<(Box<str>, Box<str>)>);

impl Attrs {
    fn insert(&mut self, key: &str, value: &str) {
        match self.0.binary_search_by(|(k, _)| (**k).cmp(key)) {
            Ok(i) => self.0[i].1 = value.into(),
            Err(i) => self.0.insert(i, (key.into(), value.into())),
        }
    }

    fn apply(&mut self, a: &crate::event::Attributes) {
        let mut set = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                self.insert(k, v);
            }
        };
        set("source", &a.source);
        set("segment", &a.segment);
        set("persona", &a.persona);
        set("owner", &a.owner);
        set("email", &a.email);
        set("company", &a.company);
        if let Some(score) = a.score {
            self.insert("score", &score.to_string());
        }
        for (k, v) in &a.other {
            let text = serde_json::from_str::<serde_json::Value>(v)
                .ok()
                .and_then(|j| j.as_str().map(str::to_string))
                .unwrap_or_else(|| v.clone());
            self.insert(k, &text);
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    pub(crate) fn matches(&self, m: &Matcher, activities: &[String]) -> bool {
        match m {
            Matcher::Attribute { attribute, values } => self
                .get(attribute)
                .is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v))),
            Matcher::AtLeast { attribute, min } => self
                .get(attribute)
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|v| v >= *min),
            Matcher::Activity(kind) => activities.iter().any(|a| a == kind),
        }
    }
}

/// Whether an event meets a condition.
pub(crate) fn meets(c: &Condition, e: &Event) -> bool {
    match (c, &e.kind) {
        (Condition::Created, EventKind::LeadCreated(_)) => true,
        (Condition::StageIs(s), EventKind::StageChanged { stage }) => {
            s.as_str().eq_ignore_ascii_case(stage)
        }
        (Condition::Assigned, EventKind::Assigned { .. }) => true,
        (
            Condition::Touched(channels),
            EventKind::Touched {
                channel, automated, ..
            },
        ) => !automated && (channels.is_empty() || channels.contains(channel)),
        (Condition::Accepted, EventKind::Accepted { .. }) => true,
        (Condition::Rejected(reasons), EventKind::Rejected { reason, .. }) => {
            reasons.is_empty() || reasons.iter().any(|r| r.as_str() == reason)
        }
        (Condition::Recycled, EventKind::Recycled { .. }) => true,
        (Condition::OpportunityCreated, EventKind::OpportunityCreated { .. }) => true,
        (Condition::Won, EventKind::DealWon { .. }) => true,
        (Condition::Lost, EventKind::DealLost { .. }) => true,
        (Condition::RequestOpened(channels), EventKind::RequestOpened { channel, .. }) => {
            channels.is_empty() || channels.iter().any(|c| c == channel)
        }
        (Condition::RequestAcknowledged, EventKind::RequestAcknowledged) => true,
        (Condition::RequestResolved, EventKind::RequestResolved) => true,
        _ => false,
    }
}

/// One clock of one guarantee for one lead, in whole seconds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClockRecord {
    pub guarantee: usize,
    pub start: i64,
    pub stop: Option<i64>,
    /// Paused stretches: (from, until); `until` is `None` while still paused.
    pub pauses: Vec<(i64, Option<i64>)>,
    /// The owner and segment value at the start.
    pub owner: Option<String>,
    pub segment: Option<String>,
}

/// A stage reached, with the lead's attributes at that moment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reach {
    pub stage: String,
    pub at: i64,
    pub attrs: Arc<Attrs>,
}

/// Everything the aggregates need from one lead or request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Facts {
    pub subject: String,
    pub is_request: bool,
    pub clocks: Vec<ClockRecord>,
    pub reached: Vec<Reach>,
    pub opportunities: Vec<(i64, Money, Arc<Attrs>)>,
    pub wins: Vec<(i64, Money, Arc<Attrs>)>,
    /// Sales decisions: (when, accepted?, reason of a rejection).
    pub decisions: Vec<(i64, bool, Option<String>)>,
    /// Touches by people (automated ones excluded).
    pub touches: Vec<i64>,
    pub activities: Vec<String>,
    /// Attributes as of the last event.
    pub attrs: Arc<Attrs>,
}

/// Open clock state during the fold.
struct Open {
    record: ClockRecord,
    touches: u32,
    paused_by: Option<usize>,
}

/// Folds one subject's events (sorted by occurred_at, id; all at or before as_of).
pub(crate) fn fold(agreement: &Agreement, subject: &str, events: &[&Event]) -> Facts {
    let mut f = Facts {
        subject: subject.to_string(),
        ..Facts::default()
    };
    f.is_request = events.first().is_some_and(|e| e.kind.is_request());
    let mut attrs = Attrs::default();
    // Snapshots are taken when something needs the attributes of the moment, not at every change.
    let mut snapshot: Arc<Attrs> = Arc::new(attrs.clone());
    let mut dirty = false;
    let mut open: Vec<Option<Open>> = (0..agreement.guarantees.len()).map(|_| None).collect();
    let subject_kind = if f.is_request {
        Subject::Request
    } else {
        Subject::Lead
    };
    for e in events {
        let at = secs(e.occurred_at);
        match &e.kind {
            EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
                attrs.apply(a);
                dirty = true;
            }
            EventKind::Assigned { owner } => {
                attrs.insert("owner", owner);
                dirty = true;
            }
            EventKind::StageChanged { .. }
            | EventKind::OpportunityCreated { .. }
            | EventKind::DealWon { .. }
                if dirty =>
            {
                snapshot = Arc::new(attrs.clone());
                dirty = false;
            }
            _ => {}
        }
        match &e.kind {
            EventKind::StageChanged { stage } => f.reached.push(Reach {
                stage: stage.to_ascii_lowercase(),
                at,
                attrs: snapshot.clone(),
            }),
            EventKind::Touched {
                automated: false, ..
            } => f.touches.push(at),
            EventKind::Activity { activity } => f.activities.push(activity.clone()),
            EventKind::Accepted { .. } => f.decisions.push((at, true, None)),
            EventKind::Rejected { reason, .. } => {
                f.decisions.push((at, false, Some(reason.clone())))
            }
            EventKind::OpportunityCreated { amount } => {
                f.opportunities.push((at, amount.clone(), snapshot.clone()))
            }
            EventKind::DealWon { amount } => f.wins.push((at, amount.clone(), snapshot.clone())),
            _ => {}
        }
        for (gi, g) in agreement.guarantees.iter().enumerate() {
            if g.subject != subject_kind {
                continue;
            }
            if open[gi].is_none() && meets(&g.starts, e) {
                let in_segment = g.segment.as_ref().is_none_or(|s| {
                    agreement
                        .segment(s)
                        .is_some_and(|seg| attrs.matches(&seg.when, &f.activities))
                });
                if in_segment {
                    open[gi] = Some(Open {
                        record: ClockRecord {
                            guarantee: gi,
                            start: at,
                            stop: None,
                            pauses: Vec::new(),
                            owner: attrs.get("owner").map(str::to_string),
                            segment: attrs.get("segment").map(str::to_string),
                        },
                        touches: 0,
                        paused_by: None,
                    });
                }
            }
            let Some(clock) = open[gi].as_mut() else {
                continue;
            };
            // The first stop at or after the start closes the clock; a cadence closes at its Nth touch.
            let stopped = g.stops.iter().any(|c| meets(c, e));
            let counted = g.cadence.is_some() && meets(&Condition::Touched(Vec::new()), e);
            if counted {
                clock.touches += 1;
            }
            let cadence_met = g.cadence.is_some_and(|c| clock.touches >= c.touches);
            if stopped || cadence_met {
                let mut record = clock.record.clone();
                if let Some(last) = record.pauses.last_mut()
                    && last.1.is_none()
                {
                    last.1 = Some(at);
                }
                record.stop = Some(at);
                f.clocks.push(record);
                open[gi] = None;
                continue;
            }
            match clock.paused_by {
                None => {
                    if let Some(pi) = g.pauses.iter().position(|p| meets(&p.from, e)) {
                        clock.paused_by = Some(pi);
                        clock.record.pauses.push((at, None));
                    }
                }
                Some(pi) => {
                    if meets(&g.pauses[pi].until, e) {
                        clock.paused_by = None;
                        if let Some(last) = clock.record.pauses.last_mut() {
                            last.1 = Some(at);
                        }
                    }
                }
            }
        }
    }
    f.clocks
        .extend(open.into_iter().flatten().map(|o| o.record));
    f.clocks.sort_by_key(|c| (c.guarantee, c.start));
    f.attrs = if dirty { Arc::new(attrs) } else { snapshot };
    f
}
