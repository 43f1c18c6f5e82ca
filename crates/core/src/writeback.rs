//! What Handshake writes back to the CRM, so its own workflows and views can
//! use it: for each lead, the clock that matters now (its open clock due
//! soonest, else the one that started last) with its guarantee, due
//! instant, state and whether it was breached, as HubSpot contact
//! properties or Salesforce Lead fields, and the batches the CRMs' APIs take.
//! Pure: the server decides when to push, sends, and remembers what it sent.
//!
//! Which CRM a lead lives in is read off its id: HubSpot contact ids are
//! digits, Salesforce Lead ids are 15 or 18 letters and digits starting
//! `00Q`. Other leads (sent by a client of the API) are written nowhere.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::engine::{Clock, ClockState, Evaluation};

/// HubSpot's batch update takes at most this many contacts per call.
pub const HUBSPOT_BATCH: usize = 100;
/// Salesforce's sObject Collections take at most this many records per call.
pub const SALESFORCE_BATCH: usize = 200;

/// The contact properties written to HubSpot (to be created in the portal,
/// docs/integrations.md).
pub const HUBSPOT_PROPERTIES: [&str; 4] = [
    "handshake_guarantee",
    "handshake_due_at",
    "handshake_state",
    "handshake_breached",
];
/// The Lead custom fields written to Salesforce (docs/integrations.md).
pub const SALESFORCE_FIELDS: [&str; 4] = [
    "Handshake_Guarantee__c",
    "Handshake_Due__c",
    "Handshake_State__c",
    "Handshake_Breached__c",
];

/// A CRM Handshake writes back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Crm {
    /// HubSpot contacts.
    HubSpot,
    /// Salesforce Leads.
    Salesforce,
}

impl Crm {
    /// `hubspot` or `salesforce`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Crm::HubSpot => "hubspot",
            Crm::Salesforce => "salesforce",
        }
    }

    /// How many records one call of its API takes.
    pub fn batch_size(self) -> usize {
        match self {
            Crm::HubSpot => HUBSPOT_BATCH,
            Crm::Salesforce => SALESFORCE_BATCH,
        }
    }

    /// The CRM whose record a lead id is, if any.
    ///
    /// # Example
    /// ```
    /// use handshake_core::writeback::Crm;
    /// assert_eq!(Crm::of_lead("5001"), Some(Crm::HubSpot));
    /// assert_eq!(Crm::of_lead("00Q5e00000LEAD1"), Some(Crm::Salesforce));
    /// assert_eq!(Crm::of_lead("L-1001"), None);
    /// ```
    pub fn of_lead(id: &str) -> Option<Crm> {
        if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
            Some(Crm::HubSpot)
        } else if matches!(id.len(), 15 | 18)
            && id.starts_with("00Q")
            && id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            Some(Crm::Salesforce)
        } else {
            None
        }
    }
}

/// What one lead's record in the CRM should say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The lead (the CRM's record id).
    pub lead: String,
    /// The CRM it lives in.
    pub crm: Crm,
    /// The guarantee of the clock that matters now.
    pub guarantee: String,
    /// When that clock is (or was) due; `None` while paused with time left.
    pub due: Option<Timestamp>,
    /// `running`, `at_risk`, `paused`, `breached`, `met`, `met_late` or
    /// `not_measurable`.
    pub state: &'static str,
    /// Whether it was breached (open past due, or stopped after it).
    pub breached: bool,
}

impl Record {
    /// The record as one line, to compare with what was sent before.
    pub fn text(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.guarantee,
            self.due.map(|d| d.to_string()).unwrap_or_default(),
            self.state,
            self.breached
        )
    }

    /// HubSpot's batch input for this contact:
    /// `{"id": ..., "properties": {...}}`.
    pub fn hubspot_input(&self) -> Value {
        json!({
            "id": self.lead,
            "properties": {
                "handshake_guarantee": self.guarantee,
                "handshake_due_at": self.due.map(|d| d.to_string()).unwrap_or_default(),
                "handshake_state": self.state,
                "handshake_breached": if self.breached { "true" } else { "false" },
            }
        })
    }

    /// Salesforce's sObject record for this Lead.
    pub fn salesforce_record(&self) -> Value {
        let mut m = Map::new();
        m.insert("attributes".into(), json!({ "type": "Lead" }));
        m.insert("id".into(), json!(self.lead));
        m.insert("Handshake_Guarantee__c".into(), json!(self.guarantee));
        m.insert(
            "Handshake_Due__c".into(),
            self.due.map_or(Value::Null, |d| json!(d.to_string())),
        );
        m.insert("Handshake_State__c".into(), json!(self.state));
        m.insert("Handshake_Breached__c".into(), json!(self.breached));
        Value::Object(m)
    }
}

/// A clock's state in the words written back.
fn state_word(c: &Clock) -> &'static str {
    match c.view.state {
        ClockState::Running if c.view.paused => "paused",
        ClockState::Running if c.view.at_risk => "at_risk",
        s => s.as_str(),
    }
}

/// What each lead of a CRM should say, from an evaluation: for each lead,
/// its open clock due soonest, else its clock that started last. Leads are
/// in id order.
pub fn records(e: &Evaluation) -> Vec<Record> {
    let mut best: std::collections::BTreeMap<&str, &Clock> = std::collections::BTreeMap::new();
    let open = |c: &Clock| matches!(c.view.state, ClockState::Running | ClockState::Breached);
    // Open clocks first, soonest due first; then the latest started.
    let rank = |c: &Clock| {
        if open(c) {
            (0, c.view.due.unwrap_or(i64::MAX), 0)
        } else {
            (1, 0, -c.view.start)
        }
    };
    for c in &e.clocks {
        if Crm::of_lead(&c.subject).is_none() {
            continue;
        }
        let slot = best.entry(c.subject.as_str()).or_insert(c);
        if rank(c) < rank(slot) {
            *slot = c;
        }
    }
    best.into_iter()
        .filter_map(|(lead, c)| {
            Some(Record {
                lead: lead.to_string(),
                crm: Crm::of_lead(lead)?,
                guarantee: c.guarantee.clone(),
                due: c.view.due.and_then(|d| Timestamp::from_second(d).ok()),
                state: state_word(c),
                breached: matches!(c.view.state, ClockState::Breached | ClockState::MetLate),
            })
        })
        .collect()
}

/// The body of one HubSpot `POST /crm/v3/objects/contacts/batch/update`
/// (at most [`HUBSPOT_BATCH`] records).
pub fn hubspot_batch(records: &[&Record]) -> Value {
    json!({ "inputs": records.iter().map(|r| r.hubspot_input()).collect::<Vec<_>>() })
}

/// The body of one Salesforce `PATCH /services/data/vXX.X/composite/sobjects`
/// (at most [`SALESFORCE_BATCH`] records); each record stands alone
/// (`allOrNone` false), so one bad id does not hold the others.
pub fn salesforce_batch(records: &[&Record]) -> Value {
    json!({
        "allOrNone": false,
        "records": records.iter().map(|r| r.salesforce_record()).collect::<Vec<_>>(),
    })
}

/// The bodies of HubSpot's batch updates for these records,
/// [`HUBSPOT_BATCH`] at most each.
pub fn hubspot_batches(records: &[&Record]) -> Vec<Value> {
    records.chunks(HUBSPOT_BATCH).map(hubspot_batch).collect()
}

/// The bodies of Salesforce's collection updates for these records,
/// [`SALESFORCE_BATCH`] at most each.
pub fn salesforce_batches(records: &[&Record]) -> Vec<Value> {
    records
        .chunks(SALESFORCE_BATCH)
        .map(salesforce_batch)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_event;

    fn agreement() -> crate::Agreement {
        crate::check(
            "a",
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/agreement.toml"
            )),
        )
        .agreement
        .unwrap()
    }

    fn events(lead: &str, mql: &str, touch: Option<&str>) -> Vec<crate::event::Event> {
        let mut out = vec![
            parse_event(&format!(
                r#"{{"id":"{lead}-c","type":"lead.created","lead_id":"{lead}","occurred_at":"2027-02-01T14:00:00Z","attributes":{{"segment":"enterprise"}}}}"#
            ))
            .unwrap(),
            parse_event(&format!(
                r#"{{"id":"{lead}-m","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{mql}","stage":"mql"}}"#
            ))
            .unwrap(),
        ];
        if let Some(t) = touch {
            out.push(
                parse_event(&format!(
                    r#"{{"id":"{lead}-t","type":"lead.touched","lead_id":"{lead}","occurred_at":"{t}","channel":"call"}}"#
                ))
                .unwrap(),
            );
        }
        out
    }

    #[test]
    fn each_crm_lead_says_its_clock_that_matters_now() {
        let a = agreement();
        let mut all = events("5001", "2027-02-01T15:00:00Z", None);
        all.extend(events(
            "00Q5e00000LEAD1",
            "2027-02-02T15:00:00Z",
            Some("2027-02-02T15:10:00Z"),
        ));
        all.extend(events("L-1", "2027-02-02T15:00:00Z", None));
        let e = crate::engine::evaluate(&a, &all, "2027-02-03T12:00:00Z".parse().unwrap());
        let r = records(&e);
        let leads: Vec<&str> = r.iter().map(|r| r.lead.as_str()).collect();
        // The API's own lead ids are written nowhere.
        assert_eq!(leads, ["00Q5e00000LEAD1", "5001"]);
        // 10:00 New York plus one business hour: due 11:00 (16:00Z), breached.
        assert_eq!(r[1].crm, Crm::HubSpot);
        assert_eq!(r[1].guarantee, "enterprise-first-touch");
        assert_eq!(r[1].due.unwrap().to_string(), "2027-02-01T16:00:00Z");
        assert_eq!((r[1].state, r[1].breached), ("breached", true));
        assert_eq!(
            r[1].hubspot_input(),
            json!({"id": "5001", "properties": {
                "handshake_guarantee": "enterprise-first-touch",
                "handshake_due_at": "2027-02-01T16:00:00Z",
                "handshake_state": "breached",
                "handshake_breached": "true"}})
        );
        // The Salesforce lead's first touch came in time; its mid-market
        // clocks aside, the enterprise one is met.
        assert_eq!(r[0].crm, Crm::Salesforce);
        let rec = r[0].salesforce_record();
        assert_eq!(rec["attributes"]["type"], "Lead");
        assert_eq!(rec["id"], "00Q5e00000LEAD1");
        assert_eq!(rec["Handshake_Breached__c"], false);
        assert_eq!(rec["Handshake_State__c"], "met");
    }

    #[test]
    fn batches_hold_at_most_what_each_api_takes() {
        let r = Record {
            lead: "1".into(),
            crm: Crm::HubSpot,
            guarantee: "g".into(),
            due: None,
            state: "paused",
            breached: false,
        };
        let many: Vec<&Record> = std::iter::repeat_n(&r, 250).collect();
        let sizes = |b: Vec<Value>, key: &str| -> Vec<usize> {
            b.iter().map(|v| v[key].as_array().unwrap().len()).collect()
        };
        assert_eq!(sizes(hubspot_batches(&many), "inputs"), [100, 100, 50]);
        assert_eq!(sizes(salesforce_batches(&many), "records"), [200, 50]);
        assert_eq!(salesforce_batches(&many)[0]["allOrNone"], false);
        assert_eq!(r.salesforce_record()["Handshake_Due__c"], Value::Null);
        assert_eq!(r.hubspot_input()["properties"]["handshake_due_at"], "");
    }
}
