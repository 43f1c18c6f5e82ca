//! `[[goals]]`: owner, metric, target and period, with the target read in
//! the unit its metric counts in.

use toml::de::DeValue;

use super::super::model::*;
use super::super::text;
use super::Parser;
use super::RefKind;
use crate::event::Money;
use crate::toml_read::{Span, Table, Value};

impl Parser<'_> {
    pub(super) fn goal(&mut self, t: Table<'_, '_>) -> Option<Goal> {
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

    pub(super) fn metric(&mut self, t: Table<'_, '_>, v: &Value<'_>, what: &str) -> Option<Metric> {
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

    pub(super) fn target(
        &mut self,
        t: Table<'_, '_>,
        v: &Value<'_>,
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
                        Ok(m) => Some(Target::Money(m)),
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
                    let currency = currency?;
                    if let Err(message) = Money::check_currency(currency.text) {
                        self.r.error(
                            currency.span,
                            message,
                            "an ISO 4217 code such as USD, EUR or GBP",
                        );
                        return None;
                    }
                    // The number as TOML wrote it (the shortest text that
                    // reads back as the same float), in the currency's decimals.
                    let text = if amount.fract() == 0.0 && amount.abs() < 9.0e15 {
                        format!("{}", amount as i64)
                    } else {
                        format!("{amount}")
                    };
                    match Money::parse(&text, currency.text) {
                        Ok(m) => Some(Target::Money(m)),
                        Err(message) => {
                            self.r.error(
                                span,
                                format!("target {amount}: {message}"),
                                "an amount from 0 to 90 trillion in the currency's decimals",
                            );
                            None
                        }
                    }
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
                    Ok(d) if d.is_calendar_time() => {
                        self.r.error(
                            s.span,
                            format!("a goal's time is business time, not calendar time (\"{d}\")"),
                            "a duration like \"4 business hours\"",
                        );
                        None
                    }
                    Ok(d) => Some(Target::Duration(d)),
                    Err(e) => {
                        self.text_error(s, e);
                        None
                    }
                }
            }
        }
    }
}
