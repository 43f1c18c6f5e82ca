//! The common language and the scoring model: `[scoring]` and `[segments]`,
//! and the matchers they share.

use super::super::model::*;
use super::Parser;
use super::RefKind;
use crate::toml_read::{Span, Str, Table, Value};

impl Parser<'_> {
    pub(super) fn scoring(&mut self, v: &Value<'_>) -> Option<Scoring> {
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
    pub(super) fn matcher(
        &mut self,
        t: Table<'_, '_>,
        what: &str,
        activity_allowed: bool,
    ) -> Option<Matcher> {
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

    pub(super) fn segment(&mut self, id: String, span: Span, v: &Value<'_>) -> Option<Segment> {
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
}
