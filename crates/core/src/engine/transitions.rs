//! When an evaluation stops being true without any event: the first instant
//! after `as_of` at which a running clock falls due or at risk, a pause with
//! a known end ends, a period closes, or an event already stored but dated
//! later comes into view. Until then the evaluation's states, goals and
//! findings hold (only the business time used and left keep moving), so a
//! server can keep answering from it instead of assembling a new one.

use super::clocks;
use super::fold::{Facts, secs};
use super::periods::PeriodKey;
use crate::agreement::{Agreement, Period};

/// The earliest instant after `limit` (whole seconds) at which a running
/// clock of `facts` changes state under `agreement`: due passed (breached
/// from the second after due), the warning point reached, or a pause's
/// known end.
pub(crate) fn next_clock_change<'f>(
    agreement: &Agreement,
    facts: impl Iterator<Item = &'f Facts>,
    limit: i64,
) -> Option<i64> {
    let promises: Vec<_> = agreement
        .guarantees
        .iter()
        .map(|g| agreement.promise(g))
        .collect();
    let mut next: Option<i64> = None;
    let mut consider = |t: i64| {
        if t > limit {
            next = Some(next.map_or(t, |n| n.min(t)));
        }
    };
    for f in facts {
        for c in f.clocks.iter().filter(|c| c.stop.is_none()) {
            let Some((cal, duration)) = promises.get(c.guarantee).copied().flatten() else {
                continue;
            };
            for &(_, until) in &c.pauses {
                if let Some(u) = until {
                    consider(u);
                }
            }
            let warn_at = agreement.guarantees[c.guarantee].warn_at;
            let view = clocks::view(c, limit, &cal.calendar, duration, warn_at);
            let duration = c.promised(duration);
            if let Some(due) = view.due {
                consider(due.saturating_add(1));
            }
            if let Some(w) = warn_at
                && !view.at_risk
                && !view.paused
            {
                // At risk once used * 100 >= duration * w.
                let need = (duration * i64::from(w) + 99) / 100;
                if let Some(t) = cal.calendar.add_seconds(limit, need - view.used) {
                    consider(t);
                }
            }
        }
    }
    next
}

/// The end of the month holding `limit` in the agreement's zone: every goal
/// period (month, quarter, year) closes at a month's end.
pub(crate) fn next_period_end(agreement: &Agreement, limit: i64) -> Option<i64> {
    let tz = &agreement.time_zone.tz;
    let at = jiff::Timestamp::from_second(limit).ok()?;
    Some(secs(PeriodKey::containing(Period::Month, at, tz).end(tz)))
}
