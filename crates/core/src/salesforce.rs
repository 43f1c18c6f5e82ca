//! Salesforce Outbound Messages, read: the SOAP notifications a workflow or
//! flow sends when a Lead or a Task changes (up to 100 per call), turned
//! into events, and the acknowledgement Salesforce expects. Pure: the server
//! checks the organisation, stores the events and answers.
//!
//! An Outbound Message carries the record as it stands, not what changed,
//! so a Lead notification becomes the lead's creation (id
//! `salesforce:LEAD:created`, the id an export's import gives it: a lead
//! is created once, whichever source tells it first, and the other's
//! creation is refused as told before with other values), its current
//! status, owner and source as an update, and its conversion as the `sql`
//! stage (`salesforce:LEAD:stage:sql`, again the import's id). A Task that is
//! a call, an e-mail or a meeting on a lead is a touch of it.

use jiff::Timestamp;
use roxmltree::{Document, Node};

use crate::crm_objects::{Fact, Note, ObjectKind};
use crate::event::{Attributes, Event, EventId, EventKind, SubjectId};
use crate::hubspot::{Item, Told};
use crate::import::channel_in_words;

/// What Salesforce must get back for a delivery it may forget.
pub const ACK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>
"#;

/// A delivery read: the organisation that sent it, and what it tells
/// (events of leads, notes about opportunities, and the notifications that
/// carry neither: other objects, a task that is no touch, a notification
/// missing its fields).
#[derive(Clone, Debug, PartialEq)]
pub struct Outbound {
    /// The sending organisation's id.
    pub organization: String,
    /// What its notifications tell, in their order.
    pub told: Told,
}

/// The body is not an Outbound Message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the body is not a Salesforce Outbound Message (SOAP notifications): {0}")]
pub struct OutboundError(pub String);

/// Whether two organisation ids name the same organisation (the 15- and
/// 18-character forms of one id agree on their first 15 characters).
pub fn same_organization(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.len() >= 15 && b.len() >= 15 && a.get(..15) == b.get(..15)
}

/// Reads an Outbound Message.
///
/// # Errors
/// [`OutboundError`] when the body is not XML or has no `notifications`
/// element with an `OrganizationId`.
///
/// # Example
/// ```
/// let xml = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
///   <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
///     <OrganizationId>00D5e000000abcdEAA</OrganizationId>
///     <Notification><Id>04l1</Id>
///       <sObject xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
///         <sf:Id>00Q1</sf:Id><sf:CreatedDate>2026-10-12T17:14:00.000Z</sf:CreatedDate>
///       </sObject></Notification>
///   </notifications></soapenv:Body></soapenv:Envelope>"#;
/// let read = handshake_core::salesforce::outbound_events(xml)?;
/// assert_eq!(read.told.events[0].id.as_str(), "salesforce:00Q1:created");
/// # Ok::<(), handshake_core::salesforce::OutboundError>(())
/// ```
pub fn outbound_events(xml: &str) -> Result<Outbound, OutboundError> {
    let doc = Document::parse(xml).map_err(|e| OutboundError(e.to_string()))?;
    let notifications = doc
        .descendants()
        .find(|n| n.has_tag_name("notifications"))
        .ok_or_else(|| OutboundError("no notifications element".into()))?;
    let organization = child_text(notifications, "OrganizationId")
        .ok_or_else(|| OutboundError("no OrganizationId".into()))?;
    let told = crate::hubspot::gather(
        notifications
            .children()
            .filter(|n| n.has_tag_name("Notification"))
            .map(notification),
        "a task that is no call, e-mail or meeting, or an object Handshake does not read",
    );
    Ok(Outbound { organization, told })
}

/// The text of `node`'s child element with this local name, if not empty.
fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn notification(n: Node<'_, '_>) -> Result<Vec<Item>, String> {
    let object = n
        .children()
        .find(|c| c.has_tag_name("sObject"))
        .ok_or("no sObject")?;
    let kind = object
        .attributes()
        .find(|a| a.name() == "type")
        .map(|a| a.value().rsplit(':').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let field = |name: &str| child_text(object, name);
    let instant = |name: &str| -> Result<Option<Timestamp>, String> {
        field(name)
            .map(|t| {
                t.parse::<Timestamp>()
                    .map_err(|_| format!("{name} \"{t}\" is not an instant"))
            })
            .transpose()
    };
    let id = |text: String| EventId::new(text);
    let record = field("Id").ok_or("no Id in the sObject")?;
    match kind.as_str() {
        "Lead" => {
            let subject = SubjectId::new(record.clone())?;
            let created = instant("CreatedDate")?.ok_or("a Lead without CreatedDate")?;
            let mut events = vec![Event {
                id: id(format!("salesforce:{record}:created"))?,
                subject: subject.clone(),
                occurred_at: created,
                inferred: false,
                kind: EventKind::LeadCreated(Attributes::default()),
            }];
            let mut now = Attributes {
                source: field("LeadSource"),
                owner: field("OwnerId"),
                company: field("Company"),
                email: field("Email").filter(|e| e.contains('@')),
                ..Attributes::default()
            };
            if let Some(status) = field("Status") {
                now.other.push((
                    "lead_status".into(),
                    serde_json::Value::String(status).to_string(),
                ));
            }
            let changed = instant("LastModifiedDate")?.unwrap_or(created);
            let notification = child_text(n, "Id").ok_or("no notification Id")?;
            if now != Attributes::default() {
                events.push(Event {
                    id: id(format!("salesforce:om:{notification}:updated"))?,
                    subject: subject.clone(),
                    occurred_at: changed,
                    inferred: false,
                    kind: EventKind::LeadUpdated(now),
                });
            }
            let mut items = Vec::new();
            if field("IsConverted").as_deref() == Some("true")
                && let Some(at) = instant("ConvertedDate")?
            {
                events.push(Event {
                    id: id(format!("salesforce:{record}:stage:sql"))?,
                    subject: subject.clone(),
                    occurred_at: at,
                    inferred: true,
                    kind: EventKind::StageChanged {
                        stage: "sql".into(),
                    },
                });
                // The opportunity it became is this lead's deal.
                if let Some(opportunity) = field("ConvertedOpportunityId") {
                    items.push(Item::Note(Note {
                        crm: "salesforce".into(),
                        kind: ObjectKind::Deal,
                        object: opportunity,
                        id: format!("converted:{record}"),
                        at,
                        fact: Fact::Lead { lead: subject },
                    }));
                }
            }
            items.splice(0..0, events.into_iter().map(Item::Event));
            Ok(items)
        }
        "Opportunity" => {
            // The record as it stands: its creation, and its amount,
            // currency and stage as of its last change, as notes.
            let created = instant("CreatedDate")?.ok_or("an Opportunity without CreatedDate")?;
            let changed = instant("LastModifiedDate")?.unwrap_or(created);
            let notification = child_text(n, "Id").ok_or("no notification Id")?;
            let note = |id: String, at: Timestamp, fact: Fact| {
                Item::Note(Note {
                    crm: "salesforce".into(),
                    kind: ObjectKind::Deal,
                    object: record.clone(),
                    id,
                    at,
                    fact,
                })
            };
            let property = |name: &str, value: String| {
                note(
                    format!("om:{notification}:{name}"),
                    changed,
                    Fact::Property {
                        name: name.into(),
                        value,
                    },
                )
            };
            let mut items = vec![note("created".into(), created, Fact::Created)];
            if let Some(amount) = field("Amount") {
                items.push(property(crate::crm_objects::property::AMOUNT, amount));
            }
            if let Some(currency) = field("CurrencyIsoCode") {
                items.push(property(crate::crm_objects::property::CURRENCY, currency));
            }
            let stage = match (field("IsClosed").as_deref(), field("IsWon").as_deref()) {
                (Some("true"), Some("true")) => Some("closedwon".to_owned()),
                (Some("true"), _) => Some("closedlost".to_owned()),
                _ => field("StageName"),
            };
            if let Some(stage) = stage {
                items.push(property(crate::crm_objects::property::STAGE, stage));
            }
            Ok(items)
        }
        "Task" => {
            let Some(lead) = field("WhoId").filter(|w| w.starts_with("00Q")) else {
                return Ok(Vec::new());
            };
            let how = field("TaskSubtype")
                .or_else(|| field("Type"))
                .unwrap_or_default();
            let Some(channel) = channel_in_words(&how) else {
                return Ok(Vec::new());
            };
            let at = instant("CompletedDateTime")?
                .or(instant("CreatedDate")?)
                .ok_or("a Task without CompletedDateTime or CreatedDate")?;
            Ok(vec![Item::Event(Event {
                id: id(format!("salesforce:{record}:touch:{lead}"))?,
                subject: SubjectId::new(lead)?,
                occurred_at: at,
                inferred: false,
                kind: EventKind::Touched {
                    channel,
                    by: field("OwnerId"),
                    automated: false,
                },
            })])
        }
        _ => Ok(Vec::new()),
    }
}

/// The body is not Change Data Capture JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the body is not Salesforce Change Data Capture JSON (a change event or an array of them): {0}"
)]
pub struct CdcError(pub String);

/// Reads Change Data Capture events as a relay posts them: one event or an
/// array, each the event's `payload` (or the whole message with `payload`
/// inside), for `LeadChangeEvent` and `TaskChangeEvent`.
///
/// A Lead `CREATE` is the lead's creation (`salesforce:LEAD:created`); an
/// `UPDATE` whose `changedFields` name `OwnerId` is an assignment, `Status`,
/// `LeadSource`, `Company` or `Email` an update, `IsConverted` (true) the
/// `sql` stage at `ConvertedDate`; a Task `CREATE` on a lead that is a call,
/// an e-mail or a meeting a touch. Ids carry the transaction key and
/// sequence number, so an event relayed twice creates nothing new.
///
/// # Errors
/// [`CdcError`] when the body is not JSON of that shape.
pub fn cdc_events(body: &[u8]) -> Result<Told, CdcError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| CdcError(e.to_string()))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one @ serde_json::Value::Object(_) => vec![one],
        _ => return Err(CdcError("neither an object nor an array".into())),
    };
    Ok(crate::hubspot::gather(
        items.iter().map(|item| {
            change(item.get("payload").unwrap_or(item))
                .map(|events| events.into_iter().map(Item::Event).collect())
        }),
        "a change Handshake does not read (another object or field)",
    ))
}

fn change(p: &serde_json::Value) -> Result<Vec<Event>, String> {
    use serde_json::Value;
    let header = p.get("ChangeEventHeader").ok_or("no ChangeEventHeader")?;
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let entity = text(header, "entityName").ok_or("no entityName")?;
    let change_type = text(header, "changeType").ok_or("no changeType")?;
    let at = header
        .get("commitTimestamp")
        .and_then(Value::as_i64)
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or("no commitTimestamp (milliseconds since the epoch)")?;
    let key = format!(
        "{}:{}",
        text(header, "transactionKey").ok_or("no transactionKey")?,
        header
            .get("sequenceNumber")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    );
    let changed: Vec<&str> = header
        .get("changedFields")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let records: Vec<String> = header
        .get("recordIds")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if records.is_empty() {
        return Err("no recordIds".into());
    }
    let field = |name: &str| text(p, name);
    let id = |s: String| EventId::new(s);
    let mut events = Vec::new();
    for record in records {
        match (entity.as_str(), change_type.as_str()) {
            ("Lead", "CREATE") => {
                let created = field("CreatedDate")
                    .and_then(|t| t.parse::<Timestamp>().ok())
                    .unwrap_or(at);
                events.push(Event {
                    id: id(format!("salesforce:{record}:created"))?,
                    subject: SubjectId::new(record.clone())?,
                    occurred_at: created,
                    inferred: false,
                    kind: EventKind::LeadCreated(Attributes {
                        source: field("LeadSource"),
                        owner: field("OwnerId"),
                        company: field("Company"),
                        email: field("Email").filter(|e| e.contains('@')),
                        ..Attributes::default()
                    }),
                });
            }
            ("Lead", "UPDATE") => {
                let subject = SubjectId::new(record.clone())?;
                if changed.contains(&"OwnerId")
                    && let Some(owner) = field("OwnerId")
                {
                    events.push(Event {
                        id: id(format!("salesforce:cdc:{key}:{record}:owner"))?,
                        subject: subject.clone(),
                        occurred_at: at,
                        inferred: false,
                        kind: EventKind::Assigned { owner },
                    });
                }
                let mut a = Attributes::default();
                if changed.contains(&"LeadSource") {
                    a.source = field("LeadSource");
                }
                if changed.contains(&"Company") {
                    a.company = field("Company");
                }
                if changed.contains(&"Email") {
                    a.email = field("Email").filter(|e| e.contains('@'));
                }
                if changed.contains(&"Status")
                    && let Some(status) = field("Status")
                {
                    a.other
                        .push(("lead_status".into(), Value::String(status).to_string()));
                }
                if a != Attributes::default() {
                    events.push(Event {
                        id: id(format!("salesforce:cdc:{key}:{record}:updated"))?,
                        subject: subject.clone(),
                        occurred_at: at,
                        inferred: false,
                        kind: EventKind::LeadUpdated(a),
                    });
                }
                if changed.contains(&"IsConverted")
                    && p.get("IsConverted") == Some(&Value::Bool(true))
                {
                    let converted = field("ConvertedDate")
                        .and_then(|t| {
                            t.parse::<jiff::civil::Date>()
                                .ok()
                                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
                                .map(|z| z.timestamp())
                                .or_else(|| t.parse::<Timestamp>().ok())
                        })
                        .unwrap_or(at);
                    events.push(Event {
                        id: id(format!("salesforce:{record}:stage:sql"))?,
                        subject,
                        occurred_at: converted,
                        inferred: true,
                        kind: EventKind::StageChanged {
                            stage: "sql".into(),
                        },
                    });
                }
            }
            ("Task", "CREATE") => {
                let Some(lead) = field("WhoId").filter(|w| w.starts_with("00Q")) else {
                    continue;
                };
                let how = field("TaskSubtype")
                    .or_else(|| field("Type"))
                    .unwrap_or_default();
                let Some(channel) = channel_in_words(&how) else {
                    continue;
                };
                let done = field("CompletedDateTime")
                    .and_then(|t| t.parse::<Timestamp>().ok())
                    .unwrap_or(at);
                events.push(Event {
                    id: id(format!("salesforce:{record}:touch:{lead}"))?,
                    subject: SubjectId::new(lead)?,
                    occurred_at: done,
                    inferred: false,
                    kind: EventKind::Touched {
                        channel,
                        by: field("OwnerId"),
                        automated: false,
                    },
                });
            }
            _ => {}
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Channel;

    /// The shape Salesforce sends: two leads (one converted), a call task,
    /// a plain task, and an opportunity.
    const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000abcdEAA</OrganizationId>
   <ActionId>04k5e000000AAAAAA2</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/59.0/00D5e000000abcd</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/59.0/00D5e000000abcd</PartnerUrl>
   <Notification>
    <Id>04l5e00000AAA01</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5e00000LEAD1</sf:Id>
     <sf:Company>Acme</sf:Company>
     <sf:CreatedDate>2026-10-12T17:14:00.000Z</sf:CreatedDate>
     <sf:IsConverted>false</sf:IsConverted>
     <sf:LastModifiedDate>2026-10-12T18:00:00.000Z</sf:LastModifiedDate>
     <sf:LeadSource>Web</sf:LeadSource>
     <sf:OwnerId>0055e000000OWN1</sf:OwnerId>
     <sf:Status>Working - Contacted</sf:Status>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA02</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5e00000LEAD2</sf:Id>
     <sf:ConvertedDate>2026-10-20T09:00:00.000Z</sf:ConvertedDate>
     <sf:ConvertedOpportunityId>0065e00000OPP02</sf:ConvertedOpportunityId>
     <sf:CreatedDate>2026-10-01T08:00:00.000Z</sf:CreatedDate>
     <sf:IsConverted>true</sf:IsConverted>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA03</Id>
    <sObject xsi:type="sf:Task" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00T5e00000TASK1</sf:Id>
     <sf:CompletedDateTime>2026-10-12T17:40:00.000Z</sf:CompletedDateTime>
     <sf:CreatedDate>2026-10-12T17:41:00.000Z</sf:CreatedDate>
     <sf:OwnerId>0055e000000OWN1</sf:OwnerId>
     <sf:TaskSubtype>Call</sf:TaskSubtype>
     <sf:WhoId>00Q5e00000LEAD1</sf:WhoId>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA04</Id>
    <sObject xsi:type="sf:Task" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00T5e00000TASK2</sf:Id>
     <sf:CreatedDate>2026-10-12T19:00:00.000Z</sf:CreatedDate>
     <sf:TaskSubtype>Task</sf:TaskSubtype>
     <sf:WhoId>00Q5e00000LEAD1</sf:WhoId>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA05</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065e00000OPP01</sf:Id>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA06</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065e00000OPP02</sf:Id>
     <sf:Amount>48000.0</sf:Amount>
     <sf:CreatedDate>2026-10-20T09:00:00.000Z</sf:CreatedDate>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:IsWon>true</sf:IsWon>
     <sf:LastModifiedDate>2026-11-30T16:30:00.000Z</sf:LastModifiedDate>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#;

    #[test]
    fn notifications_become_events() {
        let read = outbound_events(MESSAGE).unwrap();
        assert!(same_organization(&read.organization, "00D5e000000abcd"));
        assert!(!same_organization(&read.organization, "00D5e000000zzzz"));
        let ids: Vec<&str> = read.told.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "salesforce:00Q5e00000LEAD1:created",
                "salesforce:om:04l5e00000AAA01:updated",
                "salesforce:00Q5e00000LEAD2:created",
                "salesforce:00Q5e00000LEAD2:stage:sql",
                "salesforce:00T5e00000TASK1:touch:00Q5e00000LEAD1",
            ]
        );
        match &read.told.events[1].kind {
            EventKind::LeadUpdated(a) => {
                assert_eq!(a.owner.as_deref(), Some("0055e000000OWN1"));
                assert_eq!(a.source.as_deref(), Some("Web"));
                assert_eq!(
                    a.other,
                    [(
                        "lead_status".to_string(),
                        "\"Working - Contacted\"".to_string()
                    )]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read.told.events[3].occurred_at.to_string(),
            "2026-10-20T09:00:00Z"
        );
        assert_eq!(
            read.told.events[4].kind,
            EventKind::Touched {
                channel: Channel::Call,
                by: Some("0055e000000OWN1".into()),
                automated: false
            }
        );
        assert_eq!(
            read.told.events[4].occurred_at.to_string(),
            "2026-10-12T17:40:00Z"
        );
        let skipped: Vec<usize> = read.told.skipped.iter().map(|s| s.index).collect();
        assert_eq!(skipped, [4, 5]);
        // The opportunity LEAD2 became, and its record: notes that make
        // LEAD2's opportunity and its win, 48,000 USD.
        let keys: Vec<(String, &str)> = read
            .told
            .notes
            .iter()
            .map(|n| (n.key(), n.id.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                (
                    "salesforce:deal:0065e00000OPP02".to_string(),
                    "converted:00Q5e00000LEAD2"
                ),
                ("salesforce:deal:0065e00000OPP02".to_string(), "created"),
                (
                    "salesforce:deal:0065e00000OPP02".to_string(),
                    "om:04l5e00000AAA06:amount"
                ),
                (
                    "salesforce:deal:0065e00000OPP02".to_string(),
                    "om:04l5e00000AAA06:dealstage"
                ),
            ]
        );
        let events = crate::crm_objects::derive(&read.told.notes, &Default::default()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "salesforce:deal:0065e00000OPP02:opportunity~4",
                "salesforce:deal:0065e00000OPP02:won~4"
            ]
        );
        assert!(
            events
                .iter()
                .all(|e| e.subject.as_str() == "00Q5e00000LEAD2")
        );
        assert_eq!(events[0].occurred_at.to_string(), "2026-10-20T09:00:00Z");
        assert_eq!(events[1].occurred_at.to_string(), "2026-11-30T16:30:00Z");
        assert_eq!(
            events[1].kind,
            EventKind::DealWon {
                amount: crate::event::Money {
                    minor: 4_800_000,
                    currency: "USD".into()
                }
            }
        );
    }

    #[test]
    fn change_data_capture_events() {
        let body = br#"[
          {"schema":"IeRuaY6cbI_HsV8Rv1Mc5g","payload":{"ChangeEventHeader":{"entityName":"Lead","recordIds":["00Q5e00000LEAD9"],"changeType":"CREATE","changeOrigin":"com/salesforce/api/soap/59.0","transactionKey":"0002a3c4-1","sequenceNumber":1,"commitTimestamp":1791000000000,"commitNumber":10,"commitUser":"0055e000000OWN1","changedFields":[]},"CreatedDate":"2026-10-03T04:00:00.000Z","LeadSource":"Web","OwnerId":"0055e000000OWN1","Company":"Acme","Status":"Open - Not Contacted"},"event":{"replayId":"1001"}},
          {"ChangeEventHeader":{"entityName":"Lead","recordIds":["00Q5e00000LEAD9"],"changeType":"UPDATE","transactionKey":"0002a3c4-2","sequenceNumber":1,"commitTimestamp":1791000600000,"changedFields":["OwnerId","Status","LastModifiedDate"]},"OwnerId":"0055e000000OWN2","Status":"Working - Contacted"},
          {"ChangeEventHeader":{"entityName":"Lead","recordIds":["00Q5e00000LEAD9"],"changeType":"UPDATE","transactionKey":"0002a3c4-3","sequenceNumber":1,"commitTimestamp":1791600000000,"changedFields":["IsConverted","ConvertedDate"]},"IsConverted":true,"ConvertedDate":"2026-10-10"},
          {"ChangeEventHeader":{"entityName":"Task","recordIds":["00T5e00000TASK9"],"changeType":"CREATE","transactionKey":"0002a3c4-4","sequenceNumber":1,"commitTimestamp":1791000900000,"changedFields":[]},"WhoId":"00Q5e00000LEAD9","TaskSubtype":"Email","OwnerId":"0055e000000OWN2"},
          {"ChangeEventHeader":{"entityName":"Account","recordIds":["0015e00000ACC01"],"changeType":"CREATE","transactionKey":"0002a3c4-5","sequenceNumber":1,"commitTimestamp":1791000900000}},
          {"ChangeEventHeader":{"entityName":"Lead","changeType":"UPDATE"}}
        ]"#;
        let Told {
            events, skipped, ..
        } = cdc_events(body).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "salesforce:00Q5e00000LEAD9:created",
                "salesforce:cdc:0002a3c4-2:1:00Q5e00000LEAD9:owner",
                "salesforce:cdc:0002a3c4-2:1:00Q5e00000LEAD9:updated",
                "salesforce:00Q5e00000LEAD9:stage:sql",
                "salesforce:00T5e00000TASK9:touch:00Q5e00000LEAD9",
            ]
        );
        assert_eq!(events[0].occurred_at.to_string(), "2026-10-03T04:00:00Z");
        assert_eq!(
            events[1].kind,
            EventKind::Assigned {
                owner: "0055e000000OWN2".into()
            }
        );
        assert_eq!(events[1].occurred_at.to_string(), "2026-10-03T04:10:00Z");
        assert_eq!(events[3].occurred_at.to_string(), "2026-10-10T00:00:00Z");
        assert!(matches!(
            events[4].kind,
            EventKind::Touched {
                channel: Channel::Email,
                ..
            }
        ));
        let skipped: Vec<(usize, bool)> = skipped
            .iter()
            .map(|s| (s.index, s.reason.contains("commitTimestamp")))
            .collect();
        assert_eq!(skipped, [(5, false), (6, true)]);
        assert!(cdc_events(b"42").is_err());
    }

    #[test]
    fn not_a_message_is_said_so() {
        assert!(outbound_events("not xml").is_err());
        assert!(
            outbound_events("<a/>")
                .unwrap_err()
                .0
                .contains("notifications")
        );
        let no_date = MESSAGE.replace(
            "<sf:CreatedDate>2026-10-01T08:00:00.000Z</sf:CreatedDate>",
            "",
        );
        let read = outbound_events(&no_date).unwrap();
        assert!(
            read.told
                .skipped
                .iter()
                .any(|s| s.index == 2 && s.reason.contains("CreatedDate")),
            "{:?}",
            read.told.skipped
        );
    }
}
