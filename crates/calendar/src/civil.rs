//! Civil-date arithmetic on plain integers, so the index build needs no
//! time-zone library call per day. Days are counted from 1970-01-01.

/// Seconds in a civil day.
pub(crate) const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 of a `jiff` civil date.
pub(crate) fn days_of(date: jiff::civil::Date) -> i64 {
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

/// Weekday of a day number, Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
pub(crate) fn weekday_of(days: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (days + 3).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_jiff_for_many_dates() {
        let mut date = jiff::civil::date(1890, 1, 1);
        let end = jiff::civil::date(2110, 12, 31);
        let mut expected = days_of(date);
        while date <= end {
            assert_eq!(days_of(date), expected, "{date}");
            let jiff_weekday = date.weekday().to_monday_zero_offset() as usize;
            assert_eq!(weekday_of(expected), jiff_weekday, "{date}");
            date = date.tomorrow().expect("in range");
            expected += 1;
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
