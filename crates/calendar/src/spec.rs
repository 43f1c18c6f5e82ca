//! Weekly working hours and holidays: their types and their text forms.
//!
//! Hours: `mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00`, day ranges and
//! lists (`mon,wed`, `fri-mon` wraps), `24x7` alone for always open, `24:00`
//! may end an interval, and an interval whose end is not after its start
//! (`22:00-06:00`) crosses midnight and belongs to the day it starts on.
//! Holidays: `2026-12-25|2026-12-26`, and `2026-12-24@09:00-12:00` for a
//! partial day.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::Date;

use crate::SpecError;

const DAY_SECS: u32 = 86_400;
const HOURS_EXPECTED: &str = "hours like \"mon-fri 09:00-17:00\", \"mon,wed 08:00-12:00,13:00-17:00; sat 10:00-14:00\" or \"24x7\"";
const INTERVAL_EXPECTED: &str =
    "an interval HH:MM-HH:MM such as 09:00-17:00 (22:00-06:00 crosses midnight)";
const HOLIDAY_EXPECTED: &str =
    "a date YYYY-MM-DD, or a partial day YYYY-MM-DD@HH:MM-HH:MM such as 2026-12-24@09:00-12:00";

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Every weekday, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday = 0 .. Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }

    /// `mon`, `tue`, ...: the spelling the hours text uses.
    pub fn short_name(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }

    /// `Monday`, `Tuesday`, ...
    pub fn long_name(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self.index()]
    }

    fn parse(name: &str) -> Option<Weekday> {
        let lower = name.to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|d| lower == d.short_name() || lower == d.long_name().to_ascii_lowercase())
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// An open interval of one day, in seconds from that day's local midnight.
///
/// `end` is after `start` and at most a day later; an `end` past 24:00 means
/// the interval crosses midnight into the next day (and still belongs to the
/// day it starts on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalInterval {
    start: u32,
    end: u32,
}

impl LocalInterval {
    /// The whole day, 00:00-24:00.
    pub const WHOLE_DAY: LocalInterval = LocalInterval {
        start: 0,
        end: DAY_SECS,
    };

    /// An interval from `start` to `end`, in seconds after local midnight; an
    /// `end` at or before `start` crosses midnight. `None` when either is out of
    /// range or the interval is empty.
    pub fn new(start: u32, end: u32) -> Option<LocalInterval> {
        if start >= DAY_SECS || end > DAY_SECS || start == end {
            return None;
        }
        let end = if end < start { end + DAY_SECS } else { end };
        Some(LocalInterval { start, end })
    }

    /// Seconds after the day's local midnight at which the interval opens.
    pub fn start(self) -> u32 {
        self.start
    }

    /// Seconds after the day's local midnight at which it closes (past 86400 when it crosses midnight).
    pub fn end(self) -> u32 {
        self.end
    }

    /// Its nominal length in seconds.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Never true: an interval is not empty by construction.
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }

    /// Parses `HH:MM-HH:MM`.
    ///
    /// # Errors
    /// A [`SpecError`] with the offset of the part that is wrong.
    pub fn parse(text: &str) -> Result<LocalInterval, SpecError> {
        let Some(dash) = text.find('-') else {
            return Err(SpecError::new(
                0,
                format!("\"{text}\" is not an interval"),
                INTERVAL_EXPECTED,
            ));
        };
        let start = parse_clock(&text[..dash], false).map_err(|e| e.shifted(0))?;
        let end = parse_clock(&text[dash + 1..], true).map_err(|e| e.shifted(dash + 1))?;
        LocalInterval::new(start, end)
            .ok_or_else(|| SpecError::new(0, format!("\"{text}\" is empty"), INTERVAL_EXPECTED))
    }
}

impl fmt::Display for LocalInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.end > DAY_SECS {
            self.end - DAY_SECS
        } else {
            self.end
        };
        write!(f, "{}-{}", Clock(self.start), Clock(end))
    }
}

struct Clock(u32);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 3600, self.0 / 60 % 60)
    }
}

/// Parses `HH:MM` into seconds after midnight; `24:00` only when `is_end`.
fn parse_clock(text: &str, is_end: bool) -> Result<u32, SpecError> {
    let bytes = text.as_bytes();
    let well_formed = bytes.len() == 5
        && bytes[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| bytes[i].is_ascii_digit());
    if !well_formed {
        return Err(SpecError::new(
            0,
            format!("\"{text}\" is not a time of day"),
            "a time HH:MM such as 09:00 or 17:30",
        ));
    }
    let digit = |i: usize| u32::from(bytes[i] - b'0');
    let (hour, minute) = (digit(0) * 10 + digit(1), digit(3) * 10 + digit(4));
    if minute > 59 || hour > 24 || (hour == 24 && (minute != 0 || !is_end)) {
        let expected = if is_end {
            "a time from 00:00 to 24:00"
        } else {
            "a time from 00:00 to 23:59"
        };
        return Err(SpecError::new(
            0,
            format!("\"{text}\" is out of range"),
            expected,
        ));
    }
    Ok(hour * 3600 + minute * 60)
}

/// Parses `HH:MM-HH:MM,HH:MM-HH:MM` (spaces after commas allowed).
fn parse_interval_list(text: &str) -> Result<Vec<LocalInterval>, SpecError> {
    let mut out = Vec::new();
    for (offset, part) in split_with_offsets(text, ',') {
        let trimmed_offset = offset + (part.len() - part.trim_start().len());
        let part = part.trim();
        if part.is_empty() {
            return Err(SpecError::new(
                offset,
                "missing interval",
                INTERVAL_EXPECTED,
            ));
        }
        out.push(LocalInterval::parse(part).map_err(|e| e.shifted(trimmed_offset))?);
    }
    out.sort();
    Ok(out)
}

/// Splits `text` at `sep`, with the byte offset of each piece.
fn split_with_offsets(text: &str, sep: char) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split(sep).map(move |piece| {
        let at = offset;
        offset += piece.len() + sep.len_utf8();
        (at, piece)
    })
}

/// Weekly working hours: the open intervals of each weekday.
///
/// # Example
/// ```
/// use handshake_calendar::{WeeklyHours, Weekday};
/// let hours: WeeklyHours = "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00".parse()?;
/// assert_eq!(hours.day(Weekday::Tue).len(), 2);
/// assert_eq!(hours.to_string(), "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00");
/// assert_eq!(hours.longest_day_seconds(), 7 * 3600);
/// # Ok::<(), handshake_calendar::SpecError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WeeklyHours {
    days: [Vec<LocalInterval>; 7],
}

impl WeeklyHours {
    /// Open around the clock, every day.
    pub fn always() -> WeeklyHours {
        WeeklyHours {
            days: std::array::from_fn(|_| vec![LocalInterval::WHOLE_DAY]),
        }
    }

    /// The intervals that start on `day`, sorted.
    pub fn day(&self, day: Weekday) -> &[LocalInterval] {
        &self.days[day.index()]
    }

    pub(crate) fn by_index(&self, index: usize) -> &[LocalInterval] {
        &self.days[index]
    }

    /// True when no weekday has any open interval.
    pub fn is_never_open(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// True for `24x7`.
    pub fn is_always_open(&self) -> bool {
        self == &WeeklyHours::always()
    }

    /// The open time of the longest weekday, in seconds: the default length of
    /// a business day (8 hours for Mon-Fri 09:00-17:00).
    pub fn longest_day_seconds(&self) -> u32 {
        self.days.iter().map(|d| union_len(d)).max().unwrap_or(0)
    }
}

/// Length of the union of sorted intervals.
fn union_len(intervals: &[LocalInterval]) -> u32 {
    let mut total = 0;
    let mut reach = 0;
    for iv in intervals {
        let start = iv.start.max(reach);
        if iv.end > start {
            total += iv.end - start;
        }
        reach = reach.max(iv.end);
    }
    total
}

impl std::str::FromStr for WeeklyHours {
    type Err = SpecError;

    /// Parses the hours text described in the module docs.
    ///
    /// # Errors
    /// A [`SpecError`] with the byte offset of the first part that is wrong.
    fn from_str(text: &str) -> Result<WeeklyHours, SpecError> {
        if text.trim().eq_ignore_ascii_case("24x7") {
            return Ok(WeeklyHours::always());
        }
        let mut hours = WeeklyHours::default();
        let mut groups = 0;
        for (offset, group) in split_with_offsets(text, ';') {
            let lead = group.len() - group.trim_start().len();
            let group_at = offset + lead;
            let group = group.trim();
            if group.is_empty() {
                continue;
            }
            groups += 1;
            let Some(space) = group.find(char::is_whitespace) else {
                return Err(SpecError::new(
                    group_at,
                    format!("\"{group}\" names no hours"),
                    HOURS_EXPECTED,
                ));
            };
            let days = parse_days(&group[..space]).map_err(|e| e.shifted(group_at))?;
            let rest = &group[space..];
            let rest_at = group_at + space + (rest.len() - rest.trim_start().len());
            let intervals = parse_interval_list(rest.trim()).map_err(|e| e.shifted(rest_at))?;
            for day in days {
                hours.days[day.index()].extend(intervals.iter().copied());
                hours.days[day.index()].sort();
                hours.days[day.index()].dedup();
            }
        }
        if groups == 0 {
            return Err(SpecError::new(0, "no hours given", HOURS_EXPECTED));
        }
        Ok(hours)
    }
}

/// Parses `mon-fri`, `mon,wed,fri`, `sat-mon` (wrapping).
fn parse_days(text: &str) -> Result<Vec<Weekday>, SpecError> {
    const EXPECTED: &str = "days like mon-fri, mon,wed or sat (mon tue wed thu fri sat sun)";
    let mut out = Vec::new();
    for (offset, item) in split_with_offsets(text, ',') {
        let day_at = |name: &str, at: usize| {
            Weekday::parse(name)
                .ok_or_else(|| SpecError::new(at, format!("\"{name}\" is not a day"), EXPECTED))
        };
        match item.split_once('-') {
            Some((from, to)) => {
                let first = day_at(from, offset)?;
                let last = day_at(to, offset + from.len() + 1)?;
                let mut day = first.index();
                loop {
                    out.push(Weekday::ALL[day]);
                    if day == last.index() {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => out.push(day_at(item, offset)?),
        }
    }
    Ok(out)
}

impl fmt::Display for WeeklyHours {
    /// Writes the hours text, grouping consecutive days with the same hours;
    /// it parses back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_always_open() {
            return f.write_str("24x7");
        }
        let mut first = true;
        let mut day = 0;
        while day < 7 {
            let intervals = &self.days[day];
            let mut last = day;
            while last + 1 < 7 && self.days[last + 1] == *intervals {
                last += 1;
            }
            if !intervals.is_empty() {
                if !first {
                    f.write_str("; ")?;
                }
                first = false;
                let (a, b) = (Weekday::ALL[day], Weekday::ALL[last]);
                match last - day {
                    0 => write!(f, "{a} ")?,
                    1 => write!(f, "{a},{b} ")?,
                    _ => write!(f, "{a}-{b} ")?,
                }
                for (i, iv) in intervals.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{iv}")?;
                }
            }
            day = last + 1;
        }
        Ok(())
    }
}

/// Holidays: whole dates closed, and partial days open only in their own intervals.
///
/// # Example
/// ```
/// use handshake_calendar::Holidays;
/// let holidays: Holidays = "2026-12-25|2026-12-24@09:00-12:00".parse()?;
/// assert_eq!(holidays.closed().count(), 1);
/// assert_eq!(holidays.partial().count(), 1);
/// # Ok::<(), handshake_calendar::SpecError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Holidays {
    closed: BTreeSet<Date>,
    partial: BTreeMap<Date, Vec<LocalInterval>>,
}

impl Holidays {
    /// Adds one entry: `YYYY-MM-DD` or `YYYY-MM-DD@HH:MM-HH:MM[,HH:MM-HH:MM]`.
    ///
    /// # Errors
    /// A [`SpecError`] with the byte offset in `entry`, also when the same date
    /// is given both as a whole holiday and as a partial day.
    pub fn add(&mut self, entry: &str) -> Result<(), SpecError> {
        let (date_text, intervals) = match entry.split_once('@') {
            Some((d, rest)) => (d, Some(rest)),
            None => (entry, None),
        };
        let date: Date = date_text.trim().parse().map_err(|_| {
            SpecError::new(
                0,
                format!("\"{date_text}\" is not a date"),
                HOLIDAY_EXPECTED,
            )
        })?;
        let conflict = || {
            SpecError::new(
                0,
                format!("{date} is given both as a holiday and as a partial day"),
                "each date either closed (YYYY-MM-DD) or partial (YYYY-MM-DD@HH:MM-HH:MM), not both",
            )
        };
        match intervals {
            None => {
                if self.partial.contains_key(&date) {
                    return Err(conflict());
                }
                self.closed.insert(date);
            }
            Some(text) => {
                if self.closed.contains(&date) {
                    return Err(conflict());
                }
                let list = parse_interval_list(text).map_err(|e| e.shifted(date_text.len() + 1))?;
                let day = self.partial.entry(date).or_default();
                day.extend(list);
                day.sort();
                day.dedup();
            }
        }
        Ok(())
    }

    /// The dates closed all day.
    pub fn closed(&self) -> impl Iterator<Item = Date> + '_ {
        self.closed.iter().copied()
    }

    /// The partial days with their open intervals.
    pub fn partial(&self) -> impl Iterator<Item = (Date, &[LocalInterval])> + '_ {
        self.partial.iter().map(|(d, v)| (*d, v.as_slice()))
    }

    /// True when there are no holidays at all.
    pub fn is_empty(&self) -> bool {
        self.closed.is_empty() && self.partial.is_empty()
    }
}

impl std::str::FromStr for Holidays {
    type Err = SpecError;

    /// Parses `2026-12-25|2026-12-26|2026-12-24@09:00-12:00`; the empty text is no holidays.
    ///
    /// # Errors
    /// A [`SpecError`] with the byte offset of the entry that is wrong.
    fn from_str(text: &str) -> Result<Holidays, SpecError> {
        let mut holidays = Holidays::default();
        if text.trim().is_empty() {
            return Ok(holidays);
        }
        for (offset, entry) in split_with_offsets(text, '|') {
            let lead = entry.len() - entry.trim_start().len();
            holidays
                .add(entry.trim())
                .map_err(|e| e.shifted(offset + lead))?;
        }
        Ok(holidays)
    }
}

impl fmt::Display for Holidays {
    /// Writes the `|`-separated form that parses back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<(Date, String)> =
            self.closed.iter().map(|d| (*d, d.to_string())).collect();
        for (date, list) in &self.partial {
            let list: Vec<String> = list.iter().map(ToString::to_string).collect();
            entries.push((*date, format!("{date}@{}", list.join(","))));
        }
        entries.sort();
        let texts: Vec<String> = entries.into_iter().map(|(_, t)| t).collect();
        f.write_str(&texts.join("|"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hm(h: u32, m: u32) -> u32 {
        h * 3600 + m * 60
    }

    #[test]
    fn parses_split_shifts_and_lists() {
        let hours: WeeklyHours = "mon,wed 08:00-12:00, 13:00-17:00; sat 10:00-14:00"
            .parse()
            .unwrap();
        assert_eq!(hours.day(Weekday::Mon).len(), 2);
        assert!(hours.day(Weekday::Tue).is_empty());
        assert_eq!(hours.day(Weekday::Sat)[0].start(), hm(10, 0));
    }

    #[test]
    fn overnight_interval_belongs_to_its_start_day() {
        let hours: WeeklyHours = "fri 22:00-06:00".parse().unwrap();
        let iv = hours.day(Weekday::Fri)[0];
        assert_eq!((iv.start(), iv.end()), (hm(22, 0), hm(30, 0)));
        assert!(hours.day(Weekday::Sat).is_empty());
        assert_eq!(iv.to_string(), "22:00-06:00");
    }

    #[test]
    fn wrapping_day_range() {
        let hours: WeeklyHours = "fri-mon 10:00-24:00".parse().unwrap();
        let open: Vec<Weekday> = Weekday::ALL
            .into_iter()
            .filter(|d| !hours.day(*d).is_empty())
            .collect();
        assert_eq!(
            open,
            vec![Weekday::Mon, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        );
        assert_eq!(hours.day(Weekday::Sun)[0].end(), DAY_SECS);
    }

    #[test]
    fn always_open() {
        let hours: WeeklyHours = " 24x7 ".parse().unwrap();
        assert!(hours.is_always_open());
        assert_eq!(hours.longest_day_seconds(), DAY_SECS);
        assert_eq!(hours.to_string(), "24x7");
    }

    #[test]
    fn errors_point_at_the_wrong_part() {
        let err = "mon-fri 09:00-17:60".parse::<WeeklyHours>().unwrap_err();
        assert_eq!(err.at, 14);
        assert!(err.message.contains("17:60"), "{err}");
        let err = "mon-fry 09:00-17:00".parse::<WeeklyHours>().unwrap_err();
        assert_eq!((err.at, err.message.as_str()), (4, "\"fry\" is not a day"));
        let err = "mon-fri 09:00-17:00; sat"
            .parse::<WeeklyHours>()
            .unwrap_err();
        assert_eq!(err.at, 21);
        let err = "mon 09:00-09:00".parse::<WeeklyHours>().unwrap_err();
        assert!(err.message.contains("empty"), "{err}");
        let err = "mon 24:00-09:00".parse::<WeeklyHours>().unwrap_err();
        assert_eq!(err.at, 4);
        let err = "".parse::<WeeklyHours>().unwrap_err();
        assert_eq!(err.message, "no hours given");
    }

    #[test]
    fn longest_day_counts_a_union() {
        let hours: WeeklyHours = "mon 09:00-13:00,12:00-17:00; tue 09:00-12:00"
            .parse()
            .unwrap();
        assert_eq!(hours.longest_day_seconds(), hm(8, 0));
    }

    #[test]
    fn holidays_parse_and_conflict() {
        let h: Holidays = "2026-12-25 | 2026-12-24@09:00-12:00,13:00-14:00"
            .parse()
            .unwrap();
        assert_eq!(
            h.to_string(),
            "2026-12-24@09:00-12:00,13:00-14:00|2026-12-25"
        );
        let err = "2026-12-25|2026-13-01".parse::<Holidays>().unwrap_err();
        assert_eq!(err.at, 11);
        let err = "2026-12-25|2026-12-25@09:00-10:00"
            .parse::<Holidays>()
            .unwrap_err();
        assert!(err.message.contains("both"), "{err}");
        let err = "2026-12-24@09:00-1200".parse::<Holidays>().unwrap_err();
        assert_eq!(err.at, 17);
    }

    proptest! {
        #[test]
        fn hours_never_panic(text in "[a-z0-9:;, x-]{0,40}") {
            let _ = text.parse::<WeeklyHours>();
            let _ = text.parse::<Holidays>();
        }

        #[test]
        fn display_round_trips(days in proptest::collection::vec(proptest::collection::vec((0u32..96, 1u32..96), 0..3), 7)) {
            let mut text = Vec::new();
            for (i, ivs) in days.iter().enumerate() {
                let list: Vec<String> = ivs.iter().map(|(s, len)| {
                    let iv = LocalInterval::new(s * 900, (s * 900 + len * 900) % DAY_SECS).unwrap_or(LocalInterval::WHOLE_DAY);
                    iv.to_string()
                }).collect();
                if !list.is_empty() {
                    text.push(format!("{} {}", Weekday::ALL[i], list.join(",")));
                }
            }
            prop_assume!(!text.is_empty());
            let hours: WeeklyHours = text.join("; ").parse().unwrap();
            let again: WeeklyHours = hours.to_string().parse().unwrap();
            prop_assert_eq!(hours, again);
        }
    }
}
