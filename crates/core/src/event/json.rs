//! The wire format of an event (one JSON object) into an [`Event`], with a
//! stable error code and a message a person can act on; and back out as
//! canonical JSON for duplicate detection.

use std::fmt;

use serde_json::{Map, Value};

use super::{Attributes, Event, EventId, EventKind, Money, SubjectId};
use crate::agreement::Channel;

/// Why an event was refused: a stable machine code and a human message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError {
    /// The stable code.
    pub code: ErrorCode,
    /// What is wrong and what would be right.
    pub message: String,
}

/// Stable error codes for refused events; documented in docs/events.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The text is not JSON.
    InvalidJson,
    /// The JSON is not an object.
    NotAnObject,
    /// A required field is missing.
    MissingField,
    /// A field has the wrong type or value.
    InvalidField,
    /// A field this event type does not have.
    UnknownField,
    /// The `type` is not one Handshake knows.
    UnknownType,
    /// `occurred_at` is not an RFC 3339 instant with an offset.
    InvalidInstant,
    /// One event (one NDJSON line) is larger than [`super::MAX_EVENT_BYTES`].
    TooLarge,
    /// A request names a party the agreement does not have.
    UnknownParty,
}

impl ErrorCode {
    /// The code as it appears in API answers, e.g. `missing_field`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::NotAnObject => "not_an_object",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::InvalidInstant => "invalid_instant",
            ErrorCode::TooLarge => "payload_too_large",
            ErrorCode::UnknownParty => "unknown_party",
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for EventError {}

fn fail<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, EventError> {
    Err(EventError {
        code,
        message: message.into(),
    })
}

/// Reads the fields of one JSON object, remembering which were used.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    used: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn take(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>, EventError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(Value::String(_)) => fail(
                ErrorCode::InvalidField,
                format!("\"{key}\" is empty; expected a non-empty string"),
            ),
            Some(other) => fail(
                ErrorCode::InvalidField,
                format!("\"{key}\" is {}; expected a string", kind(other)),
            ),
        }
    }

    fn required(&mut self, key: &'static str, example: &str) -> Result<String, EventError> {
        match self.string(key)? {
            Some(s) => Ok(s),
            None => fail(
                ErrorCode::MissingField,
                format!("\"{key}\" is missing; expected e.g. \"{key}\":{example}"),
            ),
        }
    }

    fn finish(&self, type_name: &str) -> Result<(), EventError> {
        for key in self.map.keys() {
            if !self.used.contains(&key.as_str()) {
                let mut known = self.used.clone();
                known.sort_unstable();
                return fail(
                    ErrorCode::UnknownField,
                    format!(
                        "\"{key}\" is not a field of {type_name}; its fields are {}",
                        known.join(", ")
                    ),
                );
            }
        }
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one event from its JSON text.
///
/// # Errors
/// An [`EventError`] with a stable code and a message naming the field.
///
/// # Example
/// ```
/// use handshake_core::event::parse_event;
/// let e = parse_event(r#"{"id":"e-1","type":"lead.stage_changed","lead_id":"L-1","occurred_at":"2026-10-01T14:03:00Z","stage":"mql"}"#)?;
/// assert_eq!(e.kind.type_name(), "lead.stage_changed");
/// let err = parse_event(r#"{"id":"e-2","type":"lead.touched","lead_id":"L-1","occurred_at":"2026-10-01T14:03:00Z"}"#).unwrap_err();
/// assert_eq!(err.code.as_str(), "missing_field");
/// # Ok::<(), handshake_core::event::EventError>(())
/// ```
pub fn parse_event(text: &str) -> Result<Event, EventError> {
    let value: Value = match serde_json::from_str::<super::strict::Strict>(text) {
        Ok(v) => v.0,
        Err(e) => {
            return fail(
                ErrorCode::InvalidJson,
                format!("not valid JSON ({e}); expected one JSON object"),
            );
        }
    };
    let Value::Object(map) = &value else {
        return fail(
            ErrorCode::NotAnObject,
            format!("the event is {}; expected a JSON object", kind(&value)),
        );
    };
    let mut f = Fields {
        map,
        used: Vec::new(),
    };
    let id = f.required("id", "\"e-1\"")?;
    let id = EventId::new(id).map_err(|m| EventError {
        code: ErrorCode::InvalidField,
        message: format!("\"id\": {m}"),
    })?;
    let type_name = f.required("type", "\"lead.created\"")?;
    if !EventKind::TYPES.contains(&type_name.as_str()) {
        return fail(
            ErrorCode::UnknownType,
            format!(
                "\"type\" \"{type_name}\" is unknown; expected one of {}",
                EventKind::TYPES.join(", ")
            ),
        );
    }
    let is_request = type_name.starts_with("request.");
    let (subject_key, other_key) = if is_request {
        ("request_id", "lead_id")
    } else {
        ("lead_id", "request_id")
    };
    if map.contains_key(other_key) {
        return fail(
            ErrorCode::InvalidField,
            format!("{type_name} names its subject with \"{subject_key}\", not \"{other_key}\""),
        );
    }
    let subject = f.required(subject_key, "\"L-1\"")?;
    let subject = SubjectId::new(subject).map_err(|m| EventError {
        code: ErrorCode::InvalidField,
        message: format!("\"{subject_key}\": {m}"),
    })?;
    let occurred = f.required("occurred_at", "\"2026-10-01T14:03:00Z\"")?;
    let occurred_at: jiff::Timestamp = match occurred.parse() {
        Ok(t) => t,
        Err(_) => {
            return fail(
                ErrorCode::InvalidInstant,
                format!(
                    "\"occurred_at\" \"{occurred}\" is not an instant; expected RFC 3339 with an offset, e.g. 2026-10-01T14:03:00Z"
                ),
            );
        }
    };
    if !(-9_223_372_036i64..=9_223_372_035).contains(&occurred_at.as_second()) {
        return fail(
            ErrorCode::InvalidInstant,
            format!("\"occurred_at\" {occurred} is outside the years 1678 to 2261"),
        );
    }
    let inferred = match f.take("inferred") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return fail(
                ErrorCode::InvalidField,
                format!("\"inferred\" is {}; expected true or false", kind(other)),
            );
        }
    };
    let kind = match type_name.as_str() {
        "lead.created" => EventKind::LeadCreated(attributes(&mut f, false)?),
        "lead.updated" => EventKind::LeadUpdated(attributes(&mut f, true)?),
        "lead.stage_changed" => EventKind::StageChanged {
            stage: crate::event::standard_stage(f.required("stage", "\"mql\"")?),
        },
        "lead.assigned" => EventKind::Assigned {
            owner: f.required("owner", "\"rep-7\"")?,
        },
        "lead.touched" => {
            let channel = f.required("channel", "\"call\"")?;
            let channel = Channel::parse(&channel).map_or_else(
                || fail(ErrorCode::InvalidField, format!("\"channel\" \"{channel}\" is unknown; expected call, email, meeting, social or other")),
                Ok,
            )?;
            let by = f.string("by")?;
            let automated = match f.take("automated") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return fail(
                        ErrorCode::InvalidField,
                        format!("\"automated\" is {}; expected true or false", kind(other)),
                    );
                }
            };
            EventKind::Touched {
                channel,
                by,
                automated,
            }
        }
        "lead.activity" => EventKind::Activity {
            activity: f.required("activity", "\"webinar_attended\"")?,
        },
        "lead.accepted" => EventKind::Accepted {
            by: f.string("by")?,
        },
        "lead.rejected" => EventKind::Rejected {
            reason: f.required("reason", "\"no-budget\"")?,
            by: f.string("by")?,
        },
        "lead.recycled" => EventKind::Recycled {
            reason: f.string("reason")?,
        },
        "opportunity.created" => EventKind::OpportunityCreated {
            amount: money(&mut f)?,
        },
        "deal.won" => EventKind::DealWon {
            amount: money(&mut f)?,
        },
        "deal.lost" => EventKind::DealLost {
            reason: f.string("reason")?,
        },
        "request.opened" => EventKind::RequestOpened {
            from: f.required("from", "\"sales\"")?,
            to: f.required("to", "\"marketing\"")?,
            channel: f.required("channel", "\"escalation\"")?,
            kind: f.string("kind")?,
        },
        "request.extension_requested" => {
            let until = f.required("until", "\"2026-10-03T17:00:00Z\"")?;
            let until: jiff::Timestamp = until.parse().map_err(|_| EventError {
                code: ErrorCode::InvalidInstant,
                message: format!(
                    "\"until\" \"{until}\" is not an instant; expected the new due time asked for, RFC 3339 with an offset, e.g. 2026-10-03T17:00:00Z"
                ),
            })?;
            if until.as_second() > 9_223_372_035 {
                return fail(
                    ErrorCode::InvalidInstant,
                    format!("\"until\" {until} is after the year 2261"),
                );
            }
            if until <= occurred_at {
                return fail(
                    ErrorCode::InvalidField,
                    format!(
                        "\"until\" {until} is not after \"occurred_at\" {occurred_at}; expected the later due time asked for"
                    ),
                );
            }
            EventKind::ExtensionRequested { until }
        }
        other => match super::RequestStep::from_type(other) {
            Some(step) => EventKind::Request(step),
            // TYPES was checked above, and every other type has its arm.
            None => {
                return fail(
                    ErrorCode::UnknownType,
                    format!("\"type\" \"{other}\" is unknown"),
                );
            }
        },
    };
    f.finish(&type_name)?;
    Ok(Event {
        id,
        subject,
        occurred_at,
        inferred,
        kind,
    })
}

fn money(f: &mut Fields<'_>) -> Result<Money, EventError> {
    let amount = match f.take("amount") {
        None => {
            return fail(
                ErrorCode::MissingField,
                "\"amount\" is missing; expected e.g. \"amount\":\"12500.00\"",
            );
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return fail(
                ErrorCode::InvalidField,
                format!("\"amount\" is {}; expected a decimal number", kind(other)),
            );
        }
    };
    let currency = f.required("currency", "\"USD\"")?;
    Money::parse(&amount, &currency).map_err(|message| EventError {
        code: ErrorCode::InvalidField,
        message,
    })
}

const KNOWN_ATTRIBUTES: [&str; 7] = [
    "source", "segment", "persona", "score", "owner", "email", "company",
];

fn attributes(f: &mut Fields<'_>, required: bool) -> Result<Attributes, EventError> {
    let map = match f.take("attributes") {
        None if required => {
            return fail(
                ErrorCode::MissingField,
                "\"attributes\" is missing; expected e.g. \"attributes\":{\"segment\":\"enterprise\"}",
            );
        }
        None => return Ok(Attributes::default()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return fail(
                ErrorCode::InvalidField,
                format!("\"attributes\" is {}; expected an object", kind(other)),
            );
        }
    };
    let mut a = Attributes::default();
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        let text = |v: &Value| match v {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            other => fail(
                ErrorCode::InvalidField,
                format!(
                    "attribute \"{key}\" is {}; expected a non-empty string",
                    kind(other)
                ),
            ),
        };
        match key.as_str() {
            "source" => a.source = Some(text(value)?),
            "segment" => a.segment = Some(text(value)?),
            "persona" => a.persona = Some(text(value)?),
            "owner" => a.owner = Some(text(value)?),
            "company" => a.company = Some(text(value)?),
            "email" => {
                let email = text(value)?;
                if !email.contains('@') {
                    return fail(
                        ErrorCode::InvalidField,
                        format!("attribute \"email\" \"{email}\" is not an e-mail address"),
                    );
                }
                a.email = Some(email);
            }
            "score" => match value.as_i64() {
                Some(n) => a.score = Some(n),
                None => {
                    return fail(
                        ErrorCode::InvalidField,
                        format!("attribute \"score\" is {value}; expected a whole number"),
                    );
                }
            },
            _ => match value {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    a.other.push((key.clone(), value.to_string()))
                }
                other => {
                    return fail(
                        ErrorCode::InvalidField,
                        format!(
                            "attribute \"{key}\" is {}; expected a string, number or boolean (known attributes: {})",
                            kind(other),
                            KNOWN_ATTRIBUTES.join(", ")
                        ),
                    );
                }
            },
        }
    }
    a.other.sort();
    Ok(a)
}

/// The canonical JSON of an event: keys sorted, instants in UTC, amounts as decimal text.
pub(super) fn to_canonical(e: &Event) -> String {
    let mut m = Map::new();
    let s = |v: &str| Value::String(v.to_string());
    m.insert("id".into(), s(e.id.as_str()));
    m.insert("type".into(), s(e.kind.type_name()));
    let subject_key = if e.kind.is_request() {
        "request_id"
    } else {
        "lead_id"
    };
    m.insert(subject_key.into(), s(e.subject.as_str()));
    m.insert("occurred_at".into(), s(&e.occurred_at.to_string()));
    if e.inferred {
        m.insert("inferred".into(), Value::Bool(true));
    }
    let opt = |m: &mut Map<String, Value>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), s(v));
        }
    };
    match &e.kind {
        EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => {
            let mut attrs = Map::new();
            opt(&mut attrs, "source", &a.source);
            opt(&mut attrs, "segment", &a.segment);
            opt(&mut attrs, "persona", &a.persona);
            opt(&mut attrs, "owner", &a.owner);
            opt(&mut attrs, "email", &a.email);
            opt(&mut attrs, "company", &a.company);
            if let Some(score) = a.score {
                attrs.insert("score".into(), Value::from(score));
            }
            for (k, v) in &a.other {
                attrs.insert(k.clone(), serde_json::from_str(v).unwrap_or_else(|_| s(v)));
            }
            m.insert("attributes".into(), Value::Object(attrs));
        }
        EventKind::StageChanged { stage } => opt(&mut m, "stage", &Some(stage.clone())),
        EventKind::Assigned { owner } => opt(&mut m, "owner", &Some(owner.clone())),
        EventKind::Touched {
            channel,
            by,
            automated,
        } => {
            m.insert("channel".into(), s(channel.as_str()));
            opt(&mut m, "by", by);
            if *automated {
                m.insert("automated".into(), Value::Bool(true));
            }
        }
        EventKind::Activity { activity } => opt(&mut m, "activity", &Some(activity.clone())),
        EventKind::Accepted { by } => opt(&mut m, "by", by),
        EventKind::Rejected { reason, by } => {
            opt(&mut m, "reason", &Some(reason.clone()));
            opt(&mut m, "by", by);
        }
        EventKind::Recycled { reason } | EventKind::DealLost { reason } => {
            opt(&mut m, "reason", reason)
        }
        EventKind::OpportunityCreated { amount } | EventKind::DealWon { amount } => {
            m.insert("amount".into(), s(&amount.amount_text()));
            m.insert("currency".into(), s(&amount.currency));
        }
        EventKind::RequestOpened {
            from,
            to,
            channel,
            kind,
        } => {
            opt(&mut m, "from", &Some(from.clone()));
            opt(&mut m, "to", &Some(to.clone()));
            opt(&mut m, "channel", &Some(channel.clone()));
            opt(&mut m, "kind", kind);
        }
        EventKind::Request(_) => {}
        EventKind::ExtensionRequested { until } => {
            m.insert("until".into(), s(&until.to_string()));
        }
    }
    Value::Object(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CREATED: &str = r#"{"id":"e-1","type":"lead.created","lead_id":"L-1","occurred_at":"2026-10-01T14:03:00Z","attributes":{"source":"ebook","segment":"enterprise","persona":"it-director","score":42,"owner":"rep-7","email":"a@b.example","company":"Acme","employees":1200}}"#;

    #[test]
    fn parses_every_type() {
        let e = parse_event(CREATED).unwrap();
        let EventKind::LeadCreated(a) = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(
            (a.score, a.other.clone()),
            (
                Some(42),
                vec![("employees".to_string(), "1200".to_string())]
            )
        );
        let won = parse_event(r#"{"id":"e-9","type":"deal.won","lead_id":"L-1","occurred_at":"2026-10-01T14:03:00+02:00","amount":12500.5,"currency":"EUR"}"#).unwrap();
        assert_eq!(
            won.kind,
            EventKind::DealWon {
                amount: Money {
                    minor: 1_250_050,
                    currency: "EUR".into()
                }
            }
        );
        assert_eq!(won.occurred_at.to_string(), "2026-10-01T12:03:00Z");
        let req = parse_event(r#"{"id":"r-1","type":"request.opened","request_id":"R-1","occurred_at":"2026-10-01T14:03:00Z","from":"sales","to":"marketing","channel":"escalation"}"#).unwrap();
        assert!(req.kind.is_request());
    }

    /// An extension request says until when, later than it was asked; the
    /// other steps of a request carry nothing more.
    #[test]
    fn an_extension_request_says_until_when() {
        let ask = |until: &str| {
            parse_event(&format!(
                r#"{{"id":"x","type":"request.extension_requested","request_id":"R","occurred_at":"2026-10-01T14:03:00Z"{until}}}"#
            ))
        };
        let e = ask(r#","until":"2026-10-05T17:00:00+02:00""#).unwrap();
        assert_eq!(
            e.kind,
            EventKind::ExtensionRequested {
                until: "2026-10-05T15:00:00Z".parse().unwrap()
            }
        );
        assert_eq!(parse_event(&e.canonical_json()).unwrap(), e);
        let missing = ask("").unwrap_err();
        assert_eq!(missing.code, ErrorCode::MissingField);
        assert!(
            missing.message.contains("\"until\" is missing"),
            "{}",
            missing.message
        );
        let bad = ask(r#","until":"next week""#).unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidInstant);
        assert!(
            bad.message.contains("the new due time asked for"),
            "{}",
            bad.message
        );
        let earlier = ask(r#","until":"2026-10-01T14:00:00Z""#).unwrap_err();
        assert_eq!(earlier.code, ErrorCode::InvalidField);
        assert!(
            earlier.message.contains("is not after"),
            "{}",
            earlier.message
        );
        let given = parse_event(
            r#"{"id":"g","type":"request.feedback_given","request_id":"R","occurred_at":"2026-10-01T14:03:00Z"}"#,
        )
        .unwrap();
        assert_eq!(
            given.kind,
            EventKind::Request(super::super::RequestStep::FeedbackGiven)
        );
        assert_eq!(
            parse_event(
                r#"{"id":"g","type":"request.cancelled","request_id":"R","occurred_at":"2026-10-01T14:03:00Z","until":"2027-01-01T00:00:00Z"}"#,
            )
            .unwrap_err()
            .code,
            ErrorCode::UnknownField
        );
    }

    #[test]
    fn refuses_with_code_and_reason() {
        let code = |t: &str| parse_event(t).unwrap_err().code.as_str();
        assert_eq!(code("{"), "invalid_json");
        assert_eq!(code("[1]"), "not_an_object");
        assert_eq!(
            code(
                r#"{"id":"e","type":"lead.sneezed","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z"}"#
            ),
            "unknown_type"
        );
        assert_eq!(
            code(
                r#"{"id":"e","type":"lead.accepted","lead_id":"L","occurred_at":"2026-10-01 14:03"}"#
            ),
            "invalid_instant"
        );
        assert_eq!(
            code(
                r#"{"id":"e","type":"lead.accepted","lead_id":"L","occurred_at":"2026-10-01T14:03:00"}"#
            ),
            "invalid_instant"
        );
        assert_eq!(
            code(r#"{"id":"e","type":"lead.accepted","occurred_at":"2026-10-01T14:03:00Z"}"#),
            "missing_field"
        );
        assert_eq!(
            code(
                r#"{"id":"e","type":"lead.accepted","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z","stage":"x"}"#
            ),
            "unknown_field"
        );
        assert_eq!(
            code(
                r#"{"id":"e","type":"lead.touched","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z","channel":"fax"}"#
            ),
            "invalid_field"
        );
        assert_eq!(
            code(
                r#"{"id":"e","type":"deal.won","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z","amount":"1.234","currency":"USD"}"#
            ),
            "invalid_field"
        );
        let err = parse_event(r#"{"id":"e","type":"lead.rejected","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z"}"#).unwrap_err();
        assert_eq!(
            err.message,
            "\"reason\" is missing; expected e.g. \"reason\":\"no-budget\""
        );
    }

    #[test]
    fn canonical_form_ignores_key_order_and_spelling() {
        let a = parse_event(CREATED).unwrap();
        let b = parse_event(r#"{"attributes":{"employees":1200,"company":"Acme","email":"a@b.example","owner":"rep-7","score":42,"persona":"it-director","segment":"enterprise","source":"ebook"},"occurred_at":"2026-10-01T16:03:00+02:00","lead_id":"L-1","type":"lead.created","id":"e-1"}"#).unwrap();
        assert_eq!(a.canonical_json(), b.canonical_json());
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = parse_event(&CREATED.replace("42", "43")).unwrap();
        assert_ne!(a.fingerprint(), c.fingerprint());
        // The canonical form parses back to the same event.
        assert_eq!(parse_event(&a.canonical_json()).unwrap(), a);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse_event(&text);
        }

        #[test]
        fn never_panics_on_near_events(mutation in 0usize..CREATED.len(), ch in "\\PC") {
            let mut t = CREATED.to_string();
            let mut at = mutation;
            while !t.is_char_boundary(at) { at -= 1; }
            t.insert_str(at, &ch);
            let _ = parse_event(&t);
        }
    }
}
