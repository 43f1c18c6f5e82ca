//! HubSpot's webhook deliveries, read: the v3 signature checked, and each
//! notification in the JSON array turned into the event it means. Pure: the
//! server passes the secret, the request's parts and the current instant,
//! stores the events and answers.
//!
//! Event ids are `hubspot:hook:EVENTID` (HubSpot's own `eventId`), so a
//! delivery HubSpot sends again creates nothing new.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde_json::Value;
use sha2::Sha256;

use crate::crm_objects::{Fact, Note, ObjectKind};
use crate::event::{Attributes, Event, EventId, EventKind, SubjectId, standard_stage};

/// How far a delivery's timestamp may be from now: HubSpot's own window.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// Why a delivery is not accepted as HubSpot's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header is missing.
    #[error("the {0} header is missing; HubSpot sends it with every v3 webhook")]
    Missing(&'static str),
    /// The timestamp is not milliseconds since the epoch, or too far from now.
    #[error(
        "X-HubSpot-Request-Timestamp {0} is not within 5 minutes of now; a delivery is accepted only fresh"
    )]
    Stale(String),
    /// The signature does not match.
    #[error(
        "X-HubSpot-Signature-v3 does not match: the body, the URL or the client secret differ from HubSpot's"
    )]
    Mismatch,
}

/// Checks a v3 signature: base64 of HMAC-SHA256, keyed with the app's
/// client secret, over method, full URI, body and the timestamp header, the
/// timestamp within [`MAX_SKEW_MS`] of `now`.
///
/// # Errors
/// [`SignatureError`] saying which part fails.
///
/// # Example
/// ```
/// use handshake_core::hubspot::{sign_v3, verify_v3};
/// let uri = "https://handshake.example.com/api/v1/hooks/hubspot/default";
/// let sig = sign_v3(b"secret", "POST", uri, b"[]", "1700000000000");
/// let now = jiff::Timestamp::from_millisecond(1_700_000_060_000)?;
/// assert!(verify_v3(b"secret", "POST", uri, b"[]", Some("1700000000000"), Some(&sig), now).is_ok());
/// assert!(verify_v3(b"other", "POST", uri, b"[]", Some("1700000000000"), Some(&sig), now).is_err());
/// # Ok::<(), jiff::Error>(())
/// ```
pub fn verify_v3(
    secret: &[u8],
    method: &str,
    uri: &str,
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    now: Timestamp,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::Missing("X-HubSpot-Request-Timestamp"))?;
    let signature = signature.ok_or(SignatureError::Missing("X-HubSpot-Signature-v3"))?;
    let fresh = timestamp
        .trim()
        .parse::<i64>()
        .is_ok_and(|t| (now.as_millisecond() - t).abs() <= MAX_SKEW_MS);
    if !fresh {
        return Err(SignatureError::Stale(timestamp.to_owned()));
    }
    let expected = sign_v3(secret, method, uri, body, timestamp.trim());
    let given = signature.trim().as_bytes();
    // Compared in time independent of where they differ.
    let same = expected.len() == given.len()
        && expected
            .as_bytes()
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The v3 signature HubSpot sends for a request (what [`verify_v3`]
/// expects; tests and stand-ins sign with it).
pub fn sign_v3(secret: &[u8], method: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(method.as_bytes());
    m.update(uri.as_bytes());
    m.update(body);
    m.update(timestamp.as_bytes());
    base64(&m.finalize().into_bytes())
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The portal's own lifecycle stages and the agreement stage each one is,
/// for custom stages HubSpot sends by their internal id (`1234567=mql`).
/// Values not in it are read as [`standard_stage`] reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageMap(Vec<(String, String)>, Option<String>);

/// HubSpot's own lead score property, read as the lead's score.
pub const SCORE_PROPERTY: &str = "hubspotscore";

impl StageMap {
    /// Reads `VALUE=STAGE` pairs separated by commas, e.g.
    /// `1234567=mql, 7654321=sql`.
    ///
    /// # Errors
    /// The pair that is not `VALUE=STAGE`, in words.
    ///
    /// # Example
    /// ```
    /// use handshake_core::hubspot::StageMap;
    /// let map = StageMap::parse("1234567=mql, 7654321=sql")?;
    /// assert_eq!(map.stage("1234567".into()), "mql");
    /// assert_eq!(map.stage("marketingqualifiedlead".into()), "mql");
    /// assert_eq!(map.stage("opportunity".into()), "opportunity");
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(text: &str) -> Result<StageMap, String> {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((value, stage)) if !value.trim().is_empty() && !stage.trim().is_empty() => {
                    Ok((value.trim().to_owned(), stage.trim().to_ascii_lowercase()))
                }
                _ => Err(format!(
                    "\"{pair}\" is not VALUE=STAGE; expected e.g. 1234567=mql (HubSpot's internal value, then the agreement's stage)"
                )),
            })
            .collect::<Result<_, _>>()
            .map(|pairs| StageMap(pairs, None))
    }

    /// The same map, with the portal's own score property (a custom
    /// scoring property) read as the lead's score instead of
    /// [`SCORE_PROPERTY`].
    #[must_use]
    pub fn with_score_property(mut self, property: Option<String>) -> StageMap {
        self.1 = property.filter(|p| !p.trim().is_empty());
        self
    }

    /// The property whose value is the lead's score.
    pub fn score_property(&self) -> &str {
        self.1.as_deref().unwrap_or(SCORE_PROPERTY)
    }

    /// How deal stages read: the standard won and lost stages, and the
    /// portal's own pipeline stages the map names `won` or `lost`; amounts
    /// without a currency in `currency`.
    ///
    /// # Example
    /// ```
    /// use handshake_core::hubspot::StageMap;
    /// let terms = StageMap::parse("1234567=mql, 9001=won")?.deal_terms("EUR");
    /// assert!(terms.won.contains(&"9001".to_string()) && terms.won.contains(&"closedwon".to_string()));
    /// assert_eq!(terms.currency, "EUR");
    /// # Ok::<(), String>(())
    /// ```
    pub fn deal_terms(&self, currency: &str) -> crate::crm_objects::DealTerms {
        let mut terms = crate::crm_objects::DealTerms {
            currency: currency.to_ascii_uppercase(),
            ..crate::crm_objects::DealTerms::default()
        };
        for (value, stage) in &self.0 {
            match stage.as_str() {
                "won" => terms.won.push(value.to_ascii_lowercase()),
                "lost" => terms.lost.push(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        terms
    }

    /// The agreement stage a lifecycle value is.
    pub fn stage(&self, value: String) -> String {
        match self.0.iter().find(|(v, _)| v.eq_ignore_ascii_case(&value)) {
            Some((_, stage)) => stage.clone(),
            None => standard_stage(value),
        }
    }
}

/// One notification that is not read, with its place in the array (from 1)
/// and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Its position in the delivery, from 1.
    pub index: usize,
    /// Why it carries no event.
    pub reason: String,
}

/// The body is not a JSON array of notifications.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the body is not HubSpot's webhook JSON (an array of notifications): {0}")]
pub struct DeliveryError(pub String);

/// What a delivery (or a Salesforce message) tells: events of leads,
/// notes about other CRM objects (deals, engagements) that become lead
/// events once tied to a lead ([`crate::crm_objects`]), and the
/// notifications that carry neither, each with its reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Told {
    /// Events of leads.
    pub events: Vec<Event>,
    /// Notes about deals, opportunities, calls, e-mails and meetings.
    pub notes: Vec<Note>,
    /// Notifications without either.
    pub skipped: Vec<Skipped>,
}

/// One thing a notification tells.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// An event of a lead.
    Event(Event),
    /// A note about another CRM object.
    Note(Note),
}

/// What a delivery tells ([`Told`]).
///
/// Read, in the legacy subscriptions (`contact.*`, `deal.*`) and the generic
/// ones (`object.*` with `objectTypeId`): a contact's creation (a lead
/// created) and property changes: `lifecyclestage` (a stage change;
/// HubSpot's internal values become the standard stages, and `stages` names
/// the portal's custom ones), `hubspot_owner_id` (an assignment),
/// `hubspotscore` or the portal's own score property (the lead's score), any
/// other (the lead's attribute updated). A deal's creation, its `dealstage`,
/// `amount`, `deal_currency_code` and `closed_lost_reason`, a call's, an
/// e-mail's or a meeting's creation, owner and (e-mails) direction, and the
/// association of any of them with a contact: notes
/// ([`crate::crm_objects::derive`] makes their events).
///
/// # Errors
/// [`DeliveryError`] when the body is not a JSON array.
pub fn delivery_events(body: &[u8], stages: &StageMap) -> Result<Told, DeliveryError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| DeliveryError(e.to_string()))?;
    let Value::Array(items) = value else {
        return Err(DeliveryError("a JSON value other than an array".into()));
    };
    Ok(gather(
        items.iter().map(|item| notification(item, stages)),
        "a subscription or property Handshake does not read",
    ))
}

/// Each notification's items, and those with none listed with their place
/// (from 1) and why: its own error, else `none` when it carries nothing.
pub(crate) fn gather(
    notifications: impl Iterator<Item = Result<Vec<Item>, String>>,
    none: &str,
) -> Told {
    let mut told = Told::default();
    for (i, found) in notifications.enumerate() {
        match found {
            Ok(found) if found.is_empty() => told.skipped.push(Skipped {
                index: i + 1,
                reason: none.to_owned(),
            }),
            Ok(found) => {
                for item in found {
                    match item {
                        Item::Event(e) => told.events.push(e),
                        Item::Note(n) => told.notes.push(n),
                    }
                }
            }
            Err(reason) => told.skipped.push(Skipped {
                index: i + 1,
                reason,
            }),
        }
    }
    told
}

/// The object kind of a legacy subscription's prefix or a generic one's
/// `objectTypeId`; `None` for a contact.
fn object_kind(name: &str) -> Result<Option<ObjectKind>, String> {
    match name {
        "contact" | "0-1" => Ok(None),
        "deal" | "0-3" => Ok(Some(ObjectKind::Deal)),
        "0-48" => Ok(Some(ObjectKind::Call)),
        "0-49" => Ok(Some(ObjectKind::Email)),
        "0-47" => Ok(Some(ObjectKind::Meeting)),
        other => Err(format!(
            "objects of type {other} are not read (contacts 0-1, deals 0-3, calls 0-48, e-mails 0-49 and meetings 0-47 are)"
        )),
    }
}

fn notification(n: &Value, stages: &StageMap) -> Result<Vec<Item>, String> {
    let text = |key: &str| -> Option<String> {
        match n.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(x) => Some(x.to_string()),
            _ => None,
        }
    };
    let subscription = text("subscriptionType").ok_or("no subscriptionType")?;
    let id = text("eventId").ok_or("no eventId")?;
    let at = n
        .get("occurredAt")
        .and_then(Value::as_i64)
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or("no occurredAt (milliseconds since the epoch)")?;
    let (prefix, change) = subscription
        .split_once('.')
        .ok_or_else(|| format!("subscription {subscription} is not read by Handshake"))?;
    let type_of = |key: &str| text(key).ok_or(format!("an {subscription} without {key}"));
    let note = |kind: ObjectKind, object: String, fact: Fact| -> Result<Vec<Item>, String> {
        Ok(vec![Item::Note(Note {
            crm: "hubspot".into(),
            kind,
            object,
            id: id.clone(),
            at,
            fact,
        })])
    };
    if change == "associationChange" {
        if n.get("associationRemoved").and_then(Value::as_bool) == Some(true) {
            return Err("a removed association changes nothing Handshake has".into());
        }
        let from = text("fromObjectId").ok_or("an associationChange without fromObjectId")?;
        let to = text("toObjectId").ok_or("an associationChange without toObjectId")?;
        // Legacy: associationType `DEAL_TO_CONTACT`, `CONTACT_TO_DEAL`;
        // generic: fromObjectTypeId and toObjectTypeId.
        let (from_kind, to_kind) = if prefix == "object" {
            (
                object_kind(&type_of("fromObjectTypeId")?)?,
                object_kind(&type_of("toObjectTypeId")?)?,
            )
        } else {
            let pair = text("associationType")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let (a, b) = pair
                .split_once("_to_")
                .ok_or("an associationChange without associationType")?;
            (object_kind(a)?, object_kind(b)?)
        };
        return match (from_kind, to_kind) {
            (Some(kind), None) => note(
                kind,
                from,
                Fact::Lead {
                    lead: SubjectId::new(to)?,
                },
            ),
            (None, Some(kind)) => note(
                kind,
                to,
                Fact::Lead {
                    lead: SubjectId::new(from)?,
                },
            ),
            _ => Err(
                "only associations between a contact and a deal or an engagement are read".into(),
            ),
        };
    }
    let object = text("objectId").ok_or("no objectId")?;
    let kind = if prefix == "object" {
        object_kind(&type_of("objectTypeId")?)
    } else {
        object_kind(prefix)
    }
    .map_err(|e| format!("subscription {subscription}: {e}"))?;
    if let Some(kind) = kind {
        return match change {
            "creation" => note(kind, object, Fact::Created),
            "propertyChange" => {
                let name = text("propertyName").ok_or("a propertyChange without propertyName")?;
                if !crate::crm_objects::reads(kind, &name) {
                    return Err(format!(
                        "property {name} of a {} is not read",
                        kind.as_str()
                    ));
                }
                let value = text("propertyValue").unwrap_or_default();
                note(kind, object, Fact::Property { name, value })
            }
            _ => Err(format!(
                "subscription {subscription} is not read by Handshake"
            )),
        };
    }
    let kind = match change {
        "creation" => EventKind::LeadCreated(Attributes::default()),
        "propertyChange" => {
            let property = text("propertyName").ok_or("a propertyChange without propertyName")?;
            let value = text("propertyValue").unwrap_or_default();
            match property.as_str() {
                "lifecyclestage" if !value.is_empty() => EventKind::StageChanged {
                    stage: stages.stage(value),
                },
                "hubspot_owner_id" if !value.is_empty() => EventKind::Assigned { owner: value },
                p if p == stages.score_property() => {
                    // HubSpot sends numbers as text, at times with decimals;
                    // an empty value clears nothing and says nothing.
                    let score = value
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(|v| v.round() as i64)
                        .ok_or(format!(
                            "{p} \"{value}\" is not a number; a score is read as one"
                        ))?;
                    EventKind::LeadUpdated(Attributes {
                        score: Some(score),
                        ..Attributes::default()
                    })
                }
                _ => {
                    let mut a = Attributes::default();
                    a.other.push((property, Value::String(value).to_string()));
                    EventKind::LeadUpdated(a)
                }
            }
        }
        _ => {
            return Err(format!(
                "subscription {subscription} is not read by Handshake"
            ));
        }
    };
    Ok(vec![Item::Event(Event {
        id: EventId::new(format!("hubspot:hook:{id}"))?,
        subject: SubjectId::new(object)?,
        occurred_at: at,
        inferred: false,
        kind,
    })])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        // RFC 4648 test vectors.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }

    #[test]
    fn the_signature_matches_one_computed_elsewhere() {
        // HMAC-SHA256 over "POST" + URI + body + timestamp, computed
        // independently (python3 hmac/base64) for this secret and request.
        let sig = sign_v3(
            b"yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
            "POST",
            "https://www.example.com/webhook_uri",
            b"[{\"eventId\":1}]",
            "1700000000000",
        );
        assert_eq!(sig, "vnX5Als0n2OhEZQxOS/1ftERzeabHuxE8jEarlPWRdE=");
    }

    #[test]
    fn stale_missing_and_wrong_are_told_apart() {
        let now = Timestamp::from_millisecond(1_700_000_000_000).unwrap();
        let sig = sign_v3(b"s", "POST", "u", b"[]", "1700000000000");
        let v = |t: Option<&str>, s: Option<&str>, body: &[u8]| {
            verify_v3(b"s", "POST", "u", body, t, s, now)
        };
        assert_eq!(v(Some("1700000000000"), Some(&sig), b"[]"), Ok(()));
        assert_eq!(
            v(Some("1700000000000"), Some(&sig), b"[ ]"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            v(None, Some(&sig), b"[]"),
            Err(SignatureError::Missing("X-HubSpot-Request-Timestamp"))
        );
        assert_eq!(
            v(Some("1700000000000"), None, b"[]"),
            Err(SignatureError::Missing("X-HubSpot-Signature-v3"))
        );
        let old = (1_700_000_000_000_i64 - MAX_SKEW_MS - 1).to_string();
        let old_sig = sign_v3(b"s", "POST", "u", b"[]", &old);
        assert_eq!(
            v(Some(&old), Some(&old_sig), b"[]"),
            Err(SignatureError::Stale(old.clone()))
        );
    }

    #[test]
    fn notifications_become_events() {
        let body = br#"[
          {"eventId":101,"subscriptionId":1,"portalId":9,"occurredAt":1790000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":5001,"changeSource":"CRM"},
          {"eventId":102,"subscriptionId":2,"portalId":9,"occurredAt":1790000060000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"lifecyclestage","propertyValue":"marketingqualifiedlead","changeSource":"CRM"},
          {"eventId":103,"subscriptionId":3,"portalId":9,"occurredAt":1790000120000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"hubspot_owner_id","propertyValue":"41","changeSource":"CRM"},
          {"eventId":104,"subscriptionId":4,"portalId":9,"occurredAt":1790000180000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"hs_lead_status","propertyValue":"IN_PROGRESS","changeSource":"CRM"},
          {"eventId":105,"subscriptionId":5,"portalId":9,"occurredAt":1790000240000,"subscriptionType":"company.creation","attemptNumber":0,"objectId":77},
          {"eventId":106,"subscriptionType":"contact.creation","objectId":5002}
        ]"#;
        let Told {
            events, skipped, ..
        } = delivery_events(body, &StageMap::default()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hubspot:hook:101",
                "hubspot:hook:102",
                "hubspot:hook:103",
                "hubspot:hook:104"
            ]
        );
        assert!(events.iter().all(|e| e.subject.as_str() == "5001"));
        assert_eq!(events[0].occurred_at.to_string(), "2026-09-21T14:13:20Z");
        assert_eq!(
            events[1].kind,
            EventKind::StageChanged {
                stage: "mql".into()
            }
        );
        assert_eq!(events[2].kind, EventKind::Assigned { owner: "41".into() });
        match &events[3].kind {
            EventKind::LeadUpdated(a) => assert_eq!(
                a.other,
                [("hs_lead_status".to_string(), "\"IN_PROGRESS\"".to_string())]
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].index, 5);
        assert!(
            skipped[0].reason.contains("company.creation"),
            "{skipped:?}"
        );
        assert_eq!(skipped[1].index, 6);
        assert!(skipped[1].reason.contains("occurredAt"), "{skipped:?}");
        assert!(delivery_events(b"{}", &StageMap::default()).is_err());
        // A portal's custom stage by its internal id.
        let custom = br#"[{"eventId":9,"occurredAt":1790000000000,"subscriptionType":"contact.propertyChange","objectId":1,"propertyName":"lifecyclestage","propertyValue":"1234567"}]"#;
        let map = StageMap::parse("1234567=SQL").unwrap();
        let events = delivery_events(custom, &map).unwrap().events;
        assert_eq!(
            events[0].kind,
            EventKind::StageChanged {
                stage: "sql".into()
            }
        );
        assert!(
            StageMap::parse("1234567")
                .unwrap_err()
                .contains("is not VALUE=STAGE")
        );
        // The score, from HubSpot's property or the portal's own.
        let score = |property: &str, value: &str, map: &StageMap| {
            let body = format!(
                r#"[{{"eventId":9,"occurredAt":1790000000000,"subscriptionType":"contact.propertyChange","objectId":1,"propertyName":"{property}","propertyValue":"{value}"}}]"#
            );
            delivery_events(body.as_bytes(), map).unwrap()
        };
        let plain = StageMap::default();
        match &score("hubspotscore", "72.6", &plain).events[0].kind {
            EventKind::LeadUpdated(a) => assert_eq!(a.score, Some(73)),
            other => panic!("{other:?}"),
        }
        let own = StageMap::default().with_score_property(Some("fit_score".into()));
        match &score("fit_score", "41", &own).events[0].kind {
            EventKind::LeadUpdated(a) => assert_eq!(a.score, Some(41)),
            other => panic!("{other:?}"),
        }
        let bad = score("hubspotscore", "high", &plain);
        assert!(bad.events.is_empty());
        assert!(bad.skipped[0].reason.contains("is not a number"), "{bad:?}");
    }
}
