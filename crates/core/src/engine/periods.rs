//! Periods (months, quarters, years) bounded in the agreement's time zone,
//! written `2026-10`, `2026-Q4`, `2026`.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;

use crate::agreement::Period;

/// One period: its kind, year and index (month 1-12, quarter 1-4, or 1 for a year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodKey {
    /// Month, quarter or year.
    pub kind: Period,
    /// The calendar year.
    pub year: i16,
    /// Month 1-12, quarter 1-4, or 1.
    pub index: i8,
}

impl PeriodKey {
    /// The period of `kind` that holds `t`, in `tz`.
    pub fn containing(kind: Period, t: Timestamp, tz: &TimeZone) -> PeriodKey {
        let d = tz.to_datetime(t);
        let index = match kind {
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

    fn first_month(self) -> i8 {
        match self.kind {
            Period::Month => self.index,
            Period::Quarter => (self.index - 1) * 3 + 1,
            Period::Year => 1,
        }
    }

    /// The first instant of the period in `tz`.
    pub fn start(self, tz: &TimeZone) -> Timestamp {
        let d = date(self.year, self.first_month(), 1);
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    }

    /// The next period of the same kind.
    pub fn next(self) -> PeriodKey {
        let last = match self.kind {
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

    /// The first instant after the period.
    pub fn end(self, tz: &TimeZone) -> Timestamp {
        self.next().start(tz)
    }

    /// Parses `2026-10`, `2026-Q4` or `2026`.
    ///
    /// # Example
    /// ```
    /// use handshake_core::engine::PeriodKey;
    /// assert_eq!(PeriodKey::parse("2026-Q4").unwrap().to_string(), "2026-Q4");
    /// assert!(PeriodKey::parse("2026-13").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<PeriodKey> {
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        let year: i16 = year.parse().ok().filter(|y| (1000..=9000).contains(y))?;
        match rest {
            None => Some(PeriodKey {
                kind: Period::Year,
                year,
                index: 1,
            }),
            Some(q) if q.starts_with('Q') => {
                let index: i8 = q[1..].parse().ok().filter(|i| (1..=4).contains(i))?;
                Some(PeriodKey {
                    kind: Period::Quarter,
                    year,
                    index,
                })
            }
            Some(m) if m.len() == 2 => {
                let index: i8 = m.parse().ok().filter(|i| (1..=12).contains(i))?;
                Some(PeriodKey {
                    kind: Period::Month,
                    year,
                    index,
                })
            }
            Some(_) => None,
        }
    }
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Period::Month => write!(f, "{}-{:02}", self.year, self.index),
            Period::Quarter => write!(f, "{}-Q{}", self.year, self.index),
            Period::Year => write!(f, "{}", self.year),
        }
    }
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
}
