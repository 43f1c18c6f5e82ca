//! From TOML to an [`Agreement`]: every section read, every value typed,
//! every problem recorded with its place. References between sections are
//! collected here and resolved in [`super::validate`].

use handshake_calendar::{Calendar, CalendarDef, Holidays, time_zone};
use jiff::civil::Date;
use toml::de::{DeTable, DeValue};

use super::model::*;
use super::text::{self, TextError};
use crate::toml_read::{Reader, Span, Str, Table};

/// What kind of thing a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    Party,
    Stage,
    Persona,
    Reason,
    Segment,
    Calendar,
    Goal,
    Guarantee,
}

impl RefKind {
    pub fn noun(self) -> &'static str {
        match self {
            RefKind::Party => "party",
            RefKind::Stage => "stage",
            RefKind::Persona => "persona",
            RefKind::Reason => "rejection reason",
            RefKind::Segment => "segment",
            RefKind::Calendar => "calendar",
            RefKind::Goal => "goal",
            RefKind::Guarantee => "guarantee",
        }
    }
}

/// A name used somewhere that must be defined somewhere else.
pub(crate) struct Ref {
    pub kind: RefKind,
    pub id: String,
    pub span: Span,
}

/// The parse's results: the parts that parsed, and what they refer to.
pub(crate) struct Parsed {
    pub diags: Vec<crate::Diagnostic>,
    /// Every id defined in the file, also those whose entry has errors.
    pub known: Vec<(RefKind, String)>,
    pub agreement: Option<Agreement>,
    pub refs: Vec<Ref>,
    /// Where each goal and guarantee id stands, for duplicate and usage checks.
    pub goal_spans: Vec<Span>,
    pub guarantee_spans: Vec<Span>,
    pub segment_spans: Vec<Span>,
    pub target_spans: Vec<Span>,
}

const TOP_KEYS: [&str; 12] = [
    "agreement",
    "parties",
    "stages",
    "personas",
    "rejection_reasons",
    "scoring",
    "segments",
    "calendars",
    "goals",
    "guarantees",
    "consequences",
    "cancellation",
];

const ID_EXPECTED: &str = "lowercase letters, digits, - and _ (e.g. \"new-york\")";

pub(crate) struct Parser<'s> {
    pub r: Reader<'s>,
    refs: Vec<Ref>,
    known: Vec<(RefKind, String)>,
    goal_spans: Vec<Span>,
    guarantee_spans: Vec<Span>,
    segment_spans: Vec<Span>,
    target_spans: Vec<Span>,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl<'s> Parser<'s> {
    pub fn new(source: &'s str) -> Parser<'s> {
        Parser {
            r: Reader::new(source),
            refs: Vec::new(),
            known: Vec::new(),
            goal_spans: Vec::new(),
            guarantee_spans: Vec::new(),
            segment_spans: Vec::new(),
            target_spans: Vec::new(),
        }
    }

    fn refer(&mut self, kind: RefKind, id: &str, span: Span) {
        self.refs.push(Ref {
            kind,
            id: id.to_string(),
            span,
        });
    }

    fn text_error(&mut self, s: Str<'_>, e: TextError) {
        self.r.error(s.span.sub(e.at, e.len), e.message, e.expected);
    }

    /// Checks an id's spelling; returns it when fine.
    fn id(&mut self, text: &str, span: Span, what: &str) -> Option<String> {
        if valid_id(text) {
            Some(text.to_string())
        } else {
            self.r.error(
                span,
                format!("{what} id \"{text}\" has characters ids may not"),
                ID_EXPECTED,
            );
            None
        }
    }

    /// The whole document.
    pub fn document(mut self, root: &DeTable<'_>) -> Parsed {
        let root = Table {
            map: root,
            span: Span::default(),
        };
        self.r.keys(root, &TOP_KEYS, "the agreement file");
        let head = self
            .r
            .req(
                root,
                "agreement",
                "the file",
                "a table: [agreement] with name, summary, effective and time_zone",
            )
            .and_then(|v| {
                self.r.table(
                    v,
                    "[agreement]",
                    "a table with name, summary, effective and time_zone",
                )
            });
        let head = head.and_then(|t| self.head(t));
        let parties = self.keyed(
            root,
            RefKind::Party,
            "parties",
            "[parties]",
            |p, id, span, v| p.party(id, span, v),
        );
        let stages = self
            .described(root, RefKind::Stage, "stages", "stage")
            .into_iter()
            .map(|(id, d)| Stage {
                id: StageId(id),
                definition: d,
            })
            .collect();
        let personas = self
            .described(root, RefKind::Persona, "personas", "persona")
            .into_iter()
            .map(|(id, d)| Persona {
                id: PersonaId(id),
                description: d,
            })
            .collect();
        let rejection_reasons = self
            .described(
                root,
                RefKind::Reason,
                "rejection_reasons",
                "rejection reason",
            )
            .into_iter()
            .map(|(id, d)| RejectionReason {
                id: ReasonId(id),
                description: d,
            })
            .collect();
        let scoring = self.r.get(root, "scoring").and_then(|v| self.scoring(v));
        let segments = self.keyed(
            root,
            RefKind::Segment,
            "segments",
            "[segments]",
            |p, id, span, v| p.segment(id, span, v),
        );
        let calendars = self.keyed(
            root,
            RefKind::Calendar,
            "calendars",
            "[calendars]",
            |p, id, span, v| p.calendar(id, span, v),
        );
        let goals = self.array_of(root, "goals", "[[goals]]", |p, t| p.goal(t));
        let guarantees = self.array_of(root, "guarantees", "[[guarantees]]", |p, t| p.guarantee(t));
        let consequences = self.array_of(root, "consequences", "[[consequences]]", |p, t| {
            p.consequence(t)
        });
        let cancellation = self
            .r
            .get(root, "cancellation")
            .and_then(|v| self.cancellation(v));

        let agreement = head.map(
            |(name, summary, effective, time_zone, review, icp)| Agreement {
                name,
                summary,
                effective,
                time_zone,
                review,
                parties,
                stages,
                personas,
                ideal_customer_profile: icp,
                rejection_reasons,
                scoring,
                segments,
                calendars,
                goals,
                guarantees,
                consequences,
                cancellation,
            },
        );
        Parsed {
            diags: self.r.diags,
            known: self.known,
            agreement,
            refs: self.refs,
            goal_spans: self.goal_spans,
            guarantee_spans: self.guarantee_spans,
            segment_spans: self.segment_spans,
            target_spans: self.target_spans,
        }
    }

    #[allow(clippy::type_complexity)]
    fn head(
        &mut self,
        t: Table<'_, '_>,
    ) -> Option<(
        String,
        String,
        Effective,
        Zone,
        Option<Review>,
        Option<String>,
    )> {
        self.r.keys(
            t,
            &[
                "name",
                "summary",
                "effective",
                "time_zone",
                "review",
                "ideal_customer_profile",
            ],
            "[agreement]",
        );
        let name = self.req_string(
            t,
            "name",
            "[agreement]",
            "\"Acme sales and marketing SLA 2027\"",
        );
        let summary = self.req_string(
            t,
            "summary",
            "[agreement]",
            "a sentence on what each side promises",
        );
        let effective = self
            .r
            .req(
                t,
                "effective",
                "[agreement]",
                "{ from = \"2027-01-01\", to = \"2027-12-31\" }",
            )
            .and_then(|v| self.effective(v));
        let time_zone = self
            .r
            .req(t, "time_zone", "[agreement]", "\"America/New_York\"")
            .and_then(|v| self.zone(v));
        let review = self.r.get(t, "review").and_then(|v| {
            let rt = self.r.table(v, "review", "{ every = \"quarter\" }")?;
            self.r.keys(rt, &["every"], "review");
            let every = self
                .r
                .req(rt, "every", "review", "\"month\", \"quarter\" or \"year\"")?;
            Some(Review {
                every: self.period(every, "review every")?,
            })
        });
        let icp = self.opt_string(t, "ideal_customer_profile");
        Some((name?, summary?, effective?, time_zone?, review, icp))
    }

    fn req_string(
        &mut self,
        t: Table<'_, '_>,
        key: &str,
        what: &str,
        expected: &str,
    ) -> Option<String> {
        let v = self.r.req(t, key, what, expected)?;
        let s = self.r.string(
            v,
            &format!("{what} {key}"),
            &format!("a string, e.g. {key} = {expected}"),
        )?;
        if s.text.trim().is_empty() {
            self.r.error(
                Span::of(v),
                format!("{what} {key} is empty"),
                format!("{key} = {expected}"),
            );
        }
        Some(s.text.to_string())
    }

    fn opt_string(&mut self, t: Table<'_, '_>, key: &str) -> Option<String> {
        let v = self.r.get(t, key)?;
        self.r
            .string(v, key, "a string")
            .map(|s| s.text.to_string())
    }

    fn date(&mut self, v: &crate::toml_read::Value<'_>, what: &str) -> Option<Date> {
        let (text, span) = self.r.string_or_datetime(v, what, "a date YYYY-MM-DD")?;
        match text.parse::<Date>() {
            Ok(d) if text.len() == 10 => Some(d),
            _ => {
                self.r.error(
                    span,
                    format!("{what} \"{text}\" is not a date"),
                    "a date YYYY-MM-DD, e.g. 2027-01-01",
                );
                None
            }
        }
    }

    fn effective(&mut self, v: &crate::toml_read::Value<'_>) -> Option<Effective> {
        let t = self.r.table(
            v,
            "effective",
            "{ from = \"2027-01-01\", to = \"2027-12-31\" }",
        )?;
        self.r.keys(t, &["from", "to"], "effective");
        let from = self
            .r
            .req(t, "from", "effective", "\"2027-01-01\"")
            .and_then(|v| self.date(v, "effective from"));
        let to_value = self.r.get(t, "to");
        let to = to_value.and_then(|v| self.date(v, "effective to"));
        if let (Some(from), Some(to), Some(v)) = (from, to, to_value)
            && to < from
        {
            self.r.error(
                Span::of(v),
                format!("effective to {to} is before effective from {from}"),
                format!("a date on or after {from}"),
            );
        }
        Some(Effective { from: from?, to })
    }

    fn zone(&mut self, v: &crate::toml_read::Value<'_>) -> Option<Zone> {
        let s = self.r.string(
            v,
            "time_zone",
            "an IANA time zone name, e.g. \"America/New_York\"",
        )?;
        match time_zone(s.text) {
            Ok(tz) => Some(Zone {
                name: s.text.to_string(),
                tz,
            }),
            Err(_) => {
                let hint = jiff::tz::TimeZoneDatabase::bundled()
                    .available()
                    .find(|n| {
                        n.as_str().eq_ignore_ascii_case(s.text)
                            || n.as_str()
                                .ends_with(&format!("/{}", s.text.replace(' ', "_")))
                    })
                    .map(|n| format!("\"{}\"", n.as_str()));
                let expected = match hint {
                    Some(h) => format!("an IANA time zone name such as {h}"),
                    None => "an IANA time zone name such as \"America/New_York\", \"Europe/Berlin\" or \"UTC\"".to_string(),
                };
                self.r.error(
                    s.span,
                    format!("unknown time zone \"{}\"", s.text),
                    expected,
                );
                None
            }
        }
    }

    fn period(&mut self, v: &crate::toml_read::Value<'_>, what: &str) -> Option<Period> {
        let s = self
            .r
            .string(v, what, "\"month\", \"quarter\" or \"year\"")?;
        let p = Period::parse(s.text);
        if p.is_none() {
            self.r.error(
                s.span,
                format!("{what} \"{}\" is not a period", s.text),
                "\"month\", \"quarter\" or \"year\"",
            );
        }
        p
    }

    /// A table of `id = { ... }` entries, each read by `read`.
    fn keyed<T>(
        &mut self,
        root: Table<'_, '_>,
        kind: RefKind,
        key: &str,
        what: &str,
        mut read: impl FnMut(&mut Self, String, Span, &crate::toml_read::Value<'_>) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = self.r.get(root, key) else {
            return Vec::new();
        };
        let Some(t) = self.r.table(v, what, "a table of named entries") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in t.map.iter() {
            let span = Span::of(k);
            self.known.push((kind, k.get_ref().to_string()));
            if let Some(id) = self.id(k.get_ref(), span, kind.noun())
                && let Some(item) = read(self, id, span, v)
            {
                out.push(item);
            }
        }
        out
    }

    /// A table of `id = "description"` entries.
    fn described(
        &mut self,
        root: Table<'_, '_>,
        kind: RefKind,
        key: &str,
        noun: &str,
    ) -> Vec<(String, String)> {
        let what = format!("[{key}]");
        self.keyed(root, kind, key, &what, |p, id, _, v| {
            let s = p.r.string(
                v,
                &format!("{noun} \"{id}\""),
                &format!("a string that defines the {noun}"),
            )?;
            Some((id, s.text.to_string()))
        })
    }

    /// An array of tables, each read by `read`.
    fn array_of<T>(
        &mut self,
        root: Table<'_, '_>,
        key: &str,
        what: &str,
        mut read: impl FnMut(&mut Self, Table<'_, '_>) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = self.r.get(root, key) else {
            return Vec::new();
        };
        let Some(items) = self.r.array(v, key, &format!("tables written {what}")) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                let t = self.r.table(item, what, "a table")?;
                read(self, t)
            })
            .collect()
    }

    fn party(&mut self, id: String, _span: Span, v: &crate::toml_read::Value<'_>) -> Option<Party> {
        let what = format!("party \"{id}\"");
        let t = self.r.table(v, &what, "a table with contact and needs")?;
        self.r
            .keys(t, &["name", "role", "contact", "contacts", "needs"], &what);
        let name = self
            .opt_string(t, "name")
            .unwrap_or_else(|| capitalise(&id));
        let role = self.opt_string(t, "role");
        let mut contacts = Vec::new();
        let contact_value = self
            .r
            .get(t, "contact")
            .or_else(|| self.r.get(t, "contacts"));
        match contact_value {
            None => self.r.error(t.span, format!("{what} has no contact"), "contact = { name = \"Dana Ortiz\", email = \"dana@acme.example\", role = \"VP Marketing\" }"),
            Some(v) => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        contacts.extend(self.contact(item, &what));
                    }
                }
                _ => contacts.extend(self.contact(v, &what)),
            },
        }
        let needs = match self.r.get(t, "needs") {
            Some(v) => self
                .r
                .strings(v, "needs", "a list of strings")
                .into_iter()
                .map(|s| s.text.to_string())
                .collect(),
            None => Vec::new(),
        };
        Some(Party {
            id: PartyId(id),
            name,
            role,
            contacts,
            needs,
        })
    }

    fn contact(&mut self, v: &crate::toml_read::Value<'_>, party: &str) -> Option<Contact> {
        let what = format!("contact of {party}");
        let t = self.r.table(
            v,
            &what,
            "{ name = \"Dana Ortiz\", email = \"dana@acme.example\", role = \"VP Marketing\" }",
        )?;
        self.r.keys(t, &["name", "email", "role"], &what);
        let name = self.req_string(t, "name", &what, "\"Dana Ortiz\"");
        let email = self
            .r
            .req(t, "email", &what, "\"dana@acme.example\"")
            .and_then(|v| {
                let s = self.r.string(v, "email", "an e-mail address")?;
                let ok = s.text.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty()
                        && host.contains('.')
                        && !host.starts_with('.')
                        && !host.ends_with('.')
                });
                if !ok {
                    self.r.error(
                        s.span,
                        format!("\"{}\" is not an e-mail address", s.text),
                        "an address like dana@acme.example",
                    );
                    return None;
                }
                Some(s.text.to_string())
            });
        let role = self.opt_string(t, "role");
        Some(Contact {
            name: name?,
            email: email?,
            role,
        })
    }

    fn scoring(&mut self, v: &crate::toml_read::Value<'_>) -> Option<Scoring> {
        let t = self.r.table(
            v,
            "[scoring]",
            "a table with mql_threshold, rules and grades",
        )?;
        self.r
            .keys(t, &["mql_threshold", "rules", "grades"], "[scoring]");
        let threshold = self
            .r
            .req(t, "mql_threshold", "[scoring]", "60")
            .and_then(|v| {
                self.r
                    .integer(v, "mql_threshold", "a whole number of points, e.g. 60")
            })
            .map(|(n, _)| n);
        let mut rules = Vec::new();
        if let Some(v) = self.r.get(t, "rules")
            && let Some(items) = self.r.array(v, "rules", "a list of rules, e.g. [{ attribute = \"persona\", equals = \"it-director\", points = 20 }]") {
                for item in items {
                    let Some(rt) = self.r.table(item, "a scoring rule", "{ attribute = \"persona\", equals = \"it-director\", points = 20 } or { activity = \"webinar_attended\", points = 15 }") else { continue };
                    self.r.keys(rt, &["attribute", "equals", "at_least", "activity", "points"], "a scoring rule");
                    let when = self.matcher(rt, "a scoring rule", true);
                    let points = self.r.req(rt, "points", "a scoring rule", "20").and_then(|v| self.r.integer(v, "points", "a whole number of points (negative to subtract)"));
                    if let (Some(when), Some((points, _))) = (when, points) {
                        rules.push(ScoringRule { when, points });
                    }
                }
            }
        let mut grades = Vec::new();
        if let Some(v) = self.r.get(t, "grades")
            && let Some(gt) = self.r.table(
                v,
                "grades",
                "{ high = 80, medium = 60 }: each grade's lowest score",
            )
        {
            for (k, v) in gt.map.iter() {
                if let (Some(id), Some((min, _))) = (
                    self.id(k.get_ref(), Span::of(k), "grade"),
                    self.r
                        .integer(v, "a grade's lowest score", "a whole number of points"),
                ) {
                    grades.push(Grade { id, min_score: min });
                }
            }
        }
        grades.sort_by_key(|g| std::cmp::Reverse(g.min_score));
        Some(Scoring {
            mql_threshold: threshold?,
            rules,
            grades,
        })
    }

    /// `{ attribute, equals | at_least }` or (when allowed) `{ activity }`.
    fn matcher(&mut self, t: Table<'_, '_>, what: &str, activity_allowed: bool) -> Option<Matcher> {
        if activity_allowed && let Some(v) = self.r.get(t, "activity") {
            let s = self
                .r
                .string(v, "activity", "an activity kind, e.g. \"webinar_attended\"")?;
            return Some(Matcher::Activity(s.text.to_string()));
        }
        let expected = if activity_allowed {
            "attribute = \"persona\" with equals = \"it-director\" (or at_least = 500), or activity = \"webinar_attended\""
        } else {
            "attribute = \"segment\" with equals = \"enterprise\" (or at_least = 500)"
        };
        let Some(attr_value) = self.r.get(t, "attribute") else {
            self.r.error(
                t.span,
                format!("{what} says neither which attribute nor which activity"),
                expected,
            );
            return None;
        };
        let attribute = self
            .r
            .string(
                attr_value,
                "attribute",
                "an attribute name, e.g. \"segment\"",
            )?
            .text
            .to_string();
        if let Some(v) = self.r.get(t, "equals") {
            let values: Vec<Str<'_>> = self.r.strings(v, "equals", "a value or a list of values");
            if attribute == "persona" {
                for s in &values {
                    self.refer(RefKind::Persona, s.text, s.span);
                }
            }
            return Some(Matcher::Attribute {
                attribute,
                values: values.iter().map(|s| s.text.to_string()).collect(),
            });
        }
        if let Some(v) = self.r.get(t, "at_least") {
            let (min, _) = self.r.number(v, "at_least", "a number")?;
            return Some(Matcher::AtLeast { attribute, min });
        }
        self.r.error(
            t.span,
            format!("{what} names attribute \"{attribute}\" but no value"),
            "equals = \"value\" or at_least = 500",
        );
        None
    }

    fn segment(
        &mut self,
        id: String,
        span: Span,
        v: &crate::toml_read::Value<'_>,
    ) -> Option<Segment> {
        let what = format!("segment \"{id}\"");
        let t = self.r.table(
            v,
            &what,
            "{ attribute = \"segment\", equals = \"enterprise\" }",
        )?;
        self.r.keys(
            t,
            &["attribute", "equals", "at_least", "description"],
            &what,
        );
        let when = self.matcher(t, &what, false)?;
        let description = self.opt_string(t, "description");
        self.segment_spans.push(span);
        Some(Segment {
            id: SegmentId(id),
            when,
            description,
        })
    }

    fn calendar(
        &mut self,
        id: String,
        _span: Span,
        v: &crate::toml_read::Value<'_>,
    ) -> Option<NamedCalendar> {
        let what = format!("calendar \"{id}\"");
        let t = self
            .r
            .table(v, &what, "a table with time_zone, hours and holidays")?;
        self.r
            .keys(t, &["time_zone", "hours", "holidays", "day_length"], &what);
        let zone = self
            .r
            .req(t, "time_zone", &what, "\"America/New_York\"")
            .and_then(|v| self.zone(v));
        let hours = self
            .r
            .req(t, "hours", &what, "\"mon-fri 09:00-17:00\"")
            .and_then(|v| {
                let s = self
                    .r
                    .string(v, "hours", "a string such as \"mon-fri 09:00-17:00\"")?;
                match s.text.parse::<handshake_calendar::WeeklyHours>() {
                    Ok(h) => Some(h),
                    Err(e) => {
                        self.r.error(
                            s.span.sub(e.at, 1),
                            format!("hours: {}", e.message),
                            e.expected,
                        );
                        None
                    }
                }
            });
        let mut holidays = Holidays::default();
        if let Some(v) = self.r.get(t, "holidays") {
            for s in self.r.strings(
                v,
                "holidays",
                "a list of dates, e.g. [\"2027-01-01\", \"2027-12-24@09:00-12:00\"]",
            ) {
                if let Err(e) = holidays.add(s.text) {
                    self.r.error(
                        s.span.sub(e.at, s.text.len().saturating_sub(e.at)),
                        format!("holiday: {}", e.message),
                        e.expected,
                    );
                }
            }
        }
        let day_length = self.r.get(t, "day_length").and_then(|v| {
            let s = self
                .r
                .string(v, "day_length", "a duration such as \"8 hours\"")?;
            match text::duration(s.text) {
                Ok(DurationSpec::Business(d)) if d.as_seconds() > 0 => Some(d),
                Ok(_) => {
                    self.r.error(
                        s.span,
                        "day_length must be hours or minutes, more than zero",
                        "a duration such as \"8 hours\"",
                    );
                    None
                }
                Err(e) => {
                    self.text_error(s, e);
                    None
                }
            }
        });
        let (zone, hours) = (zone?, hours?);
        if hours.is_never_open() {
            self.r.error(
                t.span,
                format!("{what} is never open"),
                "hours with at least one interval",
            );
        }
        let def = CalendarDef {
            time_zone: zone.tz,
            hours,
            holidays,
            day_length,
        };
        Some(NamedCalendar {
            id: CalendarId(id),
            time_zone: zone.name,
            calendar: Calendar::new(def),
        })
    }

    fn ref_string(
        &mut self,
        t: Table<'_, '_>,
        key: &str,
        kind: RefKind,
        what: &str,
        required: bool,
        example: &str,
    ) -> Option<String> {
        let v = if required {
            self.r.req(t, key, what, example)?
        } else {
            self.r.get(t, key)?
        };
        let s = self.r.string(
            v,
            &format!("{what} {key}"),
            &format!("the id of a {}, e.g. {example}", kind.noun()),
        )?;
        self.refer(kind, s.text, s.span);
        Some(s.text.to_string())
    }

    fn item_id(
        &mut self,
        t: Table<'_, '_>,
        kind: RefKind,
        what: &str,
        example: &str,
    ) -> Option<(String, Span)> {
        let v = self.r.req(t, "id", what, example)?;
        let s = self.r.string(
            v,
            &format!("{what} id"),
            &format!("a string id, e.g. {example}"),
        )?;
        self.known.push((kind, s.text.to_string()));
        let id = self.id(s.text, s.span, what)?;
        Some((id, s.span))
    }

    fn goal(&mut self, t: Table<'_, '_>) -> Option<Goal> {
        self.r.keys(
            t,
            &[
                "id",
                "owner",
                "metric",
                "target",
                "per",
                "direction",
                "segment",
                "source",
                "persona",
                "from",
                "to",
                "currency",
                "guarantees",
                "description",
            ],
            "a goal",
        );
        let id = self.item_id(t, RefKind::Goal, "a goal", "\"mql-volume\"");
        let what = id
            .as_ref()
            .map_or("a goal".to_string(), |(id, _)| format!("goal \"{id}\""));
        let owner = self.ref_string(t, "owner", RefKind::Party, &what, true, "\"marketing\"");
        let per = self
            .r
            .req(t, "per", &what, "\"month\"")
            .and_then(|v| self.period(v, "per"));
        let metric = self
            .r
            .req(t, "metric", &what, "\"mqls\"")
            .and_then(|v| self.metric(t, v, &what));
        let target = match (&metric, self.r.req(t, "target", &what, "400")) {
            (Some(m), Some(v)) => self.target(t, v, m, &what),
            _ => None,
        };
        let direction = match self.r.get(t, "direction") {
            None => match metric.as_ref().map(Metric::unit) {
                Some(Unit::Duration) => Direction::AtMost,
                _ => Direction::AtLeast,
            },
            Some(v) => {
                let s = self
                    .r
                    .string(v, "direction", "\"at_least\" or \"at_most\"")?;
                match s.text {
                    "at_least" => Direction::AtLeast,
                    "at_most" => Direction::AtMost,
                    other => {
                        self.r.error(
                            s.span,
                            format!("direction \"{other}\" is unknown"),
                            "\"at_least\" or \"at_most\"",
                        );
                        return None;
                    }
                }
            }
        };
        let segment = self
            .ref_string(
                t,
                "segment",
                RefKind::Segment,
                &what,
                false,
                "\"enterprise\"",
            )
            .map(SegmentId);
        let persona = self
            .ref_string(
                t,
                "persona",
                RefKind::Persona,
                &what,
                false,
                "\"it-director\"",
            )
            .map(PersonaId);
        let source = self.opt_string(t, "source");
        let mut guarantees = Vec::new();
        if let Some(v) = self.r.get(t, "guarantees") {
            for s in self.r.strings(v, "guarantees", "a list of guarantee ids") {
                self.refer(RefKind::Guarantee, s.text, s.span);
                guarantees.push(GuaranteeId(s.text.to_string()));
            }
        }
        let description = self.opt_string(t, "description");
        let (id, span) = id?;
        self.goal_spans.push(span);
        Some(Goal {
            id: GoalId(id),
            owner: PartyId(owner?),
            metric: metric?,
            target: target?,
            direction,
            per: per?,
            filters: Filters {
                segment,
                source,
                persona,
            },
            guarantees,
            description,
        })
    }

    fn metric(
        &mut self,
        t: Table<'_, '_>,
        v: &crate::toml_read::Value<'_>,
        what: &str,
    ) -> Option<Metric> {
        const EXPECTED: &str = "one of \"leads\", \"mqls\", \"sals\", \"sqls\", \"customers\", \"opportunities\", \"pipeline_value\", \"revenue_won\", \"follow_up_rate\", \"acceptance_rate\", \"conversion\" (with from and to), \"median_first_touch\"";
        let s = self.r.string(v, "metric", EXPECTED)?;
        let stage = |p: &mut Self, id: &str| {
            p.refer(RefKind::Stage, id, s.span);
            Some(Metric::Reached(StageId(id.to_string())))
        };
        match s.text {
            "leads" => stage(self, "lead"),
            "mqls" => stage(self, "mql"),
            "sals" => stage(self, "sal"),
            "sqls" => stage(self, "sql"),
            "customers" => stage(self, "customer"),
            "opportunities" => Some(Metric::Opportunities),
            "pipeline_value" => Some(Metric::PipelineValue),
            "revenue_won" => Some(Metric::RevenueWon),
            "follow_up_rate" => Some(Metric::FollowUpRate),
            "acceptance_rate" => Some(Metric::AcceptanceRate),
            "median_first_touch" => Some(Metric::MedianFirstTouch),
            "conversion" => {
                let from = self.ref_string(t, "from", RefKind::Stage, what, true, "\"mql\"");
                let to = self.ref_string(t, "to", RefKind::Stage, what, true, "\"sql\"");
                Some(Metric::Conversion {
                    from: StageId(from?),
                    to: StageId(to?),
                })
            }
            other => {
                let close = crate::diagnostic::closest(
                    other,
                    [
                        "leads",
                        "mqls",
                        "sals",
                        "sqls",
                        "customers",
                        "opportunities",
                        "pipeline_value",
                        "revenue_won",
                        "follow_up_rate",
                        "acceptance_rate",
                        "conversion",
                        "median_first_touch",
                    ],
                );
                let expected =
                    close.map_or(EXPECTED.to_string(), |c| format!("\"{c}\"? ({EXPECTED})"));
                self.r.error(
                    s.span,
                    format!("unknown metric \"{other}\" in {what}"),
                    expected,
                );
                None
            }
        }
    }

    fn target(
        &mut self,
        t: Table<'_, '_>,
        v: &crate::toml_read::Value<'_>,
        metric: &Metric,
        what: &str,
    ) -> Option<Target> {
        self.target_spans.push(Span::of(v));
        match metric.unit() {
            Unit::Count => {
                let (n, span) =
                    self.r
                        .integer(v, &format!("target of {what}"), "a whole number, e.g. 400")?;
                if n < 0 {
                    self.r.error(
                        span,
                        format!("target {n} is negative"),
                        "a whole number, 0 or more",
                    );
                    return None;
                }
                Some(Target::Count(n.unsigned_abs()))
            }
            Unit::Money => match v.get_ref() {
                DeValue::String(_) => {
                    let s = self.r.string(v, "target", "an amount")?;
                    match text::money(s.text) {
                        Ok((minor, currency)) => Some(Target::Money { minor, currency }),
                        Err(e) => {
                            self.text_error(s, e);
                            None
                        }
                    }
                }
                _ => {
                    let (amount, span) = self.r.number(
                        v,
                        &format!("target of {what}"),
                        "an amount with its currency, e.g. \"250000 USD\"",
                    )?;
                    let currency = self
                        .r
                        .req(
                            t,
                            "currency",
                            what,
                            "\"USD\" (or write target = \"250000 USD\")",
                        )
                        .and_then(|c| self.r.string(c, "currency", "an ISO 4217 code such as USD"));
                    let minor = (amount * 100.0).round();
                    if !(0.0..9.0e15).contains(&minor) {
                        self.r.error(
                            span,
                            format!("target {amount} is out of range"),
                            "an amount from 0 to 90 trillion",
                        );
                        return None;
                    }
                    let currency = currency?;
                    if currency.text.len() != 3
                        || !currency.text.chars().all(|c| c.is_ascii_uppercase())
                    {
                        self.r.error(
                            currency.span,
                            format!("\"{}\" is not a currency code", currency.text),
                            "an ISO 4217 code such as USD, EUR or GBP",
                        );
                        return None;
                    }
                    Some(Target::Money {
                        minor: minor as i64,
                        currency: currency.text.to_string(),
                    })
                }
            },
            Unit::Rate => {
                let (fraction, span) = match v.get_ref() {
                    DeValue::String(_) => {
                        let s = self.r.string(v, "target", "a percentage")?;
                        match text::percent(s.text) {
                            Ok(p) => (p / 100.0, s.span),
                            Err(e) => {
                                self.text_error(s, e);
                                return None;
                            }
                        }
                    }
                    _ => self.r.number(
                        v,
                        &format!("target of {what}"),
                        "a percentage like \"90%\" (or a fraction like 0.9)",
                    )?,
                };
                if !(0.0..=1.0).contains(&fraction) {
                    self.r.error(
                        span,
                        format!("target rate {}% is outside 0% to 100%", fraction * 100.0),
                        "a percentage from 0% to 100%, e.g. \"90%\"",
                    );
                    return None;
                }
                Some(Target::Rate((fraction * 10_000.0).round() as u32))
            }
            Unit::Duration => {
                let s = self
                    .r
                    .string(v, "target", "a duration like \"4 business hours\"")?;
                match text::duration(s.text) {
                    Ok(d) => Some(Target::Duration(d)),
                    Err(e) => {
                        self.text_error(s, e);
                        None
                    }
                }
            }
        }
    }

    fn condition(&mut self, s: Str<'_>) -> Option<Condition> {
        match text::condition(s.text) {
            Ok(parsed) => {
                for (id, at, len) in parsed.stages {
                    self.refer(RefKind::Stage, id.as_str(), s.span.sub(at, len));
                }
                for (id, at, len) in parsed.reasons {
                    self.refer(RefKind::Reason, id.as_str(), s.span.sub(at, len));
                }
                Some(parsed.condition)
            }
            Err(e) => {
                self.text_error(s, e);
                None
            }
        }
    }

    fn guarantee(&mut self, t: Table<'_, '_>) -> Option<Guarantee> {
        self.r.keys(
            t,
            &[
                "id",
                "owner",
                "about",
                "segment",
                "starts",
                "stops",
                "pauses",
                "within",
                "calendar",
                "warn_at",
                "escalate_to",
                "cadence",
                "description",
            ],
            "a guarantee",
        );
        let id = self.item_id(
            t,
            RefKind::Guarantee,
            "a guarantee",
            "\"enterprise-first-touch\"",
        );
        let what = id.as_ref().map_or("a guarantee".to_string(), |(id, _)| {
            format!("guarantee \"{id}\"")
        });
        let owner = self.ref_string(t, "owner", RefKind::Party, &what, true, "\"sales\"");
        let subject = match self.r.get(t, "about") {
            None => Some(Subject::Lead),
            Some(v) => {
                let s = self.r.string(v, "about", "\"lead\" or \"request\"")?;
                match s.text {
                    "lead" | "leads" => Some(Subject::Lead),
                    "request" | "requests" => Some(Subject::Request),
                    other => {
                        self.r.error(
                            s.span,
                            format!("about \"{other}\" is unknown"),
                            "\"lead\" or \"request\"",
                        );
                        None
                    }
                }
            }
        };
        let segment_str = self
            .r
            .get(t, "segment")
            .and_then(|v| self.r.string(v, "segment", "a segment id"));
        if let Some(s) = segment_str {
            self.refer(RefKind::Segment, s.text, s.span);
            if subject == Some(Subject::Request) {
                self.r.error(
                    s.span,
                    format!("{what} is about requests, but segments select leads"),
                    "no segment on a request guarantee",
                );
            }
        }
        let check_subject = |p: &mut Self, s: Str<'_>, c: &Condition| {
            if let Some(subject) = subject
                && c.subject() != subject
            {
                let (is, expected) = match subject {
                    Subject::Lead => (
                        "leads",
                        "a lead condition, or about = \"request\" for a guarantee on requests",
                    ),
                    Subject::Request => (
                        "requests",
                        "a request condition: request_opened, request_acknowledged or request_resolved",
                    ),
                };
                p.r.error(
                    s.span,
                    format!("\"{}\" does not fit {what}, which is about {is}", s.text),
                    expected,
                );
            }
        };
        let starts = self
            .r
            .req(t, "starts", &what, "\"stage = mql\"")
            .and_then(|v| {
                let s = self
                    .r
                    .string(v, "starts", "one condition, e.g. \"stage = mql\"")?;
                let c = self.condition(s)?;
                check_subject(self, s, &c);
                Some(c)
            });
        let cadence = self.r.get(t, "cadence").and_then(|v| {
            let ct = self.r.table(v, "cadence", "{ touches = 5 }")?;
            self.r.keys(ct, &["touches"], "cadence");
            let (n, span) = self.r.req(ct, "touches", "cadence", "5").and_then(|v| {
                self.r
                    .integer(v, "touches", "a whole number of touches, at least 1")
            })?;
            if !(1..=1000).contains(&n) {
                self.r.error(
                    span,
                    format!("cadence of {n} touches"),
                    "at least 1 touch (and at most 1000)",
                );
                return None;
            }
            Some(Cadence { touches: n as u32 })
        });
        let mut stops = Vec::new();
        match self.r.get(t, "stops") {
            Some(v) => {
                for s in self.r.strings(
                    v,
                    "stops",
                    "a list of conditions, e.g. [\"touched\", \"rejected\"]",
                ) {
                    if let Some(c) = self.condition(s) {
                        check_subject(self, s, &c);
                        stops.push(c);
                    }
                }
            }
            None if cadence.is_none() => {
                self.r.error(t.span, format!("{what} has no \"stops\""), "stops = [\"touched\", \"accepted\", \"rejected\"] (or a cadence = { touches = 5 })");
            }
            None => {}
        }
        let mut pauses = Vec::new();
        if let Some(v) = self.r.get(t, "pauses")
            && let Some(items) = self.r.array(
                v,
                "pauses",
                "a list like [{ from = \"stage = nurture\", until = \"stage = mql\" }]",
            )
        {
            for item in items {
                let Some(pt) = self
                    .r
                    .table(item, "a pause", "{ from = \"...\", until = \"...\" }")
                else {
                    continue;
                };
                self.r.keys(pt, &["from", "until"], "a pause");
                let read = |p: &mut Self, key: &str| {
                    let v = p.r.req(pt, key, "a pause", "\"recycled\"")?;
                    let s = p.r.string(v, key, "a condition")?;
                    let c = p.condition(s)?;
                    check_subject(p, s, &c);
                    Some(c)
                };
                let from = read(self, "from");
                let until = read(self, "until");
                if let (Some(from), Some(until)) = (from, until) {
                    pauses.push(Pause { from, until });
                }
            }
        }
        let within = self
            .r
            .req(t, "within", &what, "\"4 business hours\"")
            .and_then(|v| {
                let s = self.r.string(v, "within", text::DURATION_EXPECTED)?;
                match text::duration(s.text) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.text_error(s, e);
                        None
                    }
                }
            });
        let calendar = self.ref_string(
            t,
            "calendar",
            RefKind::Calendar,
            &what,
            true,
            "\"new-york\"",
        );
        let warn_at = self.r.get(t, "warn_at").and_then(|v| {
            let (p, span) = match v.get_ref() {
                DeValue::String(_) => {
                    let s = self.r.string(v, "warn_at", "a percentage")?;
                    match text::percent(s.text) {
                        Ok(p) => (p, s.span),
                        Err(e) => {
                            self.text_error(s, e);
                            return None;
                        }
                    }
                }
                _ => self
                    .r
                    .number(v, "warn_at", "a percentage of the duration, e.g. \"75%\"")?,
            };
            if !(1.0..=99.0).contains(&p) || p.fract() != 0.0 {
                self.r.error(
                    span,
                    format!("warn_at {p}% is not a whole percentage between 1% and 99%"),
                    "a point before the deadline, e.g. \"75%\"",
                );
                return None;
            }
            Some(p as u8)
        });
        let escalate_to = self
            .ref_string(t, "escalate_to", RefKind::Party, &what, false, "\"sales\"")
            .map(PartyId);
        let description = self.opt_string(t, "description");
        let (id, span) = id?;
        self.guarantee_spans.push(span);
        Some(Guarantee {
            id: GuaranteeId(id),
            owner: PartyId(owner?),
            subject: subject?,
            segment: segment_str.map(|s| SegmentId(s.text.to_string())),
            starts: starts?,
            stops,
            pauses,
            within: within?,
            calendar: CalendarId(calendar?),
            warn_at,
            escalate_to,
            cadence,
            description,
        })
    }

    fn consequence(&mut self, t: Table<'_, '_>) -> Option<Consequence> {
        const WHAT: &str = "a consequence";
        self.r.keys(
            t,
            &[
                "when",
                "goal",
                "guarantee",
                "periods",
                "action",
                "to",
                "note",
            ],
            WHAT,
        );
        let when = self
            .r
            .req(t, "when", WHAT, "\"goal_missed\" or \"guarantee_breached\"")
            .and_then(|v| {
                self.r
                    .string(v, "when", "\"goal_missed\" or \"guarantee_breached\"")
            });
        let periods = match self.r.get(t, "periods") {
            None => Some(1),
            Some(v) => self
                .r
                .integer(
                    v,
                    "periods",
                    "a whole number of consecutive periods, at least 1",
                )
                .and_then(|(n, span)| {
                    if (1..=120).contains(&n) {
                        Some(n as u32)
                    } else {
                        self.r.error(
                            span,
                            format!("periods = {n}"),
                            "a whole number of consecutive periods from 1 to 120",
                        );
                        None
                    }
                }),
        };
        let goal = self.ref_string(t, "goal", RefKind::Goal, WHAT, false, "\"mql-volume\"");
        let guarantee = self.ref_string(
            t,
            "guarantee",
            RefKind::Guarantee,
            WHAT,
            false,
            "\"enterprise-first-touch\"",
        );
        let trigger = when.and_then(|w| match w.text {
            "goal_missed" => {
                if guarantee.is_some() {
                    self.r.error(w.span, "a goal_missed consequence names a guarantee", "goal = \"...\" with goal_missed, guarantee = \"...\" with guarantee_breached");
                }
                Some(Trigger::GoalMissed { goal: goal.clone().map(GoalId), periods: periods? })
            }
            "guarantee_breached" => {
                if goal.is_some() {
                    self.r.error(w.span, "a guarantee_breached consequence names a goal", "goal = \"...\" with goal_missed, guarantee = \"...\" with guarantee_breached");
                }
                Some(Trigger::GuaranteeBreached { guarantee: guarantee.clone().map(GuaranteeId) })
            }
            other => {
                self.r.error(w.span, format!("when \"{other}\" is unknown"), "\"goal_missed\" or \"guarantee_breached\"");
                None
            }
        });
        let action = self.r.req(t, "action", WHAT, "\"escalate\"").and_then(|v| {
            let s = self
                .r
                .string(v, "action", "\"escalate\", \"notify\" or \"review\"")?;
            match s.text {
                "escalate" => Some(Action::Escalate),
                "notify" => Some(Action::Notify),
                "review" | "flag_for_review" => Some(Action::Review),
                other => {
                    self.r.error(
                        s.span,
                        format!("action \"{other}\" is unknown"),
                        "\"escalate\", \"notify\" or \"review\"",
                    );
                    None
                }
            }
        });
        let to = self.ref_string(t, "to", RefKind::Party, WHAT, true, "\"sales\"");
        let note = self.opt_string(t, "note");
        Some(Consequence {
            when: trigger?,
            action: action?,
            to: PartyId(to?),
            note,
        })
    }

    fn cancellation(&mut self, v: &crate::toml_read::Value<'_>) -> Option<Cancellation> {
        const WHAT: &str = "[cancellation]";
        let t = self.r.table(
            v,
            WHAT,
            "a table with after_consecutive_missed_periods and notice",
        )?;
        self.r.keys(
            t,
            &["after_consecutive_missed_periods", "goals", "notice"],
            WHAT,
        );
        let after = self
            .r
            .req(t, "after_consecutive_missed_periods", WHAT, "3")
            .and_then(|v| {
                self.r.integer(
                    v,
                    "after_consecutive_missed_periods",
                    "a whole number of periods, at least 1",
                )
            })
            .and_then(|(n, span)| {
                if (1..=120).contains(&n) {
                    Some(n as u32)
                } else {
                    self.r.error(
                        span,
                        format!("after_consecutive_missed_periods = {n}"),
                        "a whole number of periods from 1 to 120",
                    );
                    None
                }
            });
        let mut goals = Vec::new();
        if let Some(v) = self.r.get(t, "goals") {
            for s in self.r.strings(v, "goals", "a list of goal ids") {
                self.refer(RefKind::Goal, s.text, s.span);
                goals.push(GoalId(s.text.to_string()));
            }
        }
        let notice_days = self.r.get(t, "notice").and_then(|v| {
            let s = self
                .r
                .string(v, "notice", "a number of days, e.g. \"30 days\"")?;
            match text::days(s.text) {
                Ok(n) => Some(n),
                Err(e) => {
                    self.text_error(s, e);
                    None
                }
            }
        });
        Some(Cancellation {
            after_consecutive_missed_periods: after?,
            goals,
            notice_days,
        })
    }
}

fn capitalise(id: &str) -> String {
    let mut chars = id.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
