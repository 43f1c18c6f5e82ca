//! What a period's close brings about, to tell: a goal missed (so many
//! periods in a row, as a `[[consequences]]` entry with `via` says) and the
//! cancellation term met. Read from an evaluation: each goal result whose
//! period closed inside a window is judged by the agreement version that
//! judged it, with its streak counted up to that period. The shell turns
//! each into notifications, once per (consequence, goal, period).

use jiff::Timestamp;

use super::{Evaluation, GoalResult, fold};
use crate::agreement::{Action, Agreement, PartyId, Trigger};
use crate::alerts::ChannelName;

/// `Handshake-Event` kind of a missed goal's notification.
pub const GOAL_MISSED: &str = "goal.missed";
/// `Handshake-Event` kind of the cancellation term's notification.
pub const CANCELLATION_MET: &str = "cancellation.met";

/// One consequence a period's close brought about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsequenceDue {
    /// Unique per workspace: `consequence/{n}/{goal}/{period}` (n counts
    /// the agreement's consequences from 1) or `cancellation/{goal}/{period}`.
    pub key: String,
    /// [`GOAL_MISSED`] or [`CANCELLATION_MET`].
    pub kind: &'static str,
    /// The goal missed.
    pub goal: String,
    /// The period that closed, e.g. `2027-03`.
    pub period: String,
    /// When it closed (unix seconds).
    pub instant: i64,
    /// Missed periods in a row, this one included.
    pub missed_in_a_row: u32,
    /// The goal's number and target in that period: `312 against a target of 400`.
    pub figure: String,
    /// What the agreement says happens (none for the cancellation term).
    pub action: Option<Action>,
    /// The parties whose contacts are told.
    pub tell: Vec<PartyId>,
    /// The channels they are told through.
    pub via: Vec<ChannelName>,
    /// The agreement's words beside it (a consequence's note, the notice).
    pub note: Option<String>,
    /// The agreement version that judged the period, from 1.
    pub version: u32,
}

/// Whether a period of one of `a`'s goals ends in `(from, to]` (unix
/// seconds): only then can [`consequences_due`] find anything, so the
/// shell evaluates only then.
///
/// # Example
/// ```
/// use handshake_core::engine::period_closes_between;
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = handshake_core::check("agreement.toml", &text).agreement.expect("valid");
/// // March 2027 ends at 04:00Z in New York.
/// let end = "2027-04-01T04:00:00Z".parse::<jiff::Timestamp>()?.as_second();
/// assert!(period_closes_between(&a, end - 60, end));
/// assert!(!period_closes_between(&a, end, end + 3_600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn period_closes_between(a: &Agreement, from: i64, to: i64) -> bool {
    let tz = &a.time_zone.tz;
    let Ok(t) = Timestamp::from_second(to) else {
        return false;
    };
    a.goals.iter().any(|g| {
        let last_start = fold::secs(super::PeriodKey::containing(g.per, t, tz).start(tz));
        last_start > from && last_start <= to
    })
}

/// Missed periods in a row of `r`'s goal, ending with `r` (0 when `r` is
/// not missed).
fn streak(all: &[GoalResult], r: &GoalResult) -> u32 {
    let mut mine: Vec<&GoalResult> = all
        .iter()
        .filter(|x| x.id == r.id && x.closed && x.period <= r.period)
        .collect();
    mine.sort_by_key(|x| x.period);
    mine.iter()
        .rev()
        .take_while(|x| x.attained == Some(false))
        .count() as u32
}

/// The consequences and cancellation terms brought about by the periods
/// that closed in `(from, to]` (unix seconds), judged by `versions` (in
/// force from each instant, as [`super::Live::versions`] holds them).
/// Only entries with a `via` are told.
///
/// # Example
/// ```
/// use handshake_core::engine::{self, consequences_due};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = handshake_core::check("agreement.toml", &text).agreement.expect("valid");
/// // No events at all: every goal is missed each month from January 2027.
/// let as_of: jiff::Timestamp = "2027-04-02T00:00:00Z".parse()?;
/// let e = engine::evaluate(&a, &[], as_of);
/// let march_closed = "2027-04-01T04:00:00Z".parse::<jiff::Timestamp>()?.as_second();
/// let due = consequences_due(&[(jiff::Timestamp::MIN, a)], &e, march_closed - 60, march_closed);
/// let keys: Vec<&str> = due.iter().map(|d| d.key.as_str()).collect();
/// assert!(keys.contains(&"consequence/1/mql-volume/2027-03"), "{keys:?}");
/// assert!(keys.contains(&"cancellation/mql-volume/2027-03"), "{keys:?}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn consequences_due(
    versions: &[(Timestamp, Agreement)],
    e: &Evaluation,
    from: i64,
    to: i64,
) -> Vec<ConsequenceDue> {
    let mut out = Vec::new();
    for r in e.goals.iter().filter(|r| r.closed) {
        let Some((_, a)) = (r.version as usize)
            .checked_sub(1)
            .and_then(|i| versions.get(i))
        else {
            continue;
        };
        let end = fold::secs(r.period.end(&a.time_zone.tz));
        if end <= from || end > to || r.attained != Some(false) {
            continue;
        }
        let n = streak(&e.goals, r);
        let figure = format!("{} against a target of {}", r.actual, r.target);
        for (i, c) in a.consequences.iter().enumerate() {
            let Trigger::GoalMissed { goal, periods } = &c.when else {
                continue;
            };
            if c.via.is_empty() || n < *periods || goal.as_ref().is_some_and(|g| g.as_str() != r.id)
            {
                continue;
            }
            out.push(ConsequenceDue {
                key: format!("consequence/{}/{}/{}", i + 1, r.id, r.period),
                kind: GOAL_MISSED,
                goal: r.id.clone(),
                period: r.period.to_string(),
                instant: end,
                missed_in_a_row: n,
                figure: figure.clone(),
                action: Some(c.action),
                tell: vec![c.to.clone()],
                via: c.via.clone(),
                note: c.note.clone(),
                version: r.version,
            });
        }
        if let Some(c) = &a.cancellation
            && !c.via.is_empty()
            && n >= c.after_consecutive_missed_periods
            && (c.goals.is_empty() || c.goals.iter().any(|g| g.as_str() == r.id))
        {
            out.push(ConsequenceDue {
                key: format!("cancellation/{}/{}", r.id, r.period),
                kind: CANCELLATION_MET,
                goal: r.id.clone(),
                period: r.period.to_string(),
                instant: end,
                missed_in_a_row: n,
                figure,
                action: None,
                tell: a.parties.iter().map(|p| p.id.clone()).collect(),
                via: c.via.clone(),
                note: c
                    .notice_days
                    .map(|d| format!("Either side may end the agreement with {d} days' notice.")),
                version: r.version,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Agreement {
        crate::check("a", include_str!("../../../../examples/agreement.toml"))
            .agreement
            .unwrap()
    }

    fn at(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    #[test]
    fn each_close_tells_what_the_streak_has_reached_and_nothing_else() {
        let a = example();
        let e = super::super::evaluate(&a, &[], "2027-04-15T00:00:00Z".parse().unwrap());
        let versions = [(Timestamp::MIN, a)];
        // January closes (05:00Z, New York): one miss, so the two-in-a-row
        // escalation waits; follow-up's review (any miss) would be told, but
        // with no clocks there is nothing to measure, so it is not missed.
        let jan = at("2027-02-01T05:00:00Z");
        let due = consequences_due(&versions, &e, jan - 1, jan);
        assert!(
            due.iter()
                .all(|d| d.goal != "mql-volume" || d.missed_in_a_row == 1)
        );
        assert!(
            !due.iter().any(|d| d.key.starts_with("consequence/1/")),
            "{due:#?}"
        );
        // February closes: two in a row, escalated to marketing via ops.
        let feb = at("2027-03-01T05:00:00Z");
        let due = consequences_due(&versions, &e, feb - 1, feb);
        let escalation = due
            .iter()
            .find(|d| d.key == "consequence/1/mql-volume/2027-02")
            .expect("escalated");
        assert_eq!(escalation.missed_in_a_row, 2);
        assert_eq!(escalation.action, Some(Action::Escalate));
        assert_eq!(escalation.tell, vec![PartyId("marketing".into())]);
        assert_eq!(escalation.via[0].as_str(), "ops");
        assert_eq!(escalation.figure, "0 against a target of 400");
        assert!(!due.iter().any(|d| d.kind == CANCELLATION_MET));
        // March closes: three in a row meets the cancellation term, told to both parties.
        let mar = at("2027-04-01T04:00:00Z");
        let due = consequences_due(&versions, &e, mar - 1, mar);
        let term = due
            .iter()
            .find(|d| d.key == "cancellation/mql-volume/2027-03")
            .expect("cancellation");
        assert_eq!(term.tell.len(), 2);
        // A window holding no close tells nothing.
        assert!(consequences_due(&versions, &e, mar, mar + 86_400).is_empty());
    }
}
