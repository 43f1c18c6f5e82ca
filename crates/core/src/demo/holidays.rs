//! The demo company's public holidays for any year: the New York office's
//! (US federal days the example agreement keeps) and the Berlin office's
//! (German national days plus Berlin's), computed rather than listed so the
//! demo's twelve months always have theirs.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};

/// The `nth` (1-based) `weekday` of a month.
fn nth(year: i16, month: i8, weekday: Weekday, n: i8) -> Date {
    let first = date(year, month, 1);
    let offset =
        (weekday.to_monday_zero_offset() - first.weekday().to_monday_zero_offset()).rem_euclid(7);
    first.saturating_add(i64::from(offset + 7 * (n - 1)).days())
}

/// The last `weekday` of a month.
fn last(year: i16, month: i8, weekday: Weekday) -> Date {
    let end = date(year, month, 1).last_of_month();
    let back =
        (end.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset()).rem_euclid(7);
    end.saturating_sub(i64::from(back).days())
}

/// A fixed-date holiday moved to the Friday before or Monday after a weekend.
fn observed(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d.saturating_sub(1.day()),
        Weekday::Sunday => d.saturating_add(1.day()),
        _ => d,
    }
}

/// Easter Sunday (the anonymous Gregorian algorithm).
pub(crate) fn easter(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the algorithm.
    date(year, month as i8, day as i8)
}

/// The New York office's holidays of `year`, as agreement calendar entries.
pub(crate) fn new_york(year: i16) -> Vec<String> {
    let mut days = vec![
        observed(date(year, 1, 1)).to_string(),
        nth(year, 1, Weekday::Monday, 3).to_string(),
        nth(year, 2, Weekday::Monday, 3).to_string(),
        last(year, 5, Weekday::Monday).to_string(),
        observed(date(year, 7, 4)).to_string(),
        nth(year, 9, Weekday::Monday, 1).to_string(),
    ];
    let thanksgiving = nth(year, 11, Weekday::Thursday, 4);
    days.push(thanksgiving.to_string());
    days.push(thanksgiving.saturating_add(1.day()).to_string());
    let christmas = observed(date(year, 12, 25));
    if christmas != date(year, 12, 24) {
        days.push(format!("{}@09:00-12:00", date(year, 12, 24)));
    }
    days.push(christmas.to_string());
    days.push(date(year, 12, 31).to_string());
    days
}

/// The Berlin office's holidays of `year`.
pub(crate) fn berlin(year: i16) -> Vec<String> {
    let e = easter(year);
    let mut days = vec![
        date(year, 1, 1),
        date(year, 3, 8),
        e.saturating_sub(2.days()),
        e.saturating_add(1.day()),
        date(year, 5, 1),
        e.saturating_add(39.days()),
        e.saturating_add(50.days()),
        date(year, 10, 3),
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    ];
    days.sort();
    days.dedup();
    days.iter().map(Date::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_matches_known_dates() {
        assert_eq!(easter(2024), date(2024, 3, 31));
        assert_eq!(easter(2025), date(2025, 4, 20));
        assert_eq!(easter(2026), date(2026, 4, 5));
        assert_eq!(easter(2027), date(2027, 3, 28));
    }

    #[test]
    fn new_york_2027_matches_the_example_agreement() {
        let days = new_york(2027);
        for d in [
            "2027-01-01",
            "2027-01-18",
            "2027-02-15",
            "2027-05-31",
            "2027-07-05",
            "2027-09-06",
            "2027-11-25",
            "2027-11-26",
            "2027-12-24",
            "2027-12-31",
        ] {
            assert!(days.iter().any(|x| x == d), "{d} missing from {days:?}");
        }
    }

    #[test]
    fn berlin_2027_has_the_moving_feasts() {
        let days = berlin(2027);
        for d in ["2027-03-26", "2027-03-29", "2027-05-06", "2027-05-17"] {
            assert!(days.iter().any(|x| x == d), "{d} missing from {days:?}");
        }
    }
}
