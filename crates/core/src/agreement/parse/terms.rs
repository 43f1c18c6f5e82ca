//! `[[consequences]]` and `[cancellation]`: what happens when promises are
//! missed; and `[[digests]]`: who hears what at a set hour.

use super::super::model::*;
use super::super::text;
use super::Parser;
use super::RefKind;
use crate::toml_read::{Table, Value};

impl Parser<'_> {
    pub(super) fn consequence(&mut self, t: Table<'_, '_>) -> Option<Consequence> {
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
                "via",
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
            Some(v) => self.period_count(v, "periods"),
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
        let via = match self.r.get(t, "via") {
            Some(v) => {
                if matches!(trigger, Some(Trigger::GuaranteeBreached { .. })) {
                    self.r.error(
                        crate::toml_read::Span::of(v),
                        "a guarantee_breached consequence has no via",
                        "tell people of breaches with the guarantee's ladder: alerts = [{ at = \"due\", tell = \"manager\", via = \"ops\" }]",
                    );
                }
                self.channels(v)
            }
            None => Vec::new(),
        };
        Some(Consequence {
            when: trigger?,
            action: action?,
            to: PartyId(to?),
            note,
            via,
        })
    }

    pub(super) fn cancellation(&mut self, v: &Value<'_>) -> Option<Cancellation> {
        const WHAT: &str = "[cancellation]";
        let t = self.r.table(
            v,
            WHAT,
            "a table with after_consecutive_missed_periods and notice",
        )?;
        self.r.keys(
            t,
            &["after_consecutive_missed_periods", "goals", "notice", "via"],
            WHAT,
        );
        let after = self
            .r
            .req(t, "after_consecutive_missed_periods", WHAT, "3")
            .and_then(|v| self.period_count(v, "after_consecutive_missed_periods"));
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
        let via = match self.r.get(t, "via") {
            Some(v) => self.channels(v),
            None => Vec::new(),
        };
        Some(Cancellation {
            after_consecutive_missed_periods: after?,
            goals,
            notice_days,
            via,
        })
    }

    /// `[queue]`: how late a breached clock may be and stay in the queue;
    /// what is missing or wrong keeps the default (and is reported).
    pub(super) fn queue(&mut self, v: &Value<'_>) -> QueueRules {
        const WHAT: &str = "[queue]";
        let mut rules = QueueRules::default();
        let Some(t) = self
            .r
            .table(v, WHAT, "a table with keep_breached = \"5 business days\"")
        else {
            return rules;
        };
        self.r.keys(t, &["keep_breached"], WHAT);
        if let Some(s) = self
            .r
            .get(t, "keep_breached")
            .and_then(|v| self.r.string(v, "keep_breached", text::DURATION_EXPECTED))
        {
            match text::duration(s.text) {
                Ok(d) if d.is_calendar_time() => self.r.error(
                    s.span,
                    format!(
                        "keep_breached is business time of each clock's calendar, not calendar time (\"{d}\")"
                    ),
                    "a duration like \"5 business days\"",
                ),
                Ok(d) => rules.keep_breached = d,
                Err(e) => self.text_error(s, e),
            }
        }
        rules
    }

    pub(super) fn digest(&mut self, t: Table<'_, '_>) -> Option<Digest> {
        const WHAT: &str = "a digest";
        self.r.keys(t, &["for", "every", "via"], WHAT);
        let to = self
            .r
            .req(
                t,
                "for",
                WHAT,
                "\"owners\" or a party id such as \"marketing\"",
            )
            .and_then(|v| {
                self.r
                    .string(v, "for", "\"owners\" or a party id such as \"marketing\"")
            })
            .map(|s| match s.text {
                "owners" => DigestFor::Owners,
                party => {
                    self.refer(RefKind::Party, party, s.span);
                    DigestFor::Party(PartyId(party.to_string()))
                }
            });
        let every = self
            .r
            .req(t, "every", WHAT, "\"weekdays 08:00\"")
            .and_then(|v| {
                self.r
                    .string(v, "every", "\"daily 08:00\", \"weekdays 08:00\" or \"monday 08:00\"")
            })
            .and_then(|s| match crate::alerts::digest::Every::parse(s.text) {
                Ok(e) => Some(e),
                Err(e) => {
                    self.r.error(
                        s.span,
                        e,
                        "\"daily 08:00\", \"weekdays 08:00\" or \"monday 08:00\" (in each recipient's zone)",
                    );
                    None
                }
            });
        let via = self
            .r
            .req(t, "via", WHAT, "\"sales-room\"")
            .map(|v| self.channels(v));
        Some(Digest {
            to: to?,
            every: every?,
            via: via?,
        })
    }

    /// The channel names of a `via` (one name or a list), each a reference
    /// the workspace's channels are checked against.
    pub(super) fn channels(&mut self, v: &Value<'_>) -> Vec<crate::alerts::ChannelName> {
        let mut via = Vec::new();
        for s in self
            .r
            .strings(v, "via", "channel names such as [\"sales-room\"]")
        {
            match crate::alerts::ChannelName::parse(s.text) {
                Ok(name) => {
                    self.refer(RefKind::Channel, s.text, s.span);
                    via.push(name);
                }
                Err(e) => self.r.error(
                    s.span,
                    e.to_string(),
                    "a channel name: lowercase letters, digits and dashes, as in `handshake channel add`",
                ),
            }
        }
        via
    }

    /// A number of consecutive periods, 1 to 120.
    fn period_count(&mut self, v: &Value<'_>, key: &str) -> Option<u32> {
        let (n, span) =
            self.r
                .integer(v, key, "a whole number of consecutive periods, at least 1")?;
        match u32::try_from(n) {
            Ok(n) if (1..=120).contains(&n) => Some(n),
            _ => {
                self.r.error(
                    span,
                    format!("{key} = {n}"),
                    "a whole number of consecutive periods from 1 to 120",
                );
                None
            }
        }
    }
}
