//! A starter agreement from a few answers, for `handshake init`: the company,
//! the two parties' contacts, the offices (zone, hours, country for public
//! holidays), segments with their first-touch promise, the MQL target (or the
//! planner's goals for a revenue target) and the cancellation term. The text
//! is commented so a team can read and change it, and it passes `check`.
//!
//! Pure: the CLI asks the questions, reads a CRM export into events, and
//! writes the file; this module only turns answers into TOML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;

use crate::event::{Event, EventKind};

/// Everything `init` asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    /// The company, e.g. "Northwind Cloud".
    pub company: String,
    /// The first day the agreement is in force; it runs one year.
    pub starts: Date,
    /// Marketing: its name and contact.
    pub marketing: PartyAnswer,
    /// Sales: its name and contact.
    pub sales: PartyAnswer,
    /// The offices, each a business calendar; the first is the agreement's zone.
    pub offices: Vec<Office>,
    /// Segments with their own first-touch promise; none means one promise for all leads.
    pub segments: Vec<SegmentAnswer>,
    /// How many MQLs marketing promises.
    pub volume: Volume,
    /// Missed MQL months in a row after which either side may end the agreement.
    pub cancel_after: Option<u32>,
    /// What a CRM export says, when `--from-crm` read one.
    pub crm: Option<CrmSummary>,
}

/// A party's display name and its contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyAnswer {
    /// How the team calls itself, e.g. "Demand generation".
    pub name: String,
    /// The contact's name.
    pub contact: String,
    /// The contact's e-mail address.
    pub email: String,
}

/// An office: a business calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Office {
    /// The calendar's id, e.g. `new-york`.
    pub id: String,
    /// IANA zone, e.g. `America/New_York`.
    pub time_zone: String,
    /// Weekly hours, e.g. `mon-fri 09:00-17:00`.
    pub hours: String,
    /// ISO country code for public holidays, e.g. `US`.
    pub country: Option<String>,
    /// The region within the country, e.g. `NY`.
    pub subdivision: Option<String>,
}

/// A segment and the first-touch promise its leads get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentAnswer {
    /// The segment's id, e.g. `enterprise`.
    pub id: String,
    /// The lead attribute that decides it, e.g. `segment`.
    pub attribute: String,
    /// The values that put a lead in it.
    pub equals: Vec<String>,
    /// The promise, e.g. `1 business hour`.
    pub within: String,
    /// The office whose hours count; the first office when `None`.
    pub office: Option<String>,
}

/// Marketing's volume promise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Volume {
    /// A monthly MQL target.
    Mqls(u64),
    /// The planner's goals for a revenue target (the `[[goals]]` it emits).
    Planned(String),
}

/// What a CRM export holds, to suggest the stages, segments and owners.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrmSummary {
    /// The file read, as the user named it.
    pub file: String,
    /// Records (leads) in it.
    pub records: u64,
    /// Each stage reached, with how many records reached it.
    pub stages: BTreeMap<String, u64>,
    /// Each lead source, with how many records came from it.
    pub sources: BTreeMap<String, u64>,
    /// Each segment value, with its count.
    pub segments: BTreeMap<String, u64>,
    /// Each owner, with how many records they own.
    pub owners: BTreeMap<String, u64>,
}

impl CrmSummary {
    /// Counts stages, sources, segments and owners in an import's events.
    pub fn from_events(file: &str, events: &[Event]) -> CrmSummary {
        let mut s = CrmSummary {
            file: file.to_owned(),
            ..CrmSummary::default()
        };
        s.add(events);
        s
    }

    /// Counts one more batch of events (one CSV row's, say), so an export of
    /// any size is summed without holding it.
    pub fn add(&mut self, events: &[Event]) {
        let count = |map: &mut BTreeMap<String, u64>, v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                *map.entry(v.to_owned()).or_default() += 1;
            }
        };
        for e in events {
            match &e.kind {
                EventKind::LeadCreated(a) => {
                    self.records += 1;
                    count(&mut self.sources, &a.source);
                    count(&mut self.segments, &a.segment);
                    count(&mut self.owners, &a.owner);
                }
                EventKind::StageChanged { stage } => {
                    *self.stages.entry(stage.to_ascii_lowercase()).or_default() += 1;
                }
                _ => {}
            }
        }
    }
}

/// The stages every agreement defines, with a starting definition.
const STAGES: [(&str, &str); 6] = [
    (
        "lead",
        "A contact who gave us a business e-mail and agreed to be contacted.",
    ),
    (
        "mql",
        "A lead that fits the ideal customer profile and showed buying intent (agree the score or signal).",
    ),
    ("sal", "An MQL a sales rep has reviewed and accepted."),
    (
        "sql",
        "An accepted lead with budget, authority, need and timing confirmed.",
    ),
    (
        "opportunity",
        "A qualified lead with a scoped deal in the CRM.",
    ),
    ("customer", "A signed contract."),
];

/// The agreement text for these answers.
///
/// # Example
/// ```
/// use handshake_core::agreement::starter::*;
/// let party = |n: &str, c: &str, e: &str| PartyAnswer { name: n.into(), contact: c.into(), email: e.into() };
/// let text = starter(&Answers {
///     company: "Acme".into(),
///     starts: jiff::civil::date(2027, 1, 1),
///     marketing: party("Marketing", "Dana", "dana@acme.example"),
///     sales: party("Sales", "Sam", "sam@acme.example"),
///     offices: vec![Office { id: "hq".into(), time_zone: "America/Chicago".into(),
///         hours: "mon-fri 08:00-17:00".into(), country: Some("US".into()), subdivision: None }],
///     segments: vec![],
///     volume: Volume::Mqls(200),
///     cancel_after: Some(3),
///     crm: None,
/// });
/// let checked = handshake_core::check("handshake.toml", &text);
/// assert_eq!(checked.errors(), 0, "{text}");
/// assert!(text.contains("target = 200"));
/// ```
pub fn starter(a: &Answers) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut out, a);
    out
}

fn write_all(out: &mut String, a: &Answers) -> std::fmt::Result {
    let year = a.starts.year();
    let ends = a
        .starts
        .checked_add(jiff::Span::new().years(1))
        .and_then(|d| d.yesterday())
        .unwrap_or(a.starts);
    let first_office = a.offices.first();
    let zone = first_office.map_or("UTC", |o| o.time_zone.as_str());
    writeln!(
        out,
        "# The service level agreement between marketing and sales at {}.",
        a.company.replace('\n', " ")
    )?;
    writeln!(
        out,
        "# Written by `handshake init`. Change anything, then read it back and make it run:"
    )?;
    writeln!(
        out,
        "#   handshake check --explain handshake.toml   the agreement in plain words"
    )?;
    writeln!(
        out,
        "#   handshake apply handshake.toml             the version in force from now"
    )?;
    writeln!(out, "# Every field is described in docs/agreement.md.\n")?;

    writeln!(out, "[agreement]")?;
    writeln!(
        out,
        "name = {}",
        q(&format!("{} sales and marketing SLA {year}", a.company))
    )?;
    writeln!(
        out,
        "summary = \"Marketing delivers qualified leads; sales follows every one up in time, says why it rejects any, and turns a fair share into pipeline.\""
    )?;
    writeln!(
        out,
        "effective = {{ from = \"{}\", to = \"{ends}\" }}",
        a.starts
    )?;
    writeln!(out, "time_zone = {}", q(zone))?;
    writeln!(out, "review = {{ every = \"quarter\" }}\n")?;

    writeln!(out, "# The two parties and who speaks for each.")?;
    for (id, p, role) in [
        (
            "marketing",
            &a.marketing,
            "Generates and scores leads, hands MQLs to sales with their history.",
        ),
        (
            "sales",
            &a.sales,
            "Follows up every MQL, qualifies it, and turns accepted leads into pipeline.",
        ),
    ] {
        writeln!(out, "[parties.{id}]")?;
        writeln!(out, "name = {}", q(&p.name))?;
        writeln!(out, "role = {}", q(role))?;
        writeln!(
            out,
            "contact = {{ name = {}, email = {} }}\n",
            q(&p.contact),
            q(&p.email)
        )?;
    }

    writeln!(
        out,
        "# The common language: what each stage means. Agree the words with both teams."
    )?;
    if let Some(crm) = &a.crm {
        writeln!(
            out,
            "# In {} ({} records), records reached: {}.",
            crm.file,
            crm.records,
            counts(&crm.stages)
        )?;
    }
    writeln!(out, "[stages]")?;
    for (id, words) in STAGES {
        writeln!(out, "{id} = {}", q(words))?;
    }
    if let Some(crm) = &a.crm {
        for stage in crm.stages.keys() {
            if !STAGES.iter().any(|(id, _)| id == stage) && is_id(stage) {
                writeln!(
                    out,
                    "{stage} = \"Seen in the CRM export: say what it means.\""
                )?;
            }
        }
    }
    writeln!(out)?;

    writeln!(
        out,
        "# Why sales may turn an MQL down; a rejection names one of these."
    )?;
    writeln!(out, "[rejection_reasons]")?;
    writeln!(out, "no-budget = \"No budget this fiscal year.\"")?;
    writeln!(
        out,
        "not-icp = \"Outside the ideal customer profile (size, region or industry).\""
    )?;
    writeln!(
        out,
        "no-contact = \"Could not be reached after the full cadence.\""
    )?;
    writeln!(
        out,
        "duplicate = \"Already in the pipeline under another record.\"\n"
    )?;

    if let Some(crm) = &a.crm {
        if !crm.sources.is_empty() {
            writeln!(
                out,
                "# Lead sources in the export: {}.",
                counts(&crm.sources)
            )?;
        }
        if !crm.segments.is_empty() && a.segments.is_empty() {
            writeln!(
                out,
                "# Segment values in the export: {}. Each could be a segment with its own promise:",
                counts(&crm.segments)
            )?;
            for v in crm
                .segments
                .keys()
                .filter(|v| is_id(&v.to_ascii_lowercase()))
            {
                writeln!(
                    out,
                    "# {} = {{ attribute = \"segment\", equals = {} }}",
                    v.to_ascii_lowercase(),
                    q(v)
                )?;
            }
        }
        if !crm.owners.is_empty() {
            writeln!(
                out,
                "# Owners in the export: {}. Add them to the people directory (handshake person import) so alerts reach them.",
                counts(&crm.owners)
            )?;
        }
        writeln!(out)?;
    }

    if !a.segments.is_empty() {
        writeln!(out, "# Tiers of leads, each with its own promise below.")?;
        writeln!(out, "[segments]")?;
        for s in &a.segments {
            let values: Vec<String> = s.equals.iter().map(|v| q(v)).collect();
            writeln!(
                out,
                "{} = {{ attribute = {}, equals = [{}] }}",
                s.id,
                q(&s.attribute),
                values.join(", ")
            )?;
        }
        writeln!(out)?;
    }

    writeln!(
        out,
        "# Business hours: promises count only the time an office is open."
    )?;
    for o in &a.offices {
        writeln!(out, "[calendars.{}]", o.id)?;
        writeln!(out, "time_zone = {}", q(&o.time_zone))?;
        writeln!(out, "hours = {}", q(&o.hours))?;
        if let Some(country) = &o.country {
            let last = (year + 1).min(*handshake_calendar::PUBLIC_HOLIDAY_YEARS.end());
            let sub = o
                .subdivision
                .as_ref()
                .map(|s| format!(", subdivision = {}", q(s)))
                .unwrap_or_default();
            writeln!(
                out,
                "# The public holidays of {country}{}; add = [...] or remove = [...] adjust them.",
                o.subdivision
                    .as_ref()
                    .map(|s| format!("-{s}"))
                    .unwrap_or_default()
            )?;
            writeln!(
                out,
                "holidays = {{ country = {}{sub}, years = \"{year}-{last}\" }}",
                q(country)
            )?;
        }
        writeln!(out)?;
    }

    writeln!(out, "# What marketing promises.")?;
    let volume_goal = match &a.volume {
        Volume::Mqls(n) => {
            writeln!(out, "[[goals]]")?;
            writeln!(out, "id = \"mql-volume\"")?;
            writeln!(out, "owner = \"marketing\"")?;
            writeln!(out, "metric = \"mqls\"")?;
            writeln!(out, "target = {n}")?;
            writeln!(out, "per = \"month\"\n")?;
            writeln!(out, "[[goals]]")?;
            writeln!(out, "id = \"mql-to-sql\"")?;
            writeln!(out, "owner = \"marketing\"")?;
            writeln!(out, "metric = \"conversion\"")?;
            writeln!(out, "from = \"mql\"")?;
            writeln!(out, "to = \"sql\"")?;
            writeln!(out, "target = \"25%\"")?;
            writeln!(out, "per = \"quarter\"")?;
            writeln!(
                out,
                "description = \"Lead quality: a quarter of MQLs should prove qualified.\"\n"
            )?;
            "mql-volume"
        }
        Volume::Planned(goals) => {
            writeln!(out, "{}", goals.trim_end())?;
            writeln!(out)?;
            "planned-mqls"
        }
    };

    writeln!(out, "# What sales promises.")?;
    let guarantee_ids: Vec<String> = if a.segments.is_empty() {
        vec!["first-touch".to_owned()]
    } else {
        a.segments
            .iter()
            .map(|s| format!("{}-first-touch", s.id))
            .collect()
    };
    let quoted: Vec<String> = guarantee_ids.iter().map(|g| q(g)).collect();
    writeln!(out, "[[goals]]")?;
    writeln!(out, "id = \"follow-up\"")?;
    writeln!(out, "owner = \"sales\"")?;
    writeln!(out, "metric = \"follow_up_rate\"")?;
    writeln!(out, "guarantees = [{}]", quoted.join(", "))?;
    writeln!(out, "target = \"90%\"")?;
    writeln!(out, "per = \"month\"\n")?;
    writeln!(out, "[[goals]]")?;
    writeln!(out, "id = \"first-touch-speed\"")?;
    writeln!(out, "owner = \"sales\"")?;
    writeln!(out, "metric = \"median_first_touch\"")?;
    writeln!(out, "target = \"2 business hours\"")?;
    writeln!(out, "per = \"month\"")?;
    writeln!(
        out,
        "description = \"Half of all MQLs are touched within this much business time.\"\n"
    )?;
    writeln!(out, "[[goals]]")?;
    writeln!(out, "id = \"acceptance\"")?;
    writeln!(out, "owner = \"sales\"")?;
    writeln!(out, "metric = \"acceptance_rate\"")?;
    writeln!(out, "target = \"80%\"")?;
    writeln!(out, "per = \"month\"\n")?;

    let office_of = |s: Option<&String>| {
        s.cloned()
            .or_else(|| first_office.map(|o| o.id.clone()))
            .unwrap_or_default()
    };
    if a.segments.is_empty() {
        first_touch(
            out,
            "first-touch",
            None,
            "4 business hours",
            &office_of(None),
        )?;
    } else {
        for (s, id) in a.segments.iter().zip(&guarantee_ids) {
            first_touch(
                out,
                id,
                Some(&s.id),
                &s.within,
                &office_of(s.office.as_ref()),
            )?;
        }
    }

    writeln!(out, "# What happens when a promise is missed.")?;
    writeln!(out, "[[consequences]]")?;
    writeln!(out, "when = \"goal_missed\"")?;
    writeln!(out, "goal = {}", q(volume_goal))?;
    writeln!(out, "periods = 2")?;
    writeln!(out, "action = \"escalate\"")?;
    writeln!(out, "to = \"marketing\"")?;
    writeln!(
        out,
        "note = \"Marketing presents a recovery plan at the next revenue meeting.\"\n"
    )?;
    writeln!(out, "[[consequences]]")?;
    writeln!(out, "when = \"goal_missed\"")?;
    writeln!(out, "goal = \"follow-up\"")?;
    writeln!(out, "action = \"review\"")?;
    writeln!(out, "to = \"sales\"\n")?;
    if let Some(n) = a.cancel_after {
        writeln!(
            out,
            "# Either side may end the agreement after this many missed periods in a row."
        )?;
        writeln!(out, "[cancellation]")?;
        writeln!(out, "after_consecutive_missed_periods = {n}")?;
        writeln!(out, "notice = \"30 days\"")?;
    }
    Ok(())
}

/// One first-touch guarantee: an MQL is touched (call, e-mail, meeting) or
/// rejected within the promise.
fn first_touch(
    out: &mut String,
    id: &str,
    segment: Option<&str>,
    within: &str,
    calendar: &str,
) -> std::fmt::Result {
    writeln!(out, "[[guarantees]]")?;
    writeln!(out, "id = {}", q(id))?;
    writeln!(out, "owner = \"sales\"")?;
    if let Some(s) = segment {
        writeln!(out, "segment = {}", q(s))?;
    }
    writeln!(out, "starts = \"stage = mql\"")?;
    writeln!(
        out,
        "stops = [\"touched via call|email|meeting\", \"rejected\"]"
    )?;
    writeln!(out, "within = {}", q(within))?;
    writeln!(out, "calendar = {}", q(calendar))?;
    writeln!(out, "warn_at = \"75%\"")?;
    writeln!(out, "escalate_to = \"sales\"\n")
}

/// `name (count), ...`, most first.
fn counts(map: &BTreeMap<String, u64>) -> String {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = v
        .iter()
        .take(12)
        .map(|(k, n)| format!("{} ({n})", k.replace('\n', " ")))
        .collect();
    let more = v.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True for an id the agreement accepts as a bare key: lower-case letters,
/// digits and dashes.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_any_text() {
        for s in [
            "plain",
            "with \"quotes\"",
            "back\\slash",
            "line\nbreak",
            "\u{7}bell",
        ] {
            let doc = format!("x = {}", q(s));
            let parsed: toml::de::DeTable<'_> =
                toml::de::DeTable::parse(&doc).unwrap().into_inner();
            match parsed.get("x").map(|v| v.get_ref()) {
                Some(toml::de::DeValue::String(v)) => assert_eq!(v.as_ref(), s),
                other => panic!("{other:?}"),
            }
        }
    }
}
