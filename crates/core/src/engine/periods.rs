//! Periods (ISO weeks, months, quarters, years) bounded in the agreement's
//! time zone, written `2026-W49`, `2026-10`, `2026-Q4`, `2026`.
//!
//! A week is an ISO week: it starts on Monday, and belongs to the ISO year
//! that holds its Thursday, so `2026-W01` starts on Monday 2025-12-29.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, ISOWeekDate, Weekday, date};
use jiff::tz::TimeZone;

use crate::agreement::Period;

/// One period: its kind, year and index (month 1-12, quarter 1-4, or 1 for a year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodKey {
    /// Week, month, quarter or year.
    pub kind: Period,
    /// The calendar year (for a week, its ISO year).
    pub year: i16,
    /// Week 1-53, month 1-12, quarter 1-4, or 1.
    pub index: i8,
}

impl PeriodKey {
    /// What a period is written as, for the messages that refuse one.
    pub const EXPECTED: &'static str =
        "a week like 2026-W49, a month like 2026-11, a quarter like 2026-Q4 or a year like 2026";

    /// The period of `kind` that holds `t`, in `tz`.
    pub fn containing(kind: Period, t: Timestamp, tz: &TimeZone) -> PeriodKey {
        let d = tz.to_datetime(t);
        let index = match kind {
            Period::Week => return PeriodKey::week_of(d.date()),
            Period::Month => d.month(),
            Period::Quarter => (d.month() - 1) / 3 + 1,
            Period::Year => 1,
        };
        PeriodKey {
            kind,
            year: d.year(),
            index,
        }
    }

    /// The ISO week that holds `d`.
    fn week_of(d: Date) -> PeriodKey {
        let w = d.iso_week_date();
        PeriodKey {
            kind: Period::Week,
            year: w.year(),
            index: w.week(),
        }
    }

    /// The first day of the period.
    fn first_day(self) -> Date {
        let month = match self.kind {
            Period::Week => {
                return ISOWeekDate::new(self.year, self.index, Weekday::Monday)
                    .map(|w| w.date())
                    .unwrap_or(Date::MIN);
            }
            Period::Month => self.index,
            Period::Quarter => (self.index - 1) * 3 + 1,
            Period::Year => 1,
        };
        date(self.year, month, 1)
    }

    /// The first instant of the period in `tz`.
    pub fn start(self, tz: &TimeZone) -> Timestamp {
        self.first_day()
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    }

    /// The next period of the same kind.
    pub fn next(self) -> PeriodKey {
        let last = match self.kind {
            Period::Week => return self.week_after(7),
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        };
        if self.index >= last {
            PeriodKey {
                year: self.year.saturating_add(1),
                index: 1,
                ..self
            }
        } else {
            PeriodKey {
                index: self.index + 1,
                ..self
            }
        }
    }

    /// The previous period of the same kind.
    pub fn previous(self) -> PeriodKey {
        let last = match self.kind {
            Period::Week => return self.week_after(-7),
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        };
        if self.index <= 1 {
            PeriodKey {
                year: self.year.saturating_sub(1),
                index: last,
                ..self
            }
        } else {
            PeriodKey {
                index: self.index - 1,
                ..self
            }
        }
    }

    /// The week `days` days from this one's Monday (the week itself at the
    /// ends of the calendar, where no other week exists).
    fn week_after(self, days: i64) -> PeriodKey {
        self.first_day()
            .checked_add(jiff::Span::new().days(days))
            .map_or(self, PeriodKey::week_of)
    }

    /// The first instant after the period.
    pub fn end(self, tz: &TimeZone) -> Timestamp {
        self.next().start(tz)
    }

    /// Parses `2026-W49`, `2026-10`, `2026-Q4` or `2026`.
    ///
    /// # Example
    /// ```
    /// use handshake_core::engine::PeriodKey;
    /// assert_eq!(PeriodKey::parse("2026-Q4").unwrap().to_string(), "2026-Q4");
    /// assert_eq!(PeriodKey::parse("2026-W53").unwrap().to_string(), "2026-W53");
    /// assert!(PeriodKey::parse("2026-13").is_none());
    /// // One spelling only: no sign, no missing zero.
    /// assert!(PeriodKey::parse("+2026-01").is_none());
    /// assert!(PeriodKey::parse("2026-+1").is_none());
    /// assert!(PeriodKey::parse("2026-1").is_none());
    /// // 2025 has 52 ISO weeks.
    /// assert!(PeriodKey::parse("2025-W53").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<PeriodKey> {
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        let year: i16 = digits(year, 4)?;
        let year = Some(year).filter(|y| (1000..=9000).contains(y))?;
        match rest {
            None => Some(PeriodKey {
                kind: Period::Year,
                year,
                index: 1,
            }),
            Some(q) if q.starts_with('Q') => {
                let index: i8 = digits(&q[1..], 1).filter(|i| (1..=4).contains(i))?;
                Some(PeriodKey {
                    kind: Period::Quarter,
                    year,
                    index,
                })
            }
            Some(w) if w.starts_with('W') => {
                let index: i8 = digits(&w[1..], 2)?;
                // A week that does not exist (W00, W54, W53 of a short year) is refused.
                ISOWeekDate::new(year, index, Weekday::Monday).ok()?;
                Some(PeriodKey {
                    kind: Period::Week,
                    year,
                    index,
                })
            }
            Some(m) => {
                let index: i8 = digits(m, 2).filter(|i| (1..=12).contains(i))?;
                Some(PeriodKey {
                    kind: Period::Month,
                    year,
                    index,
                })
            }
        }
    }
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Period::Week => write!(f, "{}-W{:02}", self.year, self.index),
            Period::Month => write!(f, "{}-{:02}", self.year, self.index),
            Period::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            Period::Year => write!(f, "{}", self.year),
        }
    }
}

/// `text` as a number when it is exactly `len` ASCII digits: a period's
/// key is written one way only (no sign, no spaces, no missing zero).
fn digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_bounded_in_the_zone() {
        let ny = handshake_calendar::time_zone("America/New_York").unwrap();
        // 2026-11-01T03:00Z is still October 31 in New York.
        let t: Timestamp = "2026-11-01T03:00:00Z".parse().unwrap();
        assert_eq!(
            PeriodKey::containing(Period::Month, t, &ny).to_string(),
            "2026-10"
        );
        assert_eq!(
            PeriodKey::containing(Period::Quarter, t, &ny).to_string(),
            "2026-Q4"
        );
        let q4 = PeriodKey::parse("2026-Q4").unwrap();
        assert_eq!(q4.start(&ny).to_string(), "2026-10-01T04:00:00Z");
        assert_eq!(q4.end(&ny).to_string(), "2027-01-01T05:00:00Z");
        assert_eq!(
            PeriodKey::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(
            PeriodKey::parse("2027-01").unwrap().previous().to_string(),
            "2026-12"
        );
    }

    #[test]
    fn weeks_are_iso_weeks_from_monday_in_the_zone() {
        let ny = handshake_calendar::time_zone("America/New_York").unwrap();
        let week = |t: &str| PeriodKey::containing(Period::Week, t.parse().unwrap(), &ny);
        // Monday 2026-12-07 00:30 in New York is 05:30Z: week 50.
        assert_eq!(week("2026-12-07T05:30:00Z").to_string(), "2026-W50");
        // 04:30Z is still Sunday evening in New York: week 49.
        assert_eq!(week("2026-12-07T04:30:00Z").to_string(), "2026-W49");
        // 2026-12-31 (a Thursday) is in 2026's week 53; 2027-01-03 (Sunday) still is.
        assert_eq!(week("2027-01-03T12:00:00Z").to_string(), "2026-W53");
        // 2025-12-29 (Monday) starts ISO year 2026.
        assert_eq!(week("2025-12-29T12:00:00Z").to_string(), "2026-W01");
        let w53 = PeriodKey::parse("2026-W53").unwrap();
        assert_eq!(w53.start(&ny).to_string(), "2026-12-28T05:00:00Z");
        assert_eq!(w53.end(&ny).to_string(), "2027-01-04T05:00:00Z");
        assert_eq!(w53.next().to_string(), "2027-W01");
        assert_eq!(w53.next().previous(), w53);
        assert_eq!(
            PeriodKey::parse("2026-W01").unwrap().previous().to_string(),
            "2025-W52"
        );
        // A week across a change of clocks is one hour shorter: 2026-03-08 in New York.
        let dst = PeriodKey::parse("2026-W10").unwrap();
        let hours = (dst.end(&ny).as_second() - dst.start(&ny).as_second()) / 3600;
        assert_eq!(hours, 7 * 24 - 1);
        for bad in ["2026-W00", "2026-W54", "2025-W53", "2026-W5", "2026-Wx1"] {
            assert!(PeriodKey::parse(bad).is_none(), "{bad}");
        }
    }
}
