//! Clocks that belong to people: each lead guarantee's clocks of a range
//! split by the lead's owner (or by the owner's team), with how many were
//! kept in time, how many breached, and the median business time to the
//! touch that stopped them. One definition, read by the report, the CLI and
//! the scorecard page; the follow-up finding names the same owners.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Clock, ClockState, Evaluation};
use crate::agreement::Agreement;
use crate::alerts::people::Person;

/// What a line of clocks with no owner is called: the time before a lead
/// was routed to someone.
pub const NO_OWNER: &str = "(no owner)";

/// One owner's (or one team's) clocks of one guarantee over a range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerLine {
    /// The guarantee's id.
    pub guarantee: String,
    /// The owner id (or the team's manager id); null for clocks of leads
    /// with no owner.
    pub owner: Option<String>,
    /// Clocks started in the range.
    pub clocks: usize,
    /// Stopped in time.
    pub met: usize,
    /// Stopped after the due instant.
    pub met_late: usize,
    /// Still running past the due instant.
    pub breached: usize,
    /// Met in time among the decided clocks (met, met late, breached), 0 to
    /// 1; null with none decided.
    pub compliance: Option<f64>,
    /// The median business seconds from start to the touch that stopped
    /// the clock, over the stopped ones (the lower of the two middle values
    /// for an even count); null when none stopped.
    pub median_to_stop: Option<i64>,
    /// That median as people say it, in the guarantee's own time
    /// ("2 h 10 min", "1 business day 1 h").
    pub median_to_stop_text: Option<String>,
}

impl OwnerLine {
    /// Met in time out of decided, as people say it:
    /// "rep-hugo: 12 of 40 in time (30.0%), 5 breached, median to the
    /// touch 2 h 10 min" (the median in the guarantee's own time).
    pub fn text(&self) -> String {
        let who = self.owner.as_deref().unwrap_or(NO_OWNER);
        let decided = self.met + self.met_late + self.breached;
        let mut out = format!(
            "{who}: {} of {decided} in time ({})",
            self.met,
            super::percent(self.compliance)
        );
        if self.breached > 0 {
            out += &format!(", {} breached", self.breached);
        }
        if let Some(m) = &self.median_to_stop_text {
            out += &format!(", median to the touch {m}");
        }
        out
    }
}

/// The lead guarantees' clocks started in `[from, to)` (whole seconds),
/// one line per guarantee and lead owner, by guarantee then owner (no
/// owner last).
pub fn owner_lines(e: &Evaluation, a: &Agreement, from: i64, to: i64) -> Vec<OwnerLine> {
    // `Option` orders `None` first; (no owner) goes last, after the names.
    let mut by: BTreeMap<(&str, bool, Option<&str>), Vec<&Clock>> = BTreeMap::new();
    for c in lead_clocks(e, from, to) {
        let owner = c.owner.as_deref();
        by.entry((&c.guarantee, owner.is_none(), owner))
            .or_default()
            .push(c);
    }
    by.into_iter()
        .map(|((guarantee, _, owner), clocks)| {
            line(a, guarantee, owner.map(str::to_string), &clocks)
        })
        .collect()
}

/// The same clocks per team of the people directory: an owner belongs to
/// the team of their manager, a manager to their own; owners the directory
/// does not place in a team are left out.
pub fn team_lines(
    e: &Evaluation,
    a: &Agreement,
    people: &[Person],
    from: i64,
    to: i64,
) -> Vec<OwnerLine> {
    let managers: Vec<&str> = people.iter().filter_map(|p| p.manager.as_deref()).collect();
    let team_of = |owner: Option<&str>| -> Option<String> {
        let owner = owner?;
        if managers.contains(&owner) {
            return Some(owner.to_string());
        }
        people.iter().find(|p| p.owner_id == owner)?.manager.clone()
    };
    let mut by: BTreeMap<(&str, String), Vec<&Clock>> = BTreeMap::new();
    for c in lead_clocks(e, from, to) {
        if let Some(team) = team_of(c.owner.as_deref()) {
            by.entry((&c.guarantee, team)).or_default().push(c);
        }
    }
    by.into_iter()
        .map(|((guarantee, team), clocks)| line(a, guarantee, Some(team), &clocks))
        .collect()
}

/// Lead guarantee clocks started in `[from, to)`: a clock is a request's
/// when its subject is one of the evaluation's requests, whichever version
/// of the agreement judged it.
fn lead_clocks(e: &Evaluation, from: i64, to: i64) -> impl Iterator<Item = &Clock> {
    let requests: std::collections::HashSet<&str> =
        e.requests.iter().map(|r| r.id.as_str()).collect();
    e.clocks.iter().filter(move |c| {
        c.view.start >= from && c.view.start < to && !requests.contains(c.subject.as_str())
    })
}

fn line(a: &Agreement, guarantee: &str, owner: Option<String>, clocks: &[&Clock]) -> OwnerLine {
    let count = |s: ClockState| clocks.iter().filter(|c| c.view.state == s).count();
    let (met, met_late, breached) = (
        count(ClockState::Met),
        count(ClockState::MetLate),
        count(ClockState::Breached),
    );
    let decided = met + met_late + breached;
    let mut stopped: Vec<i64> = clocks
        .iter()
        .filter(|c| matches!(c.view.state, ClockState::Met | ClockState::MetLate))
        .map(|c| c.view.used)
        .collect();
    stopped.sort_unstable();
    let median = stopped
        .len()
        .checked_sub(1)
        .and_then(|last| stopped.get(last / 2))
        .copied();
    OwnerLine {
        guarantee: guarantee.to_string(),
        owner,
        clocks: clocks.len(),
        met,
        met_late,
        breached,
        compliance: (decided > 0).then(|| met as f64 / decided as f64),
        median_to_stop: median,
        median_to_stop_text: median.map(|m| super::spoken_clock(a, guarantee, m)),
    }
}
