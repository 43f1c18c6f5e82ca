//! One lead (or request) at a time: its events, in evaluation order, folded
//! into the facts the aggregates need: clocks per guarantee, stages reached
//! with the attributes at that moment, decisions, touches, money.
//!
//! Rules (docs/report.md): a start opens a clock only when none of that
//! guarantee is open for the lead; the first stop at or after the start
//! closes it; a pause stops the count until its `until`; the clock's segment
//! is the lead's at the start; automated touches never count as touches.

use std::collections::HashSet;
use std::sync::Arc;

use crate::agreement::{Agreement, Condition, Matcher, Subject};
use crate::event::{Event, EventKind, Side};

/// Whole seconds of an instant (evaluation truncates sub-second parts).
pub(crate) fn secs(t: jiff::Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// One copy of each repeated text (stages, owners, sources, reasons,
/// currencies, attribute names and values) shared by every lead's facts, so
/// a million leads hold a handful of strings rather than millions.
#[derive(Default)]
pub(crate) struct Texts(HashSet<Arc<str>>);

impl Texts {
    /// The shared copy of `text`.
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(t) = self.0.get(text) {
            return Arc::clone(t);
        }
        let t: Arc<str> = Arc::from(text);
        self.0.insert(Arc::clone(&t));
        t
    }
}

/// The names of the attributes the evaluation reads: those the engine uses
/// itself (source, persona, segment, owner), the name and company a
/// drill-down shows beside the record id, and those the agreement's
/// segments and scoring rules test. Others (e-mail, free attributes) are
/// not kept.
pub(crate) fn read_attributes(a: &Agreement) -> Vec<String> {
    let mut names: Vec<String> = ["company", "name", "owner", "persona", "segment", "source"]
        .map(String::from)
        .to_vec();
    let matchers = a.segments.iter().map(|s| &s.when).chain(
        a.scoring
            .iter()
            .flat_map(|s| s.rules.iter().map(|r| &r.when)),
    );
    for m in matchers {
        if let Matcher::Attribute { attribute, .. } | Matcher::AtLeast { attribute, .. } = m
            && !names.contains(attribute)
        {
            names.push(attribute.clone());
        }
    }
    names
}

/// A lead's attributes by name, as text: a short sorted list (a lead has a
/// handful), cheap to copy into the snapshots goals are filtered by.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Attrs(Vec<(Arc<str>, Arc<str>)>);

impl Attrs {
    fn insert(&mut self, key: &str, value: &str, texts: &mut Texts) {
        match self.0.binary_search_by(|(k, _)| (**k).cmp(key)) {
            Ok(i) => {
                if &*self.0[i].1 != value {
                    self.0[i].1 = texts.get(value);
                }
            }
            Err(i) => self.0.insert(i, (texts.get(key), texts.get(value))),
        }
    }

    fn apply(&mut self, a: &crate::event::Attributes, read: &[String], texts: &mut Texts) {
        let wanted = |k: &str| read.iter().any(|r| r == k);
        let mut set = |k: &str, v: &Option<String>, texts: &mut Texts| {
            if let Some(v) = v
                && wanted(k)
            {
                self.insert(k, v, texts);
            }
        };
        set("source", &a.source, texts);
        set("segment", &a.segment, texts);
        set("persona", &a.persona, texts);
        set("owner", &a.owner, texts);
        set("email", &a.email, texts);
        set("company", &a.company, texts);
        if let Some(score) = a.score
            && wanted("score")
        {
            self.insert("score", &score.to_string(), texts);
        }
        for (k, v) in a.other.iter().filter(|(k, _)| wanted(k)) {
            let text = serde_json::from_str::<serde_json::Value>(v)
                .ok()
                .and_then(|j| j.as_str().map(str::to_string))
                .unwrap_or_else(|| v.clone());
            self.insert(k, &text, texts);
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// The shared text of an attribute.
    fn shared(&self, name: &str) -> Option<Arc<str>> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| Arc::clone(&self.0[i].1))
    }

    pub(crate) fn matches(&self, m: &Matcher, activities: &[Arc<str>]) -> bool {
        match m {
            Matcher::Attribute { attribute, values } => self
                .get(attribute)
                .is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v))),
            Matcher::AtLeast { attribute, min } => self
                .get(attribute)
                .and_then(|v| v.parse::<f64>().ok())
                .is_some_and(|v| v >= *min),
            Matcher::Activity(kind) => activities.iter().any(|a| **a == **kind),
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
        (Condition::Request(step), EventKind::Request(happened)) => step == happened,
        _ => false,
    }
}

/// The bit of an event's kind in [`Facts::kinds`]; an automated touch has
/// none, since it stops no clock.
pub(crate) fn kind_bit(e: &EventKind) -> u32 {
    match e {
        EventKind::Touched {
            automated: true, ..
        } => 0,
        other => 1 << other.code(),
    }
}

/// The kinds of event (as [`kind_bit`]s) that could meet condition `c`.
fn condition_bits(c: &Condition) -> u32 {
    let code = match c {
        Condition::Created => 0,
        Condition::StageIs(_) => 2,
        Condition::Assigned => 3,
        Condition::Touched(_) => 4,
        Condition::Accepted => 6,
        Condition::Rejected(_) => 7,
        Condition::Recycled => 8,
        Condition::OpportunityCreated => 9,
        Condition::Won => 10,
        Condition::Lost => 11,
        Condition::RequestOpened(_) => 12,
        Condition::Request(step) => step.code(),
    };
    1 << code
}

/// Whether guarantee `g`'s clocks started by events read off an export's
/// snapshot can be judged from data whose events are of the kinds `seen`
/// ([`kind_bit`]s): some kind of event that stops them (for a cadence, a
/// touch) has arrived at all. A contacts export without activities has no
/// touches, so a first-touch promise is not measurable from it: its clocks
/// would read as breaches that are only missing data. Clocks started by
/// live events are always judged: a feed says what happens as it happens.
pub(crate) fn measurable(g: &crate::agreement::Guarantee, seen: u32) -> bool {
    let mut stops = g.stops.iter().fold(0, |m, c| m | condition_bits(c));
    if g.cadence.is_some() {
        stops |= condition_bits(&Condition::Touched(Vec::new()));
    }
    stops & seen != 0
}

/// One clock of one guarantee for one lead, in whole seconds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClockRecord {
    pub guarantee: usize,
    pub start: i64,
    pub stop: Option<i64>,
    /// Paused stretches: (from, until); `until` is `None` while still paused.
    pub pauses: Vec<(i64, Option<i64>)>,
    /// The lead's owner when the clock stopped, or at as_of while it runs;
    /// the segment value at the start.
    pub owner: Option<Arc<str>>,
    pub segment: Option<Arc<str>>,
    /// Started by an event read off an export's snapshot (inferred), so
    /// whether it stopped in time depends on other data arriving.
    pub inferred: bool,
    /// The extension asked for on it, if any (request clocks; boxed, so a
    /// clock without one, nearly every clock, pays one pointer).
    pub extension: Option<Box<super::extension::Extension>>,
}

impl ClockRecord {
    /// The business seconds it is promised: the guarantee's `duration` and
    /// any extension granted.
    pub(crate) fn promised(&self, duration: i64) -> i64 {
        duration.saturating_add(self.extension.as_ref().map_or(0, |x| x.granted))
    }
}

/// An amount of money in a fold: minor units and the shared currency code.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Amount {
    pub minor: i64,
    pub currency: Arc<str>,
}

/// A stage reached, with the lead's attributes at that moment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reach {
    pub stage: Arc<str>,
    pub at: i64,
    pub attrs: Arc<Attrs>,
    /// How many of the lead's activities had happened by then (the first
    /// ones of [`Facts::activities`]): the score at that moment reads them.
    pub activities: u32,
}

/// Everything the aggregates need from one lead or request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Facts {
    pub subject: String,
    pub is_request: bool,
    /// When the lead was created: its first `lead.created`, or its first
    /// event when the CRM sent none.
    pub created: Option<i64>,
    pub clocks: Vec<ClockRecord>,
    pub reached: Vec<Reach>,
    pub opportunities: Vec<(i64, Amount, Arc<Attrs>)>,
    pub wins: Vec<(i64, Amount, Arc<Attrs>)>,
    /// Sales decisions: (when, accepted?, reason of a rejection).
    pub decisions: Vec<(i64, bool, Option<Arc<str>>)>,
    /// Touches by people (automated ones excluded).
    pub touches: Vec<i64>,
    pub activities: Vec<Arc<str>>,
    /// Attributes as of the last event.
    pub attrs: Arc<Attrs>,
    /// The kinds of its events, as [`kind_bit`]s: what the data holds at all.
    pub kinds: u32,
    /// A request's opening (boxed: leads, nearly every subject, have none).
    pub opening: Option<Box<Opening>>,
}

impl Facts {
    /// Who the lead is, for the people reading a list of record ids: its
    /// `name` attribute where the CRM gave one, else its company.
    pub(crate) fn name(&self) -> Option<String> {
        self.attrs
            .get("name")
            .or_else(|| self.attrs.get("company"))
            .map(str::to_string)
    }
}

/// How a request was opened: when, by which party, through which channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Opening {
    pub at: i64,
    pub from: Arc<str>,
    pub to: Arc<str>,
    pub channel: Arc<str>,
    pub kind: Option<Arc<str>>,
}

/// An open clock belongs to whoever owns the lead now (decision 7: the
/// latest assignment), so a lead routed after its clock started is in its
/// new owner's queue.
fn follow_owner(open: &mut [Option<Open>], attrs: &Attrs) {
    for clock in open.iter_mut().flatten() {
        clock.record.owner = attrs.shared("owner");
    }
}

/// Open clock state during the fold.
struct Open {
    record: ClockRecord,
    touches: u32,
    paused_by: Option<usize>,
}

/// Folds subjects one at a time for one agreement, sharing their texts.
pub(crate) struct Folder<'a> {
    agreement: &'a Agreement,
    read: Vec<String>,
    texts: Texts,
}

impl<'a> Folder<'a> {
    /// A folder for `agreement`.
    pub(crate) fn new(agreement: &'a Agreement) -> Folder<'a> {
        Folder {
            agreement,
            read: read_attributes(agreement),
            texts: Texts::default(),
        }
    }

    /// Folds one subject's events (sorted by `Event::order_key`; all at or before as_of).
    pub(crate) fn fold(&mut self, subject: &str, events: &[&Event]) -> Facts {
        fold(self.agreement, &self.read, &mut self.texts, subject, events)
    }
}

/// Folds one subject's events with the given attribute names and shared texts.
pub(crate) fn fold(
    agreement: &Agreement,
    read: &[String],
    texts: &mut Texts,
    subject: &str,
    events: &[&Event],
) -> Facts {
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
    // A request's parties (from, to), known from its opening.
    let mut request_parties: Option<(Arc<str>, Arc<str>)> = None;
    for e in events {
        let at = secs(e.occurred_at);
        f.kinds |= kind_bit(&e.kind);
        if let EventKind::RequestOpened {
            from,
            to,
            channel,
            kind,
        } = &e.kind
        {
            request_parties = Some((texts.get(from), texts.get(to)));
            f.opening.get_or_insert_with(|| {
                Box::new(Opening {
                    at,
                    from: texts.get(from),
                    to: texts.get(to),
                    channel: texts.get(channel),
                    kind: kind.as_deref().map(|k| texts.get(k)),
                })
            });
        }
        if matches!(e.kind, EventKind::LeadCreated(_)) && f.created.is_none() {
            f.created = Some(at);
        }
        match &e.kind {
            EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
                attrs.apply(a, read, texts);
                dirty = true;
                follow_owner(&mut open, &attrs);
            }
            EventKind::Assigned { owner } => {
                attrs.insert("owner", owner, texts);
                dirty = true;
                follow_owner(&mut open, &attrs);
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
                stage: if stage.bytes().any(|b| b.is_ascii_uppercase()) {
                    texts.get(&stage.to_ascii_lowercase())
                } else {
                    texts.get(stage)
                },
                at,
                attrs: snapshot.clone(),
                activities: u32::try_from(f.activities.len()).unwrap_or(u32::MAX),
            }),
            EventKind::Touched {
                automated: false, ..
            } => f.touches.push(at),
            EventKind::Activity { activity } => f.activities.push(texts.get(activity)),
            EventKind::Accepted { .. } => f.decisions.push((at, true, None)),
            EventKind::Rejected { reason, .. } => {
                f.decisions.push((at, false, Some(texts.get(reason))))
            }
            EventKind::OpportunityCreated { amount } => {
                let amount = Amount {
                    minor: amount.minor,
                    currency: texts.get(&amount.currency),
                };
                f.opportunities.push((at, amount, snapshot.clone()))
            }
            EventKind::DealWon { amount } => {
                let amount = Amount {
                    minor: amount.minor,
                    currency: texts.get(&amount.currency),
                };
                f.wins.push((at, amount, snapshot.clone()))
            }
            _ => {}
        }
        for (gi, g) in agreement.guarantees.iter().enumerate() {
            if g.subject != subject_kind {
                continue;
            }
            // A request's clock belongs to the side that owes the next
            // move: the party it is addressed to once opened, the party
            // that asked once feedback is asked of it.
            let addressed = match e.kind.owed_by() {
                None => true,
                Some(side) => request_parties.as_ref().is_some_and(|(from, to)| {
                    let owing = match side {
                        Side::Requester => from,
                        Side::Addressee => to,
                    };
                    g.owner.as_str() == owing.as_ref()
                }),
            };
            if open[gi].is_none() && addressed && meets(&g.starts, e) {
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
                            owner: attrs.shared("owner"),
                            segment: attrs.shared("segment"),
                            inferred: e.inferred,
                            extension: None,
                        },
                        touches: 0,
                        paused_by: None,
                    });
                }
            }
            let Some(clock) = open[gi].as_mut() else {
                continue;
            };
            if let Some(rule) = &g.extension {
                super::extension::apply(agreement, g, rule, &mut clock.record, &e.kind, at);
            }
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
    // Kept for the whole evaluation: no spare capacity.
    f.clocks.shrink_to_fit();
    f.reached.shrink_to_fit();
    f.opportunities.shrink_to_fit();
    f.wins.shrink_to_fit();
    f.decisions.shrink_to_fit();
    f.touches.shrink_to_fit();
    // A lead exported without its creation counts from its first event.
    if f.created.is_none() {
        f.created = events.first().map(|e| secs(e.occurred_at));
    }
    f.activities.shrink_to_fit();
    f
}
