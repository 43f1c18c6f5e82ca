//! Time zones: lookup in the bundled IANA database, and the UTC offsets in
//! force over a stretch of time as a short list of segments, so that the index
//! build converts local intervals to UTC without a time-zone call per day.

use jiff::Timestamp;
use jiff::tz::{TimeZone, TimeZoneDatabase};

use crate::CalendarError;

/// Looks up an IANA time zone name in the database bundled with Handshake, so
/// answers do not depend on the machine's own zoneinfo.
///
/// # Errors
/// [`CalendarError::UnknownTimeZone`] when the name is not in the database.
///
/// # Example
/// ```
/// let tz = handshake_calendar::time_zone("Asia/Kolkata")?;
/// assert_eq!(tz.iana_name(), Some("Asia/Kolkata"));
/// assert!(handshake_calendar::time_zone("Mars/Olympus").is_err());
/// # Ok::<(), handshake_calendar::CalendarError>(())
/// ```
pub fn time_zone(name: &str) -> Result<TimeZone, CalendarError> {
    if name == "UTC" {
        return Ok(TimeZone::UTC);
    }
    thread_local! {
        static DB: TimeZoneDatabase = TimeZoneDatabase::bundled();
    }
    DB.with(|db| db.get(name))
        .map_err(|_| CalendarError::UnknownTimeZone {
            name: name.to_string(),
        })
}

/// The earliest and latest second this crate works with (jiff's range).
pub(crate) fn min_second() -> i64 {
    Timestamp::MIN.as_second() + 1
}

pub(crate) fn max_second() -> i64 {
    Timestamp::MAX.as_second() - 1
}

/// A timestamp from whole seconds, clamped into the supported range.
pub(crate) fn ts(second: i64) -> Timestamp {
    // The clamp puts the value inside jiff's range, so the conversion cannot fail.
    Timestamp::from_second(second.clamp(min_second(), max_second()))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Offsets in force over `[from, to)`: `(utc_start, offset_seconds)` pairs
/// sorted by start; each holds until the next one's start, the last one for ever.
pub(crate) fn offset_segments(tz: &TimeZone, from: i64, to: i64) -> Vec<(i64, i64)> {
    let first = ts(from);
    let mut segments = vec![(from, i64::from(tz.to_offset(first).seconds()))];
    for transition in tz.following(first) {
        let at = transition.timestamp().as_second();
        if at >= to {
            break;
        }
        segments.push((at, i64::from(transition.offset().seconds())));
    }
    segments
}
