//! Engine replay speed: N leads with ten events each over the twelve months of
//! 2027, against an agreement with 3 guarantees and 6 goals, evaluated in one
//! replay; then the incremental evaluator's cost per added event and the cost
//! of an up-to-date evaluation after one late event. Peak memory from
//! /proc/self/status (VmHWM), which includes the generated input.
//!
//! Run: `cargo bench -p handshake-core --bench engine -- [LEADS]` (default 100,000 leads = 1 million events).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use handshake_core::agreement::Channel;
use handshake_core::engine::{Evaluator, evaluate, evaluate_subjects};
use handshake_core::event::{Attributes, Event, EventId, EventKind, Money, SubjectId, parse_event};

const AGREEMENT: &str = r#"
[agreement]
name = "Bench"
summary = "3 guarantees, 6 goals."
effective = { from = "2027-01-01" }
time_zone = "America/New_York"
[parties.marketing]
contact = { name = "M", email = "m@x.example" }
[parties.sales]
contact = { name = "S", email = "s@x.example" }
[stages]
mql = "m"
sql = "s"
[rejection_reasons]
no-budget = "n"
[segments]
enterprise = { attribute = "segment", equals = "enterprise" }
smb = { attribute = "segment", equals = "smb" }
[calendars.ny]
time_zone = "America/New_York"
hours = "mon-fri 09:00-17:00"
holidays = ["2027-01-01", "2027-07-05", "2027-11-25", "2027-12-24@09:00-12:00"]
[calendars.berlin]
time_zone = "Europe/Berlin"
hours = "mon-fri 08:30-12:30,13:30-17:30"
[[goals]]
id = "mqls"
owner = "marketing"
metric = "mqls"
target = 8000
per = "month"
[[goals]]
id = "enterprise-mqls"
owner = "marketing"
metric = "mqls"
segment = "enterprise"
target = 3000
per = "month"
[[goals]]
id = "conversion"
owner = "marketing"
metric = "conversion"
from = "mql"
to = "sql"
target = "25%"
per = "quarter"
[[goals]]
id = "follow-up"
owner = "sales"
metric = "follow_up_rate"
target = "90%"
per = "month"
[[goals]]
id = "acceptance"
owner = "sales"
metric = "acceptance_rate"
target = "80%"
per = "month"
[[goals]]
id = "revenue"
owner = "sales"
metric = "revenue_won"
target = "1000000 USD"
per = "quarter"
[[guarantees]]
id = "enterprise-touch"
owner = "sales"
segment = "enterprise"
starts = "stage = mql"
stops = ["touched", "rejected"]
within = "1 business hour"
calendar = "ny"
warn_at = "75%"
[[guarantees]]
id = "smb-touch"
owner = "sales"
segment = "smb"
starts = "stage = mql"
stops = ["touched", "rejected"]
within = "1 business day"
calendar = "berlin"
[[guarantees]]
id = "reason"
owner = "sales"
starts = "rejected"
stops = ["rejected for no-budget"]
within = "2 business days"
calendar = "ny"
"#;

fn events(leads: usize) -> Vec<Event> {
    let base = 1_798_779_600i64; // 2027-01-01T05:00:00Z
    let year = 365 * 86_400i64;
    let mut out = Vec::with_capacity(leads * 10);
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for l in 0..leads {
        let t0 = base + rnd(year as u64 - 30 * 86_400) as i64;
        let seg = if l % 3 == 0 { "enterprise" } else { "smb" };
        let at = |off: i64| jiff::Timestamp::from_second(t0 + off).unwrap();
        let mut push = |n: usize, body: String| {
            out.push(
                parse_event(&format!(r#"{{"id":"e{l}-{n}","lead_id":"L{l}",{body}}}"#)).unwrap(),
            )
        };
        push(
            0,
            format!(
                r#""type":"lead.created","occurred_at":"{}","attributes":{{"segment":"{seg}","source":"webinar","score":{}}}"#,
                at(0),
                l % 100
            ),
        );
        push(
            1,
            format!(
                r#""type":"lead.activity","occurred_at":"{}","activity":"webinar_attended""#,
                at(600)
            ),
        );
        push(
            2,
            format!(
                r#""type":"lead.stage_changed","occurred_at":"{}","stage":"mql""#,
                at(3600)
            ),
        );
        push(
            3,
            format!(
                r#""type":"lead.assigned","occurred_at":"{}","owner":"rep-{}""#,
                at(3700),
                l % 8
            ),
        );
        push(
            4,
            format!(
                r#""type":"lead.touched","occurred_at":"{}","channel":"call","by":"rep""#,
                at(3600 + rnd(30_000) as i64)
            ),
        );
        let accepted = rnd(10) < 7;
        if accepted {
            push(
                5,
                format!(r#""type":"lead.accepted","occurred_at":"{}""#, at(90_000)),
            );
            push(
                6,
                format!(
                    r#""type":"lead.stage_changed","occurred_at":"{}","stage":"sql""#,
                    at(200_000)
                ),
            );
            push(
                7,
                format!(
                    r#""type":"opportunity.created","occurred_at":"{}","amount":"25000","currency":"USD""#,
                    at(400_000)
                ),
            );
            push(
                8,
                format!(
                    r#""type":"deal.won","occurred_at":"{}","amount":"24000","currency":"USD""#,
                    at(1_500_000)
                ),
            );
        } else {
            push(
                5,
                format!(
                    r#""type":"lead.rejected","occurred_at":"{}","reason":"other""#,
                    at(90_000)
                ),
            );
            push(
                6,
                format!(
                    r#""type":"lead.rejected","occurred_at":"{}","reason":"no-budget""#,
                    at(100_000)
                ),
            );
            push(
                7,
                format!(r#""type":"lead.recycled","occurred_at":"{}""#, at(110_000)),
            );
            push(
                8,
                format!(
                    r#""type":"lead.updated","occurred_at":"{}","attributes":{{"score":{}}}"#,
                    at(120_000),
                    l % 90
                ),
            );
        }
        push(
            9,
            format!(
                r#""type":"lead.touched","occurred_at":"{}","channel":"email","by":"rep""#,
                at(130_000)
            ),
        );
    }
    out
}

/// One lead's events built directly, as the store decodes them (no JSON): the same
/// shape as [`events`], for the streamed replay.
fn lead_events(l: usize, x: &mut u64) -> Vec<Event> {
    let mut rnd = |n: u64| {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x % n
    };
    let base = 1_798_779_600i64;
    let t0 = base + rnd(335 * 86_400) as i64;
    let subject = SubjectId::new(format!("L{l}")).unwrap();
    let at = |off: i64| jiff::Timestamp::from_second(t0 + off).unwrap();
    let ev = |n: usize, off: i64, kind: EventKind| Event {
        id: EventId::new(format!("e{l}-{n}")).unwrap(),
        subject: subject.clone(),
        occurred_at: at(off),
        inferred: false,
        kind,
    };
    let segment = if l.is_multiple_of(3) {
        "enterprise"
    } else {
        "smb"
    };
    let touch = |by: &str| EventKind::Touched {
        channel: Channel::Call,
        by: Some(by.to_string()),
        automated: false,
    };
    let usd = |minor: i64| Money {
        minor,
        currency: "USD".into(),
    };
    let mut out = vec![
        ev(
            0,
            0,
            EventKind::LeadCreated(Attributes {
                source: Some("webinar".into()),
                segment: Some(segment.into()),
                score: Some((l % 100) as i64),
                ..Attributes::default()
            }),
        ),
        ev(
            1,
            600,
            EventKind::Activity {
                activity: "webinar_attended".into(),
            },
        ),
        ev(
            2,
            3600,
            EventKind::StageChanged {
                stage: "mql".into(),
            },
        ),
        ev(
            3,
            3700,
            EventKind::Assigned {
                owner: format!("rep-{}", l % 8),
            },
        ),
        ev(4, 3600 + rnd(30_000) as i64, touch("rep")),
    ];
    if rnd(10) < 7 {
        out.push(ev(5, 90_000, EventKind::Accepted { by: None }));
        out.push(ev(
            6,
            200_000,
            EventKind::StageChanged {
                stage: "sql".into(),
            },
        ));
        out.push(ev(
            7,
            400_000,
            EventKind::OpportunityCreated {
                amount: usd(2_500_000),
            },
        ));
        out.push(ev(
            8,
            1_500_000,
            EventKind::DealWon {
                amount: usd(2_400_000),
            },
        ));
    } else {
        out.push(ev(
            5,
            90_000,
            EventKind::Rejected {
                reason: "other".into(),
                by: None,
            },
        ));
        out.push(ev(
            6,
            100_000,
            EventKind::Rejected {
                reason: "no-budget".into(),
                by: None,
            },
        ));
        out.push(ev(7, 110_000, EventKind::Recycled { reason: None }));
        out.push(ev(
            8,
            120_000,
            EventKind::LeadUpdated(Attributes {
                score: Some((l % 90) as i64),
                ..Attributes::default()
            }),
        ));
    }
    out.push(ev(9, 130_000, touch("rep")));
    out
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let leads: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let agreement = handshake_core::check("bench.toml", AGREEMENT)
        .agreement
        .expect("valid bench agreement");
    if std::env::args().any(|a| a == "--streamed") {
        // Leads built and folded one at a time, as a replay streamed from the store in subject order.
        let as_of: jiff::Timestamp = "2028-01-01T00:00:00Z".parse().unwrap();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let start = Instant::now();
        let mut n = 0usize;
        for l in 0..leads {
            n += lead_events(l, &mut x).len();
        }
        let build = start.elapsed().as_secs_f64();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let start = Instant::now();
        let eval = evaluate_subjects(
            &agreement,
            (0..leads).map(|l| lead_events(l, &mut x)),
            as_of,
        );
        let total = start.elapsed().as_secs_f64();
        println!(
            "streamed replay: {n} events ({leads} leads) in {total:.2} s including {build:.2} s building the events = {:.0} events/s; replay alone {:.2} s; {} clocks; peak {:.0} MB",
            n as f64 / total,
            total - build,
            eval.clocks.len(),
            peak_mb()
        );
        return;
    }
    if std::env::args().any(|a| a == "--live") {
        // The live state a server keeps: every lead's facts, then the
        // evaluation assembled from them at a moving instant, as a server
        // does after each batch of new events and every second.
        let mut by_lead: std::collections::BTreeMap<String, Vec<handshake_core::event::Event>> =
            std::collections::BTreeMap::new();
        for e in events(leads) {
            by_lead
                .entry(e.subject.as_str().to_string())
                .or_default()
                .push(e);
        }
        let mut live = handshake_core::engine::Live::new(vec![(
            "2027-01-01T00:00:00Z".parse().unwrap(),
            agreement,
        )]);
        let start = Instant::now();
        for (lead, list) in by_lead {
            live.set_subject(&lead, list);
        }
        let build = start.elapsed().as_secs_f64();
        let mut times = Vec::new();
        // After every event, as a server's "now" is.
        let mut at: jiff::Timestamp = "2028-01-01T00:00:00Z".parse().unwrap();
        let mut clocks = 0;
        for _ in 0..10 {
            at += jiff::SignedDuration::from_secs(1);
            let start = Instant::now();
            clocks = live.evaluation(at).clocks.len();
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "live: {leads} leads folded in {build:.2} s; evaluation assembled from their facts ({clocks} clocks): median {:.0} ms, slowest {:.0} ms; peak {:.0} MB",
            times[times.len() / 2],
            times[times.len() - 1],
            peak_mb()
        );
        return;
    }
    let start = Instant::now();
    let events = events(leads);
    println!(
        "generated {} events for {leads} leads in {:.1} s (peak {:.0} MB)",
        events.len(),
        start.elapsed().as_secs_f64(),
        peak_mb()
    );
    let as_of: jiff::Timestamp = "2028-01-01T00:00:00Z".parse().unwrap();
    let start = Instant::now();
    let eval = evaluate(&agreement, &events, as_of);
    let replay = start.elapsed().as_secs_f64();
    println!(
        "replay: {} events in {replay:.2} s = {:.0} events/s; {} clocks, {} goal periods; peak {:.0} MB",
        events.len(),
        events.len() as f64 / replay,
        eval.clocks.len(),
        eval.goals.len(),
        peak_mb()
    );
    let mut inc = Evaluator::new(agreement);
    let n = events.len();
    let start = Instant::now();
    // One event at a time, as the server receives them: each re-folds its lead.
    for e in events {
        inc.add([e]);
    }
    let per_add = start.elapsed().as_secs_f64() / n as f64 * 1e6;
    let _ = inc.evaluation(as_of);
    let late = parse_event(r#"{"id":"late-1","lead_id":"L7","type":"lead.touched","occurred_at":"2027-06-01T15:00:00Z","channel":"call"}"#).unwrap();
    let start = Instant::now();
    inc.add([late]);
    let again = inc.evaluation(as_of);
    println!(
        "incremental: {per_add:.2} µs to add an event one at a time (its lead re-folded); {:.0} ms for an up-to-date evaluation after one late event ({} clocks); peak {:.0} MB",
        start.elapsed().as_secs_f64() * 1e3,
        again.clocks.len(),
        peak_mb()
    );
}
