//! Extensions of a request's clock: asked for by the side that owes it,
//! granted or refused by the other, and judged by the guarantee's
//! `extension` rule (docs/agreement.md).
//!
//! A clock takes one extension. It is in time when asked within the rule's
//! `ask_within` of the clock's start; asked later, it is refused by the
//! rules whatever the other side answers. Once granted, the clock is due
//! at the instant asked for, at most the rule's `up_to` after the old due
//! time: the clock gains the business time between the two, so its due
//! time, what is left, its warning point and its alerts all move together.

use handshake_calendar::Calendar;

use crate::agreement::{Agreement, DurationSpec, ExtensionRule, Guarantee};
use crate::event::{EventKind, RequestStep};

use super::clocks::when_used;
use super::fold::{ClockRecord, secs};

/// What became of an extension asked for on a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtensionState {
    /// Asked for in time, not yet answered.
    Asked,
    /// Granted: the clock is due later.
    Granted,
    /// Refused by the other side.
    Refused,
    /// Asked for after the rule's `ask_within`: refused by the rules.
    AskedTooLate,
}

impl ExtensionState {
    /// `asked`, `granted`, `refused`, `asked_too_late`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionState::Asked => "asked",
            ExtensionState::Granted => "granted",
            ExtensionState::Refused => "refused",
            ExtensionState::AskedTooLate => "asked_too_late",
        }
    }
}

/// An extension asked for on a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Extension {
    /// When it was asked for (whole seconds since the epoch).
    pub asked_at: i64,
    /// The due instant asked for.
    pub until: i64,
    /// What became of it.
    pub state: ExtensionState,
    /// The business seconds (of the clock's calendar) it added to the
    /// promise: zero unless granted.
    pub granted: i64,
}

/// Applies event `kind` at `at` to an open clock of guarantee `g`, whose
/// `extension` rule is `rule`.
pub(crate) fn apply(
    a: &Agreement,
    g: &Guarantee,
    rule: &ExtensionRule,
    clock: &mut ClockRecord,
    kind: &EventKind,
    at: i64,
) {
    match kind {
        EventKind::ExtensionRequested { until } if clock.extension.is_none() => {
            let state = if asked_in_time(a, g, rule.ask_within, clock.start, at) {
                ExtensionState::Asked
            } else {
                ExtensionState::AskedTooLate
            };
            clock.extension = Some(Box::new(Extension {
                asked_at: at,
                until: secs(*until),
                state,
                granted: 0,
            }));
        }
        EventKind::Request(RequestStep::ExtensionGranted) => {
            if let Some(until) = clock
                .extension
                .as_ref()
                .filter(|x| x.state == ExtensionState::Asked)
                .map(|x| x.until)
            {
                let granted = granted_seconds(a, g, rule.up_to, clock, until).unwrap_or(0);
                if let Some(x) = clock.extension.as_mut() {
                    x.state = ExtensionState::Granted;
                    x.granted = granted;
                }
            }
        }
        EventKind::Request(RequestStep::ExtensionRefused) => {
            if let Some(x) = clock.extension.as_mut()
                && x.state == ExtensionState::Asked
            {
                x.state = ExtensionState::Refused;
            }
        }
        _ => {}
    }
}

/// The calendar a rule's duration `spec` is counted in and its length in
/// seconds there: the guarantee's own business calendar, or none for
/// calendar time (every second counts).
fn counted_in<'a>(
    a: &'a Agreement,
    g: &Guarantee,
    spec: DurationSpec,
) -> (Option<&'a Calendar>, i64) {
    match a.calendar(&g.calendar) {
        Some(named) if !spec.is_calendar_time() => {
            let cal = &named.calendar;
            (Some(cal), spec.resolve(cal.day_length()).as_seconds())
        }
        // Calendar time resolves without a calendar's day length.
        _ => (None, spec.resolve(a.default_day_length()).as_seconds()),
    }
}

/// Whether `asked` is within `limit` of `start`.
fn asked_in_time(
    a: &Agreement,
    g: &Guarantee,
    limit: DurationSpec,
    start: i64,
    asked: i64,
) -> bool {
    let (cal, limit) = counted_in(a, g, limit);
    let elapsed = cal.map_or(asked - start, |c| c.elapsed_seconds(start, asked));
    elapsed <= limit
}

/// The business seconds of the clock's calendar between its due time now
/// and the one asked for, capped at `up_to` after the due time now.
fn granted_seconds(
    a: &Agreement,
    g: &Guarantee,
    up_to: DurationSpec,
    clock: &ClockRecord,
    until: i64,
) -> Option<i64> {
    let (cal, duration) = a.promise(g)?;
    let due = when_used(clock, &cal.calendar, clock.promised(duration))?;
    let cap = match counted_in(a, g, up_to) {
        (Some(c), up_to) => c.add_seconds(due, up_to)?,
        (None, up_to) => due.checked_add(up_to)?,
    };
    Some(cal.calendar.elapsed_seconds(due, until.min(cap)).max(0))
}
