//! The queue and the breaches list: which open clocks someone can still act
//! on, in what order, and which breaches are old enough to leave the queue.
//!
//! A queue that holds every breach since the start never empties and buries
//! the lead due in ten minutes under last year's misses. So an open clock
//! stands in the queue while it runs and, once breached, until it is later
//! than the agreement's `[queue] keep_breached` (business time of its
//! guarantee's calendar); then it is in the breaches list only. The API's
//! `state=queue`, the queue page and the breaches page all ask here.

use crate::agreement::Agreement;
use crate::alerts::people::Person;

use super::{Clock, ClockState};

/// Where an open clock stands for the people who owe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QueueStanding {
    /// Running, with time left and not yet at its warning point.
    Running,
    /// Running but paused (say, the lead is nurtured).
    Paused,
    /// Running past the guarantee's warning point.
    AtRisk,
    /// Past due, and still late by less than the queue keeps.
    Breached,
    /// Past due for longer than the queue keeps: in the breaches list only.
    BreachedLongAgo,
}

impl QueueStanding {
    /// Every standing, in queue order.
    pub const ALL: [QueueStanding; 5] = [
        QueueStanding::Running,
        QueueStanding::Paused,
        QueueStanding::AtRisk,
        QueueStanding::Breached,
        QueueStanding::BreachedLongAgo,
    ];

    /// `running`, `paused`, `at_risk`, `breached`, `breached_long_ago`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueStanding::Running => "running",
            QueueStanding::Paused => "paused",
            QueueStanding::AtRisk => "at_risk",
            QueueStanding::Breached => "breached",
            QueueStanding::BreachedLongAgo => "breached_long_ago",
        }
    }

    /// The standing named by [`QueueStanding::as_str`].
    ///
    /// # Example
    ///
    /// ```
    /// use handshake_core::engine::QueueStanding;
    /// assert_eq!(QueueStanding::parse("at_risk"), Some(QueueStanding::AtRisk));
    /// assert_eq!(QueueStanding::parse("late"), None);
    /// ```
    pub fn parse(text: &str) -> Option<QueueStanding> {
        QueueStanding::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// As a page says it: `running`, `paused`, `at risk`, `breached`,
    /// `breached long ago`.
    pub fn words(self) -> &'static str {
        match self {
            QueueStanding::Running => "running",
            QueueStanding::Paused => "paused",
            QueueStanding::AtRisk => "at risk",
            QueueStanding::Breached => "breached",
            QueueStanding::BreachedLongAgo => "breached long ago",
        }
    }

    /// Whether a clock standing so is in the queue.
    pub fn in_queue(self) -> bool {
        self != QueueStanding::BreachedLongAgo
    }
}

/// Where `c` stands under `a`'s queue rules; `None` for a clock that is not
/// open (met, met late) or cannot be judged from the data (not measurable).
pub fn queue_standing(a: &Agreement, c: &Clock) -> Option<QueueStanding> {
    match c.view.state {
        ClockState::Breached => Some(if -c.view.left() > a.queue_keeps_breached(&c.guarantee) {
            QueueStanding::BreachedLongAgo
        } else {
            QueueStanding::Breached
        }),
        ClockState::Running if c.view.paused => Some(QueueStanding::Paused),
        ClockState::Running if c.view.at_risk => Some(QueueStanding::AtRisk),
        ClockState::Running => Some(QueueStanding::Running),
        ClockState::Met | ClockState::MetLate | ClockState::NotMeasurable => None,
    }
}

/// The queue's order: running clocks soonest due first (paused ones, with
/// no due instant, after them), then breached ones most recently due first.
pub fn queue_order(c: &Clock) -> (u8, i64, i64) {
    let due = c.view.due.unwrap_or(i64::MAX);
    match c.view.state {
        ClockState::Breached => (1, -due, c.view.start),
        _ => (0, due, c.view.start),
    }
}

/// Which clocks a list shows: every field left `None` lets all through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockFilter {
    /// Only this owner's clocks (`Some(None)`: only those of no owner).
    pub owner: Option<Option<String>>,
    /// Only the clocks of this manager's team: the manager and everyone
    /// the people directory says reports to them.
    pub team: Option<String>,
    /// Only this guarantee's clocks.
    pub guarantee: Option<String>,
    /// Only clocks standing so.
    pub standing: Option<QueueStanding>,
}

impl ClockFilter {
    /// Whether `c`, standing `s` in the queue (`None`: not open), passes;
    /// `people` is the directory that says who reports to whom.
    pub fn holds(&self, people: &[Person], c: &Clock, s: Option<QueueStanding>) -> bool {
        self.owner.as_ref().is_none_or(|o| &c.owner == o)
            && self
                .team
                .as_deref()
                .is_none_or(|m| c.owner.as_deref().is_some_and(|o| in_team(people, m, o)))
            && self.guarantee.as_ref().is_none_or(|g| &c.guarantee == g)
            && self.standing.is_none_or(|w| Some(w) == s)
    }
}

/// Whether `owner` is in `manager`'s team: the manager, or someone whose
/// manager the directory says they are.
pub fn in_team(people: &[Person], manager: &str, owner: &str) -> bool {
    owner == manager
        || people
            .iter()
            .any(|p| p.owner_id == owner && p.manager.as_deref() == Some(manager))
}

/// The managers of the directory (those someone reports to), each with
/// their name where the directory has them, sorted by name.
pub fn teams(people: &[Person]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = people
        .iter()
        .filter_map(|p| p.manager.as_deref())
        .map(|m| {
            let name = people
                .iter()
                .find(|p| p.owner_id == m)
                .map_or_else(|| m.to_string(), |p| p.name.clone());
            (m.to_string(), name)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Period;
    use crate::demo::EXAMPLE_AGREEMENT as EXAMPLE;
    use crate::engine::{ClockView, PeriodKey};

    fn agreement(extra: &str) -> Agreement {
        let text = format!("{EXAMPLE}\n{extra}");
        let checked = crate::check("a.toml", &text);
        checked
            .agreement
            .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    /// A running enterprise first-touch clock, one business hour promised.
    fn running() -> Clock {
        Clock {
            guarantee: "enterprise-first-touch".into(),
            guarantee_index: 0,
            subject: "L-1".into(),
            name: None,
            period: PeriodKey {
                kind: Period::Month,
                year: 2027,
                index: 3,
            },
            owner: None,
            segment: None,
            view: ClockView {
                state: ClockState::Running,
                paused: false,
                at_risk: false,
                start: 0,
                due: Some(3_600),
                stop: None,
                used: 60,
                promised: 3_600,
                extension: None,
            },
            version: 1,
        }
    }

    fn late_by(seconds: i64) -> Clock {
        let mut c = running();
        c.view.state = ClockState::Breached;
        c.view.used = c.view.promised + seconds;
        c
    }

    #[test]
    fn a_breach_leaves_the_queue_once_later_than_the_agreement_keeps_it() {
        let a = agreement("");
        let day = a.business_day("enterprise-first-touch");
        // The default: five business days of the guarantee's calendar.
        assert_eq!(
            queue_standing(&a, &late_by(5 * day)),
            Some(QueueStanding::Breached)
        );
        assert_eq!(
            queue_standing(&a, &late_by(5 * day + 1)),
            Some(QueueStanding::BreachedLongAgo)
        );
        let a = agreement("[queue]\nkeep_breached = \"2 business hours\"\n");
        assert_eq!(
            queue_standing(&a, &late_by(7_200)),
            Some(QueueStanding::Breached)
        );
        assert_eq!(
            queue_standing(&a, &late_by(7_201)),
            Some(QueueStanding::BreachedLongAgo)
        );
    }

    #[test]
    fn running_clocks_stand_by_their_warning_and_pause() {
        let a = agreement("");
        let mut c = running();
        assert_eq!(queue_standing(&a, &c), Some(QueueStanding::Running));
        c.view.at_risk = true;
        assert_eq!(queue_standing(&a, &c), Some(QueueStanding::AtRisk));
        c.view.paused = true;
        assert_eq!(queue_standing(&a, &c), Some(QueueStanding::Paused));
        for closed in [
            ClockState::Met,
            ClockState::MetLate,
            ClockState::NotMeasurable,
        ] {
            c.view.state = closed;
            assert_eq!(queue_standing(&a, &c), None);
        }
    }

    #[test]
    fn a_bad_queue_table_is_named_where_it_stands() {
        let text = format!("{EXAMPLE}\n[queue]\nkeep_breached = \"soon\"\nkeep = 1\n");
        let checked = crate::check("a.toml", &text);
        let lines: Vec<usize> = checked
            .diagnostics
            .iter()
            .map(|d| text[..d.span.start].matches('\n').count() + 1)
            .collect();
        let last = text.lines().count();
        // The bad duration on its line, the unknown key on the next.
        assert_eq!(lines, [last - 1, last], "{:?}", checked.diagnostics);
        assert!(checked.diagnostics[1].message.contains("keep"));
        assert!(checked.agreement.is_none());
    }

    fn person(id: &str, manager: Option<&str>) -> Person {
        let mut p = Person::new(id, id, "sales");
        p.manager = manager.map(str::to_string);
        p
    }

    #[test]
    fn a_team_is_its_manager_and_who_reports_to_them() {
        let people = [
            person("rep-ava", Some("mgr-mia")),
            person("rep-hugo", Some("mgr-mia")),
            person("rep-zoe", Some("mgr-max")),
            person("mgr-mia", None),
        ];
        assert!(in_team(&people, "mgr-mia", "rep-ava"));
        assert!(in_team(&people, "mgr-mia", "mgr-mia"));
        assert!(!in_team(&people, "mgr-mia", "rep-zoe"));
        assert!(!in_team(&people, "mgr-mia", "rep-unknown"));
        let ids: Vec<String> = teams(&people).into_iter().map(|t| t.0).collect();
        assert_eq!(ids, ["mgr-max", "mgr-mia"]);
        let filter = ClockFilter {
            team: Some("mgr-mia".into()),
            ..ClockFilter::default()
        };
        let mut c = running();
        c.owner = Some("rep-hugo".into());
        assert!(filter.holds(&people, &c, Some(QueueStanding::Running)));
        c.owner = Some("rep-zoe".into());
        assert!(!filter.holds(&people, &c, Some(QueueStanding::Running)));
        c.owner = None;
        assert!(!filter.holds(&people, &c, Some(QueueStanding::Running)));
    }
}
