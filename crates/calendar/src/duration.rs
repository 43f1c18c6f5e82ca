//! [`BusinessDuration`]: an amount of business time, in whole seconds.

use std::fmt;

use crate::SpecError;

/// An amount of business (open) time, in whole seconds, never negative.
///
/// Kept apart from wall-clock durations on purpose: four business hours may
/// span a weekend.
///
/// # Example
/// ```
/// use handshake_calendar::BusinessDuration;
/// let d: BusinessDuration = "4h30m".parse()?;
/// assert_eq!(d.as_seconds(), 16_200);
/// assert_eq!(d.to_string(), "4h30m");
/// # Ok::<(), handshake_calendar::SpecError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessDuration(i64);

impl BusinessDuration {
    /// No business time at all.
    pub const ZERO: BusinessDuration = BusinessDuration(0);

    /// A duration of `seconds` seconds; `None` when negative.
    pub fn from_seconds(seconds: i64) -> Option<BusinessDuration> {
        (seconds >= 0).then_some(BusinessDuration(seconds))
    }

    /// A duration of whole minutes (saturating at the largest representable value).
    pub fn from_minutes(minutes: u32) -> BusinessDuration {
        BusinessDuration(i64::from(minutes) * 60)
    }

    /// A duration of whole hours.
    pub fn from_hours(hours: u32) -> BusinessDuration {
        BusinessDuration(i64::from(hours) * 3600)
    }

    /// The duration in seconds.
    pub fn as_seconds(self) -> i64 {
        self.0
    }

    /// The duration in whole minutes, rounded down.
    pub fn as_whole_minutes(self) -> i64 {
        self.0 / 60
    }

    /// Scales the duration by a whole factor, `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<BusinessDuration> {
        self.0
            .checked_mul(factor)
            .and_then(BusinessDuration::from_seconds)
    }
}

impl std::str::FromStr for BusinessDuration {
    type Err = SpecError;

    /// Parses the compact form: `4h30m`, `90m`, `45s`, `1h 15m`, `0`.
    ///
    /// # Errors
    /// A [`SpecError`] pointing at the first character that does not fit.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "a duration like 4h30m, 90m, 2h or 45s";
        let trimmed = text.trim();
        if trimmed == "0" {
            return Ok(BusinessDuration::ZERO);
        }
        if trimmed.is_empty() {
            return Err(SpecError::new(0, "empty duration", EXPECTED));
        }
        let mut total: i64 = 0;
        let mut number: Option<i64> = None;
        let mut last_unit = 4; // units must come in order h, m, s
        for (at, ch) in text.char_indices() {
            match ch {
                '0'..='9' => {
                    let digit = i64::from(ch as u8 - b'0');
                    let value = number
                        .unwrap_or(0)
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(digit))
                        .ok_or_else(|| SpecError::new(at, "duration too large", EXPECTED))?;
                    number = Some(value);
                }
                'h' | 'm' | 's' => {
                    let (rank, scale) = match ch {
                        'h' => (3, 3600),
                        'm' => (2, 60),
                        _ => (1, 1),
                    };
                    let Some(value) = number.take() else {
                        return Err(SpecError::new(at, "unit without a number", EXPECTED));
                    };
                    if rank >= last_unit {
                        return Err(SpecError::new(
                            at,
                            format!("unit '{ch}' repeated or out of order"),
                            EXPECTED,
                        ));
                    }
                    last_unit = rank;
                    total = value
                        .checked_mul(scale)
                        .and_then(|v| total.checked_add(v))
                        .ok_or_else(|| SpecError::new(at, "duration too large", EXPECTED))?;
                }
                ' ' => {
                    if number.is_some() {
                        return Err(SpecError::new(at, "number without a unit", EXPECTED));
                    }
                }
                'd' => {
                    return Err(SpecError::new(
                        at,
                        "days are not a fixed amount of business time",
                        "hours or minutes here (a business day depends on the calendar's day length), e.g. 8h",
                    ));
                }
                other => {
                    return Err(SpecError::new(
                        at,
                        format!("unexpected '{other}'"),
                        EXPECTED,
                    ));
                }
            }
        }
        if number.is_some() {
            return Err(SpecError::new(
                text.len(),
                "number without a unit",
                EXPECTED,
            ));
        }
        Ok(BusinessDuration(total))
    }
}

impl fmt::Display for BusinessDuration {
    /// Writes the compact form that [`str::parse`] reads back: `4h30m`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if self.0 == 0 {
            return f.write_str("0s");
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_compact_forms() {
        let parse = |s: &str| s.parse::<BusinessDuration>().map(|d| d.as_seconds());
        assert_eq!(parse("4h30m"), Ok(16_200));
        assert_eq!(parse("90m"), Ok(5_400));
        assert_eq!(parse("1h 15m"), Ok(4_500));
        assert_eq!(parse("45s"), Ok(45));
        assert_eq!(parse("0"), Ok(0));
    }

    #[test]
    fn rejects_with_position() {
        let err = "4h30".parse::<BusinessDuration>().unwrap_err();
        assert_eq!((err.at, err.message.as_str()), (4, "number without a unit"));
        let err = "30m4h".parse::<BusinessDuration>().unwrap_err();
        assert_eq!(err.at, 4);
        let err = "2d".parse::<BusinessDuration>().unwrap_err();
        assert_eq!(err.at, 1);
        assert!(err.expected.contains("day length"));
        let err = "4x".parse::<BusinessDuration>().unwrap_err();
        assert_eq!((err.at, err.message.as_str()), (1, "unexpected 'x'"));
    }

    proptest! {
        #[test]
        fn display_round_trips(secs in 0i64..10_000_000) {
            let d = BusinessDuration(secs);
            prop_assert_eq!(d.to_string().parse::<BusinessDuration>(), Ok(d));
        }

        #[test]
        fn never_panics(text in "\\PC{0,12}") {
            let _ = text.parse::<BusinessDuration>();
        }
    }
}
