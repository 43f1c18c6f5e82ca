//! Every daylight-saving change of 2025-2027 in America/New_York and
//! Europe/Berlin, by name, with the answers worked out by hand:
//! - a 22:00-06:00 night shift is 7 hours on spring-forward night, 9 on fall-back night;
//! - a 09:00-17:00 day is still 8 hours;
//! - 24x7 counts real time: the civil day is 23 or 25 hours;
//! - 5 business hours from 22:00 on the night shift end at 04:00 local in
//!   spring (an hour skipped) and 02:00 local in autumn (an hour repeated).

#![allow(clippy::unwrap_used)]

use handshake_calendar::{BusinessDuration, Calendar};
use jiff::Timestamp;
use jiff::civil::Date;

/// (zone, date of the change, spring forward?)
const CHANGES: [(&str, &str, bool); 12] = [
    ("America/New_York", "2025-03-09", true),
    ("America/New_York", "2025-11-02", false),
    ("America/New_York", "2026-03-08", true),
    ("America/New_York", "2026-11-01", false),
    ("America/New_York", "2027-03-14", true),
    ("America/New_York", "2027-11-07", false),
    ("Europe/Berlin", "2025-03-30", true),
    ("Europe/Berlin", "2025-10-26", false),
    ("Europe/Berlin", "2026-03-29", true),
    ("Europe/Berlin", "2026-10-25", false),
    ("Europe/Berlin", "2027-03-28", true),
    ("Europe/Berlin", "2027-10-31", false),
];

fn at(zone: &str, date: Date, hh: i8, mm: i8) -> Timestamp {
    let tz = handshake_calendar::time_zone(zone).unwrap();
    date.at(hh, mm, 0, 0).to_zoned(tz).unwrap().timestamp()
}

fn local(zone: &str, t: Timestamp) -> String {
    let tz = handshake_calendar::time_zone(zone).unwrap();
    t.to_zoned(tz).datetime().to_string()
}

#[test]
fn the_list_is_every_change_of_2025_to_2027() {
    for zone in ["America/New_York", "Europe/Berlin"] {
        let tz = handshake_calendar::time_zone(zone).unwrap();
        let from: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let until: Timestamp = "2028-01-01T00:00:00Z".parse().unwrap();
        let dates: Vec<String> = tz
            .following(from)
            .take_while(|t| t.timestamp() < until)
            .map(|t| t.timestamp().to_zoned(tz.clone()).date().to_string())
            .collect();
        let listed: Vec<String> = CHANGES
            .iter()
            .filter(|c| c.0 == zone)
            .map(|c| c.1.to_string())
            .collect();
        assert_eq!(dates, listed, "{zone}");
    }
}

#[test]
fn night_shift_is_seven_or_nine_hours() {
    for (zone, day, spring) in CHANGES {
        let day: Date = day.parse().unwrap();
        let eve = day.yesterday().unwrap();
        let cal = Calendar::from_spec(zone, "mon-sun 22:00-06:00", "").unwrap();
        let worked = cal
            .elapsed(at(zone, eve, 20, 0), at(zone, day, 12, 0))
            .unwrap();
        let hours = if spring { 7 } else { 9 };
        assert_eq!(worked, BusinessDuration::from_hours(hours), "{zone} {day}");
    }
}

#[test]
fn office_day_is_still_eight_hours() {
    for (zone, day, _) in CHANGES {
        let day: Date = day.parse().unwrap();
        let cal = Calendar::from_spec(zone, "mon-sun 09:00-17:00", "").unwrap();
        let worked = cal
            .elapsed(at(zone, day, 0, 0), at(zone, day.tomorrow().unwrap(), 0, 0))
            .unwrap();
        assert_eq!(worked, BusinessDuration::from_hours(8), "{zone} {day}");
    }
}

#[test]
fn always_open_day_is_23_or_25_hours() {
    for (zone, day, spring) in CHANGES {
        let day: Date = day.parse().unwrap();
        let cal = Calendar::from_spec(zone, "24x7", "").unwrap();
        let worked = cal
            .elapsed(at(zone, day, 0, 0), at(zone, day.tomorrow().unwrap(), 0, 0))
            .unwrap();
        let hours = if spring { 23 } else { 25 };
        assert_eq!(worked, BusinessDuration::from_hours(hours), "{zone} {day}");
        // And add is real time in a 24x7 calendar.
        let start = at(zone, day, 0, 0);
        let due = cal.add(start, BusinessDuration::from_hours(4)).unwrap();
        assert_eq!(
            due.as_second() - start.as_second(),
            4 * 3600,
            "{zone} {day}"
        );
    }
}

#[test]
fn deadline_across_the_change_lands_on_the_right_local_hour() {
    for (zone, day, spring) in CHANGES {
        let day: Date = day.parse().unwrap();
        let eve = day.yesterday().unwrap();
        let cal = Calendar::from_spec(zone, "mon-sun 22:00-06:00", "").unwrap();
        let due = cal
            .add(at(zone, eve, 22, 0), BusinessDuration::from_hours(5))
            .unwrap();
        let expected = if spring { "04:00:00" } else { "02:00:00" };
        assert_eq!(
            local(zone, due),
            format!("{day}T{expected}"),
            "{zone} {day}"
        );
        // The full night used up exactly at closing time is the closing instant.
        let hours = if spring { 7 } else { 9 };
        let close = cal
            .add(at(zone, eve, 22, 0), BusinessDuration::from_hours(hours))
            .unwrap();
        assert_eq!(
            local(zone, close),
            format!("{day}T06:00:00"),
            "{zone} {day}"
        );
    }
}

#[test]
fn new_york_fall_back_counts_the_repeated_hour_twice() {
    // 01:00-02:00 local happens twice on 2026-11-01; a 01:00-02:00 window holds two hours.
    let zone = "America/New_York";
    let cal = Calendar::from_spec(zone, "sun 01:00-02:00", "").unwrap();
    let day: Date = "2026-11-01".parse().unwrap();
    let worked = cal
        .elapsed(at(zone, day, 0, 0), at(zone, day, 12, 0))
        .unwrap();
    assert_eq!(worked, BusinessDuration::from_hours(2));
}

#[test]
fn berlin_spring_forward_skips_an_interval_inside_the_gap() {
    // 02:00-03:00 does not exist on 2026-03-29 in Berlin: no business time at all.
    let zone = "Europe/Berlin";
    let cal = Calendar::from_spec(zone, "sun 02:00-03:00", "").unwrap();
    let day: Date = "2026-03-29".parse().unwrap();
    let worked = cal
        .elapsed(at(zone, day, 0, 0), at(zone, day, 12, 0))
        .unwrap();
    assert_eq!(worked, BusinessDuration::ZERO);
}
