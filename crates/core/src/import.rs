//! CRM exports into events: which column means what (a [`Mapping`]), the
//! presets for HubSpot and Salesforce, and the pure function that turns one
//! CSV row into events. Reading files, progress and storage are the CLI's.
//!
//! Imported events get deterministic ids, `SOURCE:RECORD:FIELD`, so
//! importing the same export twice creates nothing new. Events read off a
//! snapshot ("Became a Marketing Qualified Lead Date") are marked inferred.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::agreement::Channel;
use crate::event::{Attributes, Event, EventId, EventKind, SubjectId};

/// Which columns of an export mean what.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    /// The source name used in event ids, e.g. `hubspot`.
    pub source: String,
    /// The column with the record id (becomes the lead id).
    pub record_id: String,
    /// The column with the creation instant (becomes `lead.created`).
    pub created_at: String,
    /// Attribute name -> column (known attributes typed, others kept as text).
    pub attributes: Vec<(String, String)>,
    /// Stage -> column with the date the record reached it (becomes inferred `lead.stage_changed`).
    pub stages: Vec<(String, String)>,
    /// The stage reached when a yes/no column is true, with the column of its date:
    /// (stage, flag column, date column), e.g. Salesforce's Converted / Converted Date.
    pub flagged_stages: Vec<(String, String, String)>,
    /// The zone of dates written without an offset.
    pub time_zone: TimeZone,
    /// Other headers the same column goes by in other export styles
    /// (column, alternative): HubSpot's `Date entered "X (Lifecycle Stage
    /// Pipeline)"`, Salesforce's report and Data Loader headers.
    /// [`Mapping::for_headers`] picks the one a file has.
    pub alternatives: Vec<(String, String)>,
    /// Whether `03/04/2026` is the 4th of March (month first, the US
    /// exports' default) or the 3rd of April (day first).
    pub day_first: bool,
    /// The one strftime format dates without an offset are written in (e.g.
    /// `%d/%m/%Y %H:%M`), where a file's dates are ambiguous; `None` tries
    /// the usual forms.
    pub date_format: Option<String>,
    /// Set for an activity export (calls, e-mails, meetings): each row is
    /// a touch of the lead(s) it names, not a lead. `record_id` is then the
    /// activity's id and `created_at` its instant.
    pub touches: Option<Touches>,
    /// Columns read only when a file has them (a CRM's custom properties
    /// such as `Segment`): their absence is not worth a warning.
    pub if_present: Vec<String>,
}

/// How an activity export's rows become `lead.touched` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touches {
    /// The column naming the lead's record id; several ids separated by
    /// `;` or `,` touch each of those leads.
    pub lead: String,
    /// The column saying how (call, e-mail, meeting, ...), read leniently
    /// (`CALL`, `Outgoing call`, `E-mail`); `None` when the whole file is
    /// one channel.
    pub channel: Option<String>,
    /// The channel of rows that do not say, or of the whole file.
    pub default_channel: Channel,
    /// The column naming who touched it, if any.
    pub by: Option<String>,
}

/// A channel as activity exports write it: `CALL`, `Outgoing call`,
/// `E-mail`, `Email sent`, `Meeting`, `LinkedIn message`; `None` for text
/// that names no channel (a task, a note: not a touch).
pub fn channel_in_words(text: &str) -> Option<Channel> {
    let t = text.trim().to_ascii_lowercase();
    if t.contains("call") || t.contains("phone") {
        Some(Channel::Call)
    } else if t.contains("mail") {
        Some(Channel::Email)
    } else if t.contains("meeting") {
        Some(Channel::Meeting)
    } else if t.contains("linkedin") || t.contains("social") {
        Some(Channel::Social)
    } else {
        None
    }
}

impl Mapping {
    /// The HubSpot contacts export.
    pub fn hubspot() -> Mapping {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        Mapping {
            source: "hubspot".into(),
            record_id: "Record ID".into(),
            created_at: "Create Date".into(),
            attributes: vec![
                s("source", "Original Source"),
                s("owner", "Contact owner"),
                s("email", "Email"),
                s("company", "Company Name"),
                s("lead_status", "Lead Status"),
                // A portal's own property, when the export has it.
                s("segment", "Segment"),
                s("score", "HubSpot Score"),
            ],
            stages: vec![
                s("lead", "Became a Lead Date"),
                s("mql", "Became a Marketing Qualified Lead Date"),
                s("sql", "Became a Sales Qualified Lead Date"),
                s("opportunity", "Became an Opportunity Date"),
                s("customer", "Became a Customer Date"),
            ],
            flagged_stages: vec![],
            time_zone: TimeZone::UTC,
            alternatives: [
                ("Lead", "lead"),
                ("Marketing Qualified Lead", "marketing qualified lead"),
                ("Sales Qualified Lead", "sales qualified lead"),
                ("Opportunity", "opportunity"),
                ("Customer", "customer"),
            ]
            .into_iter()
            .map(|(stage, became)| {
                let article = if became.starts_with('o') { "an" } else { "a" };
                let canonical = format!("Became {article} {stage} Date");
                (
                    canonical,
                    format!("Date entered \"{stage} (Lifecycle Stage Pipeline)\""),
                )
            })
            .chain([
                s("Contact owner", "Contact Owner"),
                s("Contact owner", "HubSpot Owner"),
                s("Original Source", "Original Source Type"),
                s("Record ID", "Contact ID"),
            ])
            .collect(),
            day_first: false,
            date_format: None,
            touches: None,
            if_present: vec!["Segment".into(), "HubSpot Score".into()],
        }
    }

    /// The HubSpot activities export (calls, e-mails and meetings logged
    /// on contacts): each row a touch of its associated contacts.
    pub fn hubspot_activities() -> Mapping {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        Mapping {
            source: "hubspot".into(),
            record_id: "Activity ID".into(),
            created_at: "Activity date".into(),
            attributes: Vec::new(),
            stages: Vec::new(),
            flagged_stages: Vec::new(),
            time_zone: TimeZone::UTC,
            alternatives: vec![
                s("Activity ID", "Record ID"),
                s("Activity date", "Activity Date"),
                s("Associated Contact IDs", "Associated Contact ID"),
                s("Associated Contact IDs", "Contact ID"),
                s("Activity type", "Activity Type"),
                s("Activity assigned to", "Activity Assigned To"),
            ],
            day_first: false,
            date_format: None,
            touches: Some(Touches {
                lead: "Associated Contact IDs".into(),
                channel: Some("Activity type".into()),
                default_channel: Channel::Other,
                by: Some("Activity assigned to".into()),
            }),
            if_present: Vec::new(),
        }
    }

    /// The Salesforce leads export.
    pub fn salesforce() -> Mapping {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        Mapping {
            source: "salesforce".into(),
            record_id: "Lead ID".into(),
            created_at: "Created Date".into(),
            attributes: vec![
                s("source", "Lead Source"),
                s("owner", "Lead Owner"),
                s("email", "Email"),
                s("company", "Company"),
                s("lead_status", "Lead Status"),
                s("rating", "Rating"),
                // An org's own field, when the export has it.
                s("segment", "Segment"),
            ],
            stages: vec![],
            flagged_stages: vec![("sql".into(), "Converted".into(), "Converted Date".into())],
            time_zone: TimeZone::UTC,
            // Report exports (Classic and Lightning) and Data Loader's API names.
            alternatives: vec![
                s("Lead ID", "Id"),
                s("Created Date", "Create Date"),
                s("Created Date", "CreatedDate"),
                s("Lead Source", "LeadSource"),
                s("Lead Owner", "Owner Name"),
                s("Lead Owner", "OwnerId"),
                s("Company", "Company / Account"),
                s("Lead Status", "Status"),
                s("Converted", "IsConverted"),
                s("Converted Date", "ConvertedDate"),
                s("Segment", "Segment__c"),
            ],
            day_first: false,
            date_format: None,
            touches: None,
            if_present: vec!["Segment".into()],
        }
    }

    /// The PipelineDeals people export (leads and contacts): the person's
    /// id, creation, owner, source, status and type. PipelineDeals keeps no
    /// stage dates on people; the MQL hand-over comes from the marketing
    /// side (ActiveDEMAND) or live events.
    pub fn pipelinedeals() -> Mapping {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        Mapping {
            source: "pipelinedeals".into(),
            record_id: "ID".into(),
            created_at: "Created At".into(),
            attributes: vec![
                s("source", "Lead Source"),
                s("owner", "Owner"),
                s("email", "Email"),
                s("company", "Company"),
                s("lead_status", "Lead Status"),
                s("type", "Type"),
                s("segment", "Segment"),
            ],
            stages: Vec::new(),
            flagged_stages: Vec::new(),
            time_zone: TimeZone::UTC,
            alternatives: vec![
                s("ID", "Person ID"),
                s("ID", "Id"),
                s("Created At", "Created"),
                s("Created At", "Date Created"),
                s("Lead Source", "Source"),
                s("Owner", "User"),
                s("Owner", "Assigned To"),
                s("Email", "Email Address"),
                s("Company", "Company Name"),
                s("Lead Status", "Status"),
            ],
            day_first: false,
            date_format: None,
            touches: None,
            if_present: vec!["Segment".into(), "Type".into()],
        }
    }

    /// The ActiveDEMAND contacts export: each contact's creation, lead
    /// score, source and the dates it became an MQL and an SQL (inferred
    /// stage changes, as with HubSpot's "Became a ... Date").
    pub fn activedemand() -> Mapping {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        Mapping {
            source: "activedemand".into(),
            record_id: "Contact ID".into(),
            created_at: "Date Created".into(),
            attributes: vec![
                s("source", "Lead Source"),
                s("owner", "Assigned To"),
                s("email", "Email"),
                s("company", "Company"),
                s("score", "Lead Score"),
                s("segment", "Segment"),
            ],
            stages: vec![
                s("mql", "MQL Date"),
                s("sql", "SQL Date"),
                s("customer", "Customer Date"),
            ],
            flagged_stages: Vec::new(),
            time_zone: TimeZone::UTC,
            alternatives: vec![
                s("Contact ID", "ID"),
                s("Contact ID", "Id"),
                s("Date Created", "Created"),
                s("Date Created", "Created At"),
                s("Lead Source", "Source"),
                s("Lead Source", "Original Source"),
                s("Assigned To", "Owner"),
                s("Email", "Email Address"),
                s("Company", "Company Name"),
                s("Company", "Organization"),
                s("Lead Score", "Score"),
                s("MQL Date", "Marketing Qualified Date"),
                s("MQL Date", "Became MQL"),
                s("SQL Date", "Sales Qualified Date"),
                s("SQL Date", "Became SQL"),
            ],
            day_first: false,
            date_format: None,
            touches: None,
            if_present: vec!["Segment".into(), "Customer Date".into()],
        }
    }

    /// The presets `--preset` names, with what each reads.
    pub const PRESETS: [(&'static str, &'static str); 5] = [
        ("hubspot", "HubSpot contacts export"),
        (
            "hubspot-activities",
            "HubSpot calls, e-mails and meetings: touches of the contacts",
        ),
        (
            "salesforce",
            "Salesforce leads export (reports and Data Loader)",
        ),
        ("pipelinedeals", "PipelineDeals people export"),
        (
            "activedemand",
            "ActiveDEMAND contacts export, with MQL and SQL dates",
        ),
    ];

    /// The preset of that name (one of [`Mapping::PRESETS`]).
    ///
    /// # Example
    /// ```
    /// use handshake_core::import::Mapping;
    /// assert_eq!(Mapping::preset("activedemand").unwrap().source, "activedemand");
    /// assert!(Mapping::preset("marketo").is_none());
    /// ```
    pub fn preset(name: &str) -> Option<Mapping> {
        Some(match name {
            "hubspot" => Mapping::hubspot(),
            "hubspot-activities" => Mapping::hubspot_activities(),
            "salesforce" => Mapping::salesforce(),
            "pipelinedeals" => Mapping::pipelinedeals(),
            "activedemand" => Mapping::activedemand(),
            _ => return None,
        })
    }

    /// This mapping for a file with these `headers`: each column the file
    /// lacks is replaced by the first of its alternatives that it has, so
    /// one preset reads every export style of its CRM.
    ///
    /// # Example
    /// ```
    /// use handshake_core::import::Mapping;
    /// let m = Mapping::hubspot().for_headers(&["Record ID", "Create Date",
    ///     "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\""]);
    /// assert!(m.stages.contains(&("mql".into(),
    ///     "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"".into())));
    /// ```
    pub fn for_headers(&self, headers: &[&str]) -> Mapping {
        let pick = |column: &mut String| {
            if headers.contains(&column.as_str()) {
                return;
            }
            if let Some((_, alt)) = self
                .alternatives
                .iter()
                .find(|(c, alt)| c == column && headers.contains(&alt.as_str()))
            {
                *column = alt.clone();
            }
        };
        let mut m = self.clone();
        pick(&mut m.record_id);
        pick(&mut m.created_at);
        for (_, column) in m.attributes.iter_mut().chain(m.stages.iter_mut()) {
            pick(column);
        }
        for (_, flag, date) in &mut m.flagged_stages {
            pick(flag);
            pick(date);
        }
        if let Some(t) = &mut m.touches {
            pick(&mut t.lead);
            for column in [&mut t.channel, &mut t.by].into_iter().flatten() {
                pick(column);
            }
        }
        m
    }

    /// The required columns (record id, creation date) that `headers` lacks.
    pub fn missing_required(&self, headers: &[&str]) -> Vec<String> {
        [&self.record_id, &self.created_at]
            .into_iter()
            .chain(self.touches.as_ref().map(|t| &t.lead))
            .filter(|w| !headers.contains(&w.as_str()))
            .cloned()
            .collect()
    }

    /// The optional columns this mapping reads that `headers` lacks (their events are not created).
    pub fn missing_optional(&self, headers: &[&str]) -> Vec<String> {
        let mut wanted: Vec<&str> = Vec::new();
        wanted.extend(self.attributes.iter().map(|(_, c)| c.as_str()));
        wanted.extend(self.stages.iter().map(|(_, c)| c.as_str()));
        for (_, flag, date) in &self.flagged_stages {
            wanted.push(flag);
            wanted.push(date);
        }
        if let Some(t) = &self.touches {
            wanted.extend(
                [&t.channel, &t.by]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        wanted
            .into_iter()
            .filter(|w| !headers.contains(w) && !self.if_present.iter().any(|q| q == w))
            .map(str::to_string)
            .collect()
    }
}

/// Why a row could not be imported: the column and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The column at fault.
    pub column: String,
    /// What is wrong and what would be right.
    pub message: String,
}

/// Formats tried for dates without an offset, in order; `%m/%d` ones are
/// read `%d/%m` for a day-first file.
const FORMATS: [&str; 11] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
];

/// Why a date cell does not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any known form.
    Unreadable,
    /// A local time the clocks skip (spring forward) or pass twice (fall back).
    NotOneInstant(String),
}

/// Reads an instant: RFC 3339, or a local date/time in `tz` (a date alone is
/// its midnight). `day_first` reads `03/04/2026` as the 3rd of April.
///
/// # Errors
/// [`DateError::Unreadable`] for text in no known form;
/// [`DateError::NotOneInstant`] for a local time that does not exist in the
/// zone or exists twice: it is reported, never shifted.
pub fn parse_local(text: &str, tz: &TimeZone, day_first: bool) -> Result<Timestamp, DateError> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    for format in FORMATS {
        let swapped;
        let format = if day_first && format.starts_with("%m/%d") {
            swapped = format.replacen("%m/%d", "%d/%m", 1);
            swapped.as_str()
        } else {
            format
        };
        let civil = DateTime::strptime(format, text).ok().or_else(|| {
            Date::strptime(format, text)
                .ok()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        });
        if let Some(dt) = civil {
            return civil_instant(dt, tz);
        }
    }
    Err(DateError::Unreadable)
}

/// A local date-time in `tz` as its one instant, or why it is not one.
fn civil_instant(dt: DateTime, tz: &TimeZone) -> Result<Timestamp, DateError> {
    let zone = tz.iana_name().unwrap_or("the zone");
    match tz.to_ambiguous_timestamp(dt).offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { offset } => {
            offset.to_timestamp(dt).map_err(|_| DateError::Unreadable)
        }
        jiff::tz::AmbiguousOffset::Gap { before, after } => Err(DateError::NotOneInstant(format!(
            "{dt} does not exist in {zone}: the clocks move from {before} to {after} then"
        ))),
        jiff::tz::AmbiguousOffset::Fold { before, after } => {
            Err(DateError::NotOneInstant(format!(
                "{dt} happens twice in {zone} (at {before} and again at {after}); write it with its offset, e.g. {}{before}",
                dt.strftime("%Y-%m-%dT%H:%M:%S")
            )))
        }
    }
}

/// Reads an instant written in exactly `format` (strftime, e.g.
/// `%d/%m/%Y %H:%M`) in `tz`, or RFC 3339.
///
/// # Errors
/// As [`parse_local`].
pub fn parse_with_format(text: &str, tz: &TimeZone, format: &str) -> Result<Timestamp, DateError> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil = DateTime::strptime(format, text).ok().or_else(|| {
        Date::strptime(format, text)
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    civil.map_or(Err(DateError::Unreadable), |dt| civil_instant(dt, tz))
}

/// Reads an instant: RFC 3339, or a local date/time in `tz` (a date alone is
/// its midnight), month first; `None` when it does not read as one instant.
pub fn parse_instant(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    parse_local(text, tz, false).ok()
}

/// Turns one row into events; `cell(column)` gives the row's value for a column.
///
/// # Errors
/// A [`RowError`] naming the column when the record id is missing or a date does not read.
///
/// # Example
/// ```
/// use handshake_core::import::{Mapping, row_to_events};
/// let row = |c: &str| match c {
///     "Record ID" => "1001",
///     "Create Date" => "2026-09-01 10:15",
///     "Became a Marketing Qualified Lead Date" => "2026-09-03 09:00",
///     "Original Source" => "Organic Search",
///     _ => "",
/// };
/// let events = row_to_events(&Mapping::hubspot(), |c| row(c).to_string())?;
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[1].id.as_str(), "hubspot:1001:stage:mql");
/// assert!(events[1].inferred);
/// # Ok::<(), handshake_core::import::RowError>(())
/// ```
pub fn row_to_events(m: &Mapping, cell: impl Fn(&str) -> String) -> Result<Vec<Event>, RowError> {
    let err = |column: &str, message: String| RowError {
        column: column.to_string(),
        message,
    };
    let record = cell(&m.record_id).trim().to_string();
    if record.is_empty() {
        return Err(err(
            &m.record_id,
            format!("no record id in \"{}\"", m.record_id),
        ));
    }
    let subject = SubjectId::new(record.clone()).map_err(|e| err(&m.record_id, e))?;
    let id = |field: &str| {
        EventId::new(format!("{}:{record}:{field}", m.source)).map_err(|e| err(&m.record_id, e))
    };
    let instant = |column: &str| -> Result<Option<Timestamp>, RowError> {
        let text = cell(column);
        if text.trim().is_empty() {
            return Ok(None);
        }
        let read = match &m.date_format {
            Some(f) => parse_with_format(&text, &m.time_zone, f),
            None => parse_local(&text, &m.time_zone, m.day_first),
        };
        match read {
            Ok(t) => Ok(Some(t)),
            Err(DateError::NotOneInstant(why)) => {
                Err(err(column, format!("\"{text}\" in \"{column}\": {why}")))
            }
            Err(DateError::Unreadable) => Err(err(
                column,
                match (&m.date_format, m.day_first) {
                    (Some(f), _) => format!(
                        "\"{text}\" in \"{column}\" is not in the format {f} (as given) nor RFC 3339"
                    ),
                    (None, day_first) => format!(
                        "\"{text}\" in \"{column}\" is not a date; expected e.g. 2026-09-01 10:15, {} or 2026-09-01T10:15:00Z",
                        if day_first {
                            "01/09/2026 10:15 (day first)"
                        } else {
                            "09/01/2026 10:15 AM"
                        }
                    ),
                },
            )),
        }
    };
    let created = instant(&m.created_at)?.ok_or_else(|| {
        err(
            &m.created_at,
            format!("no creation date in \"{}\"", m.created_at),
        )
    })?;
    if let Some(t) = &m.touches {
        return touch_events(m, t, &record, created, &cell);
    }
    let mut attributes = Attributes::default();
    for (name, column) in &m.attributes {
        let value = cell(column).trim().to_string();
        if value.is_empty() {
            continue;
        }
        match name.as_str() {
            "source" => attributes.source = Some(value),
            "segment" => attributes.segment = Some(value),
            "persona" => attributes.persona = Some(value),
            "owner" => attributes.owner = Some(value),
            "company" => attributes.company = Some(value),
            "email" => attributes.email = value.contains('@').then_some(value),
            "score" => attributes.score = value.parse().ok(),
            _ => attributes
                .other
                .push((name.clone(), serde_json::Value::String(value).to_string())),
        }
    }
    attributes.other.sort();
    let mut events = vec![Event {
        id: id("created")?,
        subject: subject.clone(),
        occurred_at: created,
        inferred: false,
        kind: EventKind::LeadCreated(attributes),
    }];
    let mut stage_event = |stage: &str, at: Timestamp| -> Result<(), RowError> {
        events.push(Event {
            id: id(&format!("stage:{stage}"))?,
            subject: subject.clone(),
            occurred_at: at,
            inferred: true,
            kind: EventKind::StageChanged {
                stage: stage.to_string(),
            },
        });
        Ok(())
    };
    for (stage, column) in &m.stages {
        if let Some(at) = instant(column)? {
            stage_event(stage, at)?;
        }
    }
    for (stage, flag, date) in &m.flagged_stages {
        let yes = matches!(
            cell(flag).trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes"
        );
        if yes {
            let at = instant(date)?
                .ok_or_else(|| err(date, format!("\"{flag}\" is true but \"{date}\" is empty")))?;
            stage_event(stage, at)?;
        }
    }
    Ok(events)
}

/// An activity row's `lead.touched` events, one per lead it names, with
/// ids `SOURCE:ACTIVITY:touch:LEAD`. A row whose type names no channel (a
/// task, a note) is no touch: no events, and no error.
fn touch_events(
    m: &Mapping,
    t: &Touches,
    activity: &str,
    at: Timestamp,
    cell: &impl Fn(&str) -> String,
) -> Result<Vec<Event>, RowError> {
    let err = |column: &str, message: String| RowError {
        column: column.to_string(),
        message,
    };
    let channel = match &t.channel {
        Some(column) => {
            let text = cell(column);
            if text.trim().is_empty() {
                t.default_channel
            } else {
                match channel_in_words(&text) {
                    Some(c) => c,
                    None => return Ok(Vec::new()),
                }
            }
        }
        None => t.default_channel,
    };
    let by =
        t.by.as_ref()
            .map(|c| cell(c).trim().to_string())
            .filter(|b| !b.is_empty());
    let leads = cell(&t.lead);
    let leads: Vec<&str> = leads
        .split([';', ','])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if leads.is_empty() {
        return Err(err(
            &t.lead,
            format!(
                "no lead in \"{}\"; an activity touches the record it names",
                t.lead
            ),
        ));
    }
    leads
        .into_iter()
        .map(|lead| {
            Ok(Event {
                id: EventId::new(format!("{}:{activity}:touch:{lead}", m.source))
                    .map_err(|e| err(&m.record_id, e))?,
                subject: SubjectId::new(lead.to_string()).map_err(|e| err(&t.lead, e))?,
                occurred_at: at,
                inferred: false,
                kind: EventKind::Touched {
                    channel,
                    by: by.clone(),
                    automated: false,
                },
            })
        })
        .collect()
}

/// Reads a mapping file (TOML) for exports without a preset; every problem
/// is reported at once with its place, like the agreement checker.
///
/// ```toml
/// source = "pipedrive"          # names the events: pipedrive:RECORD:FIELD
/// record_id = "Person ID"       # the column with the record id
/// created_at = "Created"        # the column with the creation date
/// time_zone = "Europe/Berlin"   # for dates without an offset (default UTC)
/// [attributes]                  # attribute = column
/// source = "Lead source"
/// owner = "Owner"
/// [stages]                      # stage = column with the date it was reached
/// mql = "MQL date"
/// [[flagged_stages]]            # a stage reached when a yes/no column is true
/// stage = "sql"
/// flag = "Converted"
/// date = "Converted at"
/// ```
///
/// # Errors
/// Every diagnostic, each with its byte span.
pub fn mapping_from_toml(text: &str) -> Result<Mapping, Vec<crate::Diagnostic>> {
    use crate::toml_read::{Reader, Span, Table};
    let (root, syntax) = toml::de::DeTable::parse_recoverable(text);
    let mut r = Reader::new(text);
    for e in &syntax {
        r.error(
            Span {
                start: e.span().map_or(0, |s| s.start),
                end: e.span().map_or(0, |s| s.end),
            },
            format!("TOML syntax: {}", e.message().trim()),
            "valid TOML",
        );
    }
    let t = Table {
        map: root.get_ref(),
        span: Span::default(),
    };
    r.keys(
        t,
        &[
            "source",
            "record_id",
            "created_at",
            "time_zone",
            "attributes",
            "stages",
            "flagged_stages",
            "touches",
            "day_first",
            "date_format",
        ],
        "the mapping file",
    );
    let req = |r: &mut Reader<'_>, key: &str, example: &str| -> Option<String> {
        let v = r.req(t, key, "the mapping file", example)?;
        r.string(v, key, "a string").map(|s| s.text.to_string())
    };
    let source = req(&mut r, "source", "\"pipedrive\"");
    let record_id = req(&mut r, "record_id", "\"Person ID\"");
    let created_at = req(&mut r, "created_at", "\"Created\"");
    let mut time_zone = TimeZone::UTC;
    if let Some(v) = r.get(t, "time_zone")
        && let Some(s) = r.string(v, "time_zone", "an IANA zone name")
    {
        match handshake_calendar::time_zone(s.text) {
            Ok(tz) => time_zone = tz,
            Err(_) => r.error(
                s.span,
                format!("unknown time zone \"{}\"", s.text),
                "an IANA zone name such as \"Europe/Berlin\"",
            ),
        }
    }
    let pairs = |r: &mut Reader<'_>, key: &str| -> Vec<(String, String)> {
        let Some(v) = r.get(t, key) else {
            return Vec::new();
        };
        let Some(table) = r.table(v, key, "a table of name = \"column\"") else {
            return Vec::new();
        };
        table
            .map
            .iter()
            .filter_map(|(k, v)| {
                r.string(v, k.get_ref(), "a column name")
                    .map(|s| (k.get_ref().to_string(), s.text.to_string()))
            })
            .collect()
    };
    let attributes = pairs(&mut r, "attributes");
    let stages = pairs(&mut r, "stages");
    let mut flagged_stages = Vec::new();
    if let Some(v) = r.get(t, "flagged_stages")
        && let Some(items) = r.array(v, "flagged_stages", "[[flagged_stages]] tables")
    {
        for item in items {
            let Some(ft) = r.table(item, "a flagged stage", "{ stage, flag, date }") else {
                continue;
            };
            r.keys(ft, &["stage", "flag", "date"], "a flagged stage");
            let mut get = |key: &str| {
                r.req(ft, key, "a flagged stage", "\"...\"")
                    .and_then(|v| r.string(v, key, "a string"))
                    .map(|s| s.text.to_string())
            };
            if let (Some(a), Some(b), Some(c)) = (get("stage"), get("flag"), get("date")) {
                flagged_stages.push((a, b, c));
            }
        }
    }
    let mut day_first = false;
    if let Some(v) = r.get(t, "day_first") {
        match v.get_ref() {
            toml::de::DeValue::Boolean(b) => day_first = *b,
            _ => r.error(
                Span {
                    start: v.span().start,
                    end: v.span().end,
                },
                "day_first is not true or false",
                "day_first = true (slashed dates day first)",
            ),
        }
    }
    let date_format = r
        .get(t, "date_format")
        .and_then(|v| {
            r.string(
                v,
                "date_format",
                "a strftime format such as \"%d/%m/%Y %H:%M\"",
            )
        })
        .map(|s| s.text.to_string());
    let mut touches = None;
    if let Some(v) = r.get(t, "touches")
        && let Some(tt) = r.table(
            v,
            "touches",
            "a table { lead, channel, default_channel, by }",
        )
    {
        r.keys(
            tt,
            &["lead", "channel", "default_channel", "by"],
            "[touches]",
        );
        let lead = r
            .req(tt, "lead", "[touches]", "\"Contact ID\"")
            .and_then(|v| r.string(v, "lead", "a column name"))
            .map(|s| s.text.to_string());
        let mut column = |key: &str| {
            r.get(tt, key)
                .and_then(|v| r.string(v, key, "a column name"))
                .map(|s| s.text.to_string())
        };
        let channel = column("channel");
        let by = column("by");
        let mut default_channel = Channel::Other;
        if let Some(v) = r.get(tt, "default_channel")
            && let Some(s) = r.string(v, "default_channel", "a channel")
        {
            match Channel::parse(s.text) {
                Some(c) => default_channel = c,
                None => r.error(
                    s.span,
                    format!("unknown channel \"{}\"", s.text),
                    "call, email, meeting, social or other",
                ),
            }
        }
        touches = lead.map(|lead| Touches {
            lead,
            channel,
            default_channel,
            by,
        });
    }
    if !r.diags.is_empty() {
        return Err(r.diags);
    }
    match (source, record_id, created_at) {
        (Some(source), Some(record_id), Some(created_at)) => Ok(Mapping {
            source,
            record_id,
            created_at,
            attributes,
            stages,
            flagged_stages,
            time_zone,
            alternatives: Vec::new(),
            day_first,
            date_format,
            touches,
            if_present: Vec::new(),
        }),
        _ => Err(r.diags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_export_date_forms() {
        let ny = crate::agreement::time_zone_for_tests("America/New_York");
        let t = |s: &str| parse_instant(s, &ny).map(|t| t.to_string());
        assert_eq!(
            t("2026-09-01 10:15").as_deref(),
            Some("2026-09-01T14:15:00Z")
        );
        assert_eq!(
            t("09/01/2026 10:15 AM").as_deref(),
            Some("2026-09-01T14:15:00Z")
        );
        assert_eq!(t("2026-09-01").as_deref(), Some("2026-09-01T04:00:00Z"));
        assert_eq!(
            t("2026-09-01T10:15:00+02:00").as_deref(),
            Some("2026-09-01T08:15:00Z")
        );
        assert_eq!(t("soon"), None);
    }

    #[test]
    fn lightning_day_first_and_daylight_saving() {
        let ny = crate::agreement::time_zone_for_tests("America/New_York");
        let t = |s: &str, day_first: bool| parse_local(s, &ny, day_first).map(|t| t.to_string());
        // Salesforce Lightning writes a comma after the date.
        assert_eq!(
            t("10/12/2026, 12:14 PM", false).as_deref(),
            Ok("2026-10-12T16:14:00Z")
        );
        // The same text, day first: the 10th of December (EST, UTC-5).
        assert_eq!(
            t("10/12/2026, 12:14 PM", true).as_deref(),
            Ok("2026-12-10T17:14:00Z")
        );
        assert_eq!(
            t("13/10/2026 09:00", true).as_deref(),
            Ok("2026-10-13T13:00:00Z")
        );
        assert_eq!(t("13/10/2026 09:00", false), Err(DateError::Unreadable));
        assert_eq!(
            t("13.10.2026", false).as_deref(),
            Ok("2026-10-13T04:00:00Z")
        );
        // 2:30 on 8 March 2026 never happens in New York; 1:30 on 1 November happens twice.
        match t("2026-03-08 02:30", false) {
            Err(DateError::NotOneInstant(why)) => {
                assert!(why.contains("does not exist in America/New_York"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        match t("2026-11-01 01:30", false) {
            Err(DateError::NotOneInstant(why)) => {
                assert!(why.contains("happens twice"), "{why}");
                assert!(why.contains("2026-11-01T01:30:00-04"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t("2026-11-01T01:30:00-05:00", false).as_deref(),
            Ok("2026-11-01T06:30:00Z")
        );
    }

    #[test]
    fn one_preset_reads_every_export_style_of_its_crm() {
        let hubspot = Mapping::hubspot().for_headers(&[
            "Record ID",
            "Create Date",
            "Contact Owner",
            "Date entered \"Lead (Lifecycle Stage Pipeline)\"",
            "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"",
            "Date entered \"Opportunity (Lifecycle Stage Pipeline)\"",
        ]);
        let row = |c: &str| match c {
            "Record ID" => "7",
            "Create Date" => "2026-09-01 10:00",
            "Contact Owner" => "Ava Chen",
            "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"" => {
                "2026-09-02 10:00"
            }
            "Date entered \"Opportunity (Lifecycle Stage Pipeline)\"" => "2026-09-09 10:00",
            _ => "",
        };
        let events = row_to_events(&hubspot, |c| row(c).to_string()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hubspot:7:created",
                "hubspot:7:stage:mql",
                "hubspot:7:stage:opportunity"
            ]
        );
        match &events[0].kind {
            EventKind::LeadCreated(a) => assert_eq!(a.owner.as_deref(), Some("Ava Chen")),
            other => panic!("{other:?}"),
        }
        // The newer HubSpot headers leave only the missing stages missing.
        let headers = [
            "Record ID",
            "Create Date",
            "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"",
        ];
        let missing = Mapping::hubspot()
            .for_headers(&headers)
            .missing_optional(&headers);
        assert!(
            !missing.iter().any(|c| c.contains("Marketing Qualified")),
            "{missing:?}"
        );

        let report = Mapping::salesforce().for_headers(&[
            "Lead ID",
            "Create Date",
            "Company / Account",
            "Lead Owner",
        ]);
        assert_eq!(
            (report.record_id.as_str(), report.created_at.as_str()),
            ("Lead ID", "Create Date")
        );
        assert!(
            report
                .attributes
                .contains(&("company".into(), "Company / Account".into()))
        );
        let loader = Mapping::salesforce().for_headers(&[
            "Id",
            "CreatedDate",
            "IsConverted",
            "ConvertedDate",
        ]);
        assert_eq!(
            (loader.record_id.as_str(), loader.created_at.as_str()),
            ("Id", "CreatedDate")
        );
        assert_eq!(
            loader.flagged_stages,
            [("sql".into(), "IsConverted".into(), "ConvertedDate".into())]
        );
    }

    #[test]
    fn a_mapping_file_says_how_its_dates_are_written() {
        let head = "source = \"x\"\nrecord_id = \"id\"\ncreated_at = \"at\"\n";
        let m = mapping_from_toml(&format!("{head}day_first = true\n")).unwrap();
        assert!(m.day_first && m.date_format.is_none());
        let m = mapping_from_toml(&format!("{head}date_format = \"%Y%m%d\"\n")).unwrap();
        assert_eq!(m.date_format.as_deref(), Some("%Y%m%d"));
        let row = |c: &str| match c {
            "id" => "1",
            "at" => "20260903",
            _ => "",
        };
        let events = row_to_events(&m, |c| row(c).to_string()).unwrap();
        assert_eq!(events[0].occurred_at.to_string(), "2026-09-03T00:00:00Z");
        let bad = mapping_from_toml(&format!("{head}day_first = \"yes\"\n")).unwrap_err();
        assert!(
            bad[0].message.contains("day_first is not true or false"),
            "{bad:?}"
        );
    }

    #[test]
    fn an_activity_mapping_file_makes_touches() {
        let m = mapping_from_toml(
            "source = \"pipedrive\"\nrecord_id = \"Activity\"\ncreated_at = \"Done at\"\n[touches]\nlead = \"Person ID\"\nchannel = \"Type\"\ndefault_channel = \"call\"\nby = \"User\"\n",
        )
        .unwrap();
        let row = |c: &str| match c {
            "Activity" => "A-1",
            "Done at" => "2026-09-01 10:00",
            "Person ID" => "P-1; P-2",
            "Type" => "Outgoing call",
            "User" => "rep-ava",
            _ => "",
        };
        let events = row_to_events(&m, |c| row(c).to_string()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["pipedrive:A-1:touch:P-1", "pipedrive:A-1:touch:P-2"]);
        assert_eq!(
            events[1].kind,
            EventKind::Touched {
                channel: Channel::Call,
                by: Some("rep-ava".into()),
                automated: false
            }
        );
        // A note is no touch; an empty type is the default channel.
        let note = |c: &str| {
            if c == "Type" {
                "Note".to_string()
            } else {
                row(c).to_string()
            }
        };
        assert!(row_to_events(&m, note).unwrap().is_empty());
        let untyped = |c: &str| {
            if c == "Type" {
                String::new()
            } else {
                row(c).to_string()
            }
        };
        assert!(matches!(
            row_to_events(&m, untyped).unwrap()[0].kind,
            EventKind::Touched {
                channel: Channel::Call,
                ..
            }
        ));
        let nobody = |c: &str| {
            if c == "Person ID" {
                String::new()
            } else {
                row(c).to_string()
            }
        };
        assert_eq!(row_to_events(&m, nobody).unwrap_err().column, "Person ID");
        let bad = mapping_from_toml("source = \"x\"\nrecord_id = \"a\"\ncreated_at = \"b\"\n[touches]\nlead = \"c\"\ndefault_channel = \"fax\"\n").unwrap_err();
        assert!(
            bad[0].message.contains("unknown channel \"fax\""),
            "{bad:?}"
        );
        for (text, channel) in [
            ("CALL", Some(Channel::Call)),
            ("E-mail", Some(Channel::Email)),
            ("Meeting", Some(Channel::Meeting)),
            ("LinkedIn message", Some(Channel::Social)),
            ("TASK", None),
        ] {
            assert_eq!(channel_in_words(text), channel, "{text}");
        }
    }

    #[test]
    fn salesforce_conversion_becomes_an_inferred_sql() {
        let row = |c: &str| {
            match c {
                "Lead ID" => "00Q1",
                "Created Date" => "9/1/2026",
                "Converted" => "true",
                "Converted Date" => "9/20/2026",
                "Rating" => "Hot",
                _ => "",
            }
            .to_string()
        };
        let events = row_to_events(&Mapping::salesforce(), row).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[1].kind,
            EventKind::StageChanged {
                stage: "sql".into()
            }
        );
        let EventKind::LeadCreated(a) = &events[0].kind else {
            panic!()
        };
        assert_eq!(a.other, vec![("rating".to_string(), "\"Hot\"".to_string())]);
    }

    #[test]
    fn a_row_error_names_the_column() {
        let row = |c: &str| {
            if c == "Record ID" {
                "7".to_string()
            } else if c == "Create Date" {
                "31/31/2026".to_string()
            } else {
                String::new()
            }
        };
        let e = row_to_events(&Mapping::hubspot(), row).unwrap_err();
        assert_eq!(e.column, "Create Date");
        let e = row_to_events(&Mapping::hubspot(), |_| String::new()).unwrap_err();
        assert_eq!(e.column, "Record ID");
    }
}
