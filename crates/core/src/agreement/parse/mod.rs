//! From TOML to an [`Agreement`]: every section read, every value typed,
//! every problem recorded with its place. References between sections are
//! collected here and resolved in [`super::validate`].

mod calendars;
mod goals;
mod guarantees;
mod language;
mod people;
mod terms;

use handshake_calendar::time_zone;
use jiff::civil::Date;
use toml::de::DeTable;

use super::model::*;
use super::text::TextError;
use crate::toml_read::{Reader, Span, Str, Table, Value};

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
    /// A channel of the workspace: defined outside the file, checked only
    /// when the workspace's channels are known ([`super::check_in_workspace`]).
    Channel,
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
            RefKind::Channel => "channel",
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

const TOP_KEYS: [&str; 14] = [
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
    "digests",
    "queue",
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
    pub(super) fn refer(&mut self, kind: RefKind, id: &str, span: Span) {
        self.refs.push(Ref {
            kind,
            id: id.to_string(),
            span,
        });
    }
    pub(super) fn text_error(&mut self, s: Str<'_>, e: TextError) {
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
        let digests = self.array_of(root, "digests", "[[digests]]", |p, t| p.digest(t));
        let queue = self
            .r
            .get(root, "queue")
            .map_or_else(QueueRules::default, |v| self.queue(v));

        let around_the_clock = calendars
            .iter()
            .filter(|c| {
                guarantees
                    .iter()
                    .any(|g| g.within.is_calendar_time() && g.calendar == c.id)
            })
            .map(NamedCalendar::around_the_clock)
            .collect();
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
                digests,
                queue,
                around_the_clock,
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
    pub(super) fn req_string(
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
    pub(super) fn opt_string(&mut self, t: Table<'_, '_>, key: &str) -> Option<String> {
        let v = self.r.get(t, key)?;
        self.r
            .string(v, key, "a string")
            .map(|s| s.text.to_string())
    }
    pub(super) fn date(&mut self, v: &Value<'_>, what: &str) -> Option<Date> {
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
    pub(super) fn zone(&mut self, v: &Value<'_>) -> Option<Zone> {
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
    pub(super) fn period(&mut self, v: &Value<'_>, what: &str) -> Option<Period> {
        let s = self
            .r
            .string(v, what, "\"week\", \"month\", \"quarter\" or \"year\"")?;
        let p = Period::parse(s.text);
        if p.is_none() {
            self.r.error(
                s.span,
                format!("{what} \"{}\" is not a period", s.text),
                "\"week\", \"month\", \"quarter\" or \"year\"",
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
        mut read: impl FnMut(&mut Self, String, Span, &Value<'_>) -> Option<T>,
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
    pub(super) fn ref_string(
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
    pub(super) fn item_id(
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
}

pub(super) fn capitalise(id: &str) -> String {
    let mut chars = id.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
