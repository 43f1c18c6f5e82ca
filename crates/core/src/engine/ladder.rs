//! When each step of a guarantee's escalation ladder falls for a running
//! clock: the instant it will have used the step's share of its promise
//! ([`super::clocks::when_used`]), under the agreement version that judges
//! the clock. These instants do not depend on the instant asked, only on
//! the clock's start and pauses, so [`super::Live`] keeps them in an index
//! and answers "which steps fell between two instants" from it.

use super::clocks::when_used;
use super::fold::{ClockRecord, Facts};
use crate::agreement::{Agreement, AlertStep};

/// One alert step that fell for one running clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertDue {
    /// The guarantee's id.
    pub guarantee: String,
    /// The lead or request.
    pub subject: String,
    /// The clock's start (unix seconds): with the guarantee and subject, it
    /// names the clock.
    pub start: i64,
    /// The step, as the judging version's agreement has it.
    pub step: AlertStep,
    /// When the step fell (unix seconds).
    pub instant: i64,
    /// When the clock is due (unix seconds); `None` while paused.
    pub due: Option<i64>,
    /// The clock's owner (the lead's owner id as the CRM knows it).
    pub owner: Option<String>,
    /// The agreement version judging the clock, from 1.
    pub version: u32,
}

impl AlertDue {
    /// What the notification is about, unique in a workspace: the clock and
    /// the step (its point and recipient). The subject comes last, since a
    /// CRM's lead ids may hold any character.
    pub fn key(&self) -> String {
        format!(
            "clock/{}/{}/{}%/{}/{}",
            self.guarantee, self.start, self.step.at, self.step.tell, self.subject
        )
    }

    /// Words for the step's point: `50% of the time`, `due`, `150% of the time`.
    pub fn point(&self) -> String {
        match self.step.at {
            100 => "due".to_string(),
            p => format!("{p}% of the time"),
        }
    }
}

/// The instants of every ladder step of `facts`' open clocks judged by
/// `agreement` (clocks started in `[window.0, window.1)`), with the clock's
/// position in `facts.clocks` and the step's in the guarantee's ladder.
pub(crate) fn step_instants(
    agreement: &Agreement,
    facts: &Facts,
    window: (i64, i64),
) -> Vec<(i64, usize, usize)> {
    let mut out = Vec::new();
    for (ci, c) in open_clocks(facts, window) {
        let g = &agreement.guarantees[c.guarantee];
        if g.alerts.is_empty() {
            continue;
        }
        let Some((cal, duration)) = agreement.promise(g) else {
            continue;
        };
        let duration = c.promised(duration);
        for (si, step) in g.alerts.iter().enumerate() {
            let amount = duration.saturating_mul(i64::from(step.at)) / 100;
            if let Some(t) = when_used(c, &cal.calendar, amount) {
                out.push((t, ci, si));
            }
        }
    }
    out
}

fn open_clocks(facts: &Facts, window: (i64, i64)) -> impl Iterator<Item = (usize, &ClockRecord)> {
    facts
        .clocks
        .iter()
        .enumerate()
        .filter(move |(_, c)| c.stop.is_none() && c.start >= window.0 && c.start < window.1)
}

/// The steps of `facts`' open clocks that fall in `(from, to]`, but for
/// clocks that are not measurable from data holding events of the kinds
/// `seen` (see [`super::fold::measurable`]).
pub(crate) fn due_between(
    agreement: &Agreement,
    version: u32,
    facts: &Facts,
    window: (i64, i64),
    (from, to): (i64, i64),
    seen: u32,
) -> Vec<AlertDue> {
    step_instants(agreement, facts, window)
        .into_iter()
        .filter(|(t, ci, _)| {
            let c = &facts.clocks[*ci];
            *t > from
                && *t <= to
                && (!c.inferred
                    || super::fold::measurable(&agreement.guarantees[c.guarantee], seen))
        })
        .map(|(instant, ci, si)| {
            let c = &facts.clocks[ci];
            let g = &agreement.guarantees[c.guarantee];
            let due = agreement
                .promise(g)
                .and_then(|(cal, duration)| when_used(c, &cal.calendar, c.promised(duration)));
            AlertDue {
                guarantee: g.id.to_string(),
                subject: facts.subject.clone(),
                start: c.start,
                step: g.alerts[si].clone(),
                instant,
                due,
                owner: c.owner.as_deref().map(str::to_string),
                version,
            }
        })
        .collect()
}
