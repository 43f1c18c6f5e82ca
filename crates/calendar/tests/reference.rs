//! Business-time arithmetic against a brute-force reference.
//!
//! The reference knows nothing of the index: it walks UTC time minute by
//! minute (every boundary in the zones tested falls on a whole minute) and asks
//! jiff for the local wall-clock reading of each instant, exactly as the rule
//! is written. Random calendars, instants near daylight-saving changes, random
//! holidays and partial days, and spans that force the out-of-index path.

#![allow(clippy::unwrap_used)]

use handshake_calendar::{Calendar, CalendarDef, Holidays, WeeklyHours, time_zone};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

const ZONES: [&str; 4] = [
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "Europe/Berlin",
];

/// The rule, read literally: is the local reading of `t` inside an interval
/// that starts on its date, or one that started the day before and crosses midnight?
fn ref_is_open(def: &CalendarDef, t: i64) -> bool {
    let local = def
        .time_zone
        .to_datetime(Timestamp::from_second(t).unwrap());
    let date = local.date();
    let sod =
        i64::from(local.hour()) * 3600 + i64::from(local.minute()) * 60 + i64::from(local.second());
    let intervals = |d: Date| -> Vec<(i64, i64)> {
        if let Some((_, list)) = def.holidays.partial().find(|(p, _)| *p == d) {
            return list
                .iter()
                .map(|iv| (i64::from(iv.start()), i64::from(iv.end())))
                .collect();
        }
        if def.holidays.closed().any(|c| c == d) {
            return vec![];
        }
        let weekday =
            handshake_calendar::Weekday::ALL[d.weekday().to_monday_zero_offset() as usize];
        def.hours
            .day(weekday)
            .iter()
            .map(|iv| (i64::from(iv.start()), i64::from(iv.end())))
            .collect()
    };
    intervals(date).iter().any(|&(s, e)| s <= sod && sod < e)
        || intervals(date.yesterday().unwrap())
            .iter()
            .any(|&(_, e)| sod + 86_400 < e)
}

fn ref_add(def: &CalendarDef, s: i64, d: i64) -> i64 {
    let (mut t, mut left) = (s, d);
    while left > 0 {
        let minute_end = (t.div_euclid(60) + 1) * 60;
        if ref_is_open(def, t) {
            let take = left.min(minute_end - t);
            left -= take;
            t += take;
        } else {
            t = minute_end;
        }
    }
    t
}

fn ref_elapsed(def: &CalendarDef, s: i64, e: i64) -> i64 {
    let (mut t, mut total) = (s, 0);
    while t < e {
        let next = ((t.div_euclid(60) + 1) * 60).min(e);
        if ref_is_open(def, t) {
            total += next - t;
        }
        t = next;
    }
    total
}

fn ref_next_open(def: &CalendarDef, s: i64) -> i64 {
    let mut t = s;
    while !ref_is_open(def, t) {
        t = (t.div_euclid(60) + 1) * 60;
    }
    t
}

/// Raw material for one random calendar and one question.
#[derive(Debug, Clone)]
struct Case {
    zone: usize,
    always: bool,
    /// Per weekday, up to two intervals as (start in quarter hours, length in quarter hours).
    week: Vec<Vec<(u32, u32)>>,
    /// Holidays as days after the start's local date; partial days with an interval.
    closed: Vec<i64>,
    partial: Vec<(i64, u32, u32)>,
    /// Which DST transition to start near, and how far from it (seconds).
    transition: usize,
    shift: i64,
    /// The question: a duration or an end offset, in seconds.
    amount: i64,
    /// Whether the calendar is indexed only for a short span, forcing the slow path.
    narrow_span: Option<(i64, i64)>,
}

fn case() -> impl Strategy<Value = Case> {
    let interval = (0u32..96, 1u32..96);
    (
        0..ZONES.len(),
        prop::bool::weighted(0.1),
        prop::collection::vec(prop::collection::vec(interval, 0..=2), 7),
        prop::collection::vec(-2i64..8, 0..3),
        prop::collection::vec((-2i64..8, 0u32..96, 1u32..96), 0..2),
        0usize..8,
        -4 * 86_400i64..4 * 86_400,
        0i64..30 * 3600,
        prop::option::weighted(0.3, (-3 * 86_400i64..3 * 86_400, 0i64..4 * 86_400)),
    )
        .prop_map(
            |(zone, always, week, closed, partial, transition, shift, amount, narrow_span)| Case {
                zone,
                always,
                week,
                closed,
                partial,
                transition,
                shift,
                amount,
                narrow_span,
            },
        )
}

fn clock(quarters: u32) -> String {
    let minutes = quarters % 96 * 15;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl Case {
    fn tz(&self) -> TimeZone {
        time_zone(ZONES[self.zone]).unwrap()
    }

    /// The start instant: near one of the zone's DST transitions in 2024-2028
    /// (Kolkata has none, so near a fixed date there).
    fn start(&self) -> i64 {
        let tz = self.tz();
        let from: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let transitions: Vec<i64> = tz
            .following(from)
            .take(8)
            .map(|t| t.timestamp().as_second())
            .collect();
        let base = transitions
            .get(self.transition % transitions.len().max(1))
            .copied()
            .unwrap_or(1_700_000_000 + self.transition as i64 * 40 * 86_400);
        base + self.shift
    }

    fn def(&self) -> CalendarDef {
        let hours: WeeklyHours = if self.always {
            "24x7".parse().unwrap()
        } else {
            let mut groups = Vec::new();
            for (day, ivs) in self.week.iter().enumerate() {
                let list: Vec<String> = ivs
                    .iter()
                    .filter(|(s, len)| (s + len) % 96 != *s)
                    .map(|(s, len)| {
                        format!(
                            "{}-{}",
                            clock(*s),
                            if s + len == 96 {
                                "24:00".into()
                            } else {
                                clock(s + len)
                            }
                        )
                    })
                    .collect();
                if !list.is_empty() {
                    groups.push(format!(
                        "{} {}",
                        handshake_calendar::Weekday::ALL[day],
                        list.join(",")
                    ));
                }
            }
            if groups.is_empty() {
                groups.push("wed 09:00-17:00".into());
            }
            groups.join("; ").parse().unwrap()
        };
        let tz = self.tz();
        let start_date = tz
            .to_datetime(Timestamp::from_second(self.start()).unwrap())
            .date();
        let mut holidays = Holidays::default();
        for (k, s, len) in &self.partial {
            let date = start_date.checked_add(jiff::Span::new().days(*k)).unwrap();
            let end = if s + len == 96 {
                "24:00".into()
            } else {
                clock(s + len)
            };
            if (s + len) % 96 != *s {
                holidays
                    .add(&format!("{date}@{}-{end}", clock(*s)))
                    .unwrap();
            }
        }
        for k in &self.closed {
            let date = start_date.checked_add(jiff::Span::new().days(*k)).unwrap();
            let _ = holidays.add(&date.to_string()); // a date already partial stays partial
        }
        CalendarDef {
            time_zone: tz,
            hours,
            holidays,
            day_length: None,
        }
    }

    fn calendar(&self) -> Calendar {
        let def = self.def();
        match self.narrow_span {
            Some((from, len)) => {
                let from = self.start() + from;
                Calendar::with_span(def, from, from + len)
            }
            None => Calendar::new(def),
        }
    }

    /// Keep the reference walk short: no more than a few weeks' worth of open time.
    fn weekly_open(&self) -> i64 {
        let def = self.def();
        let s = self.start();
        ref_elapsed(&def, s, s + 7 * 86_400).max(ref_elapsed(&def, s + 7 * 86_400, s + 14 * 86_400))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn add_matches_reference(case in case()) {
        let def = case.def();
        let cal = case.calendar();
        let s = case.start();
        let weekly = case.weekly_open();
        prop_assume!(weekly > 0);
        let d = case.amount % (3 * weekly).max(1);
        let expected = ref_add(&def, s, d);
        prop_assert_eq!(cal.add_seconds(s, d), Some(expected), "start {} duration {}s", s, d);
        // And the defining property: exactly d of business time in [s, T).
        prop_assert_eq!(cal.elapsed_seconds(s, expected), d);
    }

    #[test]
    fn elapsed_matches_reference(case in case()) {
        let def = case.def();
        let cal = case.calendar();
        let s = case.start();
        let e = s + case.amount * 5;
        prop_assert_eq!(cal.elapsed_seconds(s, e), ref_elapsed(&def, s, e), "[{}, {})", s, e);
    }

    #[test]
    fn is_open_and_next_open_match_reference(case in case()) {
        let def = case.def();
        let cal = case.calendar();
        prop_assume!(case.weekly_open() > 0);
        let t = case.start() + case.amount;
        prop_assert_eq!(cal.is_open_second(t), ref_is_open(&def, t), "at {}", t);
        let next = cal.next_open(Timestamp::from_second(t).unwrap()).map(|n| n.as_second());
        prop_assert_eq!(next, Some(ref_next_open(&def, t)));
    }

    #[test]
    fn narrow_and_wide_indexes_agree(case in case(), from in -10i64 * 86_400..10 * 86_400, len in 1i64..20 * 86_400) {
        let wide = Calendar::new(case.def());
        let s = case.start();
        let narrow = Calendar::with_span(case.def(), s + from, s + from + len);
        let d = case.amount * 3;
        prop_assert_eq!(wide.add_seconds(s, d), narrow.add_seconds(s, d));
        prop_assert_eq!(wide.elapsed_seconds(s, s + d), narrow.elapsed_seconds(s, s + d));
    }
}
