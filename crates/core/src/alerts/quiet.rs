//! Quiet hours: the part of each day, in a person's own time zone, when no
//! message should reach them (`22:00-07:00`). A notification addressed to a
//! person that falls due inside their quiet hours is held until the hours
//! end; it is not dropped and not reordered among the person's others.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

/// A daily span of local time, `start` included, `end` excluded; it crosses
/// midnight when `end` is earlier than `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    start: Time,
    end: Time,
}

fn clock(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    // 24:00 is the end of the day, as people write it.
    if (h, m) == (24, 0) {
        return Some(Time::midnight());
    }
    Time::new(h, m, 0, 0).ok()
}

impl QuietHours {
    /// Parses `HH:MM-HH:MM` in 24-hour time, e.g. `22:00-07:00` (crossing
    /// midnight) or `12:00-13:00`.
    ///
    /// # Errors
    /// A message saying what is expected, when the text is not two times or
    /// both are the same (hours that are always or never quiet).
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::quiet::QuietHours;
    /// let q = QuietHours::parse("22:00-07:00")?;
    /// assert_eq!(q.to_string(), "22:00-07:00");
    /// assert!(QuietHours::parse("10pm-7am").is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let expected = || {
            format!(
                "quiet_hours {text:?}: expected two times HH:MM-HH:MM in the person's zone, e.g. 22:00-07:00"
            )
        };
        let (a, b) = text.split_once('-').ok_or_else(expected)?;
        let (start, end) = (
            clock(a).ok_or_else(expected)?,
            clock(b).ok_or_else(expected)?,
        );
        if start == end {
            return Err(format!(
                "quiet_hours {text:?}: start and end are the same; leave it empty for no quiet hours"
            ));
        }
        Ok(QuietHours { start, end })
    }

    /// Whether `t` (local time of day) is quiet.
    fn contains(&self, t: Time) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When a message due at `at` may reach the person whose zone is `tz`:
    /// `at` itself outside quiet hours, else the instant the hours end (the
    /// first instant at or after the local end time, when a clock change
    /// skips it).
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::quiet::QuietHours;
    /// use jiff::{Timestamp, tz::TimeZone};
    /// let q = QuietHours::parse("22:00-07:00")?;
    /// let tz = TimeZone::get("Europe/Berlin").unwrap();
    /// // 23:30 in Berlin (22:30 UTC in winter) waits for 07:00 the next day.
    /// let late: Timestamp = "2027-01-12T22:30:00Z".parse().unwrap();
    /// assert_eq!(q.release(late, &tz).to_string(), "2027-01-13T06:00:00Z");
    /// // Midday goes at once.
    /// let noon: Timestamp = "2027-01-12T11:00:00Z".parse().unwrap();
    /// assert_eq!(q.release(noon, &tz), noon);
    /// # Ok::<(), String>(())
    /// ```
    pub fn release(&self, at: Timestamp, tz: &TimeZone) -> Timestamp {
        let local = at.to_zoned(tz.clone());
        if !self.contains(local.time()) {
            return at;
        }
        let day = local.date();
        // Quiet from `start` runs into the next day when it crosses midnight
        // and the message fell before midnight.
        let end_day = if self.start > self.end && local.time() >= self.start {
            day.tomorrow().unwrap_or(day)
        } else {
            day
        };
        // A gap (clock set forward) moves the end later, a fold takes the
        // earlier instant: `compatible` does both.
        end_day
            .to_datetime(self.end)
            .to_zoned(tz.clone())
            .map_or(at, |z| z.timestamp().max(at))
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start.hour(),
            self.start.minute(),
            self.end.hour(),
            self.end.minute()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn hours_within_one_day_hold_until_their_end() {
        let q = QuietHours::parse("12:00-13:30").unwrap();
        let tz = TimeZone::UTC;
        assert_eq!(
            q.release(at("2027-03-01T12:00:00Z"), &tz),
            at("2027-03-01T13:30:00Z")
        );
        assert_eq!(
            q.release(at("2027-03-01T13:29:59Z"), &tz),
            at("2027-03-01T13:30:00Z")
        );
        assert_eq!(
            q.release(at("2027-03-01T13:30:00Z"), &tz),
            at("2027-03-01T13:30:00Z")
        );
        assert_eq!(
            q.release(at("2027-03-01T11:59:59Z"), &tz),
            at("2027-03-01T11:59:59Z")
        );
    }

    #[test]
    fn hours_across_midnight_hold_into_the_morning() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        let ny = TimeZone::get("America/New_York").unwrap();
        // 01:00 in New York (06:00 UTC in winter) waits for 07:00 that day.
        assert_eq!(
            q.release(at("2027-01-12T06:00:00Z"), &ny),
            at("2027-01-12T12:00:00Z")
        );
        // 22:00 waits for 07:00 the next day.
        assert_eq!(
            q.release(at("2027-01-13T03:00:00Z"), &ny),
            at("2027-01-13T12:00:00Z")
        );
        // The night the clocks go forward (2027-03-14) ends at 07:00 EDT.
        assert_eq!(
            q.release(at("2027-03-14T05:00:00Z"), &ny),
            at("2027-03-14T11:00:00Z")
        );
    }

    #[test]
    fn bad_hours_say_what_is_expected() {
        assert!(
            QuietHours::parse("22-7")
                .unwrap_err()
                .contains("HH:MM-HH:MM")
        );
        assert!(QuietHours::parse("25:00-07:00").is_err());
        assert!(
            QuietHours::parse("07:00-07:00")
                .unwrap_err()
                .contains("the same")
        );
        assert_eq!(
            QuietHours::parse("18:30-24:00").unwrap().to_string(),
            "18:30-00:00"
        );
    }
}
