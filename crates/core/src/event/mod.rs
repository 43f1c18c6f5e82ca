//! Lead events: what Handshake knows about leads and requests, as typed
//! values. Everything arrives as events (HTTP, NDJSON files, CRM imports) and
//! is parsed here, at the edge, into [`Event`]; nothing downstream sees raw JSON.
//!
//! Events are ordered by `(occurred_at, id)`: that total order makes every
//! fold deterministic whatever the arrival order.

mod json;
mod money;
mod ndjson;
mod parties;
mod request;
mod strict;

pub use json::{ErrorCode, EventError, parse_event};
pub use money::Money;
pub use ndjson::{Lines, MAX_EVENT_BYTES, count_lines, parse_ndjson};
pub use parties::{check_parties, names_parties, refuse_unknown_parties};
pub use request::{RequestStep, Side};

use std::fmt;

use jiff::Timestamp;

use crate::agreement::Channel;

/// The caller-given id of an event; a redelivered id is a duplicate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub(crate) String);

impl EventId {
    /// The event this one corrects and its version, for an id written
    /// `BASE~N` with N from 2: version N of event `BASE` (a CRM date
    /// corrected after it was first imported). Version 1 is `BASE` itself.
    /// Only the latest version of an event counts; the others stay stored,
    /// so the chain of corrections is kept.
    ///
    /// # Example
    /// ```
    /// use handshake_core::event::EventId;
    /// let id = EventId::new("hubspot:5001:stage:mql~2")?;
    /// assert_eq!(id.version(), ("hubspot:5001:stage:mql", 2));
    /// assert_eq!(EventId::new("ev-1")?.version(), ("ev-1", 1));
    /// assert_eq!(EventId::new("ev~1")?.version(), ("ev~1", 1));
    /// # Ok::<(), String>(())
    /// ```
    pub fn version(&self) -> (&str, u32) {
        match self.0.rsplit_once('~') {
            Some((base, n))
                if !base.is_empty()
                    && !n.starts_with('0')
                    && n.bytes().all(|b| b.is_ascii_digit()) =>
            {
                match n.parse::<u32>() {
                    Ok(v) if v >= 2 => (base, v),
                    _ => (&self.0, 1),
                }
            }
            _ => (&self.0, 1),
        }
    }

    /// Version `n` (from 2) of the event `base`: `BASE~N`.
    ///
    /// # Errors
    /// When the id would be longer than 200 characters.
    pub fn corrected(base: &str, n: u32) -> Result<EventId, String> {
        EventId::new(format!("{base}~{n}"))
    }
}

/// Keeps, of each event given in several versions ([`EventId::version`]),
/// only the latest: a corrected CRM date replaces the one first imported.
pub fn latest_versions<E: std::borrow::Borrow<Event>>(events: &mut Vec<E>) {
    if !events.iter().any(|e| e.borrow().id.version().1 > 1) {
        return;
    }
    let mut latest: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for e in events.iter() {
        let (base, n) = e.borrow().id.version();
        let v = latest.entry(base).or_insert(n);
        *v = (*v).max(n);
    }
    let keep: Vec<bool> = events
        .iter()
        .map(|e| {
            let (base, n) = e.borrow().id.version();
            latest.get(base) == Some(&n)
        })
        .collect();
    let mut i = 0;
    events.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// What an event is about: a lead (`lead_id`) or a request between the teams (`request_id`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubjectId(pub(crate) String);

macro_rules! text_id {
    ($name:ident) => {
        impl $name {
            /// A validated id: 1 to 200 characters, no control characters.
            ///
            /// # Errors
            /// A message saying what is wrong.
            pub fn new(text: impl Into<String>) -> Result<$name, String> {
                let text = text.into();
                if text.is_empty() || text.len() > 200 || text.chars().any(char::is_control) {
                    return Err(format!(
                        "\"{}\" is not an id: expected 1 to 200 characters, no control characters",
                        text.escape_debug()
                    ));
                }
                Ok($name(text))
            }

            /// The id as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(EventId);
text_id!(SubjectId);

/// CRM-internal stage values and the standard stage each one is:
/// HubSpot's lifecycle stages as its API and webhooks send them.
const STAGE_ALIASES: [(&str, &str); 2] = [
    ("marketingqualifiedlead", "mql"),
    ("salesqualifiedlead", "sql"),
];

/// A stage as the agreement names it: HubSpot's internal lifecycle values
/// (`marketingqualifiedlead`, `salesqualifiedlead`, in any case) become
/// `mql` and `sql`; every other stage is kept as sent.
///
/// # Example
/// ```
/// use handshake_core::event::standard_stage;
/// assert_eq!(standard_stage("marketingqualifiedlead".into()), "mql");
/// assert_eq!(standard_stage("SalesQualifiedLead".into()), "sql");
/// assert_eq!(standard_stage("opportunity".into()), "opportunity");
/// ```
pub fn standard_stage(stage: String) -> String {
    STAGE_ALIASES
        .iter()
        .find(|(alias, _)| stage.eq_ignore_ascii_case(alias))
        .map_or(stage, |(_, standard)| (*standard).to_owned())
}

/// One event, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Caller-given id, unique within a workspace.
    pub id: EventId,
    /// The lead or request it is about.
    pub subject: SubjectId,
    /// When it happened (full precision; evaluation truncates to seconds).
    pub occurred_at: Timestamp,
    /// Derived from a snapshot export rather than observed (e.g. "Became an MQL Date").
    pub inferred: bool,
    /// What happened.
    pub kind: EventKind,
}

/// Lead attributes: the known ones typed, any others kept as text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes {
    /// Where the lead came from (ebook, webinar, ...).
    pub source: Option<String>,
    /// The segment (tier) value.
    pub segment: Option<String>,
    /// The buyer persona.
    pub persona: Option<String>,
    /// The CRM's own lead score.
    pub score: Option<i64>,
    /// The owner (rep).
    pub owner: Option<String>,
    /// E-mail address (personal data).
    pub email: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// Any other attribute, as `key -> JSON scalar text`, sorted by key.
    pub other: Vec<(String, String)>,
}

/// What happened, with the fields each type carries.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// `lead.created`
    LeadCreated(Attributes),
    /// `lead.updated`
    LeadUpdated(Attributes),
    /// `lead.stage_changed`
    StageChanged {
        /// The new lifecycle stage, as the CRM names it.
        stage: String,
    },
    /// `lead.assigned`
    Assigned {
        /// The new owner.
        owner: String,
    },
    /// `lead.touched`
    Touched {
        /// How.
        channel: Channel,
        /// By whom.
        by: Option<String>,
        /// Sent by an automated sequence rather than a person.
        automated: bool,
    },
    /// `lead.activity`: something the lead did.
    Activity {
        /// What, e.g. `webinar_attended`.
        activity: String,
    },
    /// `lead.accepted`
    Accepted {
        /// By whom.
        by: Option<String>,
    },
    /// `lead.rejected`
    Rejected {
        /// Why.
        reason: String,
        /// By whom.
        by: Option<String>,
    },
    /// `lead.recycled`
    Recycled {
        /// Why.
        reason: Option<String>,
    },
    /// `opportunity.created`
    OpportunityCreated {
        /// Its amount.
        amount: Money,
    },
    /// `deal.won`
    DealWon {
        /// Its amount.
        amount: Money,
    },
    /// `deal.lost`
    DealLost {
        /// Why.
        reason: Option<String>,
    },
    /// `request.opened`
    RequestOpened {
        /// The party asking.
        from: String,
        /// The party asked.
        to: String,
        /// The channel it came through.
        channel: String,
        /// What kind of request.
        kind: Option<String>,
    },
    /// `request.acknowledged`, `request.resolved`, `request.feedback_given`
    /// and the other steps of the exchange that carry nothing more.
    Request(RequestStep),
    /// `request.extension_requested`: the requester asks for more time.
    ExtensionRequested {
        /// The new due instant asked for.
        until: Timestamp,
    },
}

impl EventKind {
    /// Where this kind falls among events of one second: the lead's
    /// attributes, assignment and activities first (they hold for a start in
    /// that second), then stage changes and opened requests (what starts
    /// clocks), then decisions, then touches and outcomes (what stops them),
    /// so that a stop in the same second as a start stops that clock.
    pub fn rank_in_second(&self) -> u8 {
        match self {
            EventKind::LeadCreated(_) => 0,
            EventKind::LeadUpdated(_) => 1,
            EventKind::Assigned { .. } => 2,
            EventKind::Activity { .. } => 3,
            EventKind::StageChanged { .. } => 4,
            EventKind::RequestOpened { .. } => 5,
            EventKind::Accepted { .. } => 6,
            EventKind::Rejected { .. } => 7,
            EventKind::Recycled { .. } => 8,
            EventKind::Touched { .. } => 9,
            EventKind::OpportunityCreated { .. } => 10,
            EventKind::DealWon { .. } => 11,
            EventKind::DealLost { .. } => 12,
            EventKind::Request(step) => step.rank_in_second(),
            EventKind::ExtensionRequested { .. } => 6,
        }
    }

    /// The wire name, e.g. `lead.created`.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::LeadCreated(_) => "lead.created",
            EventKind::LeadUpdated(_) => "lead.updated",
            EventKind::StageChanged { .. } => "lead.stage_changed",
            EventKind::Assigned { .. } => "lead.assigned",
            EventKind::Touched { .. } => "lead.touched",
            EventKind::Activity { .. } => "lead.activity",
            EventKind::Accepted { .. } => "lead.accepted",
            EventKind::Rejected { .. } => "lead.rejected",
            EventKind::Recycled { .. } => "lead.recycled",
            EventKind::OpportunityCreated { .. } => "opportunity.created",
            EventKind::DealWon { .. } => "deal.won",
            EventKind::DealLost { .. } => "deal.lost",
            EventKind::RequestOpened { .. } => "request.opened",
            EventKind::Request(step) => step.type_name(),
            EventKind::ExtensionRequested { .. } => "request.extension_requested",
        }
    }

    /// Every wire name, in documentation order.
    pub const TYPES: [&'static str; 23] = [
        "lead.created",
        "lead.updated",
        "lead.stage_changed",
        "lead.assigned",
        "lead.touched",
        "lead.activity",
        "lead.accepted",
        "lead.rejected",
        "lead.recycled",
        "opportunity.created",
        "deal.won",
        "deal.lost",
        "request.opened",
        "request.acknowledged",
        "request.resolved",
        "request.feedback_requested",
        "request.feedback_given",
        "request.extension_requested",
        "request.extension_granted",
        "request.extension_refused",
        "request.cancelled",
        "request.meeting_held",
        "request.recap_sent",
    ];

    /// The type's stored code. Fixed forever: stored rows hold it, so a code
    /// is never reused or renumbered, and a new type takes the next free one.
    pub fn code(&self) -> i16 {
        match self {
            EventKind::LeadCreated(_) => 0,
            EventKind::LeadUpdated(_) => 1,
            EventKind::StageChanged { .. } => 2,
            EventKind::Assigned { .. } => 3,
            EventKind::Touched { .. } => 4,
            EventKind::Activity { .. } => 5,
            EventKind::Accepted { .. } => 6,
            EventKind::Rejected { .. } => 7,
            EventKind::Recycled { .. } => 8,
            EventKind::OpportunityCreated { .. } => 9,
            EventKind::DealWon { .. } => 10,
            EventKind::DealLost { .. } => 11,
            EventKind::RequestOpened { .. } => 12,
            EventKind::Request(step) => step.code(),
            EventKind::ExtensionRequested { .. } => 17,
        }
    }

    /// The wire name of stored code `code`, or `None` for a code no type has.
    pub fn type_of_code(code: i16) -> Option<&'static str> {
        Some(match code {
            0 => "lead.created",
            1 => "lead.updated",
            2 => "lead.stage_changed",
            3 => "lead.assigned",
            4 => "lead.touched",
            5 => "lead.activity",
            6 => "lead.accepted",
            7 => "lead.rejected",
            8 => "lead.recycled",
            9 => "opportunity.created",
            10 => "deal.won",
            11 => "deal.lost",
            12 => "request.opened",
            17 => "request.extension_requested",
            _ => {
                return RequestStep::ALL
                    .into_iter()
                    .find(|s| s.code() == code)
                    .map(RequestStep::type_name);
            }
        })
    }

    /// For a request's events, the side that owes the next move: the
    /// addressee after it is opened (or asked for an extension), the
    /// requester after a feedback request, and so on ([`RequestStep::owed_by`]).
    /// `None` for a lead's events.
    pub fn owed_by(&self) -> Option<Side> {
        match self {
            EventKind::RequestOpened { .. } | EventKind::ExtensionRequested { .. } => {
                Some(Side::Addressee)
            }
            EventKind::Request(step) => Some(step.owed_by()),
            _ => None,
        }
    }

    /// Whether the subject is a request (`request_id`) rather than a lead (`lead_id`).
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            EventKind::RequestOpened { .. }
                | EventKind::Request(_)
                | EventKind::ExtensionRequested { .. }
        )
    }
}

impl Event {
    /// The event as canonical JSON: the same event always gives the same
    /// text, whatever key order or number spelling it arrived with. Two
    /// deliveries with one id are the same event exactly when this matches.
    pub fn canonical_json(&self) -> String {
        json::to_canonical(self)
    }

    /// A stable 64-bit fingerprint of the event's content (FNV-1a over a
    /// canonical encoding of its typed fields): equal exactly when
    /// [`Event::canonical_json`] is, without building the JSON.
    pub fn fingerprint(&self) -> i64 {
        let mut h = Fnv::new();
        h.text(1, self.id.as_str());
        h.text(2, self.kind.type_name());
        h.text(3, self.subject.as_str());
        h.bytes(4, &self.occurred_at.as_nanosecond().to_le_bytes());
        h.bytes(5, &[u8::from(self.inferred)]);
        let opt = |h: &mut Fnv, tag: u8, v: &Option<String>| {
            if let Some(v) = v {
                h.text(tag, v);
            }
        };
        match &self.kind {
            EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
                opt(&mut h, 10, &a.source);
                opt(&mut h, 11, &a.segment);
                opt(&mut h, 12, &a.persona);
                if let Some(score) = a.score {
                    h.bytes(13, &score.to_le_bytes());
                }
                opt(&mut h, 14, &a.owner);
                opt(&mut h, 15, &a.email);
                opt(&mut h, 16, &a.company);
                for (k, v) in &a.other {
                    h.text(17, k);
                    h.text(18, v);
                }
            }
            EventKind::StageChanged { stage } => h.text(20, stage),
            EventKind::Assigned { owner } => h.text(21, owner),
            EventKind::Touched {
                channel,
                by,
                automated,
            } => {
                h.text(22, channel.as_str());
                opt(&mut h, 23, by);
                h.bytes(24, &[u8::from(*automated)]);
            }
            EventKind::Activity { activity } => h.text(25, activity),
            EventKind::Accepted { by } => opt(&mut h, 23, by),
            EventKind::Rejected { reason, by } => {
                h.text(26, reason);
                opt(&mut h, 23, by);
            }
            EventKind::Recycled { reason } | EventKind::DealLost { reason } => {
                opt(&mut h, 26, reason)
            }
            EventKind::OpportunityCreated { amount } | EventKind::DealWon { amount } => {
                h.bytes(27, &amount.minor.to_le_bytes());
                h.text(28, &amount.currency);
            }
            EventKind::RequestOpened {
                from,
                to,
                channel,
                kind,
            } => {
                h.text(29, from);
                h.text(30, to);
                h.text(31, channel);
                opt(&mut h, 32, kind);
            }
            EventKind::Request(_) => {}
            EventKind::ExtensionRequested { until } => {
                h.bytes(33, &until.as_nanosecond().to_le_bytes());
            }
        }
        i64::from_ne_bytes(h.0.to_ne_bytes())
    }

    /// The order every fold uses: by whole second, then, within one second,
    /// by kind ([`EventKind::rank_in_second`]: what describes the lead before
    /// what starts a clock, before what stops one), and only then by id, so
    /// that ids never change an outcome (docs/report.md, "Within one second").
    pub fn order_key(&self) -> (i64, u8, &str) {
        let t = self.occurred_at;
        let second = t.as_second() - i64::from(t.subsec_nanosecond() < 0);
        (second, self.kind.rank_in_second(), self.id.as_str())
    }
}

/// FNV-1a, 64 bits, over tagged, length-prefixed fields (so no two field
/// sequences encode alike). Stable across versions and platforms.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, tag: u8, data: &[u8]) {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes();
        for b in [tag].iter().chain(len.iter()).chain(data.iter()) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn text(&mut self, tag: u8, s: &str) {
        self.bytes(tag, s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored codes, written out: changing one would misread every stored
    /// row of that type, so this list may only ever grow.
    const PINNED: [(&str, i16); 23] = [
        ("lead.created", 0),
        ("lead.updated", 1),
        ("lead.stage_changed", 2),
        ("lead.assigned", 3),
        ("lead.touched", 4),
        ("lead.activity", 5),
        ("lead.accepted", 6),
        ("lead.rejected", 7),
        ("lead.recycled", 8),
        ("opportunity.created", 9),
        ("deal.won", 10),
        ("deal.lost", 11),
        ("request.opened", 12),
        ("request.acknowledged", 13),
        ("request.resolved", 14),
        ("request.feedback_requested", 15),
        ("request.feedback_given", 16),
        ("request.extension_requested", 17),
        ("request.extension_granted", 18),
        ("request.extension_refused", 19),
        ("request.cancelled", 20),
        ("request.meeting_held", 21),
        ("request.recap_sent", 22),
    ];

    #[test]
    fn every_type_keeps_its_stored_code() {
        let examples = [
            r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"lead.updated","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","attributes":{"score":5}}"#,
            r#"{"id":"1","type":"lead.stage_changed","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","stage":"mql"}"#,
            r#"{"id":"1","type":"lead.assigned","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","owner":"o"}"#,
            r#"{"id":"1","type":"lead.touched","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","channel":"call"}"#,
            r#"{"id":"1","type":"lead.activity","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","activity":"a"}"#,
            r#"{"id":"1","type":"lead.accepted","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"lead.rejected","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","reason":"r"}"#,
            r#"{"id":"1","type":"lead.recycled","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"opportunity.created","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","amount":"1.00","currency":"USD"}"#,
            r#"{"id":"1","type":"deal.won","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","amount":"1.00","currency":"USD"}"#,
            r#"{"id":"1","type":"deal.lost","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.opened","request_id":"R","occurred_at":"2026-10-01T00:00:00Z","from":"sales","to":"marketing","channel":"email"}"#,
            r#"{"id":"1","type":"request.acknowledged","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.resolved","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.feedback_requested","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.feedback_given","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.extension_requested","request_id":"R","occurred_at":"2026-10-01T00:00:00Z","until":"2026-10-03T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.extension_granted","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.extension_refused","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.cancelled","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.meeting_held","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
            r#"{"id":"1","type":"request.recap_sent","request_id":"R","occurred_at":"2026-10-01T00:00:00Z"}"#,
        ];
        assert_eq!(EventKind::TYPES.len(), PINNED.len());
        for ((name, code), text) in PINNED.iter().zip(examples) {
            let event = parse_event(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(event.kind.type_name(), *name);
            assert_eq!(event.kind.code(), *code, "{name}");
            assert_eq!(EventKind::type_of_code(*code), Some(*name));
            // Rows stored before the codes were pinned hold the position in TYPES.
            assert_eq!(EventKind::TYPES[usize::try_from(*code).unwrap()], *name);
        }
        for unknown in [-1, 23, 99, i16::MAX] {
            assert_eq!(EventKind::type_of_code(unknown), None);
        }
    }
}
