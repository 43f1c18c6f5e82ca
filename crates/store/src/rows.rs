//! An [`Event`] as the typed columns of the `events` table, and back.

use handshake_core::agreement::Channel;
use handshake_core::event::{Attributes, Event, EventId, EventKind, Money, SubjectId};

use crate::StoreError;

/// One event's columns (everything but the workspace).
#[derive(Debug, Default, Clone)]
pub(crate) struct Row {
    pub id: String,
    pub subject: String,
    pub kind: i16,
    pub occurred_at: i64,
    pub received_at: i64,
    pub fingerprint: i64,
    pub inferred: bool,
    pub stage: Option<String>,
    pub owner: Option<String>,
    pub channel: Option<String>,
    pub actor: Option<String>,
    pub automated: Option<bool>,
    pub reason: Option<String>,
    pub activity: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub source: Option<String>,
    pub segment: Option<String>,
    pub persona: Option<String>,
    pub score: Option<i64>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub extra: Option<String>,
    pub req_from: Option<String>,
    pub req_to: Option<String>,
    pub req_kind: Option<String>,
    /// An extension request's asked-for due instant, in nanoseconds.
    pub until_at: Option<i64>,
    /// The cursor position given at insertion (not in [`COLUMNS`]).
    pub seq: i64,
}

/// Reserves `$2` cursor positions for workspace `$1` and returns the last
/// one: the batch takes `last - $2 + 1 ..= last` (SQLite; PostgreSQL numbers
/// events by transaction, see migration 4). The counter's row stays locked
/// until the batch commits, so a batch that commits later has higher
/// positions, and a reader of "after N" never misses one that commits late.
pub(crate) const RESERVE: &str = "INSERT INTO event_counters (workspace, last_seq) VALUES ($1, $2) \
     ON CONFLICT (workspace) DO UPDATE SET last_seq = event_counters.last_seq + excluded.last_seq \
     RETURNING last_seq";

/// Gives `rows` consecutive cursor positions ending at `last`.
pub(crate) fn number(rows: &mut [Row], last: i64) {
    let first = last - rows.len() as i64 + 1;
    for (i, r) in rows.iter_mut().enumerate() {
        r.seq = first + i as i64;
    }
}

/// The column list, in the order [`Row`] binds them.
pub(crate) const COLUMNS: [&str; 27] = [
    "id",
    "subject",
    "kind",
    "occurred_at",
    "received_at",
    "fingerprint",
    "inferred",
    "stage",
    "owner",
    "channel",
    "actor",
    "automated",
    "reason",
    "activity",
    "amount_minor",
    "currency",
    "source",
    "segment",
    "persona",
    "score",
    "email",
    "company",
    "extra",
    "req_from",
    "req_to",
    "req_kind",
    "until_at",
];

/// Nanoseconds since the epoch; events are validated to fit.
pub(crate) fn nanos(t: jiff::Timestamp) -> i64 {
    i64::try_from(t.as_nanosecond()).unwrap_or(i64::MAX)
}

impl Row {
    pub fn from_event(e: &Event, received_at: i64) -> Row {
        let mut r = Row {
            id: e.id.as_str().to_string(),
            subject: e.subject.as_str().to_string(),
            kind: e.kind.code(),
            occurred_at: nanos(e.occurred_at),
            received_at,
            fingerprint: e.fingerprint(),
            inferred: e.inferred,
            ..Row::default()
        };
        match &e.kind {
            EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
                r.source.clone_from(&a.source);
                r.segment.clone_from(&a.segment);
                r.persona.clone_from(&a.persona);
                r.score = a.score;
                r.owner.clone_from(&a.owner);
                r.email.clone_from(&a.email);
                r.company.clone_from(&a.company);
                if !a.other.is_empty() {
                    let map: serde_json::Map<String, serde_json::Value> = a
                        .other
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                serde_json::from_str(v)
                                    .unwrap_or_else(|_| serde_json::Value::String(v.clone())),
                            )
                        })
                        .collect();
                    r.extra = Some(serde_json::Value::Object(map).to_string());
                }
            }
            EventKind::StageChanged { stage } => r.stage = Some(stage.clone()),
            EventKind::Assigned { owner } => r.owner = Some(owner.clone()),
            EventKind::Touched {
                channel,
                by,
                automated,
            } => {
                r.channel = Some(channel.as_str().to_string());
                r.actor.clone_from(by);
                r.automated = Some(*automated);
            }
            EventKind::Activity { activity } => r.activity = Some(activity.clone()),
            EventKind::Accepted { by } => r.actor.clone_from(by),
            EventKind::Rejected { reason, by } => {
                r.reason = Some(reason.clone());
                r.actor.clone_from(by);
            }
            EventKind::Recycled { reason } | EventKind::DealLost { reason } => {
                r.reason.clone_from(reason)
            }
            EventKind::OpportunityCreated { amount } | EventKind::DealWon { amount } => {
                r.amount_minor = Some(amount.minor);
                r.currency = Some(amount.currency.clone());
            }
            EventKind::RequestOpened {
                from,
                to,
                channel,
                kind,
            } => {
                r.req_from = Some(from.clone());
                r.req_to = Some(to.clone());
                r.channel = Some(channel.clone());
                r.req_kind.clone_from(kind);
            }
            EventKind::Request(_) => {}
            EventKind::ExtensionRequested { until } => {
                // Nanoseconds of an instant jiff accepts fit in an i64 (years 1678-2261 are checked at parsing).
                r.until_at = i64::try_from(until.as_nanosecond()).ok();
            }
        }
        r
    }

    pub fn into_event(self) -> Result<Event, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("event {:?}: {what}", self.id));
        let need = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| corrupt(&format!("no {what}")))
        };
        let type_name = EventKind::type_of_code(self.kind)
            .ok_or_else(|| corrupt(&format!("kind code {} is no event type", self.kind)))?;
        let attributes = || -> Result<Attributes, StoreError> {
            let mut other = Vec::new();
            if let Some(extra) = &self.extra {
                let map: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(extra)
                        .map_err(|_| corrupt("extra is not a JSON object"))?;
                other = map.into_iter().map(|(k, v)| (k, v.to_string())).collect();
            }
            Ok(Attributes {
                source: self.source.clone(),
                segment: self.segment.clone(),
                persona: self.persona.clone(),
                score: self.score,
                owner: self.owner.clone(),
                email: self.email.clone(),
                company: self.company.clone(),
                other,
            })
        };
        let money = || -> Result<Money, StoreError> {
            Ok(Money {
                minor: self.amount_minor.ok_or_else(|| corrupt("no amount"))?,
                currency: need(&self.currency, "currency")?,
            })
        };
        let kind = match type_name {
            "lead.created" => EventKind::LeadCreated(attributes()?),
            "lead.updated" => EventKind::LeadUpdated(attributes()?),
            "lead.stage_changed" => EventKind::StageChanged {
                stage: need(&self.stage, "stage")?,
            },
            "lead.assigned" => EventKind::Assigned {
                owner: need(&self.owner, "owner")?,
            },
            "lead.touched" => EventKind::Touched {
                channel: self
                    .channel
                    .as_deref()
                    .and_then(|c| Channel::ALL.into_iter().find(|x| x.as_str() == c))
                    .ok_or_else(|| corrupt("bad channel"))?,
                by: self.actor.clone(),
                automated: self.automated.unwrap_or(false),
            },
            "lead.activity" => EventKind::Activity {
                activity: need(&self.activity, "activity")?,
            },
            "lead.accepted" => EventKind::Accepted {
                by: self.actor.clone(),
            },
            "lead.rejected" => EventKind::Rejected {
                reason: need(&self.reason, "reason")?,
                by: self.actor.clone(),
            },
            "lead.recycled" => EventKind::Recycled {
                reason: self.reason.clone(),
            },
            "opportunity.created" => EventKind::OpportunityCreated { amount: money()? },
            "deal.won" => EventKind::DealWon { amount: money()? },
            "deal.lost" => EventKind::DealLost {
                reason: self.reason.clone(),
            },
            "request.opened" => EventKind::RequestOpened {
                from: need(&self.req_from, "from")?,
                to: need(&self.req_to, "to")?,
                channel: need(&self.channel, "channel")?,
                kind: self.req_kind.clone(),
            },
            "request.extension_requested" => EventKind::ExtensionRequested {
                until: self
                    .until_at
                    .and_then(|n| jiff::Timestamp::from_nanosecond(i128::from(n)).ok())
                    .ok_or_else(|| corrupt("extension request without until"))?,
            },
            other => match handshake_core::event::RequestStep::from_type(other) {
                Some(step) => EventKind::Request(step),
                None => return Err(corrupt(&format!("type {other} cannot be read back"))),
            },
        };
        let occurred_at = jiff::Timestamp::from_nanosecond(i128::from(self.occurred_at))
            .map_err(|_| corrupt("bad instant"))?;
        Ok(Event {
            id: EventId::new(self.id.clone()).map_err(|m| corrupt(&m))?,
            subject: SubjectId::new(self.subject.clone()).map_err(|m| corrupt(&m))?,
            occurred_at,
            inferred: self.inferred,
            kind,
        })
    }
}
