//! `[[guarantees]]`: start, stop and pause conditions, duration, calendar,
//! warning point and escalation.

use toml::de::DeValue;

use super::super::model::*;
use super::super::text;
use super::Parser;
use super::RefKind;
use crate::toml_read::{Str, Table};

impl Parser<'_> {
    pub(super) fn guarantee(&mut self, t: Table<'_, '_>) -> Option<Guarantee> {
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
                "alerts",
                "extension",
                "fee",
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
        let alerts = self.alert_steps(t, &what);
        let extension = self.extension(t, &what, subject);
        let fee = self.fee(t, &what, subject);
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
            extension,
            fee,
            alerts,
            description,
        })
    }

    /// `alerts = [{ at = "50%", tell = "owner", via = "sales-room" }, ...]`:
    /// the escalation ladder, sorted by point; two steps may not share a
    /// point and recipient.
    /// `extension = { ask_within = "1 business day", up_to = "3 calendar days" }`.
    fn extension(
        &mut self,
        t: Table<'_, '_>,
        what: &str,
        subject: Option<Subject>,
    ) -> Option<ExtensionRule> {
        const EXAMPLE: &str = "{ ask_within = \"1 business day\", up_to = \"3 calendar days\" }";
        let v = self.r.get(t, "extension")?;
        let st = self.r.table(v, "extension", EXAMPLE)?;
        self.r.keys(st, &["ask_within", "up_to"], "an extension");
        if subject == Some(Subject::Lead) {
            self.r.error(
                st.span,
                format!("{what} is about leads, but only a request's clock can be extended"),
                "about = \"request\", or no extension",
            );
        }
        let mut read = |key: &str| {
            let v = self.r.req(st, key, "an extension", EXAMPLE)?;
            let s = self.r.string(v, key, text::DURATION_EXPECTED)?;
            match text::duration(s.text) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.text_error(s, e);
                    None
                }
            }
        };
        let ask_within = read("ask_within");
        let up_to = read("up_to");
        Some(ExtensionRule {
            ask_within: ask_within?,
            up_to: up_to?,
        })
    }

    /// `fee = "250 USD"` or `fee = "at least 250 USD"`, on request guarantees.
    fn fee(&mut self, t: Table<'_, '_>, what: &str, subject: Option<Subject>) -> Option<Fee> {
        let v = self.r.get(t, "fee")?;
        let s = self.r.string(v, "fee", text::FEE_EXPECTED)?;
        if subject == Some(Subject::Lead) {
            self.r.error(
                s.span,
                format!("{what} is about leads, but only a request can carry a fee"),
                "about = \"request\", or no fee",
            );
        }
        match text::fee(s.text) {
            Ok(fee) => Some(fee),
            Err(e) => {
                self.text_error(s, e);
                None
            }
        }
    }

    fn alert_steps(&mut self, t: Table<'_, '_>, what: &str) -> Vec<AlertStep> {
        const EXAMPLE: &str = "[{ at = \"50%\", tell = \"owner\", via = \"sales-room\" }]";
        let mut steps: Vec<(AlertStep, crate::toml_read::Span)> = Vec::new();
        let Some(items) = self
            .r
            .get(t, "alerts")
            .and_then(|v| self.r.array(v, "alerts", EXAMPLE))
        else {
            return Vec::new();
        };
        for item in items {
            let Some(st) = self.r.table(
                item,
                "an alert step",
                "{ at = \"50%\", tell = \"owner\", via = \"sales-room\" }",
            ) else {
                continue;
            };
            self.r
                .keys(st, &["at", "tell", "via", "ask"], "an alert step");
            let at = self
                .r
                .req(st, "at", "an alert step", "\"50%\" or \"due\"")
                .and_then(|v| {
                    let s = self.r.string(
                        v,
                        "at",
                        "a share of the promise such as \"50%\", or \"due\"",
                    )?;
                    if s.text.trim() == "due" {
                        return Some((100_u16, s.span));
                    }
                    let p = match text::percent(s.text) {
                        Ok(p) => p,
                        Err(e) => {
                            self.text_error(s, e);
                            return None;
                        }
                    };
                    if !(1.0..=1000.0).contains(&p) || p.fract() != 0.0 {
                        self.r.error(
                            s.span,
                            format!("alert at {p}% is not a whole percentage from 1% to 1000%"),
                            "a share of the promise such as \"50%\", \"due\" or \"150%\"",
                        );
                        return None;
                    }
                    Some((p as u16, s.span))
                });
            let tell = self
                .r
                .req(st, "tell", "an alert step", "\"owner\"")
                .and_then(|v| {
                    let s = self.r.string(
                        v,
                        "tell",
                        "\"owner\", \"manager\" or a party id such as \"sales\"",
                    )?;
                    Some(match s.text {
                        "owner" => Recipient::Owner,
                        "manager" => Recipient::Manager,
                        party => {
                            self.refer(RefKind::Party, party, s.span);
                            Recipient::Party(PartyId(party.to_string()))
                        }
                    })
                });
            let via = match self.r.get(st, "via") {
                Some(v) => self.channels(v),
                None => {
                    self.r.error(
                        st.span,
                        format!("an alert step of {what} has no \"via\""),
                        "via = \"sales-room\" (the channels it goes through)",
                    );
                    Vec::new()
                }
            };
            let reassign = match self.r.get(st, "ask") {
                None => false,
                Some(v) => match self.r.string(v, "ask", "\"reassign\"") {
                    Some(s) if s.text == "reassign" => true,
                    Some(s) => {
                        self.r.error(
                            s.span,
                            format!("ask \"{}\" is unknown", s.text),
                            "\"reassign\" (the CRM is asked to give the lead to someone else)",
                        );
                        false
                    }
                    None => false,
                },
            };
            if let (Some((at, span)), Some(tell)) = (at, tell)
                && !via.is_empty()
            {
                if steps.iter().any(|(s, _)| s.at == at && s.tell == tell) {
                    self.r.error(
                        span,
                        format!("{what} tells {tell} at {at}% twice"),
                        "one step per point and recipient (list several channels in its via)",
                    );
                    continue;
                }
                steps.push((
                    AlertStep {
                        at,
                        tell,
                        via,
                        reassign,
                    },
                    span,
                ));
            }
        }
        steps.sort_by_key(|(s, _)| s.at);
        steps.into_iter().map(|(s, _)| s).collect()
    }

    pub(super) fn condition(&mut self, s: Str<'_>) -> Option<Condition> {
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
}
