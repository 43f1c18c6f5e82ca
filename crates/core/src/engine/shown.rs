//! How a report's figures read for people: one text per figure, which the
//! CLI's table, Markdown and CSV and the dashboard's pages all print, so a
//! number never reads one way in the terminal and another on a page.

use serde::Serialize;

use super::Actual;
use crate::agreement::{Agreement, DurationSpec, Target};

/// A fraction as a percentage with one decimal (`37.5%`), so a small
/// change shows; `n/a` with nothing to measure.
///
/// # Example
/// ```
/// use handshake_core::engine::percent;
/// assert_eq!(percent(Some(0.375)), "37.5%");
/// assert_eq!(percent(None), "n/a");
/// ```
pub fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// Business time as a clock shows it, whole minutes rounded down: `3h05m`.
///
/// # Example
/// ```
/// use handshake_core::engine::hours_minutes;
/// assert_eq!(hours_minutes(11_100), "3h05m");
/// ```
pub fn hours_minutes(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}h{:02}m", s / 3600, s / 60 % 60)
}

/// Business time as people say it, counted in the business days of the
/// calendar the promise runs in (`day`: its day length in seconds):
/// `2 business days 4 h`, `3 h 5 min`, `12 min`, `under a minute`. Past a
/// day the minutes are left out; the sign is left to the words around it
/// ("late", "left").
///
/// # Example
/// ```
/// use handshake_core::engine::spoken;
/// let day = 8 * 3600; // Mon-Fri 09:00-17:00
/// assert_eq!(spoken(2 * day + 4 * 3600 + 59, day), "2 business days 4 h");
/// assert_eq!(spoken(-(3 * 3600 + 5 * 60), day), "3 h 5 min");
/// assert_eq!(spoken(day, day), "1 business day");
/// assert_eq!(spoken(12 * 60 + 30, day), "12 min");
/// assert_eq!(spoken(30, day), "under a minute");
/// ```
pub fn spoken(seconds: i64, day: i64) -> String {
    spoken_in(seconds, day, "business day")
}

/// The time on a guarantee's clock as people say it: in the business days
/// of its calendar ([`spoken`]), or in days of 24 hours for a promise in
/// calendar time (`3 days 4 h`).
///
/// # Example
/// ```
/// use handshake_core::demo::EXAMPLE_AGREEMENT;
/// let file = EXAMPLE_AGREEMENT.replacen("\"1 business hour\"", "\"3 calendar days\"", 1);
/// let a = handshake_core::check("agreement.toml", &file).agreement.ok_or("invalid")?;
/// let g = a.guarantees[0].id.as_str();
/// assert!(a.guarantees[0].within.is_calendar_time());
/// assert_eq!(handshake_core::engine::spoken_clock(&a, g, 86_400 + 3_600), "1 day 1 h");
/// let sales = a.guarantees[1].id.as_str(); // 1 business day of 8 hours
/// assert_eq!(handshake_core::engine::spoken_clock(&a, sales, 9 * 3_600), "1 business day 1 h");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn spoken_clock(a: &Agreement, guarantee: &str, seconds: i64) -> String {
    let calendar_time = a
        .guarantees
        .iter()
        .any(|g| g.id.as_str() == guarantee && g.within.is_calendar_time());
    let word = if calendar_time { "day" } else { "business day" };
    spoken_in(seconds, a.business_day(guarantee), word)
}

fn spoken_in(seconds: i64, day: i64, day_word: &str) -> String {
    let s = seconds.unsigned_abs();
    let day = day.unsigned_abs().max(60);
    let (days, rest) = (s / day, s % day);
    let (h, m) = (rest / 3600, rest / 60 % 60);
    match (days, h, m) {
        (0, 0, 0) => "under a minute".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => {
            let days = if d == 1 {
                format!("1 {day_word}")
            } else {
                format!("{d} {day_word}s")
            };
            if h == 0 {
                days
            } else {
                format!("{days} {h} h")
            }
        }
    }
}

/// How a goal stands in its period: attained or missed once the period has
/// closed; on track or behind while it is open (never "missed" before the
/// period is over).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GoalStatus {
    /// The period is over and the target was met.
    Attained,
    /// The period is over and the target was not met.
    Missed,
    /// The period is open and the target is met so far.
    OnTrack,
    /// The period is open and the target is not met yet.
    Behind,
    /// Nothing to measure (a rate or median with no cases).
    NothingToMeasure,
}

impl GoalStatus {
    /// The status of a goal period from its verdict and whether it has ended.
    pub fn of(attained: Option<bool>, closed: bool) -> GoalStatus {
        match (attained, closed) {
            (Some(true), true) => GoalStatus::Attained,
            (Some(false), true) => GoalStatus::Missed,
            (Some(true), false) => GoalStatus::OnTrack,
            (Some(false), false) => GoalStatus::Behind,
            (None, _) => GoalStatus::NothingToMeasure,
        }
    }

    /// The status in words, as every rendering prints it.
    pub fn words(self) -> &'static str {
        match self {
            GoalStatus::Attained => "attained",
            GoalStatus::Missed => "missed",
            GoalStatus::OnTrack => "on track",
            GoalStatus::Behind => "behind (period open)",
            GoalStatus::NothingToMeasure => "nothing to measure",
        }
    }
}

/// A goal's target for people: `400`, `90%`, `2,400,000 USD`, `2 business hours`.
pub(crate) fn target_text(t: &Target) -> String {
    t.to_string()
}

/// A goal's actual for people, beside its target: counts as counts, money
/// grouped in its currency's decimals, rates with one decimal, durations in
/// the target's own unit (`1.8 business hours` beside `2 business hours`;
/// business days in the first calendar's day length, as the verdict uses).
pub(crate) fn actual_text(a: &Agreement, actual: &Actual, target: &Target) -> String {
    match (actual, target) {
        (Actual::Count(n), _) => n.to_string(),
        (Actual::Money(m), _) => m.grouped(),
        (Actual::Rate { .. }, _) => percent(actual.value()),
        (Actual::Duration { median: None, .. }, _) => "n/a".to_string(),
        (
            Actual::Duration {
                median: Some(s), ..
            },
            Target::Duration(spec),
        ) => {
            let (per, unit) = match spec {
                DurationSpec::BusinessDays(_) => {
                    (a.default_day_length().as_seconds() as f64, "business days")
                }
                DurationSpec::Business(d) if d.as_seconds() % 3600 == 0 => {
                    (3600.0, "business hours")
                }
                DurationSpec::Business(d) if d.as_seconds() % 60 == 0 => (60.0, "business minutes"),
                DurationSpec::Business(_) => (1.0, "business seconds"),
                // A goal's target is business time (the checker says so).
                DurationSpec::CalendarDays(_) | DurationSpec::CalendarTime(_) => {
                    (3600.0, "calendar hours")
                }
            };
            format!("{:.1} {unit}", s / per)
        }
        (
            Actual::Duration {
                median: Some(s), ..
            },
            _,
        ) => format!("{s:.1} business seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_never_missed_while_the_period_is_open() {
        assert_eq!(
            GoalStatus::of(Some(false), false).words(),
            "behind (period open)"
        );
        assert_eq!(GoalStatus::of(Some(true), false).words(), "on track");
        assert_eq!(GoalStatus::of(Some(false), true).words(), "missed");
        assert_eq!(GoalStatus::of(Some(true), true).words(), "attained");
        assert_eq!(GoalStatus::of(None, true).words(), "nothing to measure");
    }
}
