//! [`Calendar`]: a calendar's definition together with its index, and the
//! four questions it answers: `add`, `elapsed`, `is_open`, `next_open`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::civil::{DAY, days_from_civil};
use crate::index::{Index, Rules};
use crate::zone::{max_second, min_second, time_zone, ts};
use crate::{BusinessDuration, CalendarError, Holidays, WeeklyHours};

/// How far past the index a query builds at a time, in seconds.
const CHUNK: i64 = 366 * DAY;

/// What a calendar is: a time zone, weekly hours, holidays and the length of
/// a business day.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarDef {
    /// The IANA time zone the hours and holidays are read in.
    pub time_zone: TimeZone,
    /// Weekly working hours.
    pub hours: WeeklyHours,
    /// Holidays and partial days.
    pub holidays: Holidays,
    /// The length of one business day; `None` means the open time of the
    /// longest regular weekday.
    pub day_length: Option<BusinessDuration>,
}

/// A business calendar, indexed for fast business-time arithmetic.
///
/// Built once, queried millions of times. Instants are taken at whole-second
/// precision (the fraction is dropped). See the crate docs for the rules.
#[derive(Clone, Debug)]
pub struct Calendar {
    def: CalendarDef,
    rules: Rules,
    index: Index,
}

/// Seconds since the epoch of the first day of `year` (UTC).
fn year_start(year: i64) -> i64 {
    days_from_civil(year, 1, 1) * DAY
}

/// Whole seconds of a timestamp, floored.
fn floor_second(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

impl Calendar {
    /// Indexes `def` for the years 2000 to 2040; instants outside that span are
    /// still answered exactly, only more slowly (see [`Calendar::with_span`]).
    pub fn new(def: CalendarDef) -> Calendar {
        Calendar::with_span(def, year_start(2000), year_start(2040))
    }

    /// Indexes `def` for the UTC seconds `[from, to)`, the span its questions
    /// will be about (empty or reversed spans are widened to one day).
    pub fn with_span(def: CalendarDef, from: i64, to: i64) -> Calendar {
        let rules = Rules::new(def.time_zone.clone(), &def.hours, &def.holidays);
        let from = from.clamp(min_second(), max_second() - DAY);
        let to = to.clamp(from + DAY, max_second());
        let index = Index::build(&rules, from, to);
        Calendar { def, rules, index }
    }

    /// Builds a calendar from the text forms the CLI takes: a zone name, hours
    /// (`mon-fri 09:00-17:00`) and holidays (`2026-12-25|2026-12-24@09:00-12:00`).
    ///
    /// # Errors
    /// [`CalendarError::UnknownTimeZone`] or [`CalendarError::Spec`] for text that does not parse.
    ///
    /// # Example
    /// ```
    /// let cal = handshake_calendar::Calendar::from_spec("Europe/Berlin", "mon-fri 09:00-17:00", "")?;
    /// assert!(cal.is_open("2026-11-23T08:30:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_spec(tz: &str, hours: &str, holidays: &str) -> Result<Calendar, CalendarError> {
        Ok(Calendar::new(CalendarDef {
            time_zone: time_zone(tz)?,
            hours: hours.parse()?,
            holidays: holidays.parse()?,
            day_length: None,
        }))
    }

    /// Widens the index to cover `[from, to)` as well (UTC seconds), so
    /// questions there take the fast path.
    pub fn extend(&mut self, from: i64, to: i64) {
        let (lo, hi) = (from.min(self.index.lo()), to.max(self.index.hi()));
        if lo < self.index.lo() || hi > self.index.hi() {
            *self = Calendar::with_span(self.def.clone(), lo, hi);
        }
    }

    /// The definition this calendar was built from.
    pub fn def(&self) -> &CalendarDef {
        &self.def
    }

    /// The UTC seconds `[from, to)` the index covers.
    pub fn span(&self) -> (i64, i64) {
        (self.index.lo(), self.index.hi())
    }

    /// The length of one business day: the configured one, or else the open
    /// time of the longest regular weekday (8 hours for Mon-Fri 09:00-17:00).
    pub fn day_length(&self) -> BusinessDuration {
        self.def.day_length.unwrap_or_else(|| {
            BusinessDuration::from_seconds(i64::from(self.def.hours.longest_day_seconds()))
                .unwrap_or(BusinessDuration::ZERO)
        })
    }

    /// The earliest instant `T >= start` such that the business time in
    /// `[start, T)` equals `duration`.
    ///
    /// # Errors
    /// [`CalendarError::NeverOpen`] when the calendar never again has enough
    /// open time, [`CalendarError::OutOfRange`] past the year 9999.
    ///
    /// # Example
    /// ```
    /// use handshake_calendar::{BusinessDuration, Calendar};
    /// let cal = Calendar::from_spec("America/New_York", "mon-fri 09:00-17:00", "")?;
    /// // Friday 16:00 plus 2 business hours is Monday 10:00.
    /// let due = cal.add("2026-11-20T16:00:00-05:00".parse()?, BusinessDuration::from_hours(2))?;
    /// assert_eq!(due, "2026-11-23T10:00:00-05:00".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(
        &self,
        start: Timestamp,
        duration: BusinessDuration,
    ) -> Result<Timestamp, CalendarError> {
        match self.add_seconds(floor_second(start), duration.as_seconds()) {
            Some(t) if t <= max_second() => Ok(ts(t)),
            Some(_) => Err(CalendarError::OutOfRange),
            None if self.rules.open_bound().is_some() => Err(CalendarError::NeverOpen {
                after: start,
                duration,
            }),
            None => Err(CalendarError::OutOfRange),
        }
    }

    /// [`Calendar::add`] on whole seconds since the Unix epoch: the hot path
    /// for the engine. `None` when the duration is never used up (no more open
    /// time, or past the supported range).
    #[inline]
    pub fn add_seconds(&self, start: i64, duration: i64) -> Option<i64> {
        if duration <= 0 {
            return Some(start);
        }
        let index = &self.index;
        if start >= index.lo() && start < index.hi() {
            match index.add_within(start, duration) {
                Ok(t) => return Some(t),
                Err(used) => return self.add_slow(index.hi(), duration - used),
            }
        }
        self.add_slow(start, duration)
    }

    /// Walks chunk by chunk from `t`, using the index where it covers.
    fn add_slow(&self, mut t: i64, mut left: i64) -> Option<i64> {
        loop {
            if t >= max_second() || self.rules.open_bound().is_some_and(|b| t >= b) {
                return None;
            }
            let result = if t >= self.index.lo() && t < self.index.hi() {
                self.index
                    .add_within(t, left)
                    .map_err(|used| (used, self.index.hi()))
            } else {
                let end = if t < self.index.lo() {
                    self.index.lo().min(t.saturating_add(CHUNK))
                } else {
                    t.saturating_add(CHUNK).min(max_second())
                };
                let chunk = Index::build(&self.rules, t, end);
                chunk.add_within(t, left).map_err(|used| (used, end))
            };
            match result {
                Ok(found) => return Some(found),
                Err((used, next)) => {
                    left -= used;
                    t = next;
                }
            }
        }
    }

    /// The business time in `[start, end)`.
    ///
    /// # Errors
    /// [`CalendarError::EndBeforeStart`] when `end < start`.
    ///
    /// # Example
    /// ```
    /// use handshake_calendar::Calendar;
    /// let cal = Calendar::from_spec("America/New_York", "mon-fri 09:00-17:00", "")?;
    /// let took = cal.elapsed("2026-11-20T16:00:00-05:00".parse()?, "2026-11-23T10:00:00-05:00".parse()?)?;
    /// assert_eq!(took.to_string(), "2h");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn elapsed(
        &self,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<BusinessDuration, CalendarError> {
        if end < start {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        let secs = self.elapsed_seconds(floor_second(start), floor_second(end));
        Ok(BusinessDuration::from_seconds(secs).unwrap_or(BusinessDuration::ZERO))
    }

    /// [`Calendar::elapsed`] on whole seconds since the Unix epoch; 0 when `end <= start`.
    #[inline]
    pub fn elapsed_seconds(&self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        let index = &self.index;
        if start >= index.lo() && end <= index.hi() {
            return index.open_before(end) - index.open_before(start);
        }
        let mut total = 0;
        if start < index.lo() {
            total += Index::build(&self.rules, start, end.min(index.lo())).total();
        }
        let (a, b) = (start.max(index.lo()), end.min(index.hi()));
        if a < b {
            total += index.open_before(b) - index.open_before(a);
        }
        if end > index.hi() {
            total += Index::build(&self.rules, start.max(index.hi()), end).total();
        }
        total
    }

    /// Whether `instant` is business time.
    pub fn is_open(&self, instant: Timestamp) -> bool {
        self.is_open_second(floor_second(instant))
    }

    /// [`Calendar::is_open`] on whole seconds since the Unix epoch.
    pub fn is_open_second(&self, t: i64) -> bool {
        if t >= self.index.lo() && t < self.index.hi() {
            self.index.is_open(t)
        } else {
            Index::build(&self.rules, t, t + 1).total() > 0
        }
    }

    /// The first business instant at or after `instant`; `None` when the
    /// calendar never opens again.
    ///
    /// # Example
    /// ```
    /// use handshake_calendar::Calendar;
    /// let cal = Calendar::from_spec("Asia/Kolkata", "mon-fri 09:30-18:00", "")?;
    /// let next = cal.next_open("2026-11-21T10:00:00+05:30".parse()?).expect("opens monday");
    /// assert_eq!(next, "2026-11-23T09:30:00+05:30".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_open(&self, instant: Timestamp) -> Option<Timestamp> {
        let mut t = floor_second(instant);
        loop {
            if t >= max_second() || self.rules.open_bound().is_some_and(|b| t >= b) {
                return None;
            }
            let (found, next) = if t >= self.index.lo() && t < self.index.hi() {
                (self.index.next_open(t), self.index.hi())
            } else {
                let end = if t < self.index.lo() {
                    self.index.lo().min(t.saturating_add(CHUNK))
                } else {
                    t.saturating_add(CHUNK).min(max_second())
                };
                (Index::build(&self.rules, t, end).next_open(t), end)
            };
            if let Some(found) = found {
                return Some(ts(found));
            }
            t = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny(hours: &str, holidays: &str) -> Calendar {
        Calendar::from_spec("America/New_York", hours, holidays).unwrap()
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn zero_duration_is_the_start_even_when_closed() {
        let cal = ny("mon-fri 09:00-17:00", "");
        let sat = t("2026-11-21T12:00:00-05:00");
        assert_eq!(cal.add(sat, BusinessDuration::ZERO).unwrap(), sat);
    }

    #[test]
    fn start_outside_hours_accrues_from_next_opening() {
        let cal = ny("mon-fri 09:00-17:00", "");
        let due = cal
            .add(
                t("2026-11-21T12:00:00-05:00"),
                BusinessDuration::from_minutes(90),
            )
            .unwrap();
        assert_eq!(due, t("2026-11-23T10:30:00-05:00"));
    }

    #[test]
    fn deadline_used_up_at_closing_is_the_closing_instant() {
        let cal = ny("mon-fri 09:00-17:00", "");
        let due = cal
            .add(
                t("2026-11-23T09:00:00-05:00"),
                BusinessDuration::from_hours(8),
            )
            .unwrap();
        assert_eq!(due, t("2026-11-23T17:00:00-05:00"));
    }

    #[test]
    fn holiday_keeps_the_night_shift_that_started_the_evening_before() {
        // Thursday 22:00 to Friday 06:00; Friday is a holiday, Thursday is not.
        let cal = ny("mon-sun 22:00-06:00", "2026-11-27");
        let worked = cal
            .elapsed(
                t("2026-11-26T20:00:00-05:00"),
                t("2026-11-28T20:00:00-05:00"),
            )
            .unwrap();
        assert_eq!(worked, BusinessDuration::from_hours(8));
    }

    #[test]
    fn partial_day_overrides_the_weekday() {
        // Saturday is normally closed; a partial day opens it 10:00-12:00.
        let cal = ny(
            "mon-fri 09:00-17:00",
            "2026-11-21@10:00-12:00|2026-11-20@09:00-10:00",
        );
        let fri = cal
            .elapsed(
                t("2026-11-20T00:00:00-05:00"),
                t("2026-11-21T00:00:00-05:00"),
            )
            .unwrap();
        let sat = cal
            .elapsed(
                t("2026-11-21T00:00:00-05:00"),
                t("2026-11-22T00:00:00-05:00"),
            )
            .unwrap();
        assert_eq!(
            (fri, sat),
            (
                BusinessDuration::from_hours(1),
                BusinessDuration::from_hours(2)
            )
        );
    }

    #[test]
    fn a_calendar_with_only_partial_days_runs_out() {
        let def = CalendarDef {
            time_zone: time_zone("UTC").unwrap(),
            hours: WeeklyHours::default(),
            holidays: "2026-12-24@09:00-12:00".parse().unwrap(),
            day_length: None,
        };
        let cal = Calendar::new(def);
        let start = t("2026-12-01T00:00:00Z");
        assert_eq!(
            cal.add(start, BusinessDuration::from_hours(3)).unwrap(),
            t("2026-12-24T12:00:00Z")
        );
        let err = cal.add(start, BusinessDuration::from_hours(4)).unwrap_err();
        assert!(matches!(err, CalendarError::NeverOpen { .. }), "{err}");
        assert_eq!(cal.next_open(t("2026-12-25T00:00:00Z")), None);
    }

    #[test]
    fn elapsed_refuses_an_end_before_the_start() {
        let cal = ny("24x7", "");
        let err = cal
            .elapsed(t("2026-11-02T00:00:00Z"), t("2026-11-01T00:00:00Z"))
            .unwrap_err();
        assert!(matches!(err, CalendarError::EndBeforeStart { .. }));
    }

    #[test]
    fn sub_second_parts_are_dropped() {
        let cal = ny("24x7", "");
        let took = cal
            .elapsed(t("2026-11-02T00:00:00.9Z"), t("2026-11-02T00:00:01.1Z"))
            .unwrap();
        assert_eq!(took.as_seconds(), 1);
        let due = cal
            .add(t("2026-11-02T00:00:00.9Z"), BusinessDuration::from_hours(1))
            .unwrap();
        assert_eq!(due, t("2026-11-02T01:00:00Z"));
    }

    #[test]
    fn far_outside_the_index_is_still_exact() {
        let cal = ny("mon-fri 09:00-17:00", "");
        // 2100-01-01 is a Friday, long after the indexed years: 5 hours then, 4 on Monday.
        let due = cal
            .add(
                t("2100-01-01T12:00:00-05:00"),
                BusinessDuration::from_hours(9),
            )
            .unwrap();
        assert_eq!(due, t("2100-01-04T13:00:00-05:00"));
        let week = cal
            .elapsed(t("1990-01-01T00:00:00Z"), t("1990-01-08T00:00:00Z"))
            .unwrap();
        assert_eq!(week, BusinessDuration::from_hours(40));
    }

    #[test]
    fn day_length_defaults_to_the_longest_weekday() {
        let cal = ny("mon-thu 09:00-17:00; fri 09:00-13:00", "");
        assert_eq!(cal.day_length(), BusinessDuration::from_hours(8));
        let cal = ny("mon-fri 08:00-12:00,13:00-19:00", "");
        assert_eq!(cal.day_length(), BusinessDuration::from_hours(10));
    }
}
