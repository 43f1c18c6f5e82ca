//! CRM objects that are not leads (deals, opportunities, calls, e-mails,
//! meetings), told in notes, and the lead events they make. Pure: the
//! server stores each note once and hands back all notes of an object.
//!
//! A CRM tells of such an object in pieces: HubSpot sends a deal's creation,
//! each property change (its stage, its amount) and its association with a
//! contact as separate notifications, in any order, perhaps in different
//! deliveries. None of them alone is a lead event: a deal's amount is known
//! from one, its contact from another. So each piece is kept as a [`Note`]
//! on the object, and the object's events are derived from all of its notes
//! at once ([`derive`]); until a note ties the object to a lead, it makes
//! none.
//!
//! A derived event's id is `CRM:KIND:ID:WHAT`, versioned by how many notes
//! of the object it was derived from (`…~3` from three): notes are only
//! ever added, and whoever reads them sees all that were stored before, so
//! a derivation from more notes knows more, and the latest version is the
//! one that counts ([`crate::event::latest_versions`]). Two servers deriving
//! at once agree on the same id or one knows more: a derivation never goes
//! back. (A note that changes nothing of an event still makes its next
//! version, the same as the one before.)

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::agreement::Channel;
use crate::event::{Event, EventId, EventKind, Money, SubjectId};

/// What kind of object a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A deal (HubSpot) or an opportunity (Salesforce).
    Deal,
    /// A logged call.
    Call,
    /// A logged e-mail.
    Email,
    /// A meeting.
    Meeting,
}

impl ObjectKind {
    /// The word in object keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Deal => "deal",
            ObjectKind::Call => "call",
            ObjectKind::Email => "email",
            ObjectKind::Meeting => "meeting",
        }
    }

    /// The kind a key's word names.
    pub fn parse(word: &str) -> Option<ObjectKind> {
        [
            ObjectKind::Deal,
            ObjectKind::Call,
            ObjectKind::Email,
            ObjectKind::Meeting,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }
}

/// One piece of what a CRM told of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The object was created.
    Created,
    /// One of its properties took this value.
    Property {
        /// The property, as the CRM names it (`dealstage`, `amount`).
        name: String,
        /// Its new value, as text.
        value: String,
    },
    /// It was associated with this lead.
    Lead {
        /// The lead (a HubSpot contact, a Salesforce Lead).
        lead: SubjectId,
    },
}

/// A note: one fact about one object, with when it happened and the CRM's
/// own id for the notification (so a notification sent again is the same
/// note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The CRM (`hubspot`, `salesforce`).
    pub crm: String,
    /// The object's kind.
    pub kind: ObjectKind,
    /// The object's id in the CRM.
    pub object: String,
    /// The notification's id in the CRM, unique per object.
    pub id: String,
    /// When it happened.
    pub at: Timestamp,
    /// What it says.
    pub fact: Fact,
}

impl Note {
    /// The object's key, `CRM:KIND:ID`, under which its notes are kept.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.crm, self.kind.as_str(), self.object)
    }

    /// The fact as stored: a small JSON object.
    pub fn fact_text(&self) -> String {
        match &self.fact {
            Fact::Created => json!({ "fact": "created" }),
            Fact::Property { name, value } => {
                json!({ "fact": "property", "name": name, "value": value })
            }
            Fact::Lead { lead } => json!({ "fact": "lead", "lead": lead.as_str() }),
        }
        .to_string()
    }

    /// A note read back from its key, id, instant and [`Note::fact_text`].
    ///
    /// # Errors
    /// A message when a part is not what [`Note::key`] and
    /// [`Note::fact_text`] write.
    ///
    /// # Example
    /// ```
    /// use handshake_core::crm_objects::{Fact, Note, ObjectKind};
    /// let note = Note {
    ///     crm: "hubspot".into(), kind: ObjectKind::Call, object: "7".into(), id: "41".into(),
    ///     at: jiff::Timestamp::from_second(1)?, fact: Fact::Created,
    /// };
    /// let back = Note::from_parts(&note.key(), "41", note.at, &note.fact_text())?;
    /// assert_eq!(back, note);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parts(key: &str, id: &str, at: Timestamp, fact: &str) -> Result<Note, String> {
        let bad = || format!("\"{key}\" / \"{fact}\" is not a stored CRM note");
        let mut parts = key.splitn(3, ':');
        let (Some(crm), Some(kind), Some(object)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let kind = ObjectKind::parse(kind).ok_or_else(bad)?;
        let v: Value = serde_json::from_str(fact).map_err(|_| bad())?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let fact = match text("fact").as_deref() {
            Some("created") => Fact::Created,
            Some("property") => Fact::Property {
                name: text("name").ok_or_else(bad)?,
                value: text("value").ok_or_else(bad)?,
            },
            Some("lead") => Fact::Lead {
                lead: SubjectId::new(text("lead").ok_or_else(bad)?)?,
            },
            _ => return Err(bad()),
        };
        Ok(Note {
            crm: crm.to_owned(),
            kind,
            object: object.to_owned(),
            id: id.to_owned(),
            at,
            fact,
        })
    }
}

/// How deal stages and amounts are read: which stage values mean won and
/// lost, and the currency of an amount that names none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealTerms {
    /// Stage values (lower case) that mean the deal is won.
    pub won: Vec<String>,
    /// Stage values (lower case) that mean the deal is lost.
    pub lost: Vec<String>,
    /// The currency of amounts without one (the CRM's company currency).
    pub currency: String,
}

impl Default for DealTerms {
    /// HubSpot's default pipeline and Salesforce's closed stages, in USD.
    fn default() -> DealTerms {
        DealTerms {
            won: vec!["closedwon".into(), "closed won".into(), "won".into()],
            lost: vec!["closedlost".into(), "closed lost".into(), "lost".into()],
            currency: "USD".into(),
        }
    }
}

/// The property names read: a deal's stage, amount, currency and why it was
/// lost; who logged an engagement; which way an e-mail went.
pub mod property {
    /// The deal's stage.
    pub const STAGE: &str = "dealstage";
    /// The deal's amount.
    pub const AMOUNT: &str = "amount";
    /// The deal's currency (ISO 4217).
    pub const CURRENCY: &str = "deal_currency_code";
    /// Why the deal was lost.
    pub const LOST_REASON: &str = "closed_lost_reason";
    /// Who owns (logged) an engagement.
    pub const OWNER: &str = "hubspot_owner_id";
    /// Which way an e-mail went: `EMAIL` (sent), `INCOMING_EMAIL`,
    /// `FORWARDED_EMAIL`.
    pub const EMAIL_DIRECTION: &str = "hs_email_direction";
}

/// Whether a property of an object of this kind is read (others are not
/// kept).
pub fn reads(kind: ObjectKind, name: &str) -> bool {
    use property::*;
    match kind {
        ObjectKind::Deal => [STAGE, AMOUNT, CURRENCY, LOST_REASON].contains(&name),
        ObjectKind::Email => [OWNER, EMAIL_DIRECTION].contains(&name),
        ObjectKind::Call | ObjectKind::Meeting => name == OWNER,
    }
}

/// The lead events one object's notes make (all notes of that object, in
/// any order): none until a note ties it to a lead (the earliest such note
/// names the lead).
///
/// A deal: `opportunity.created` when it was created (or first told of),
/// with its latest amount; `deal.won` or `deal.lost` when its latest stage
/// is won or lost, at that stage change. A call or a meeting: a touch by
/// its owner when it was created. An e-mail: a touch once its direction is
/// known to be outgoing (an e-mail the lead sent is no touch).
///
/// # Errors
/// A message when an amount or currency cannot be read, naming the note.
///
/// # Example
/// ```
/// use handshake_core::crm_objects::{derive, DealTerms, Fact, Note, ObjectKind};
/// use handshake_core::event::{EventKind, SubjectId};
/// let note = |id: &str, s: i64, fact| Note {
///     crm: "hubspot".into(), kind: ObjectKind::Deal, object: "88".into(),
///     id: id.into(), at: jiff::Timestamp::from_second(s).unwrap(), fact,
/// };
/// let property = |name: &str, value: &str| Fact::Property { name: name.into(), value: value.into() };
/// let notes = [
///     note("1", 100, Fact::Created),
///     note("2", 100, property("amount", "25000")),
///     note("3", 101, Fact::Lead { lead: SubjectId::new("5001")? }),
///     note("4", 900, property("dealstage", "closedwon")),
/// ];
/// let events = derive(&notes, &DealTerms::default())?;
/// assert_eq!(events[0].id.as_str(), "hubspot:deal:88:opportunity~4");
/// assert_eq!(events[1].id.as_str(), "hubspot:deal:88:won~4");
/// assert!(matches!(&events[1].kind, EventKind::DealWon { amount } if amount.minor == 2_500_000));
/// assert_eq!(events[1].subject.as_str(), "5001");
/// # Ok::<(), String>(())
/// ```
pub fn derive(notes: &[Note], terms: &DealTerms) -> Result<Vec<Event>, String> {
    let Some(first) = notes.first() else {
        return Ok(Vec::new());
    };
    let base = first.key();
    let order = |n: &&Note| (n.at, n.id.clone());
    let Some(lead) = notes
        .iter()
        .filter(|n| matches!(n.fact, Fact::Lead { .. }))
        .min_by_key(order)
        .and_then(|n| match &n.fact {
            Fact::Lead { lead } => Some(lead.clone()),
            _ => None,
        })
    else {
        return Ok(Vec::new());
    };
    // The notes of these properties, and the latest one's value and note.
    let of = |names: &[&str]| -> Vec<&Note> {
        notes
            .iter()
            .filter(|n| matches!(&n.fact, Fact::Property { name, .. } if names.contains(&name.as_str())))
            .collect()
    };
    let latest = |name: &str| -> Option<(&Note, &str)> {
        of(&[name])
            .into_iter()
            .max_by_key(order)
            .and_then(|n| match &n.fact {
                Fact::Property { value, .. } => Some((n, value.as_str())),
                _ => None,
            })
    };
    let created: Vec<&Note> = notes.iter().filter(|n| n.fact == Fact::Created).collect();
    let born = created
        .iter()
        .map(|n| n.at)
        .min()
        .or_else(|| notes.iter().map(|n| n.at).min())
        .unwrap_or(first.at);
    let told = notes.len();
    let event = |what: &str, at: Timestamp, kind: EventKind| -> Result<Event, String> {
        let id = format!("{base}:{what}");
        let id = if told >= 2 {
            EventId::corrected(&id, u32::try_from(told).unwrap_or(u32::MAX))?
        } else {
            EventId::new(id)?
        };
        Ok(Event {
            id,
            subject: lead.clone(),
            occurred_at: at,
            inferred: false,
            kind,
        })
    };
    match first.kind {
        ObjectKind::Deal => {
            // A cleared currency is the CRM's own; one that is no ISO 4217
            // code makes no event (the note names it).
            let currency = match latest(property::CURRENCY) {
                Some((n, c)) if !c.trim().is_empty() => {
                    let c = c.trim().to_ascii_uppercase();
                    Money::check_currency(&c)
                        .map_err(|e| format!("{base}: note {} (currency): {e}", n.id))?;
                    c
                }
                _ => terms.currency.clone(),
            };
            let amount = match latest(property::AMOUNT) {
                Some((n, text)) if !text.trim().is_empty() => Money::parse(text.trim(), &currency)
                    .map_err(|e| format!("{base}: note {} (amount): {e}", n.id))?,
                _ => Money { minor: 0, currency },
            };
            let mut events = vec![event(
                "opportunity",
                born,
                EventKind::OpportunityCreated {
                    amount: amount.clone(),
                },
            )?];
            if let Some((n, stage)) = latest(property::STAGE) {
                let stage = stage.trim().to_ascii_lowercase();
                if terms.won.contains(&stage) {
                    events.push(event("won", n.at, EventKind::DealWon { amount })?);
                } else if terms.lost.contains(&stage) {
                    let reason = latest(property::LOST_REASON).map(|(_, r)| r.to_owned());
                    events.push(event("lost", n.at, EventKind::DealLost { reason })?);
                }
            }
            Ok(events)
        }
        kind @ (ObjectKind::Call | ObjectKind::Email | ObjectKind::Meeting) => {
            if kind == ObjectKind::Email
                && latest(property::EMAIL_DIRECTION)
                    .is_none_or(|(_, d)| d.eq_ignore_ascii_case("INCOMING_EMAIL"))
            {
                return Ok(Vec::new());
            }
            let channel = match kind {
                ObjectKind::Call => Channel::Call,
                ObjectKind::Email => Channel::Email,
                _ => Channel::Meeting,
            };
            let by = latest(property::OWNER)
                .map(|(_, o)| o.trim().to_owned())
                .filter(|o| !o.is_empty());
            Ok(vec![event(
                "touch",
                born,
                EventKind::Touched {
                    channel,
                    by,
                    automated: false,
                },
            )?])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(kind: ObjectKind, id: &str, second: i64, fact: Fact) -> Note {
        Note {
            crm: "hubspot".into(),
            kind,
            object: "9".into(),
            id: id.into(),
            at: Timestamp::from_second(1_790_000_000 + second).unwrap(),
            fact,
        }
    }

    fn set(name: &str, value: &str) -> Fact {
        Fact::Property {
            name: name.into(),
            value: value.into(),
        }
    }

    fn lead(id: &str) -> Fact {
        Fact::Lead {
            lead: SubjectId::new(id).unwrap(),
        }
    }

    fn ids(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn nothing_until_a_lead_is_named() {
        let mut notes = vec![
            note(ObjectKind::Deal, "1", 0, Fact::Created),
            note(ObjectKind::Deal, "2", 5, set("amount", "1200.50")),
        ];
        assert!(derive(&notes, &DealTerms::default()).unwrap().is_empty());
        notes.push(note(ObjectKind::Deal, "3", 9, lead("5001")));
        let events = derive(&notes, &DealTerms::default()).unwrap();
        assert_eq!(ids(&events), ["hubspot:deal:9:opportunity~3"]);
        assert_eq!(events[0].subject.as_str(), "5001");
        assert_eq!(events[0].occurred_at.as_second(), 1_790_000_000);
        assert_eq!(
            events[0].kind,
            EventKind::OpportunityCreated {
                amount: Money {
                    minor: 120_050,
                    currency: "USD".into()
                }
            }
        );
    }

    #[test]
    fn the_order_notes_arrive_in_changes_nothing() {
        let notes = vec![
            note(ObjectKind::Deal, "4", 50, set("dealstage", "closedlost")),
            note(ObjectKind::Deal, "2", 10, set("amount", "100")),
            note(ObjectKind::Deal, "5", 20, set("amount", "300")),
            note(ObjectKind::Deal, "3", 30, set("dealstage", "closedwon")),
            note(ObjectKind::Deal, "7", 40, set("deal_currency_code", "eur")),
            note(ObjectKind::Deal, "1", 0, Fact::Created),
            note(ObjectKind::Deal, "8", 60, set("dealstage", "closedwon")),
            note(ObjectKind::Deal, "6", 2, lead("5002")),
            note(ObjectKind::Deal, "9", 3, lead("5003")),
        ];
        let terms = DealTerms::default();
        let expected = derive(&notes, &terms).unwrap();
        assert_eq!(
            ids(&expected),
            ["hubspot:deal:9:opportunity~9", "hubspot:deal:9:won~9"]
        );
        // The first association names the lead; the latest amount (300 EUR)
        // and stage (won again at +60 s) count.
        assert!(expected.iter().all(|e| e.subject.as_str() == "5002"));
        assert_eq!(
            expected[1].kind,
            EventKind::DealWon {
                amount: Money {
                    minor: 30_000,
                    currency: "EUR".into()
                }
            }
        );
        assert_eq!(expected[1].occurred_at.as_second(), 1_790_000_060);
        let mut reversed = notes.clone();
        reversed.reverse();
        assert_eq!(derive(&reversed, &terms).unwrap(), expected);
    }

    #[test]
    fn a_lost_deal_says_why_and_a_bad_amount_names_its_note() {
        let notes = vec![
            note(ObjectKind::Deal, "1", 0, lead("5001")),
            note(ObjectKind::Deal, "2", 10, set("dealstage", "closedlost")),
            note(
                ObjectKind::Deal,
                "3",
                10,
                set("closed_lost_reason", "Budget"),
            ),
        ];
        let events = derive(&notes, &DealTerms::default()).unwrap();
        assert_eq!(
            ids(&events),
            ["hubspot:deal:9:opportunity~3", "hubspot:deal:9:lost~3"]
        );
        assert_eq!(
            events[1].kind,
            EventKind::DealLost {
                reason: Some("Budget".into())
            }
        );
        let mut bad = notes.clone();
        bad.push(note(ObjectKind::Deal, "4", 11, set("amount", "12,5")));
        let e = derive(&bad, &DealTerms::default()).unwrap_err();
        assert!(e.contains("hubspot:deal:9: note 4 (amount)"), "{e}");
        let mut odd = notes.clone();
        odd.push(note(
            ObjectKind::Deal,
            "5",
            12,
            set("deal_currency_code", "xx"),
        ));
        let e = derive(&odd, &DealTerms::default()).unwrap_err();
        assert!(e.contains("hubspot:deal:9: note 5 (currency)"), "{e}");
        // A cleared currency is the CRM's own.
        odd[3] = note(ObjectKind::Deal, "5", 12, set("deal_currency_code", " "));
        let events = derive(&odd, &DealTerms::default()).unwrap();
        assert!(
            matches!(&events[0].kind, EventKind::OpportunityCreated { amount } if amount.currency == "USD")
        );
        // Every derived event reads back from its canonical JSON.
        for e in events {
            assert_eq!(crate::event::parse_event(&e.canonical_json()).unwrap(), e);
        }
    }

    #[test]
    fn engagements_touch_their_lead_and_incoming_mail_does_not() {
        let call = vec![
            note(ObjectKind::Call, "1", 0, Fact::Created),
            note(ObjectKind::Call, "2", 1, lead("5001")),
            note(ObjectKind::Call, "3", 1, set("hubspot_owner_id", "41")),
        ];
        let events = derive(&call, &DealTerms::default()).unwrap();
        assert_eq!(ids(&events), ["hubspot:call:9:touch~3"]);
        assert_eq!(
            events[0].kind,
            EventKind::Touched {
                channel: Channel::Call,
                by: Some("41".into()),
                automated: false
            }
        );
        let mut mail = vec![
            note(ObjectKind::Email, "1", 0, Fact::Created),
            note(ObjectKind::Email, "2", 1, lead("5001")),
        ];
        // Which way it went is not known yet: no touch.
        assert!(derive(&mail, &DealTerms::default()).unwrap().is_empty());
        mail.push(note(
            ObjectKind::Email,
            "3",
            1,
            set("hs_email_direction", "INCOMING_EMAIL"),
        ));
        assert!(derive(&mail, &DealTerms::default()).unwrap().is_empty());
        mail[2] = note(
            ObjectKind::Email,
            "3",
            1,
            set("hs_email_direction", "EMAIL"),
        );
        let events = derive(&mail, &DealTerms::default()).unwrap();
        assert_eq!(ids(&events), ["hubspot:email:9:touch~3"]);
        assert!(matches!(
            events[0].kind,
            EventKind::Touched {
                channel: Channel::Email,
                ..
            }
        ));
    }

    #[test]
    fn a_derivation_from_more_notes_is_a_later_version() {
        // Whatever subset of notes two servers saw, the one that saw more
        // gives each event a version at least as high.
        let all = [
            note(ObjectKind::Deal, "1", 0, Fact::Created),
            note(ObjectKind::Deal, "2", 1, lead("5001")),
            note(ObjectKind::Deal, "3", 2, set("amount", "10")),
            note(ObjectKind::Deal, "4", 3, set("dealstage", "closedwon")),
            note(ObjectKind::Deal, "5", 4, set("amount", "20")),
        ];
        let terms = DealTerms::default();
        let mut before: std::collections::HashMap<String, u32> = Default::default();
        for n in 1..=all.len() {
            for e in derive(&all[..n], &terms).unwrap() {
                let (base, v) = e.id.version();
                let prev = before.insert(base.to_owned(), v).unwrap_or(0);
                assert!(v >= prev, "{base}: {v} after {prev}");
            }
        }
        assert_eq!(before["hubspot:deal:9:won"], 5);
    }
}
