//! The engine on hand-worked scenarios, each small enough to check on paper,
//! against the example agreement (examples/agreement.toml); and the property
//! that arrival order and batching never change the evaluation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use handshake_core::agreement::Agreement;
use handshake_core::engine::{ClockState, Evaluator, PeriodKey, evaluate};
use handshake_core::event::{Event, parse_event};
use proptest::prelude::*;

fn agreement() -> Agreement {
    let text = include_str!("../../../examples/agreement.toml");
    handshake_core::check("agreement.toml", text)
        .agreement
        .unwrap()
}

/// The example with the enterprise first touch promised in two business
/// hours instead of one: a second version.
fn two_hour_first_touch() -> Agreement {
    let text = include_str!("../../../examples/agreement.toml").replacen(
        "within = \"1 business hour\"",
        "within = \"2 business hours\"",
        1,
    );
    handshake_core::check("v2", &text).agreement.unwrap()
}

fn ev(json: &str) -> Event {
    parse_event(json).unwrap()
}

fn created(id: &str, lead: &str, at: &str, segment: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"{segment}","source":"webinar"}}}}"#
    ))
}

fn stage(id: &str, lead: &str, at: &str, stage: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"{stage}"}}"#
    ))
}

fn touch(id: &str, lead: &str, at: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"lead.touched","lead_id":"{lead}","occurred_at":"{at}","channel":"call","by":"rep"}}"#
    ))
}

/// The result of goal `id` in `period`.
fn goal<'e>(
    e: &'e handshake_core::engine::Evaluation,
    id: &str,
    period: PeriodKey,
) -> &'e handshake_core::engine::GoalResult {
    e.goals
        .iter()
        .find(|g| g.id == id && g.period == period)
        .unwrap_or_else(|| panic!("no goal {id} in {period}"))
}

fn t(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn secs(s: &str) -> i64 {
    t(s).as_second()
}

#[test]
fn a_partial_holiday_moves_the_due_time() {
    // New York calendar: 2027-12-24 is open 09:00-12:00 only. An enterprise MQL at
    // 16:30 on the 23rd has 30 minutes that day and 30 minutes on the 24th: due 09:30.
    let a = agreement();
    let events = [
        created("1", "L", "2027-12-23T20:00:00Z", "enterprise"),
        stage("2", "L", "2027-12-23T16:30:00-05:00", "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-12-24T09:29:00-05:00"));
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "enterprise-first-touch")
        .unwrap();
    assert_eq!(c.view.due, Some(secs("2027-12-24T09:30:00-05:00")));
    assert_eq!((c.view.state, c.view.at_risk), (ClockState::Running, true));
    let e = evaluate(&a, &events, t("2027-12-24T09:31:00-05:00"));
    assert_eq!(e.clocks[0].view.state, ClockState::Breached);
}

#[test]
fn holidays_and_a_dst_change_in_berlin() {
    // Mid-market: 1 business day in Berlin (8 hours: the longest weekday). MQL on
    // Thursday 2027-03-25 16:00 CET: 1.5 hours that day; Friday 26th and Monday 29th are
    // holidays; the clocks go forward on the 28th; Tuesday 30th 08:30-12:30 and
    // 13:30-16:00 CEST make the other 6.5 hours.
    let a = agreement();
    let events = [
        created("1", "M", "2027-03-25T14:00:00Z", "mid-market"),
        stage("2", "M", "2027-03-25T16:00:00+01:00", "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-03-30T12:00:00Z"));
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "mid-market-first-touch")
        .unwrap();
    assert_eq!(c.view.due, Some(secs("2027-03-30T16:00:00+02:00")));
}

#[test]
fn a_pause_stops_the_count_until_the_lead_is_an_mql_again() {
    // Mid-market, 8 business hours. MQL Monday 2027-02-01 09:00 CET; recycled at 11:00
    // (2 hours used); MQL again Wednesday 09:00: 6 hours left, so due Wednesday 16:00.
    let a = agreement();
    let events = [
        created("1", "P", "2027-02-01T07:00:00Z", "mid-market"),
        stage("2", "P", "2027-02-01T09:00:00+01:00", "mql"),
        ev(
            r#"{"id":"3","type":"lead.recycled","lead_id":"P","occurred_at":"2027-02-01T11:00:00+01:00"}"#,
        ),
        stage("4", "P", "2027-02-03T09:00:00+01:00", "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-02-02T12:00:00+01:00"));
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "mid-market-first-touch")
        .unwrap();
    assert_eq!(
        (c.view.paused, c.view.used, c.view.due),
        (true, 2 * 3600, None)
    );
    let e = evaluate(&a, &events, t("2027-02-03T10:00:00+01:00"));
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "mid-market-first-touch")
        .unwrap();
    assert_eq!(c.view.due, Some(secs("2027-02-03T16:00:00+01:00")));
    // Only one clock: the second MQL resumed the first, it did not open another.
    assert_eq!(
        e.clocks
            .iter()
            .filter(|c| c.guarantee == "mid-market-first-touch")
            .count(),
        1
    );
}

#[test]
fn a_late_event_turns_a_breach_into_met_and_later_events_do_not_exist() {
    let a = agreement();
    let mut events = vec![
        created("1", "L", "2027-01-11T14:00:00Z", "enterprise"),
        stage("2", "L", "2027-01-11T10:00:00-05:00", "mql"),
    ];
    let at = t("2027-01-11T12:00:00-05:00");
    assert_eq!(
        evaluate(&a, &events, at).clocks[0].view.state,
        ClockState::Breached
    );
    // The touch at 10:45 arrives late (after the 12:00 evaluation): met.
    events.push(touch("3", "L", "2027-01-11T10:45:00-05:00"));
    let e = evaluate(&a, &events, at);
    assert_eq!(e.clocks[0].view.state, ClockState::Met);
    // Evaluated at 10:30, the touch has not happened yet: running.
    assert_eq!(
        evaluate(&a, &events, t("2027-01-11T10:30:00-05:00")).clocks[0]
            .view
            .state,
        ClockState::Running
    );
}

#[test]
fn the_segment_at_the_start_decides_the_guarantee() {
    let a = agreement();
    let events = [
        created("1", "S", "2027-01-11T14:00:00Z", "enterprise"),
        stage("2", "S", "2027-01-11T15:00:00Z", "mql"),
        ev(
            r#"{"id":"3","type":"lead.updated","lead_id":"S","occurred_at":"2027-01-11T15:10:00Z","attributes":{"segment":"smb"}}"#,
        ),
    ];
    let e = evaluate(&a, &events, t("2027-01-12T00:00:00Z"));
    let guarantees: Vec<&str> = e.clocks.iter().map(|c| c.guarantee.as_str()).collect();
    assert_eq!(guarantees, vec!["enterprise-first-touch"]);
    assert_eq!(e.clocks[0].segment.as_deref(), Some("enterprise"));
}

#[test]
fn a_stop_before_the_start_does_not_stop_the_clock_and_a_resent_mql_is_not_a_second_promise() {
    let a = agreement();
    let events = [
        created("1", "R", "2027-01-11T14:00:00Z", "enterprise"),
        touch("2", "R", "2027-01-11T14:30:00Z"),
        stage("3", "R", "2027-01-11T15:00:00Z", "mql"),
        stage("4", "R", "2027-01-11T15:05:00Z", "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-01-11T15:30:00Z"));
    let clocks: Vec<_> = e
        .clocks
        .iter()
        .filter(|c| c.guarantee == "enterprise-first-touch")
        .collect();
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].view.state, ClockState::Running);
}

/// `n` MQLs in the month starting `month` (enterprise, at noon New York on weekdays).
fn mqls(prefix: &str, month: &str, n: usize) -> Vec<Event> {
    (0..n)
        .flat_map(|i| {
            let day = 4 + (i % 20);
            let at = format!("{month}-{day:02}T12:00:00-05:00");
            let lead = format!("{prefix}{i}");
            vec![
                created(&format!("{lead}c"), &lead, &at, "enterprise"),
                stage(&format!("{lead}m"), &lead, &at, "mql"),
            ]
        })
        .collect()
}

#[test]
fn three_missed_months_in_a_row_meet_the_cancellation_term() {
    // The seeds' case: "failure to meet stipulated goals for three consecutive months".
    let a = agreement();
    let mut events = Vec::new();
    events.extend(mqls("a", "2027-01", 50));
    events.extend(mqls("b", "2027-02", 60));
    events.extend(mqls("c", "2027-03", 70));
    let e = evaluate(&a, &events, t("2027-04-02T00:00:00Z"));
    let volume: Vec<(String, String, Option<bool>)> = e
        .goals
        .iter()
        .filter(|g| g.id == "mql-volume" && g.closed)
        .map(|g| (g.period.to_string(), g.actual.to_string(), g.attained))
        .collect();
    assert_eq!(
        volume,
        vec![
            ("2027-01".into(), "50".into(), Some(false)),
            ("2027-02".into(), "60".into(), Some(false)),
            ("2027-03".into(), "70".into(), Some(false))
        ]
    );
    let streak = e.streaks.iter().find(|s| s.goal == "mql-volume").unwrap();
    assert_eq!(streak.missed_in_a_row, 3);
    assert!(
        e.consequences
            .iter()
            .any(|c| c == "goal mql-volume missed 3 periods in a row: escalate to Marketing"),
        "{:?}",
        e.consequences
    );
    assert!(
        e.cancellation
            .as_deref()
            .unwrap()
            .contains("30 days' notice"),
        "{:?}",
        e.cancellation
    );
}

#[test]
fn follow_up_not_volume_is_the_gap() {
    // 400 enterprise MQLs in January (volume met), of which sales touches only 100 in time.
    let a = agreement();
    let mut events = mqls("v", "2027-01", 400);
    for i in 0..100 {
        let day = 4 + (i % 20);
        events.push(touch(
            &format!("v{i}t"),
            &format!("v{i}"),
            &format!("2027-01-{day:02}T12:20:00-05:00"),
        ));
    }
    let e = evaluate(&a, &events, t("2027-02-01T12:00:00Z"));
    let jan = PeriodKey::parse("2027-01").unwrap();
    let follow = goal(&e, "follow-up", jan);
    assert_eq!(
        (follow.actual.to_string(), follow.attained),
        ("25.0%".to_string(), Some(false))
    );
    let findings = e.findings(&a, jan);
    assert!(
        findings
            .iter()
            .any(|f| f.text.ends_with("follow-up speed, not volume, is the gap.")),
        "{findings:#?}"
    );
    let summary = &e.guarantee_summaries(&a, i64::MIN, i64::MAX)[0];
    assert_eq!(
        (
            summary.id.as_str(),
            summary.clocks,
            summary.met,
            summary.breached
        ),
        ("enterprise-first-touch", 400, 100, 300)
    );
    assert_eq!(summary.compliance, Some(0.25));
}

fn sample_events() -> Vec<Event> {
    let mut events = mqls("p", "2027-01", 12);
    for i in 0..12 {
        if i % 3 == 0 {
            events.push(touch(
                &format!("p{i}t"),
                &format!("p{i}"),
                "2027-01-20T16:00:00Z",
            ));
        }
        if i % 4 == 0 {
            events.push(ev(&format!(r#"{{"id":"p{i}r","type":"lead.rejected","lead_id":"p{i}","occurred_at":"2027-01-21T16:00:00Z","reason":"no-budget"}}"#)));
        }
        if i % 5 == 0 {
            events.push(ev(&format!(r#"{{"id":"p{i}x","type":"lead.recycled","lead_id":"p{i}","occurred_at":"2027-01-21T17:00:00Z"}}"#)));
            events.push(stage(
                &format!("p{i}y"),
                &format!("p{i}"),
                "2027-01-25T14:00:00Z",
                "mql",
            ));
        }
    }
    events
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_arrival_order_and_batching_gives_the_same_evaluation(
        seed in any::<u64>(),
        cuts in prop::collection::vec(0usize..60, 0..6),
        as_of_hours in 0i64..800,
    ) {
        let a = agreement();
        let events = sample_events();
        let as_of = t("2027-01-01T00:00:00Z").checked_add(jiff::SignedDuration::from_hours(as_of_hours)).unwrap();
        let once = evaluate(&a, &events, as_of);
        // Shuffle deterministically by the seed, then feed in batches cut at `cuts`.
        let mut shuffled = events.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&evaluate(&a, &shuffled, as_of), &once);
        let mut inc = Evaluator::new(a.clone());
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(shuffled.len())).collect();
        cuts.sort_unstable();
        let mut start = 0;
        for cut in cuts.into_iter().chain([shuffled.len()]) {
            inc.add(shuffled[start..cut.max(start)].iter().cloned());
            start = cut.max(start);
            // Asking in between must not disturb later answers.
            let _ = inc.evaluation(as_of);
        }
        prop_assert_eq!(&inc.evaluation(as_of), &once);
    }
}

/// An evaluation without what moves with time alone: its instant and the
/// business time each clock has used.
fn without_time(e: &handshake_core::engine::Evaluation) -> handshake_core::engine::Evaluation {
    let mut e = e.clone();
    e.as_of = jiff::Timestamp::UNIX_EPOCH;
    for c in &mut e.clocks {
        c.view.used = 0;
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The server's way: batches arrive in any order, each touched subject is
    /// given all of its events so far, and the clock moves on between
    /// batches. Every answer equals a full replay of what arrived, under two
    /// agreement versions, at that instant.
    #[test]
    fn the_live_state_equals_a_full_replay_at_every_step(
        seed in any::<u64>(),
        cuts in prop::collection::vec(0usize..60, 0..6),
        steps in prop::collection::vec(0i64..200, 1..7),
    ) {
        use handshake_core::engine::{Live, evaluate_versions};
        let v1 = agreement();
        let text = include_str!("../../../examples/agreement.toml");
        let v2 = handshake_core::check("v2", &text.replacen("within = \"1 business hour\"", "within = \"3 business hours\"", 1))
            .agreement
            .unwrap();
        let versions = vec![(t("2027-01-01T00:00:00Z"), v1), (t("2027-01-15T00:00:00Z"), v2)];
        let mut shuffled = sample_events();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(shuffled.len())).collect();
        cuts.sort_unstable();
        let mut live = Live::new(versions.clone());
        let mut arrived: Vec<Event> = Vec::new();
        let mut as_of = t("2027-01-10T00:00:00Z");
        let mut start = 0;
        for (i, cut) in cuts.into_iter().chain([shuffled.len()]).enumerate() {
            let batch = &shuffled[start..cut.max(start)];
            start = cut.max(start);
            arrived.extend(batch.iter().cloned());
            let mut touched: Vec<&str> = batch.iter().map(|e| e.subject.as_str()).collect();
            touched.sort_unstable();
            touched.dedup();
            for subject in touched {
                let of: Vec<Event> = arrived.iter().filter(|e| e.subject.as_str() == subject).cloned().collect();
                live.set_subject(subject, of);
            }
            let before = as_of;
            as_of = as_of.checked_add(jiff::SignedDuration::from_hours(steps[i % steps.len()])).unwrap();
            let now = live.evaluation(as_of);
            prop_assert_eq!(&now, &evaluate_versions(&versions, &arrived, as_of));
            // The alert steps that fell since the last answer, from the index,
            // equal those the clocks' business time used says fell.
            let mut fell: Vec<(String, String, i64, u16)> = live
                .alerts_between(before, as_of)
                .into_iter()
                .map(|a| (a.guarantee, a.subject, a.start, a.step.at))
                .collect();
            fell.sort();
            prop_assert_eq!(fell, steps_fell(&versions, &arrived, before, as_of));
            // Nothing but business time moves before the next change.
            let next = live.next_change(as_of);
            prop_assert!(next > as_of);
            let just_before = next - jiff::SignedDuration::from_secs(1);
            if just_before > as_of && just_before < t("2027-06-01T00:00:00Z") {
                let later = evaluate_versions(&versions, &arrived, just_before);
                prop_assert_eq!(without_time(&later), without_time(&now), "between {} and {}", as_of, next);
            }
        }
    }
}

/// The naive reference for alert steps: of the clocks open at `to`, the
/// steps whose share of the promise was used by `to` but not by `from`
/// (business time used as each full replay reports it).
fn steps_fell(
    versions: &[(jiff::Timestamp, handshake_core::agreement::Agreement)],
    events: &[Event],
    from: jiff::Timestamp,
    to: jiff::Timestamp,
) -> Vec<(String, String, i64, u16)> {
    use handshake_core::engine::evaluate_versions;
    let now = evaluate_versions(versions, events, to);
    let then = evaluate_versions(versions, events, from);
    let mut out = Vec::new();
    for c in now.clocks.iter().filter(|c| c.view.stop.is_none()) {
        let a = &versions[c.version as usize - 1].1;
        let g = a
            .guarantees
            .iter()
            .find(|g| g.id.as_str() == c.guarantee)
            .unwrap();
        let used_then = then
            .clocks
            .iter()
            .find(|d| {
                d.guarantee == c.guarantee && d.subject == c.subject && d.view.start == c.view.start
            })
            .map_or(-1, |d| d.view.used);
        for step in &g.alerts {
            let amount = c.view.promised * i64::from(step.at) / 100;
            if c.view.used >= amount && used_then < amount {
                out.push((
                    c.guarantee.clone(),
                    c.subject.clone(),
                    c.view.start,
                    step.at,
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn each_period_and_clock_is_judged_by_the_version_in_force_at_its_start() {
    use handshake_core::engine::evaluate_versions;
    let text = include_str!("../../../examples/agreement.toml");
    let v1 = agreement();
    let v2 = handshake_core::check("v2", &text.replacen("target = 400", "target = 50", 1))
        .agreement
        .unwrap();
    let mut events = mqls("j", "2027-01", 60);
    events.extend(mqls("f", "2027-02", 60));
    let versions = [
        (t("2027-01-01T00:00:00Z"), &v1),
        (t("2027-02-10T00:00:00Z"), &v2),
    ];
    let e = evaluate_versions(&versions, &events, t("2027-03-15T00:00:00Z"));
    let volume: Vec<(String, Option<bool>)> = e
        .goals
        .iter()
        .filter(|g| g.id == "mql-volume")
        .map(|g| (g.period.to_string(), g.attained))
        .collect();
    // January and February started under version 1 (400): missed; March under version 2 (50).
    assert_eq!(
        volume,
        vec![
            ("2027-01".into(), Some(false)),
            ("2027-02".into(), Some(false)),
            ("2027-03".into(), Some(false))
        ]
    );
    let targets: Vec<String> = e
        .goals
        .iter()
        .filter(|g| g.id == "mql-volume")
        .map(|g| g.target.to_string())
        .collect();
    assert_eq!(targets, vec!["400", "400", "50"]);
    // Clocks are all there, once each.
    assert_eq!(
        e.clocks
            .iter()
            .filter(|c| c.guarantee == "enterprise-first-touch")
            .count(),
        120
    );
}

/// The demo company, as a server meets it: its events arrive in the order
/// they happened, a month's worth at a time, each lead handed over again
/// whole when it changes, and the live state is asked at the end of each
/// batch, between batches (time moving with no event) and at the demo's
/// "now". Each answer is compared with a full replay of what had arrived.
#[test]
fn the_demo_companys_live_state_equals_its_full_replay() {
    use handshake_core::demo::{DemoSpec, generate};
    use handshake_core::engine::{Live, evaluate_versions};
    use std::collections::BTreeMap;
    let now = t("2026-11-22T12:00:00Z");
    let demo = generate(&DemoSpec {
        seed: 11,
        leads: 1_500,
        as_of: now,
    })
    .unwrap();
    let versions = vec![(demo.from, demo.agreement.clone())];
    let mut events = demo.events.clone();
    events.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    let mut live = Live::new(versions.clone());
    let mut by_subject: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let mut arrived: Vec<Event> = Vec::new();
    let mut rest = events.into_iter().peekable();
    let mut at = demo.from;
    let mut asked = 0;
    while at < now {
        let next = (at + jiff::SignedDuration::from_hours(24 * 30)).min(now);
        // Time moves with no event: clocks fall due, periods close.
        let mid = at + jiff::SignedDuration::from_hours(24 * 17);
        if mid < next {
            assert_eq!(
                live.evaluation(mid),
                evaluate_versions(&versions, &arrived, mid),
                "at {mid}"
            );
        }
        at = next;
        let mut touched: Vec<String> = Vec::new();
        while let Some(e) = rest.next_if(|e| e.occurred_at <= at) {
            touched.push(e.subject.as_str().to_string());
            by_subject
                .entry(e.subject.as_str().to_string())
                .or_default()
                .push(e.clone());
            arrived.push(e);
        }
        touched.sort_unstable();
        touched.dedup();
        for s in &touched {
            live.set_subject(s, by_subject[s].clone());
        }
        let replayed = evaluate_versions(&versions, &arrived, at);
        assert_eq!(live.evaluation(at), replayed, "at {at}");
        // A state made for one past instant, fed every event (later ones
        // too, as a report reading the whole store is), answers the same.
        let past = mid.min(at);
        let mut once = Live::at(versions.clone(), past);
        for (s, list) in &by_subject {
            once.set_subject(s, list.clone());
        }
        assert_eq!(
            once.evaluation(past),
            evaluate_versions(&versions, &arrived, past),
            "one question at {past}"
        );
        asked += 1;
    }
    assert!(asked >= 12, "asked {asked} times");
    assert_eq!(live.subjects(), by_subject.len());
    assert!(arrived.len() > 5_000, "{} events", arrived.len());
}

/// Within one second, ids never change an outcome (docs/report.md).
#[test]
fn within_one_second_ids_and_fractions_never_change_an_outcome() {
    let a = agreement();
    let at = t("2027-01-11T17:00:00Z");
    let clock = |events: &[Event]| {
        let e = evaluate(&a, events, at);
        e.clocks
            .iter()
            .find(|c| c.guarantee == "enterprise-first-touch")
            .map(|c| (c.view.state, c.view.start, c.view.stop, c.view.used))
    };
    // A stop whose id sorts before the start's (`x-10` before `x-9`): met, zero time.
    let stop_first_by_id = [
        created("x-1", "L", "2027-01-11T14:00:00Z", "enterprise"),
        stage("x-9", "L", "2027-01-11T15:00:00Z", "mql"),
        touch("x-10", "L", "2027-01-11T15:00:00Z"),
    ];
    let start = secs("2027-01-11T15:00:00Z");
    assert_eq!(
        clock(&stop_first_by_id),
        Some((ClockState::Met, start, Some(start), 0))
    );
    // A touch 0.4 s before the MQL in the same second stops it too.
    let touch_a_fraction_earlier = [
        created("x-1", "L", "2027-01-11T14:00:00Z", "enterprise"),
        stage("b", "L", "2027-01-11T15:00:00.9Z", "mql"),
        touch("a", "L", "2027-01-11T15:00:00.5Z"),
    ];
    assert_eq!(
        clock(&touch_a_fraction_earlier),
        Some((ClockState::Met, start, Some(start), 0))
    );
    // The lead's attributes of that second hold for a start in it, whatever the ids.
    let created_sorts_after = [
        stage("a-mql", "L", "2027-01-11T15:00:00Z", "mql"),
        created("z-created", "L", "2027-01-11T15:00:00.7Z", "enterprise"),
    ];
    assert_eq!(
        clock(&created_sorts_after).map(|c| c.0),
        Some(ClockState::Breached),
        "the enterprise clock opens"
    );
    // An event in the second of as_of counts; one in the next second does not.
    let e = evaluate(
        &a,
        &[created("c", "L", "2027-01-11T17:00:00.5Z", "enterprise")],
        at,
    );
    assert_eq!(e.events, 1);
    let e = evaluate(
        &a,
        &[created("c", "L", "2027-01-11T17:00:01Z", "enterprise")],
        at,
    );
    assert_eq!(e.events, 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Renaming every event and moving each within its own second (the
    /// fraction only) leaves the whole evaluation as it was.
    #[test]
    fn renamed_ids_and_fractions_within_a_second_change_nothing(
        seed in any::<u64>(),
        as_of_hours in 0i64..800,
    ) {
        let a = agreement();
        let events = sample_events();
        let as_of = t("2027-01-01T00:00:00Z").checked_add(jiff::SignedDuration::from_hours(as_of_hours)).unwrap();
        let mut x = seed | 1;
        let mut next = move || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x };
        let moved: Vec<Event> = events
            .iter()
            .map(|e| {
                let mut e = e.clone();
                let id = format!("{:016x}", next());
                e.id = handshake_core::event::EventId::new(&id).unwrap();
                let whole = e.occurred_at.as_second();
                let fraction = i32::try_from(next() % 1_000_000_000).unwrap();
                e.occurred_at = jiff::Timestamp::new(whole, fraction).unwrap();
                e
            })
            .collect();
        prop_assert_eq!(evaluate(&a, &moved, as_of), evaluate(&a, &events, as_of));
    }
}

/// A request guarantee opens clocks only for requests addressed to its owner.
#[test]
fn a_request_opens_a_clock_only_for_the_party_it_is_addressed_to() {
    let a = agreement();
    let request = |id: &str, to: &str| {
        ev(&format!(
            r#"{{"id":"{id}","type":"request.opened","request_id":"R-{id}","occurred_at":"2027-01-15T18:00:00Z","from":"sales","to":"{to}","channel":"escalation"}}"#
        ))
    };
    let e = evaluate(
        &a,
        &[request("1", "marketing"), request("2", "sales")],
        t("2027-01-15T19:00:00Z"),
    );
    let subjects: Vec<&str> = e
        .clocks
        .iter()
        .filter(|c| c.guarantee == "escalated-requests")
        .map(|c| c.subject.as_str())
        .collect();
    assert_eq!(
        subjects,
        vec!["R-1"],
        "marketing owes the request to it, not the one to sales"
    );
}

/// A goal short of its target in an open period is behind, not missed:
/// findings say what the goal table says.
#[test]
fn an_open_period_is_behind_not_missed_in_the_findings() {
    let a = agreement();
    let events = mqls("j", "2027-01", 3);
    let open = evaluate(&a, &events, t("2027-01-20T00:00:00Z"));
    let january = PeriodKey::parse("2027-01").unwrap();
    let texts: Vec<String> = open
        .findings(&a, january)
        .into_iter()
        .map(|f| f.text)
        .collect();
    let volume = texts.iter().find(|t| t.contains("(mql-volume)")).unwrap();
    assert!(volume.starts_with("Behind (period open): "), "{volume}");
    let closed = evaluate(&a, &events, t("2027-02-02T00:00:00Z"));
    let texts: Vec<String> = closed
        .findings(&a, january)
        .into_iter()
        .map(|f| f.text)
        .collect();
    let volume = texts.iter().find(|t| t.contains("(mql-volume)")).unwrap();
    assert!(volume.starts_with("Missed: "), "{volume}");
}

/// A `--from/--to` report covers the findings of every month in the range.
#[test]
fn a_range_reports_the_findings_of_each_of_its_months() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let mut events = mqls("j", "2027-01", 3);
    events.extend(mqls("f", "2027-02", 5));
    let e = evaluate(&a, &events, t("2027-03-15T00:00:00Z"));
    let range = Range {
        from: t("2027-01-01T05:00:00Z"),
        to: t("2027-03-01T05:00:00Z"),
        period: None,
    };
    let findings = Report::new(&e, &a, range, Some(1)).findings;
    let volume: Vec<&String> = findings
        .iter()
        .filter(|f| f.contains("(mql-volume)"))
        .collect();
    assert_eq!(volume.len(), 2, "{findings:#?}");
    assert!(
        volume[0].starts_with("2027-01: Missed: Marketing delivered 3 of 400"),
        "{}",
        volume[0]
    );
    assert!(
        volume[1].starts_with("2027-02: Missed: Marketing delivered 5 of 400"),
        "{}",
        volume[1]
    );
}

/// A period's report holds only what belongs to that period: its breaches,
/// streaks ending in it, the cancellation term when met by then.
#[test]
fn consequences_and_terms_belong_to_the_period_asked_for() {
    let a = agreement();
    let mut events = Vec::new();
    events.extend(mqls("a", "2027-01", 50));
    events.extend(mqls("b", "2027-02", 60));
    events.extend(mqls("c", "2027-03", 70));
    let e = evaluate(&a, &events, t("2027-05-10T00:00:00Z"));
    let range = |p: &str| {
        let k = PeriodKey::parse(p).unwrap();
        let tz = &a.time_zone.tz;
        (k.start(tz).as_second(), k.end(tz).as_second())
    };
    let breaches = |s: &handshake_core::engine::Standing| {
        s.consequences
            .iter()
            .filter(|c| c.contains("of guarantee enterprise-first-touch"))
            .cloned()
            .collect::<Vec<_>>()
    };
    // January: its own 50 untouched MQLs; no cancellation yet.
    let (from, to) = range("2027-01");
    let jan = e.standing(&a, from, to);
    assert_eq!(
        breaches(&jan),
        vec!["50 breaches of guarantee enterprise-first-touch: notify to Sales"]
    );
    assert_eq!(jan.cancellation, None);
    // March: its own 70, the third month in a row, and the term is met.
    let (from, to) = range("2027-03");
    let mar = e.standing(&a, from, to);
    assert_eq!(
        breaches(&mar),
        vec!["70 breaches of guarantee enterprise-first-touch: notify to Sales"]
    );
    assert!(
        mar.consequences
            .iter()
            .any(|c| c == "goal mql-volume missed 3 periods in a row: escalate to Marketing"),
        "{:?}",
        mar.consequences
    );
    assert!(mar.cancellation.is_some());
    // April (no MQL at all, closed): no breach of its own, but its miss is the fourth in a row.
    let (from, to) = range("2027-04");
    let apr = e.standing(&a, from, to);
    assert!(breaches(&apr).is_empty(), "{:?}", apr.consequences);
    assert!(apr.cancellation.is_some());
    // May (still open) and a future month: no breach of theirs, no past streak, no term.
    for p in ["2027-05", "2027-08"] {
        let (from, to) = range(p);
        let later = e.standing(&a, from, to);
        assert!(breaches(&later).is_empty(), "{p}: {:?}", later.consequences);
        assert_eq!(later.cancellation, None, "{p}");
        assert!(
            !later.consequences.iter().any(|c| c.contains("in a row")),
            "{p}: {:?}",
            later.consequences
        );
    }
    // The report of a period says the same as its standing.
    let future =
        handshake_core::engine::report::Range::period(PeriodKey::parse("2027-08").unwrap(), &a);
    let report = handshake_core::engine::Report::new(&e, &a, future, Some(1));
    assert!(report.consequences.is_empty(), "{:?}", report.consequences);
    assert_eq!(report.cancellation, None);
    assert!(report.streaks.iter().all(|s| s.missed_in_a_row == 0));
}

/// Conversion by source is MQL to SQL: of the leads that reached MQL, the
/// share that reached SQL afterwards; a lead that skipped MQL is in neither
/// count, so the rate never exceeds 1.
#[test]
fn conversion_by_source_counts_only_leads_that_reached_mql_first() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let at = "2027-01-12T15:00:00Z";
    let later = "2027-01-13T15:00:00Z";
    let events = vec![
        // Skipped MQL: SQL straight away.
        created("s1", "SKIP", at, "enterprise"),
        stage("s2", "SKIP", at, "sql"),
        // MQL then SQL.
        created("c1", "CONV", at, "enterprise"),
        stage("c2", "CONV", at, "mql"),
        stage("c3", "CONV", later, "sql"),
        // MQL only.
        created("m1", "MQL", at, "enterprise"),
        stage("m2", "MQL", at, "mql"),
        // SQL before its MQL: not converted by that MQL.
        created("b1", "BACK", at, "enterprise"),
        stage("b2", "BACK", at, "sql"),
        stage("b3", "BACK", later, "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-01-20T00:00:00Z"));
    let january = Range::period(PeriodKey::parse("2027-01").unwrap(), &a);
    let quality = e.quality(&a, &january);
    let q = quality
        .sources
        .iter()
        .find(|q| q.source == "webinar")
        .unwrap();
    assert_eq!((q.leads, q.mqls, q.sqls, q.converted), (4, 3, 3, 1));
    assert_eq!(q.conversion(), Some(1.0 / 3.0));
    let report = Report::new(
        &e,
        &a,
        Range::period(PeriodKey::parse("2027-01").unwrap(), &a),
        Some(1),
    );
    assert_eq!(report.sources[0].conversion, Some(1.0 / 3.0));
}

/// Targets and amounts in the same minor units, each currency's from ISO
/// 4217: a 5,000 JPY opportunity is 5,000 JPY against a 5,000 JPY target
/// (it read 50 JPY: targets were always hundredths), and a three-decimal
/// currency keeps its third decimal.
#[test]
fn targets_and_amounts_share_each_currencys_minor_units() {
    use handshake_core::engine::{Actual, Report, report::Range};
    let text = include_str!("../../../examples/agreement.toml");
    let opportunity = |id: &str, lead: &str, amount: &str, currency: &str| {
        ev(&format!(
            r#"{{"id":"{id}","type":"opportunity.created","lead_id":"{lead}","occurred_at":"2027-01-12T15:00:00Z","amount":"{amount}","currency":"{currency}"}}"#
        ))
    };
    for (target, amounts, currency, minor, shown, attained) in [
        ("5,000 JPY", ["3000", "2000"], "JPY", 5_000, "5000", true),
        ("1.5 BHD", ["1.25", "0.249"], "BHD", 1_499, "1.499", false),
        ("100 EUR", ["60.50", "39.50"], "EUR", 10_000, "100.00", true),
        (
            "100.01 USD",
            ["60.50", "39.50"],
            "USD",
            10_000,
            "100.00",
            false,
        ),
    ] {
        let text = text.replace("\"2,400,000 USD\"", &format!("\"{target}\""));
        let a = handshake_core::check("agreement.toml", &text)
            .agreement
            .unwrap();
        let events = vec![
            created("a1", "A", "2027-01-12T15:00:00Z", "enterprise"),
            opportunity("a2", "A", amounts[0], currency),
            created("b1", "B", "2027-01-12T15:00:00Z", "enterprise"),
            opportunity("b2", "B", amounts[1], currency),
            // Another currency is never added in.
            opportunity(
                "b3",
                "B",
                "999",
                if currency == "EUR" { "USD" } else { "EUR" },
            ),
        ];
        let e = evaluate(&a, &events, t("2027-04-01T00:00:00Z"));
        let g = e
            .goals
            .iter()
            .find(|g| g.id == "pipeline" && g.period == PeriodKey::parse("2027-Q1").unwrap())
            .unwrap();
        let Actual::Money(m) = &g.actual else {
            panic!("pipeline is money: {:?}", g.actual)
        };
        assert_eq!(
            (m.minor, m.currency.as_str()),
            (minor, currency),
            "{target}"
        );
        assert_eq!(g.attained, Some(attained), "{target}");
        let report = Report::new(
            &e,
            &a,
            Range::period(PeriodKey::parse("2027-Q1").unwrap(), &a),
            Some(1),
        );
        let line = report.goals.iter().find(|g| g.id == "pipeline").unwrap();
        let json = serde_json::to_value(line).unwrap();
        assert_eq!(json["actual"]["amount"], shown, "{target}");
        assert_eq!(json["actual"]["currency"], currency);
    }
}

/// The median first touch: the mean of the middle two for an even count (1 s
/// and 2 s give 1.5 s, not 1), and only leads a first-touch guarantee covers
/// (a lead in no segment has no promise and no calendar to be timed in).
#[test]
fn median_first_touch_is_exact_and_counts_only_covered_leads() {
    use handshake_core::engine::Actual;
    let a = agreement();
    let events = vec![
        created("a1", "A", "2027-01-12T14:00:00Z", "enterprise"),
        stage("a2", "A", "2027-01-12T15:00:00Z", "mql"),
        touch("a3", "A", "2027-01-12T15:00:01Z"),
        created("b1", "B", "2027-01-12T14:00:00Z", "enterprise"),
        stage("b2", "B", "2027-01-12T15:00:00Z", "mql"),
        touch("b3", "B", "2027-01-12T15:00:02Z"),
        // In no segment: no first-touch guarantee covers it.
        created("c1", "C", "2027-01-12T14:00:00Z", "startup"),
        stage("c2", "C", "2027-01-12T15:00:00Z", "mql"),
        touch("c3", "C", "2027-01-12T16:00:00Z"),
    ];
    let e = evaluate(&a, &events, t("2027-01-20T00:00:00Z"));
    let g = e
        .goals
        .iter()
        .find(|g| g.id == "first-touch-speed" && g.period == PeriodKey::parse("2027-01").unwrap())
        .unwrap();
    assert_eq!(
        g.actual,
        Actual::Duration {
            median: Some(1.5),
            of: 2
        }
    );
    assert_eq!(g.attained, Some(true));
}

/// A month's report holds every goal period that overlaps it: the quarter
/// goals show in February and March, not only in January.
#[test]
fn a_quarter_goal_is_in_the_report_of_each_of_its_months() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let events = mqls("m", "2027-01", 3);
    let e = evaluate(&a, &events, t("2027-03-20T00:00:00Z"));
    for month in ["2027-01", "2027-02", "2027-03"] {
        let report = Report::new(
            &e,
            &a,
            Range::period(PeriodKey::parse(month).unwrap(), &a),
            Some(1),
        );
        let periods: Vec<(&str, &str)> = report
            .goals
            .iter()
            .map(|g| (g.id.as_str(), g.period.as_str()))
            .collect();
        assert!(
            periods.contains(&("mql-to-sql", "2027-Q1")),
            "{month}: {periods:?}"
        );
        assert!(
            periods.contains(&("pipeline", "2027-Q1")),
            "{month}: {periods:?}"
        );
        assert!(
            periods.contains(&("mql-volume", month)),
            "{month}: {periods:?}"
        );
        assert!(
            !periods
                .iter()
                .any(|(id, p)| *id == "mql-volume" && *p != month),
            "{month}: only its own month of a monthly goal: {periods:?}"
        );
    }
}

/// Each clock and goal period names the version that judged it, and a
/// running clock's due instant and its business time left (or overdue) come
/// from that same version: after version 2 doubles the promise, a clock
/// started under version 1 is still due at one business hour and overdue by
/// what version 1 says (the queue read the due from version 1 and the
/// overdue from version 2).
#[test]
fn a_clock_and_a_period_name_the_version_that_judged_them() {
    use handshake_core::engine::{ClockLine, Report, evaluate_versions, report::Range};
    let (v1, v2) = (agreement(), two_hour_first_touch());
    let events = vec![
        // Tuesday 10:00 New York: due 11:00 under version 1.
        created("o1", "OLD", "2027-02-09T14:00:00Z", "enterprise"),
        stage("o2", "OLD", "2027-02-09T15:00:00Z", "mql"),
        // After version 2: due two business hours later.
        created("n1", "NEW", "2027-02-11T14:00:00Z", "enterprise"),
        stage("n2", "NEW", "2027-02-11T15:00:00Z", "mql"),
    ];
    let versions = [
        (t("2027-01-01T00:00:00Z"), &v1),
        (t("2027-02-10T00:00:00Z"), &v2),
    ];
    let e = evaluate_versions(&versions, &events, t("2027-03-02T00:00:00Z"));
    let clock = |lead: &str| {
        let c = e
            .clocks
            .iter()
            .find(|c| c.subject == lead && c.guarantee == "enterprise-first-touch")
            .unwrap();
        ClockLine::new(c)
    };
    let old = clock("OLD");
    assert_eq!(
        (
            old.version,
            old.business_seconds_promised,
            old.due.as_deref()
        ),
        (1, 3_600, Some("2027-02-09T16:00:00Z"))
    );
    let new = clock("NEW");
    assert_eq!(
        (
            new.version,
            new.business_seconds_promised,
            new.due.as_deref()
        ),
        (2, 7_200, Some("2027-02-11T17:00:00Z"))
    );
    // Goal periods: February started under version 1, March under version 2.
    let report = Report::new(
        &e,
        &v2,
        Range::period(PeriodKey::parse("2027-Q1").unwrap(), &v2),
        Some(2),
    );
    let versions: Vec<(&str, Option<u32>)> = report
        .goals
        .iter()
        .filter(|g| g.id == "mql-volume")
        .map(|g| (g.period.as_str(), g.version))
        .collect();
    assert_eq!(
        versions,
        vec![
            ("2027-01", Some(1)),
            ("2027-02", Some(1)),
            ("2027-03", Some(2))
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["goals"][0]["version"], 1);
    // A draft's report names no stored version.
    let draft = Report::new(
        &e,
        &v2,
        Range::period(PeriodKey::parse("2027-Q1").unwrap(), &v2),
        None,
    );
    assert!(draft.goals.iter().all(|g| g.version.is_none()));
}

/// The follow-up goal reads the clocks the guarantee lines beside it read,
/// each judged by the version in force at its start: version 2 (applied on
/// 10 February) gives two business hours, a lead touched after one and a
/// half is met, and February's follow-up rate (a period that started under
/// version 1) is 100%, as the guarantee's line says (it re-judged the clock
/// by version 1: 0%).
#[test]
fn the_follow_up_goal_counts_each_clock_as_its_own_version_judged_it() {
    use handshake_core::engine::{Actual, Report, evaluate_versions, report::Range};
    let (v1, v2) = (agreement(), two_hour_first_touch());
    let events = vec![
        created("n1", "NEW", "2027-02-11T14:00:00Z", "enterprise"),
        stage("n2", "NEW", "2027-02-11T15:00:00Z", "mql"),
        touch("n3", "NEW", "2027-02-11T16:30:00Z"),
    ];
    let versions = [
        (t("2027-01-01T00:00:00Z"), &v1),
        (t("2027-02-10T00:00:00Z"), &v2),
    ];
    let e = evaluate_versions(&versions, &events, t("2027-03-02T00:00:00Z"));
    let february = PeriodKey::parse("2027-02").unwrap();
    let report = Report::new(&e, &v2, Range::period(february, &v2), Some(2));
    let line = report
        .guarantees
        .iter()
        .find(|g| g.id == "enterprise-first-touch")
        .unwrap();
    assert_eq!((line.clocks, line.met, line.compliance), (1, 1, Some(1.0)));
    let follow = e
        .goals
        .iter()
        .find(|g| g.id == "follow-up" && g.period == february)
        .unwrap();
    assert_eq!(
        (&follow.actual, follow.attained, follow.version),
        (&Actual::Rate { hits: 1, of: 1 }, Some(true), 1)
    );
    // The report names the counts the rate divides.
    let line = report
        .goals
        .iter()
        .find(|g| g.id == "follow-up" && g.period == "2027-02")
        .unwrap();
    assert_eq!((line.numerator, line.denominator), (Some(1), Some(1)));
    let json = serde_json::to_value(line).unwrap();
    assert_eq!(
        (json["numerator"].as_u64(), json["denominator"].as_u64()),
        (Some(1), Some(1))
    );
}

/// A period's lead quality is that period's: its leads, its MQLs and how
/// sales took them, its SQLs (a January rejection is not in February's
/// report); a lead handed over below the threshold is judged by its score
/// at hand-over (a demo request the day after does not clear it); and the
/// grades are used: each MQL in the band of its score at hand-over.
#[test]
fn a_periods_quality_is_that_periods_and_scores_are_read_at_hand_over() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let lead = |id: &str, lead: &str, at: &str, persona: &str, employees: u32| {
        ev(&format!(
            r#"{{"id":"{id}","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise","source":"webinar","persona":"{persona}","employees":{employees}}}}}"#
        ))
    };
    let activity = |id: &str, lead: &str, at: &str| {
        ev(&format!(
            r#"{{"id":"{id}","type":"lead.activity","lead_id":"{lead}","occurred_at":"{at}","activity":"demo_requested"}}"#
        ))
    };
    let decision = |id: &str, lead: &str, at: &str, accepted: bool| {
        ev(&if accepted {
            format!(
                r#"{{"id":"{id}","type":"lead.accepted","lead_id":"{lead}","occurred_at":"{at}"}}"#
            )
        } else {
            format!(
                r#"{{"id":"{id}","type":"lead.rejected","lead_id":"{lead}","occurred_at":"{at}","reason":"not-icp"}}"#
            )
        })
    };
    let events = vec![
        // 25 + 20 = 45 at hand-over: below 60, grade low; 75 a day later.
        lead("a1", "A", "2027-01-05T15:00:00Z", "data-leader", 500),
        stage("a2", "A", "2027-01-12T15:00:00Z", "mql"),
        activity("a3", "A", "2027-01-13T15:00:00Z"),
        decision("a4", "A", "2027-01-14T15:00:00Z", false),
        // 25 + 20 + 30 = 75 at hand-over: medium; accepted, then SQL.
        lead("b1", "B", "2027-02-03T15:00:00Z", "it-director", 300),
        activity("b2", "B", "2027-02-03T16:00:00Z"),
        stage("b3", "B", "2027-02-04T15:00:00Z", "mql"),
        decision("b4", "B", "2027-02-05T15:00:00Z", true),
        stage("b5", "B", "2027-02-10T15:00:00Z", "sql"),
    ];
    let e = evaluate(&a, &events, t("2027-03-02T00:00:00Z"));
    let report = |p: &str| {
        Report::new(
            &e,
            &a,
            Range::period(PeriodKey::parse(p).unwrap(), &a),
            Some(1),
        )
    };
    let grades = |r: &Report| -> Vec<(String, usize, usize, usize, usize)> {
        r.grades
            .iter()
            .map(|g| (g.grade.clone(), g.mqls, g.accepted, g.rejected, g.converted))
            .collect()
    };
    let january = report("2027-01");
    let s = &january.sources[0];
    assert_eq!(
        (
            s.source.as_str(),
            s.leads,
            s.mqls,
            s.accepted,
            s.rejected,
            s.sqls,
            s.conversion
        ),
        ("webinar", 1, 1, 0, 1, 0, Some(0.0))
    );
    assert_eq!(s.rejection_reasons[0].reason, "not-icp");
    let scoring = january.scoring.as_ref().unwrap();
    assert_eq!(scoring.handed_below_threshold, vec!["A".to_string()]);
    assert_eq!(
        grades(&january),
        vec![
            ("high".into(), 0, 0, 0, 0),
            ("medium".into(), 0, 0, 0, 0),
            ("low".into(), 1, 0, 1, 0)
        ]
    );
    let february = report("2027-02");
    let s = &february.sources[0];
    assert_eq!(
        (
            s.leads,
            s.mqls,
            s.accepted,
            s.rejected,
            s.sqls,
            s.conversion
        ),
        (1, 1, 1, 0, 1, Some(1.0))
    );
    assert!(s.rejection_reasons.is_empty(), "January's rejection: {s:?}");
    assert!(
        february
            .scoring
            .as_ref()
            .unwrap()
            .handed_below_threshold
            .is_empty()
    );
    assert_eq!(
        grades(&february),
        vec![
            ("high".into(), 0, 0, 0, 0),
            ("medium".into(), 1, 1, 0, 1),
            ("low".into(), 0, 0, 0, 0)
        ]
    );
    // The quarter holds both, each lead once.
    let q1 = report("2027-Q1");
    assert_eq!((q1.sources[0].leads, q1.sources[0].mqls), (2, 2));
    // ISO weeks: B was created (Wed 3 Feb) and handed over (Thu 4 Feb) in
    // 2027-W05 and became an SQL on Wed 10 Feb, in 2027-W06; A was created
    // in 2027-W01 (Tue 5 Jan) and handed over in 2027-W02 (Tue 12 Jan).
    let week = |p: &str| {
        let r = report(p);
        let s = &r.sources[0];
        (s.leads, s.mqls, s.accepted, s.rejected, s.sqls)
    };
    assert_eq!(week("2027-W05"), (1, 1, 1, 0, 0));
    assert_eq!(week("2027-W06"), (0, 0, 0, 0, 1));
    assert_eq!(week("2027-W01"), (1, 0, 0, 0, 0));
    assert_eq!(week("2027-W02"), (0, 1, 0, 1, 0));
}

/// The median first touch carries the published speed studies, labelled as
/// outside figures in every rendering; no other goal does.
#[test]
fn the_median_first_touch_comes_with_outside_figures() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let events = mqls("m", "2027-01", 3);
    let e = evaluate(&a, &events, t("2027-01-20T00:00:00Z"));
    let report = Report::new(
        &e,
        &a,
        Range::period(PeriodKey::parse("2027-01").unwrap(), &a),
        Some(1),
    );
    for g in &report.goals {
        if g.id == "first-touch-speed" {
            let findings: Vec<&str> = g
                .outside_figures
                .iter()
                .map(|f| f.finding.as_str())
                .collect();
            assert!(
                findings
                    .iter()
                    .any(|f| f.contains("2,241") && f.contains("37%") && f.contains("42 hours")),
                "{findings:?}"
            );
            assert!(
                findings
                    .iter()
                    .any(|f| f.contains("5 minutes rather than 30")),
                "{findings:?}"
            );
            assert!(
                g.outside_figures
                    .iter()
                    .all(|f| f.url.starts_with("https://"))
            );
        } else {
            assert!(g.outside_figures.is_empty(), "{}", g.id);
        }
    }
    let json = serde_json::to_value(&report).unwrap();
    let speed = json["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "first-touch-speed")
        .unwrap();
    assert_eq!(speed["outside_figures"].as_array().unwrap().len(), 3);
    let table = handshake_core::engine::report::to_table(&report);
    assert!(
        table.contains("Goal first-touch-speed: Outside figures, not your data"),
        "{table}"
    );
    assert!(
        table.contains("Harvard Business Review, March 2011"),
        "{table}"
    );
}

/// A lead without any field the scoring reads (an export without those
/// columns) has an unknown score: it is not "handed over below the
/// threshold" and falls in no grade; a lead whose persona is known is scored.
#[test]
fn a_missing_score_is_unknown_not_zero() {
    use handshake_core::engine::{Report, report::Range};
    let a = agreement();
    let mut events = mqls("u", "2027-01", 3);
    events.push(ev(
        r#"{"id":"k1","type":"lead.created","lead_id":"K","occurred_at":"2027-01-05T12:00:00-05:00","attributes":{"segment":"enterprise","source":"webinar","persona":"analyst"}}"#,
    ));
    events.push(stage("k2", "K", "2027-01-05T12:00:00-05:00", "mql"));
    let e = evaluate(&a, &events, t("2027-02-02T00:00:00Z"));
    let report = Report::new(
        &e,
        &a,
        Range::period(PeriodKey::parse("2027-01").unwrap(), &a),
        Some(1),
    );
    let scoring = report.scoring.as_ref().unwrap();
    // Only K (an analyst: -10 points) is known to score below 60.
    assert_eq!(scoring.handed_below_threshold, vec!["K".to_string()]);
    let graded: usize = report.grades.iter().map(|g| g.mqls).sum();
    assert_eq!(
        graded, 0,
        "-10 is below every grade; the unknown three are in none"
    );
    let findings = report.findings.join("\n");
    assert!(!findings.contains("4 leads handed over"), "{findings}");
}

/// A contacts export carries MQL dates (inferred) and no touches: its
/// first-touch clocks cannot be judged, so they are neither met nor
/// breached and the compliance is not a false 0%. One touch of any lead, from
/// any source, makes the guarantee's clocks judged again; a clock started by
/// a live (not inferred) event is always judged.
#[test]
fn clocks_from_an_export_without_touches_are_not_measurable() {
    let a = agreement();
    let inferred = |id: &str, lead: &str, at: &str| {
        ev(&format!(
            r#"{{"id":"{id}","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"mql","inferred":true}}"#
        ))
    };
    let mut events = vec![
        created("c1", "A", "2027-02-01T14:00:00Z", "enterprise"),
        inferred("m1", "A", "2027-02-01T15:00:00Z"),
        created("c2", "B", "2027-02-02T14:00:00Z", "enterprise"),
        inferred("m2", "B", "2027-02-02T15:00:00Z"),
    ];
    let as_of = t("2027-02-10T12:00:00Z");
    let e = evaluate(&a, &events, as_of);
    let first_touch: Vec<_> = e
        .clocks
        .iter()
        .filter(|c| c.guarantee == "enterprise-first-touch")
        .collect();
    assert_eq!(first_touch.len(), 2);
    assert!(
        first_touch
            .iter()
            .all(|c| c.view.state == ClockState::NotMeasurable && !c.view.at_risk)
    );
    let from = secs("2027-02-01T05:00:00Z");
    let to = secs("2027-03-01T05:00:00Z");
    let summary = |e: &handshake_core::engine::Evaluation| {
        e.guarantee_summaries(&a, from, to)
            .into_iter()
            .find(|s| s.id == "enterprise-first-touch")
            .unwrap()
    };
    let s = summary(&e);
    assert_eq!((s.not_measurable, s.breached, s.compliance), (2, 0, None));
    // No breach consequence fires for them.
    assert!(
        !e.consequences.iter().any(|c| c.contains("breach")),
        "{:?}",
        e.consequences
    );
    // The activities arrive: one touch of A, a day late. Both are judged.
    events.push(touch("t1", "A", "2027-02-02T16:00:00Z"));
    let e = evaluate(&a, &events, as_of);
    let s = summary(&e);
    assert_eq!((s.not_measurable, s.met_late, s.breached), (0, 1, 1));
    assert_eq!(s.compliance, Some(0.0));
    // Without touches, a live MQL (not inferred) is judged: breached.
    let live = vec![
        created("c3", "C", "2027-02-03T14:00:00Z", "enterprise"),
        stage("m3", "C", "2027-02-03T15:00:00Z", "mql"),
    ];
    let e = evaluate(&a, &live, as_of);
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "enterprise-first-touch")
        .unwrap();
    assert_eq!(c.view.state, ClockState::Breached);
}

/// A clock that is not measurable raises no alert; a live one beside it does.
#[test]
fn not_measurable_clocks_raise_no_alerts() {
    let a = agreement();
    let mut live = handshake_core::engine::Live::new(vec![(t("2027-01-01T05:00:00Z"), a)]);
    let inferred = ev(
        r#"{"id":"m1","type":"lead.stage_changed","lead_id":"A","occurred_at":"2027-02-01T15:00:00Z","stage":"mql","inferred":true}"#,
    );
    live.set_subject(
        "A",
        vec![
            created("c1", "A", "2027-02-01T14:00:00Z", "enterprise"),
            inferred,
        ],
    );
    live.set_subject(
        "B",
        vec![
            created("c2", "B", "2027-02-01T14:00:00Z", "enterprise"),
            stage("m2", "B", "2027-02-01T15:00:00Z", "mql"),
        ],
    );
    let due = live.alerts_between(t("2027-02-01T14:30:00Z"), t("2027-02-02T12:00:00Z"));
    assert!(!due.is_empty());
    assert!(due.iter().all(|d| d.subject == "B"), "{due:?}");
}

/// A corrected event (`ID~2`) replaces the earlier version whatever their
/// instants, in a replay and in the live state alike.
#[test]
fn the_latest_version_of_an_event_is_the_one_evaluated() {
    let a = agreement();
    let events = vec![
        created("c1", "A", "2027-02-01T14:00:00Z", "enterprise"),
        stage("m1", "A", "2027-02-01T15:00:00Z", "mql"),
        // The CRM's date was wrong: it became an MQL a week later.
        stage("m1~2", "A", "2027-02-08T15:00:00Z", "mql"),
        touch("t1", "A", "2027-02-08T15:20:00Z"),
    ];
    let as_of = t("2027-02-20T12:00:00Z");
    let e = evaluate(&a, &events, as_of);
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "enterprise-first-touch")
        .unwrap();
    assert_eq!(c.view.start, secs("2027-02-08T15:00:00Z"));
    assert_eq!(c.view.state, ClockState::Met);
    let mut live = handshake_core::engine::Live::new(vec![(t("2027-01-01T05:00:00Z"), a.clone())]);
    live.set_subject("A", events.clone());
    assert_eq!(live.evaluation(as_of), e);
    // As of a moment before the corrected instant, the old one does not
    // show through: no clock yet.
    let early = evaluate(&a, &events, t("2027-02-02T12:00:00Z"));
    assert!(
        early
            .clocks
            .iter()
            .all(|c| c.guarantee != "enterprise-first-touch"),
        "{:?}",
        early.clocks
    );
}

/// Ten enterprise MQLs at noon New York on weekdays of January 2027: four
/// owned by rep-ava (all touched in 20 minutes), four by rep-hugo (the
/// first touched in 20 minutes, the others never), two never assigned
/// (neither touched).
fn owned_mqls() -> Vec<Event> {
    let mut events = mqls("o", "2027-01", 10);
    for i in 0..10 {
        let lead = format!("o{i}");
        let day = 4 + (i % 20);
        let owner = match i {
            0..4 => Some("rep-ava"),
            4..8 => Some("rep-hugo"),
            _ => None,
        };
        if let Some(owner) = owner {
            events.push(ev(&format!(
                r#"{{"id":"{lead}a","type":"lead.assigned","lead_id":"{lead}","occurred_at":"2027-01-{day:02}T12:00:00-05:00","owner":"{owner}"}}"#
            )));
        }
        if i < 5 {
            events.push(touch(
                &format!("{lead}t"),
                &lead,
                &format!("2027-01-{day:02}T12:20:00-05:00"),
            ));
        }
    }
    events
}

/// Findings name who missed: a follow-up goal short of its target is split
/// by the lead's owner, most missed first, and the parts add up to the rate.
#[test]
fn a_missed_follow_up_names_each_owner_and_how_many_in_time() {
    let a = agreement();
    let events = owned_mqls();
    let e = evaluate(&a, &events, t("2027-02-01T12:00:00Z"));
    let jan = PeriodKey::parse("2027-01").unwrap();
    let follow = goal(&e, "follow-up", jan);
    assert_eq!(follow.actual.to_string(), "50.0%");
    let findings = e.findings(&a, jan);
    let by_owner: Vec<&str> = findings
        .iter()
        .map(|f| f.text.as_str())
        .filter(|t| t.starts_with("Follow-up by owner"))
        .collect();
    assert_eq!(
        by_owner,
        [
            "Follow-up by owner, most missed first (follow-up, 2027-01): rep-hugo: 1 of 4 in time; (no owner): 0 of 2 in time."
        ],
        "{findings:#?}"
    );
}

/// The example with the enterprise first touch promised in `within`.
fn enterprise_within(within: &str) -> Agreement {
    let text = include_str!("../../../examples/agreement.toml").replacen(
        "within = \"1 business hour\"",
        &format!("within = \"{within}\""),
        1,
    );
    let checked = handshake_core::check("calendar-time", &text);
    checked
        .agreement
        .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
}

/// A promise in calendar time counts nights, weekends and holidays: two
/// calendar days from a Friday afternoon are due on Sunday afternoon, where
/// two business days would be due on Tuesday.
#[test]
fn a_calendar_day_promise_runs_through_the_weekend() {
    let events = [
        created("1", "W", "2027-01-15T15:00:00Z", "enterprise"),
        // Friday 16:00 in New York.
        stage("2", "W", "2027-01-15T16:00:00-05:00", "mql"),
    ];
    let clock = |a: &Agreement, at: &str, events: &[Event]| {
        evaluate(a, events, t(at))
            .clocks
            .into_iter()
            .find(|c| c.guarantee == "enterprise-first-touch")
            .unwrap()
    };
    let calendar = enterprise_within("2 calendar days");
    let c = clock(&calendar, "2027-01-17T15:59:00-05:00", &events);
    assert_eq!(c.view.due, Some(secs("2027-01-17T16:00:00-05:00")));
    assert_eq!(c.view.state, ClockState::Running);
    assert_eq!(c.view.promised, 2 * 86_400);
    let c = clock(&calendar, "2027-01-17T16:01:00-05:00", &events);
    assert_eq!(c.view.state, ClockState::Breached);
    let mut touched = events.to_vec();
    touched.push(touch("3", "W", "2027-01-17T15:00:00-05:00"));
    let c = clock(&calendar, "2027-01-18T09:00:00-05:00", &touched);
    assert_eq!(c.view.state, ClockState::Met, "a Sunday touch is in time");

    // The same words in business time: 16:00-17:00 on Friday, then Monday
    // (Martin Luther King Jr. Day, a New York holiday) is closed, Tuesday
    // 09:00-17:00 makes 9 of the 16 hours and Wednesday 09:00-16:00 the rest.
    let business = enterprise_within("2 business days");
    let c = clock(&business, "2027-01-17T16:01:00-05:00", &events);
    assert_eq!(c.view.state, ClockState::Running);
    assert_eq!(c.view.due, Some(secs("2027-01-20T16:00:00-05:00")));
}

/// A calendar day is 24 hours: three of them from Thursday 16:00 in Berlin,
/// across the night the clocks go forward, end at 17:00 summer time.
#[test]
fn calendar_days_are_24_hours_each_across_a_dst_change() {
    let text = include_str!("../../../examples/agreement.toml").replacen(
        "within = \"1 business day\"",
        "within = \"3 calendar days\"",
        1,
    );
    let a = handshake_core::check("v", &text).agreement.unwrap();
    let events = [
        created("1", "M", "2027-03-25T14:00:00Z", "mid-market"),
        stage("2", "M", "2027-03-25T16:00:00+01:00", "mql"),
    ];
    let e = evaluate(&a, &events, t("2027-03-26T12:00:00Z"));
    let c = e
        .clocks
        .iter()
        .find(|c| c.guarantee == "mid-market-first-touch")
        .unwrap();
    assert_eq!(c.view.due, Some(secs("2027-03-28T17:00:00+02:00")));
}

fn request_event(id: &str, request: &str, at: &str, kind: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"request.{kind}","request_id":"{request}","occurred_at":"{at}"}}"#
    ))
}

fn opened(id: &str, request: &str, at: &str, from: &str, to: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"request.opened","request_id":"{request}","occurred_at":"{at}","from":"{from}","to":"{to}","channel":"email"}}"#
    ))
}

/// Feedback is owed by the team that asked: asked of sales on Friday at
/// 15:00 in New York, it is due on Monday at 15:00 (three calendar days,
/// the weekend counted); a request marketing sent opens no sales clock.
#[test]
fn feedback_is_owed_by_the_team_that_asked_in_calendar_days() {
    let a = agreement();
    let events = [
        // Sales asked marketing; marketing asks sales for feedback.
        opened(
            "1",
            "R-1",
            "2027-01-15T10:00:00-05:00",
            "sales",
            "marketing",
        ),
        request_event(
            "2",
            "R-1",
            "2027-01-15T15:00:00-05:00",
            "feedback_requested",
        ),
        request_event("3", "R-1", "2027-01-18T14:00:00-05:00", "feedback_given"),
        // Sales asked again and never answers the feedback request.
        opened(
            "4",
            "R-2",
            "2027-01-15T10:00:00-05:00",
            "sales",
            "marketing",
        ),
        request_event(
            "5",
            "R-2",
            "2027-01-15T15:00:00-05:00",
            "feedback_requested",
        ),
        // Marketing asked sales: the feedback is marketing's, not a sales clock.
        opened(
            "6",
            "R-3",
            "2027-01-15T10:00:00-05:00",
            "marketing",
            "sales",
        ),
        request_event(
            "7",
            "R-3",
            "2027-01-15T15:00:00-05:00",
            "feedback_requested",
        ),
    ];
    let feedback = |at: &str| -> Vec<(String, Option<i64>, ClockState)> {
        evaluate(&a, &events, t(at))
            .clocks
            .into_iter()
            .filter(|c| c.guarantee == "feedback")
            .map(|c| (c.subject, c.view.due, c.view.state))
            .collect()
    };
    let due = Some(secs("2027-01-18T15:00:00-05:00"));
    assert_eq!(
        feedback("2027-01-18T14:59:00-05:00"),
        vec![
            ("R-1".to_string(), due, ClockState::Met),
            ("R-2".to_string(), due, ClockState::Running),
        ]
    );
    assert_eq!(
        feedback("2027-01-18T15:01:00-05:00")[1],
        ("R-2".to_string(), due, ClockState::Breached)
    );
}

/// A meeting's recap is owed by the team the request was addressed to, in
/// business time: a meeting on Tuesday at 16:00 leaves one business hour
/// that day, so the recap is due on Wednesday at 16:00.
#[test]
fn a_recap_is_owed_a_business_day_after_the_meeting() {
    let a = agreement();
    let events = [
        opened(
            "1",
            "R-1",
            "2027-01-19T10:00:00-05:00",
            "sales",
            "marketing",
        ),
        request_event("2", "R-1", "2027-01-19T16:00:00-05:00", "meeting_held"),
        request_event("3", "R-1", "2027-01-20T15:30:00-05:00", "recap_sent"),
    ];
    let e = evaluate(&a, &events, t("2027-01-21T09:00:00-05:00"));
    let recap = e.clocks.iter().find(|c| c.guarantee == "recap").unwrap();
    assert_eq!(recap.view.due, Some(secs("2027-01-20T16:00:00-05:00")));
    assert_eq!(recap.view.state, ClockState::Met);
    assert!(
        e.clocks.iter().all(|c| c.guarantee != "feedback"),
        "no feedback was asked for"
    );
}

/// The seed's extension rule on the feedback guarantee: asked within one
/// business day of the feedback request, granted, the feedback is due when
/// asked (at most three calendar days later); asked too late, or refused,
/// the due time stays.
#[test]
fn an_extension_asked_in_time_moves_the_due_time_and_one_asked_late_does_not() {
    let a = agreement();
    let ask = |id: &str, request: &str, at: &str, until: &str| {
        ev(&format!(
            r#"{{"id":"{id}","type":"request.extension_requested","request_id":"{request}","occurred_at":"{at}","until":"{until}"}}"#
        ))
    };
    let mut events = Vec::new();
    for r in ["R-1", "R-2", "R-3", "R-4"] {
        events.push(opened(
            &format!("{r}-o"),
            r,
            "2027-01-11T09:00:00-05:00",
            "sales",
            "marketing",
        ));
        // Monday 10:00: three calendar days make Thursday 10:00.
        events.push(request_event(
            &format!("{r}-f"),
            r,
            "2027-01-11T10:00:00-05:00",
            "feedback_requested",
        ));
    }
    // R-1: asked Monday 15:00 (5 business hours in), granted: due Friday 17:00.
    events.push(ask(
        "1a",
        "R-1",
        "2027-01-11T15:00:00-05:00",
        "2027-01-15T17:00:00-05:00",
    ));
    events.push(request_event(
        "1g",
        "R-1",
        "2027-01-12T09:00:00-05:00",
        "extension_granted",
    ));
    events.push(request_event(
        "1d",
        "R-1",
        "2027-01-15T16:00:00-05:00",
        "feedback_given",
    ));
    // R-2: asked Tuesday 11:00, 9 business hours in (Monday 10-17, Tuesday 9-11): too late.
    events.push(ask(
        "2a",
        "R-2",
        "2027-01-12T11:00:00-05:00",
        "2027-01-15T17:00:00-05:00",
    ));
    events.push(request_event(
        "2g",
        "R-2",
        "2027-01-12T12:00:00-05:00",
        "extension_granted",
    ));
    events.push(request_event(
        "2d",
        "R-2",
        "2027-01-15T16:00:00-05:00",
        "feedback_given",
    ));
    // R-3: asks for the Wednesday after; granted up to three calendar days past Thursday 10:00.
    events.push(ask(
        "3a",
        "R-3",
        "2027-01-11T11:00:00-05:00",
        "2027-01-20T10:00:00-05:00",
    ));
    events.push(request_event(
        "3g",
        "R-3",
        "2027-01-11T12:00:00-05:00",
        "extension_granted",
    ));
    // R-4: asked in time and refused.
    events.push(ask(
        "4a",
        "R-4",
        "2027-01-11T11:00:00-05:00",
        "2027-01-15T17:00:00-05:00",
    ));
    events.push(request_event(
        "4r",
        "R-4",
        "2027-01-11T12:00:00-05:00",
        "extension_refused",
    ));

    let e = evaluate(&a, &events, t("2027-01-16T09:00:00-05:00"));
    let clock = |r: &str| {
        e.clocks
            .iter()
            .find(|c| c.guarantee == "feedback" && c.subject == r)
            .unwrap()
    };
    use handshake_core::engine::ExtensionState;
    let seen = |r: &str| {
        let c = clock(r);
        (
            c.view.due,
            c.view.state,
            c.view.extension.as_ref().map(|x| x.state),
        )
    };
    assert_eq!(
        seen("R-1"),
        (
            Some(secs("2027-01-15T17:00:00-05:00")),
            ClockState::Met,
            Some(ExtensionState::Granted)
        )
    );
    assert_eq!(
        clock("R-1").view.promised,
        3 * 86_400 + 31 * 3_600,
        "Thursday 10:00 to Friday 17:00 added"
    );
    assert_eq!(
        seen("R-2"),
        (
            Some(secs("2027-01-14T10:00:00-05:00")),
            ClockState::MetLate,
            Some(ExtensionState::AskedTooLate)
        )
    );
    assert_eq!(
        seen("R-3"),
        (
            Some(secs("2027-01-17T10:00:00-05:00")),
            ClockState::Running,
            Some(ExtensionState::Granted)
        )
    );
    assert_eq!(
        seen("R-4"),
        (
            Some(secs("2027-01-14T10:00:00-05:00")),
            ClockState::Breached,
            Some(ExtensionState::Refused)
        )
    );
}

fn opened_via(id: &str, request: &str, at: &str, from: &str, to: &str, channel: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"request.opened","request_id":"{request}","occurred_at":"{at}","from":"{from}","to":"{to}","channel":"{channel}"}}"#
    ))
}

/// January's requests per party, worked by hand: sales escalated twice to
/// marketing (at least 250 USD each, so at least 500.00 USD), sent one
/// through the program and one by email (around the agreed channels);
/// marketing escalated once to sales (no guarantee clocks that, so no fee)
/// and sent one on Slack (around). Marketing owes three clocks: R-1
/// acknowledged in an hour (met), R-2 after four business hours (late),
/// R-5 never acknowledged (breached after two business days). February's
/// escalation stays out of January.
#[test]
fn escalation_fees_and_requests_around_the_agreed_channels_are_summed_per_party() {
    let a = agreement();
    let events = [
        opened_via(
            "1",
            "R-1",
            "2027-01-15T10:00:00-05:00",
            "sales",
            "marketing",
            "escalation",
        ),
        request_event("2", "R-1", "2027-01-15T11:00:00-05:00", "acknowledged"),
        opened_via(
            "3",
            "R-2",
            "2027-01-20T09:00:00-05:00",
            "sales",
            "marketing",
            "escalation",
        ),
        request_event("4", "R-2", "2027-01-20T13:00:00-05:00", "acknowledged"),
        opened_via(
            "5",
            "R-3",
            "2027-01-21T09:00:00-05:00",
            "marketing",
            "sales",
            "escalation",
        ),
        opened_via(
            "6",
            "R-4",
            "2027-01-22T09:00:00-05:00",
            "sales",
            "marketing",
            "email",
        ),
        opened_via(
            "7",
            "R-5",
            "2027-01-25T09:00:00-05:00",
            "sales",
            "marketing",
            "program",
        ),
        opened_via(
            "8",
            "R-6",
            "2027-01-26T09:00:00-05:00",
            "marketing",
            "sales",
            "slack",
        ),
        opened_via(
            "9",
            "R-7",
            "2027-02-02T09:00:00-05:00",
            "sales",
            "marketing",
            "escalation",
        ),
    ];
    let e = evaluate(&a, &events, t("2027-02-20T12:00:00Z"));
    let range =
        handshake_core::engine::report::Range::period(PeriodKey::parse("2027-01").unwrap(), &a);
    let report = handshake_core::engine::Report::new(&e, &a, range, Some(1));
    let [marketing, sales] = report.requests.as_slice() else {
        panic!("two parties: {:?}", report.requests)
    };
    assert_eq!(sales.party, "sales");
    assert_eq!((sales.sent, sales.outside_channels), (4, 1));
    assert_eq!(sales.outside, ["R-4"]);
    assert_eq!(sales.fees.len(), 1);
    assert_eq!(sales.fees[0].currency, "USD");
    assert_eq!(sales.fees[0].amount, "500.00");
    assert!(sales.fees[0].minimum);
    assert_eq!(sales.fees[0].requests, 2);
    assert_eq!((sales.clocks, sales.compliance), (0, None));
    assert_eq!(
        sales.fees_text().as_deref(),
        Some("sales owes fees of at least 500.00 USD (2 requests)")
    );
    assert_eq!(marketing.party, "marketing");
    assert_eq!((marketing.sent, marketing.outside_channels), (2, 1));
    assert_eq!(marketing.outside, ["R-6"]);
    assert!(marketing.fees.is_empty());
    assert_eq!((marketing.clocks, marketing.met, marketing.late), (3, 1, 2));
    assert_eq!(marketing.compliance, Some(1.0 / 3.0));
    assert_eq!(
        marketing.outside_text().as_deref(),
        Some("1 request from marketing went around the agreed channels")
    );
    let table = handshake_core::engine::report::to_table(&report);
    assert!(
        table.contains("sales owes fees of at least 500.00 USD (2 requests)"),
        "{table}"
    );
    assert!(
        table.contains(
            "marketing: sent 2 requests; kept 1 of 3 request clocks it owes in time (33%)"
        ),
        "{table}"
    );
}

/// Clocks belong to people: each lead guarantee's clocks of a range split
/// per owner (no owner last, as routing's own line) and per team, with the
/// median business time to the touch; the report's text prints the same.
#[test]
fn clocks_are_counted_per_owner_and_per_team_with_the_median_to_the_touch() {
    let a = agreement();
    let events = owned_mqls();
    let e = evaluate(&a, &events, t("2027-02-01T12:00:00Z"));
    let (from, to) = (secs("2027-01-01T05:00:00Z"), secs("2027-02-01T05:00:00Z"));
    let lines = handshake_core::engine::owner_lines(&e, &a, from, to);
    let first_touch: Vec<String> = lines
        .iter()
        .filter(|l| l.guarantee == "enterprise-first-touch")
        .map(|l| l.text())
        .collect();
    assert_eq!(
        first_touch,
        [
            "rep-ava: 4 of 4 in time (100.0%), median to the touch 20 min",
            "rep-hugo: 1 of 4 in time (25.0%), 3 breached, median to the touch 20 min",
            "(no owner): 0 of 2 in time (0.0%), 2 breached",
        ],
        "{lines:#?}"
    );
    let hugo = lines
        .iter()
        .find(|l| l.guarantee == "enterprise-first-touch" && l.owner.as_deref() == Some("rep-hugo"))
        .unwrap();
    assert_eq!(
        (hugo.clocks, hugo.met, hugo.met_late, hugo.breached),
        (4, 1, 0, 3)
    );
    assert_eq!(hugo.median_to_stop, Some(20 * 60));
    // Per team: both reps report to lee; the unowned leads are in no team.
    use handshake_core::alerts::people::Person;
    let person = |id: &str, manager: Option<&str>| Person {
        manager: manager.map(str::to_string),
        ..Person::new(id, id, "sales")
    };
    let people = [
        person("rep-ava", Some("mgr-lee")),
        person("rep-hugo", Some("mgr-lee")),
        person("mgr-lee", None),
    ];
    let teams: Vec<String> = handshake_core::engine::team_lines(&e, &a, &people, from, to)
        .iter()
        .filter(|l| l.guarantee == "enterprise-first-touch")
        .map(|l| l.text())
        .collect();
    assert_eq!(
        teams,
        ["mgr-lee: 5 of 8 in time (62.5%), 3 breached, median to the touch 20 min"]
    );
    // The report of January carries the lines and prints them.
    let report = handshake_core::engine::Report::new(
        &e,
        &a,
        handshake_core::engine::report::Range::period(PeriodKey::parse("2027-01").unwrap(), &a),
        None,
    );
    assert_eq!(report.owners, lines);
    let text = handshake_core::engine::report::to_table(&report);
    assert!(
        text.contains("enterprise-first-touch: rep-hugo: 1 of 4 in time (25.0%), 3 breached"),
        "{text}"
    );
}
