//! The engine against a deliberately naive reference evaluator written here:
//! a direct reading of docs/report.md, sharing no helper with the engine
//! (its own event model, ordering, clocks, periods and sums), on random
//! histories of a small agreement (tests/data/reference-agreement.toml: a
//! 24x7 UTC calendar, so business time is wall time and the calendar crate's
//! own tests carry the business-time arithmetic). Every clock and every goal
//! metric of every month is compared.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use handshake_core::engine::{Actual, ClockState, evaluate};
use handshake_core::event::{Event, parse_event};
use proptest::prelude::*;

/// 2027-01-01T00:00:00Z, the agreement's first instant.
const JAN_1: i64 = 1_798_761_600;
const DAY: i64 = 86_400;

/// What happens to a lead, in the reference's own words.
#[derive(Clone, Debug, PartialEq)]
enum Ev {
    Created {
        segment: &'static str,
        source: &'static str,
    },
    Updated {
        segment: &'static str,
    },
    Stage(&'static str),
    Touch {
        channel: &'static str,
        automated: bool,
    },
    Accepted,
    Rejected,
    Opportunity {
        cents: i64,
        currency: &'static str,
    },
    Won {
        cents: i64,
        currency: &'static str,
    },
}

impl Ev {
    /// docs/report.md, "Within one second": the order of kinds in a second.
    fn rank(&self) -> u8 {
        match self {
            Ev::Created { .. } => 0,
            Ev::Updated { .. } => 1,
            Ev::Stage(_) => 4,
            Ev::Accepted => 6,
            Ev::Rejected => 7,
            Ev::Touch { .. } => 9,
            Ev::Opportunity { .. } => 10,
            Ev::Won { .. } => 11,
        }
    }

    fn json(&self, id: &str, lead: &str, at: i64) -> String {
        let at = jiff::Timestamp::from_second(at).unwrap();
        let head = format!(r#""id":"{id}","lead_id":"{lead}","occurred_at":"{at}""#);
        match self {
            Ev::Created { segment, source } => format!(
                r#"{{{head},"type":"lead.created","attributes":{{"segment":"{segment}","source":"{source}"}}}}"#
            ),
            Ev::Updated { segment } => format!(
                r#"{{{head},"type":"lead.updated","attributes":{{"segment":"{segment}"}}}}"#
            ),
            Ev::Stage(s) => format!(r#"{{{head},"type":"lead.stage_changed","stage":"{s}"}}"#),
            Ev::Touch { channel, automated } => format!(
                r#"{{{head},"type":"lead.touched","channel":"{channel}","automated":{automated}}}"#
            ),
            Ev::Accepted => format!(r#"{{{head},"type":"lead.accepted"}}"#),
            Ev::Rejected => format!(r#"{{{head},"type":"lead.rejected","reason":"not-icp"}}"#),
            Ev::Opportunity { cents, currency } => format!(
                r#"{{{head},"type":"opportunity.created","amount":"{}.{:02}","currency":"{currency}"}}"#,
                cents / 100,
                cents % 100
            ),
            Ev::Won { cents, currency } => format!(
                r#"{{{head},"type":"deal.won","amount":"{}.{:02}","currency":"{currency}"}}"#,
                cents / 100,
                cents % 100
            ),
        }
    }
}

/// One lead's history: (second, event id, what).
type History = Vec<(i64, String, Ev)>;

/// A generated lead: created this many seconds into 2027, its segment and
/// source, then (gap in seconds, event) steps.
type LeadSpec = (i64, &'static str, &'static str, Vec<(i64, Ev)>);

fn ev_strategy() -> impl Strategy<Value = Ev> {
    prop_oneof![
        1 => prop::sample::select(vec!["enterprise", "smb"]).prop_map(|segment| Ev::Updated { segment }),
        4 => prop::sample::select(vec!["lead", "mql", "mql", "sql"]).prop_map(Ev::Stage),
        4 => (prop::sample::select(vec!["call", "email", "meeting"]), any::<bool>())
            .prop_map(|(channel, automated)| Ev::Touch { channel, automated }),
        1 => Just(Ev::Accepted),
        1 => Just(Ev::Rejected),
        1 => (1..200_000_i64, prop::sample::select(vec!["USD", "EUR"]))
            .prop_map(|(cents, currency)| Ev::Opportunity { cents, currency }),
        1 => (1..200_000_i64, prop::sample::select(vec!["USD", "USD", "EUR"]))
            .prop_map(|(cents, currency)| Ev::Won { cents, currency }),
    ]
}

/// A lead: created at some second of the first quarter, then events after
/// gaps of 0 (the same second) to about a day and a half.
fn lead_strategy() -> impl Strategy<Value = LeadSpec> {
    (
        0..(85 * DAY),
        prop::sample::select(vec!["enterprise", "smb"]),
        prop::sample::select(vec!["webinar", "paid"]),
        prop::collection::vec(
            (
                prop_oneof![1 => Just(0_i64), 3 => 1..(2 * 3_600_i64), 1 => 1..(36 * 3_600_i64)],
                ev_strategy(),
            ),
            0..10,
        ),
    )
}

/// Whole histories with their events in arrival order (shuffled by the
/// engine's contract: order never matters) and an instant to judge at.
fn build(leads: &[LeadSpec]) -> BTreeMap<String, History> {
    let mut out = BTreeMap::new();
    for (n, (created, segment, source, rest)) in leads.iter().enumerate() {
        let lead = format!("L{n}");
        let mut t = JAN_1 + created;
        let mut list = vec![(t, format!("{lead}-0"), Ev::Created { segment, source })];
        for (i, (gap, ev)) in rest.iter().enumerate() {
            t += gap;
            list.push((t, format!("{lead}-{}", i + 1), ev.clone()));
        }
        out.insert(lead, list);
    }
    out
}

// ---- The reference: docs/report.md read plainly. ----

struct Guarantee {
    id: &'static str,
    enterprise_only: bool,
    within: i64,
    warn_percent: Option<i64>,
    stops: fn(&Ev) -> bool,
}

fn guarantees() -> [Guarantee; 2] {
    [
        Guarantee {
            id: "first-touch",
            enterprise_only: true,
            within: 2 * 3_600,
            warn_percent: Some(50),
            stops: |e| {
                matches!(e, Ev::Rejected)
                    || matches!(e, Ev::Touch { channel, automated: false } if *channel == "call" || *channel == "email")
            },
        },
        Guarantee {
            id: "decide",
            enterprise_only: false,
            within: 8 * 3_600,
            warn_percent: None,
            stops: |e| matches!(e, Ev::Accepted | Ev::Rejected),
        },
    ]
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RefClock {
    guarantee: &'static str,
    lead: String,
    start: i64,
    due: i64,
    stop: Option<i64>,
    state: &'static str,
    used: i64,
    at_risk: bool,
}

/// A lead's events up to as_of, in the documented order: second, kind, id.
fn ordered(history: &History, as_of: i64) -> Vec<&(i64, String, Ev)> {
    let mut list: Vec<&(i64, String, Ev)> = history.iter().filter(|e| e.0 <= as_of).collect();
    list.sort_by(|a, b| (a.0, a.2.rank(), &a.1).cmp(&(b.0, b.2.rank(), &b.1)));
    list
}

/// The lead's segment just after each of its events.
fn segments(list: &[&(i64, String, Ev)]) -> Vec<&'static str> {
    let mut segment = "";
    list.iter()
        .map(|(_, _, e)| {
            if let Ev::Created { segment: s, .. } | Ev::Updated { segment: s } = e {
                segment = s;
            }
            segment
        })
        .collect()
}

fn reference_clocks(leads: &BTreeMap<String, History>, as_of: i64) -> Vec<RefClock> {
    let mut out = Vec::new();
    for (lead, history) in leads {
        let list = ordered(history, as_of);
        let seg = segments(&list);
        for g in guarantees() {
            let mut open: Option<i64> = None;
            let mut close = |start: i64, stop: Option<i64>| {
                let due = start + g.within;
                let used = stop.unwrap_or(as_of) - start;
                let state = match stop {
                    Some(s) if s <= due => "met",
                    Some(_) => "met_late",
                    None if as_of > due => "breached",
                    None => "running",
                };
                let at_risk = state == "running"
                    && g.warn_percent.is_some_and(|w| used * 100 >= g.within * w);
                out.push(RefClock {
                    guarantee: g.id,
                    lead: lead.clone(),
                    start,
                    due,
                    stop,
                    state,
                    used,
                    at_risk,
                });
            };
            for (i, (t, _, e)) in list.iter().enumerate() {
                if let Some(start) = open
                    && (g.stops)(e)
                {
                    close(start, Some(*t));
                    open = None;
                } else if open.is_none()
                    && *e == Ev::Stage("mql")
                    && (!g.enterprise_only || seg[i] == "enterprise")
                {
                    open = Some(*t);
                }
            }
            if let Some(start) = open {
                close(start, None);
            }
        }
    }
    out.sort();
    out
}

/// Months from January 2027 to the one holding as_of: [start, end) in seconds.
fn months(as_of: i64) -> Vec<(String, i64, i64)> {
    let mut out = Vec::new();
    let mut start = jiff::civil::date(2027, 1, 1);
    loop {
        let end = start.checked_add(jiff::Span::new().months(1)).unwrap();
        let secs = |d: jiff::civil::Date| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .unwrap()
                .timestamp()
                .as_second()
        };
        if secs(start) > as_of {
            break;
        }
        out.push((
            format!("{:04}-{:02}", start.year(), start.month()),
            secs(start),
            secs(end),
        ));
        start = end;
    }
    out
}

#[derive(Debug, PartialEq)]
enum RefActual {
    Count(u64),
    Cents(i64),
    Rate(Option<f64>),
    Seconds(Option<f64>),
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2] as f64),
        _ => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
    }
}

fn rate(hits: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| hits as f64 / of as f64)
}

/// Every goal of the agreement in month [from, to), as docs/report.md reads.
fn reference_goals(
    leads: &BTreeMap<String, History>,
    clocks: &[RefClock],
    as_of: i64,
    from: i64,
    to: i64,
) -> Vec<(&'static str, RefActual, Option<bool>)> {
    let inside = |t: i64| t >= from && t < to;
    let (mut mqls, mut enterprise_mqls, mut webinar_sqls, mut opportunities) = (0, 0, 0, 0);
    let (mut pipeline, mut revenue) = (0_i64, 0_i64);
    let (mut decided, mut accepted, mut cohort, mut converted) = (0, 0, 0, 0);
    let mut speeds = Vec::new();
    for history in leads.values() {
        let list = ordered(history, as_of);
        let seg = segments(&list);
        let source = list.iter().find_map(|(_, _, e)| match e {
            Ev::Created { source, .. } => Some(*source),
            _ => None,
        });
        let reaches = |stage: &str| -> Vec<(usize, i64)> {
            list.iter()
                .enumerate()
                .filter(|(_, (t, _, e))| matches!(e, Ev::Stage(s) if *s == stage) && inside(*t))
                .map(|(i, (t, _, _))| (i, *t))
                .collect()
        };
        let mql = reaches("mql");
        if let Some(&(_, m)) = mql.first() {
            mqls += 1;
            // Acceptance: the first decision at or after the MQL.
            if let Some((_, _, e)) = list
                .iter()
                .find(|(t, _, e)| *t >= m && matches!(e, Ev::Accepted | Ev::Rejected))
            {
                decided += 1;
                accepted += usize::from(*e == Ev::Accepted);
            }
            // Conversion: an SQL at or after it (by as_of).
            cohort += 1;
            converted += usize::from(
                list.iter()
                    .any(|(t, _, e)| *e == Ev::Stage("sql") && *t >= m),
            );
        }
        // The first MQL in the month while enterprise.
        if let Some(&(i, m)) = mql.iter().find(|(i, _)| seg[*i] == "enterprise") {
            enterprise_mqls += 1;
            let _ = (i, m);
        }
        // The first-touch speed: the first MQL of the month, covered by the
        // first-touch guarantee (enterprise then), to the first touch by a
        // person at or after it.
        if let Some(&(i, m)) = mql.first()
            && seg[i] == "enterprise"
            && let Some((t, _, _)) = list.iter().find(|(t, _, e)| {
                *t >= m
                    && matches!(
                        e,
                        Ev::Touch {
                            automated: false,
                            ..
                        }
                    )
            })
        {
            speeds.push(t - m);
        }
        if source == Some("webinar") && !reaches("sql").is_empty() {
            webinar_sqls += 1;
        }
        for (t, _, e) in &list {
            if !inside(*t) {
                continue;
            }
            match e {
                Ev::Opportunity { cents, currency } => {
                    opportunities += 1;
                    if *currency == "USD" {
                        pipeline += cents;
                    }
                }
                Ev::Won { cents, currency } if *currency == "USD" => revenue += cents,
                _ => {}
            }
        }
    }
    let first_touch: Vec<&RefClock> = clocks
        .iter()
        .filter(|c| c.guarantee == "first-touch" && inside(c.start))
        .collect();
    let met = first_touch.iter().filter(|c| c.state == "met").count();
    let judged = first_touch.iter().filter(|c| c.state != "running").count();
    let at_least = |v: Option<f64>, target: f64| v.map(|v| v >= target);
    let follow = rate(met, judged);
    let acceptance = rate(accepted, decided);
    let conversion = rate(converted, cohort);
    let speed = median(speeds);
    vec![
        ("mqls", RefActual::Count(mqls), Some(mqls >= 3)),
        (
            "enterprise-mqls",
            RefActual::Count(enterprise_mqls),
            Some(enterprise_mqls >= 1),
        ),
        (
            "webinar-sqls",
            RefActual::Count(webinar_sqls),
            Some(webinar_sqls >= 1),
        ),
        (
            "opportunities",
            RefActual::Count(opportunities),
            Some(opportunities >= 1),
        ),
        (
            "pipeline",
            RefActual::Cents(pipeline),
            Some(pipeline >= 100_000),
        ),
        (
            "revenue",
            RefActual::Cents(revenue),
            Some(revenue >= 50_000),
        ),
        ("follow-up", RefActual::Rate(follow), at_least(follow, 0.5)),
        (
            "acceptance",
            RefActual::Rate(acceptance),
            at_least(acceptance, 0.5),
        ),
        (
            "conversion",
            RefActual::Rate(conversion),
            at_least(conversion, 0.25),
        ),
        (
            "speed",
            RefActual::Seconds(speed),
            speed.map(|s| s <= 3_600.0),
        ),
    ]
}

fn engine_actual(a: &Actual) -> RefActual {
    match a {
        Actual::Count(n) => RefActual::Count(*n),
        Actual::Money(m) => {
            assert_eq!(m.currency, "USD");
            RefActual::Cents(m.minor)
        }
        Actual::Rate { .. } => RefActual::Rate(a.value()),
        Actual::Duration { median, .. } => RefActual::Seconds(*median),
    }
}

fn agreement() -> handshake_core::Agreement {
    handshake_core::check(
        "reference-agreement.toml",
        include_str!("data/reference-agreement.toml"),
    )
    .agreement
    .expect("the reference agreement checks")
}

fn compare(leads: &BTreeMap<String, History>, as_of: i64) -> Result<(), TestCaseError> {
    let a = agreement();
    let events: Vec<Event> = leads
        .iter()
        .flat_map(|(lead, h)| {
            h.iter()
                .map(move |(t, id, e)| parse_event(&e.json(id, lead, *t)).unwrap())
        })
        .collect();
    let e = evaluate(&a, &events, jiff::Timestamp::from_second(as_of).unwrap());
    // Clocks.
    let expected = reference_clocks(leads, as_of);
    let mut got: Vec<RefClock> = e
        .clocks
        .iter()
        .map(|c| RefClock {
            guarantee: if c.guarantee == "first-touch" {
                "first-touch"
            } else {
                "decide"
            },
            lead: c.subject.clone(),
            start: c.view.start,
            due: c.view.due.unwrap(),
            stop: c.view.stop,
            state: match c.view.state {
                ClockState::Met => "met",
                ClockState::MetLate => "met_late",
                ClockState::Breached => "breached",
                ClockState::Running => "running",
                // Only clocks started by inferred events can be, and the
                // reference sends none.
                ClockState::NotMeasurable => "not_measurable",
            },
            used: c.view.used,
            at_risk: c.view.at_risk,
        })
        .collect();
    got.sort();
    prop_assert_eq!(&got, &expected);
    // Every goal of every month.
    let months = months(as_of);
    prop_assert_eq!(e.goals.len(), months.len() * 10);
    for (name, from, to) in months {
        for (id, actual, attained) in reference_goals(leads, &expected, as_of, from, to) {
            let r = e
                .goals
                .iter()
                .find(|g| g.id == id && g.period.to_string() == name)
                .unwrap_or_else(|| panic!("no {id} {name}"));
            prop_assert_eq!(&engine_actual(&r.actual), &actual, "{} {}", id, name);
            prop_assert_eq!(r.attained, attained, "{} {}", id, name);
            prop_assert_eq!(r.closed, to <= as_of, "{} {}", id, name);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_agrees_with_the_naive_reference(
        leads in prop::collection::vec(lead_strategy(), 0..14),
        as_of in (20 * DAY)..(100 * DAY),
    ) {
        compare(&build(&leads), JAN_1 + as_of)?;
    }
}

/// The reference on a history worked by hand, so it is itself checked.
#[test]
fn the_reference_reads_a_hand_worked_history() {
    let leads = build(&[(
        DAY,
        "enterprise",
        "webinar",
        vec![
            (60, Ev::Stage("mql")),
            (
                0,
                Ev::Touch {
                    channel: "call",
                    automated: true,
                },
            ),
            (
                1_800,
                Ev::Touch {
                    channel: "email",
                    automated: false,
                },
            ),
            (0, Ev::Accepted),
            (3_600, Ev::Stage("sql")),
        ],
    )]);
    let as_of = JAN_1 + 10 * DAY;
    let clocks = reference_clocks(&leads, as_of);
    // MQL at day 1 + 60 s; the person's e-mail 1,800 s later stops first-touch (met); the
    // acceptance in that same second stops decide (met).
    assert_eq!(
        clocks
            .iter()
            .map(|c| (c.guarantee, c.state, c.used))
            .collect::<Vec<_>>(),
        vec![("decide", "met", 1_800), ("first-touch", "met", 1_800)]
    );
    let january = reference_goals(&leads, &clocks, as_of, JAN_1, JAN_1 + 31 * DAY);
    assert_eq!(january[0].1, RefActual::Count(1));
    assert_eq!(january[6].1, RefActual::Rate(Some(1.0)));
    assert_eq!(january[8].1, RefActual::Rate(Some(1.0)));
    assert_eq!(january[9].1, RefActual::Seconds(Some(1_800.0)));
    compare(&leads, as_of).unwrap();
}
