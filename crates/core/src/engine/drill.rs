//! Drill-down: the leads, opportunities, deals and clocks behind a goal's
//! number in one period, one row each.
//!
//! The rows are the number's own definition: [`summarize`] turns them back
//! into the goal's [`Actual`], and the goal tests check that this equals
//! what the one-pass bucketing in `goals.rs` gives for every goal and
//! period of demo companies, so a list opened from a number always holds
//! exactly what that number counted.

use jiff::Timestamp;

use super::fold::{Facts, Reach};
use super::goals::{
    first_reach, first_touch, first_touch_guarantee, followed_guarantees, followed_in_time,
    in_segment, passes,
};
use super::{Clock, ClockState};
use crate::agreement::{Agreement, Goal, Metric, Target};
use crate::event::Money;

/// One thing a goal's number counted.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalRow {
    /// The lead (its CRM record id).
    pub subject: String,
    /// When it counted: the stage reached, the opportunity or deal, the
    /// MQL a decision or conversion follows, the clock's start.
    pub at: Timestamp,
    /// The lead's name where the CRM gave one (its `name` attribute), else
    /// its company: who the record id is, for the people reading the list.
    pub name: Option<String>,
    /// The lead's owner now (`None`: no owner), as a clock's owner is: the
    /// one to ask about it.
    pub owner: Option<String>,
    /// For a follow-up goal, the guarantee whose clock this is.
    pub guarantee: Option<String>,
    /// For a rate, whether it is in the numerator as well as the
    /// denominator (met in time, accepted, converted).
    pub hit: Option<bool>,
    /// For a money goal, the amount it adds.
    pub amount: Option<Money>,
    /// For a median, the business seconds it is timed at.
    pub seconds: Option<i64>,
    /// What it is, as people say it: "reached mql", "met 2 business days 4 h late".
    pub detail: String,
}

/// Goal `g`'s rows over `[from, to)` (unix seconds), in time order, then by lead.
///
/// `facts` are the subjects as the version judging the period folded them;
/// `clocks` are the evaluation's (a follow-up goal reads them, as its rate does).
pub(crate) fn goal_rows(
    a: &Agreement,
    g: &Goal,
    facts: &[&Facts],
    clocks: &[Clock],
    from: i64,
    to: i64,
) -> Vec<GoalRow> {
    let leads = || facts.iter().filter(|f| !f.is_request);
    let row = |f: &Facts, at: i64, detail: String| GoalRow {
        subject: f.subject.clone(),
        at: Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH),
        name: f.name(),
        owner: f.attrs.get("owner").map(str::to_string),
        guarantee: None,
        hit: None,
        amount: None,
        seconds: None,
        detail,
    };
    let firsts = |stage: &str| firsts(a, g, facts, stage, from, to);
    let mut rows: Vec<GoalRow> = match &g.metric {
        Metric::Reached(stage) => firsts(stage.as_str())
            .into_iter()
            .map(|(f, r)| row(f, r.at, format!("reached {stage}")))
            .collect(),
        Metric::Opportunities | Metric::PipelineValue | Metric::RevenueWon => {
            let currency = match (&g.metric, &g.target) {
                (Metric::Opportunities, _) => None,
                (_, Target::Money(m)) => Some(m.currency.as_str()),
                _ => Some(""),
            };
            let won = g.metric == Metric::RevenueWon;
            let word = if won { "deal won" } else { "opportunity" };
            leads()
                .flat_map(|f| {
                    let list = if won { &f.wins } else { &f.opportunities };
                    list.iter().map(move |o| (*f, o))
                })
                .filter(|(f, (at, m, attrs))| {
                    *at >= from
                        && *at < to
                        && currency.is_none_or(|c| *m.currency == *c)
                        && passes(&g.filters, attrs)
                        && in_segment(a, &g.filters, attrs, &f.activities)
                })
                .map(|(f, (at, m, _))| {
                    let money = Money {
                        minor: m.minor,
                        currency: m.currency.to_string(),
                    };
                    GoalRow {
                        amount: currency.is_some().then(|| money.clone()),
                        ..row(f, *at, format!("{word} {}", money.grouped()))
                    }
                })
                .collect()
        }
        Metric::FollowUpRate => {
            let counted = followed_guarantees(a, g);
            clocks
                .iter()
                .filter(|c| c.view.start >= from && c.view.start < to)
                .filter_map(|c| {
                    let in_time = followed_in_time(a, g, &counted, c)?;
                    Some(GoalRow {
                        subject: c.subject.clone(),
                        at: Timestamp::from_second(c.view.start).unwrap_or(Timestamp::UNIX_EPOCH),
                        name: c.name.clone(),
                        owner: c.owner.clone(),
                        guarantee: Some(c.guarantee.clone()),
                        hit: Some(in_time),
                        amount: None,
                        seconds: None,
                        detail: clock_detail(a, c),
                    })
                })
                .collect()
        }
        Metric::AcceptanceRate => firsts("mql")
            .into_iter()
            .filter_map(|(f, r)| {
                let (_, accepted, reason) = f.decisions.iter().find(|d| d.0 >= r.at)?;
                let detail = match (accepted, reason) {
                    (true, _) => "accepted".to_string(),
                    (false, Some(why)) => format!("rejected: {why}"),
                    (false, None) => "rejected".to_string(),
                };
                Some(GoalRow {
                    hit: Some(*accepted),
                    ..row(f, r.at, detail)
                })
            })
            .collect(),
        Metric::Conversion { from: s1, to: s2 } => firsts(s1.as_str())
            .into_iter()
            .map(|(f, r)| {
                let converted = converted_at(f, r, s2.as_str());
                let detail = match converted {
                    Some(_) => format!("reached {s2}"),
                    None => format!("not yet {s2}"),
                };
                GoalRow {
                    hit: Some(converted.is_some()),
                    ..row(f, r.at, detail)
                }
            })
            .collect(),
        Metric::MedianFirstTouch => firsts("mql")
            .into_iter()
            .filter_map(|(f, r)| {
                let t = first_touch(a, f, r)?;
                let guarantee = first_touch_guarantee(a, f, r)?;
                let words = super::spoken_clock(a, guarantee.id.as_str(), t);
                Some(GoalRow {
                    seconds: Some(t),
                    ..row(f, r.at, format!("touched {words} after the MQL"))
                })
            })
            .collect(),
    };
    rows.sort_by(|x, y| (x.at, &x.subject).cmp(&(y.at, &y.subject)));
    rows
}

/// Each lead's first reach of `stage` in `[from, to)` that passes the goal's filters.
fn firsts<'f>(
    a: &Agreement,
    g: &Goal,
    facts: &[&'f Facts],
    stage: &str,
    from: i64,
    to: i64,
) -> Vec<(&'f Facts, &'f Reach)> {
    facts
        .iter()
        .filter(|f| !f.is_request)
        .filter_map(|f| first_reach(a, g, f, stage, from, to).map(|r| (*f, r)))
        .collect()
}

/// When the lead reached `stage` at or after the reach `r`, if it did.
fn converted_at(f: &Facts, r: &Reach, stage: &str) -> Option<i64> {
    f.reached
        .iter()
        .find(|x| &*x.stage == stage && x.at >= r.at)
        .map(|x| x.at)
}

/// A judged clock's verdict, with how late in the guarantee's own time.
fn clock_detail(a: &Agreement, c: &Clock) -> String {
    let late = super::spoken_clock(a, &c.guarantee, c.view.used - c.view.promised);
    match c.view.state {
        ClockState::Met => "met in time".to_string(),
        ClockState::MetLate => format!("met {late} late"),
        ClockState::Breached => format!("breached, {late} late"),
        ClockState::Running => "running".to_string(),
        ClockState::NotMeasurable => "not measurable".to_string(),
    }
}

/// The goal's number from its rows: a count, a sum, hits of the rows, or
/// the median of their times.
#[cfg(test)]
pub(crate) fn summarize(g: &Goal, rows: &[GoalRow]) -> super::Actual {
    use super::Actual;
    match &g.metric {
        Metric::Reached(_) | Metric::Opportunities => Actual::Count(rows.len() as u64),
        Metric::PipelineValue | Metric::RevenueWon => Actual::Money(Money {
            minor: rows
                .iter()
                .filter_map(|r| r.amount.as_ref())
                .map(|m| m.minor)
                .sum(),
            currency: match &g.target {
                Target::Money(m) => m.currency.clone(),
                _ => String::new(),
            },
        }),
        Metric::FollowUpRate | Metric::AcceptanceRate | Metric::Conversion { .. } => Actual::Rate {
            hits: rows.iter().filter(|r| r.hit == Some(true)).count() as u64,
            of: rows.len() as u64,
        },
        Metric::MedianFirstTouch => {
            super::goals::median(rows.iter().filter_map(|r| r.seconds).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Actual, Live, PeriodKey};
    use crate::event::{Event, parse_event};

    /// Four leads worked by hand in the example agreement (New York and
    /// Berlin calendars, February 2027 unless said):
    /// - A, enterprise, rep-ava: MQL Tue 2 Feb 10:00 New York, called 10:30
    ///   (30 min of a 1 business hour promise), accepted, SQL on the 5th;
    /// - B, enterprise, rep-hugo: MQL Tue 10:00, called Wed 10:00 (7 h to
    ///   the day's end, 1 h the next morning: 8 h, 7 h late), rejected;
    /// - C, mid-market, no owner: MQL Wed 13:00 Berlin (lunch), called at
    ///   14:00 (30 min from 13:30), no decision, an opportunity of 50,000 USD;
    /// - D, enterprise: MQL in January (a quarter's number, not February's).
    fn events() -> Vec<Event> {
        let lines = [
            r#"{"id":"a1","type":"lead.created","lead_id":"A","occurred_at":"2027-02-02T14:00:00Z","attributes":{"segment":"enterprise","owner":"rep-ava"}}"#,
            r#"{"id":"a2","type":"lead.stage_changed","lead_id":"A","occurred_at":"2027-02-02T15:00:00Z","stage":"mql"}"#,
            r#"{"id":"a3","type":"lead.touched","lead_id":"A","occurred_at":"2027-02-02T15:30:00Z","channel":"call"}"#,
            r#"{"id":"a4","type":"lead.accepted","lead_id":"A","occurred_at":"2027-02-02T16:00:00Z"}"#,
            r#"{"id":"a5","type":"lead.stage_changed","lead_id":"A","occurred_at":"2027-02-05T16:00:00Z","stage":"sql"}"#,
            r#"{"id":"b1","type":"lead.created","lead_id":"B","occurred_at":"2027-02-02T14:00:00Z","attributes":{"segment":"enterprise","owner":"rep-hugo"}}"#,
            r#"{"id":"b2","type":"lead.stage_changed","lead_id":"B","occurred_at":"2027-02-02T15:00:00Z","stage":"mql"}"#,
            r#"{"id":"b3","type":"lead.touched","lead_id":"B","occurred_at":"2027-02-03T15:00:00Z","channel":"call"}"#,
            r#"{"id":"b4","type":"lead.rejected","lead_id":"B","occurred_at":"2027-02-03T16:00:00Z","reason":"no budget"}"#,
            r#"{"id":"c1","type":"lead.created","lead_id":"C","occurred_at":"2027-02-03T11:00:00Z","attributes":{"segment":"mid-market"}}"#,
            r#"{"id":"c2","type":"lead.stage_changed","lead_id":"C","occurred_at":"2027-02-03T12:00:00Z","stage":"mql"}"#,
            r#"{"id":"c3","type":"lead.touched","lead_id":"C","occurred_at":"2027-02-03T13:00:00Z","channel":"email"}"#,
            r#"{"id":"c4","type":"opportunity.created","lead_id":"C","occurred_at":"2027-02-10T13:00:00Z","amount":"50000","currency":"USD"}"#,
            r#"{"id":"d1","type":"lead.created","lead_id":"D","occurred_at":"2027-01-20T14:00:00Z","attributes":{"segment":"enterprise"}}"#,
            r#"{"id":"d2","type":"lead.stage_changed","lead_id":"D","occurred_at":"2027-01-20T15:00:00Z","stage":"mql"}"#,
        ];
        lines.iter().map(|l| parse_event(l).unwrap()).collect()
    }

    fn rows(goal: &str, period: &str) -> (Actual, Vec<(String, String)>) {
        rows_under(crate::demo::EXAMPLE_AGREEMENT, goal, period)
    }

    fn rows_under(agreement: &str, goal: &str, period: &str) -> (Actual, Vec<(String, String)>) {
        let a = crate::check("agreement.toml", agreement).agreement.unwrap();
        let as_of: Timestamp = "2027-02-20T00:00:00Z".parse().unwrap();
        let mut live = Live::at(vec![("2027-01-01T05:00:00Z".parse().unwrap(), a)], as_of);
        let events = events();
        for s in ["A", "B", "C", "D"] {
            live.set_subject(
                s,
                events
                    .iter()
                    .filter(|e| e.subject.as_str() == s)
                    .cloned()
                    .collect(),
            );
        }
        let (result, rows) = live
            .goal_rows(as_of, goal, PeriodKey::parse(period).unwrap())
            .unwrap();
        let g = live.versions()[0]
            .1
            .goals
            .iter()
            .find(|g| g.id.as_str() == goal)
            .unwrap();
        assert_eq!(summarize(g, &rows), result.actual, "{goal} {period}");
        let list = rows.into_iter().map(|r| (r.subject, r.detail)).collect();
        (result.actual, list)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(s, d)| (s.to_string(), d.to_string()))
            .collect()
    }

    /// The MQL volume counted per ISO week: A, B (Tue 2 Feb) and C (Wed 3 Feb)
    /// fall in 2027-W05 (Mon 1 to Sun 7 Feb), D (Wed 20 Jan) in 2027-W03.
    #[test]
    fn a_weekly_goal_counts_each_iso_week() {
        let weekly = crate::demo::EXAMPLE_AGREEMENT.replacen(
            "metric = \"mqls\"\ntarget = 400\nper = \"month\"",
            "metric = \"mqls\"\ntarget = 100\nper = \"week\"",
            1,
        );
        assert_ne!(weekly, crate::demo::EXAMPLE_AGREEMENT);
        let three = pairs(&[
            ("A", "reached mql"),
            ("B", "reached mql"),
            ("C", "reached mql"),
        ]);
        assert_eq!(
            rows_under(&weekly, "mql-volume", "2027-W05"),
            (Actual::Count(3), three)
        );
        assert_eq!(
            rows_under(&weekly, "mql-volume", "2027-W04"),
            (Actual::Count(0), vec![])
        );
        assert_eq!(
            rows_under(&weekly, "mql-volume", "2027-W03"),
            (Actual::Count(1), pairs(&[("D", "reached mql")]))
        );
    }

    #[test]
    fn each_goal_number_opens_to_the_leads_and_clocks_it_counted() {
        assert_eq!(
            rows("mql-volume", "2027-02"),
            (
                Actual::Count(3),
                pairs(&[
                    ("A", "reached mql"),
                    ("B", "reached mql"),
                    ("C", "reached mql")
                ])
            )
        );
        assert_eq!(rows("enterprise-mqls", "2027-02").0, Actual::Count(2));
        assert_eq!(
            rows("follow-up", "2027-02"),
            (
                Actual::Rate { hits: 2, of: 3 },
                pairs(&[
                    ("A", "met in time"),
                    ("B", "met 7 h late"),
                    ("C", "met in time")
                ])
            )
        );
        assert_eq!(
            rows("acceptance", "2027-02"),
            (
                Actual::Rate { hits: 1, of: 2 },
                pairs(&[("A", "accepted"), ("B", "rejected: no budget")])
            )
        );
        assert_eq!(
            rows("first-touch-speed", "2027-02"),
            (
                Actual::Duration {
                    median: Some(1800.0),
                    of: 3
                },
                pairs(&[
                    ("A", "touched 30 min after the MQL"),
                    ("B", "touched 1 business day after the MQL"),
                    ("C", "touched 30 min after the MQL"),
                ])
            )
        );
        assert_eq!(
            rows("mql-to-sql", "2027-Q1"),
            (
                Actual::Rate { hits: 1, of: 4 },
                pairs(&[
                    ("D", "not yet sql"),
                    ("A", "reached sql"),
                    ("B", "not yet sql"),
                    ("C", "not yet sql"),
                ])
            )
        );
        let (pipeline, list) = rows("pipeline", "2027-Q1");
        assert_eq!(pipeline.to_string(), "50,000 USD");
        assert_eq!(list, pairs(&[("C", "opportunity 50,000 USD")]));
        assert_eq!(
            rows("mql-volume", "2027-01").1,
            pairs(&[("D", "reached mql")])
        );
    }
}
