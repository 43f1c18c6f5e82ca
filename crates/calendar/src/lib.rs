//! Business calendars and exact business-time arithmetic.
//!
//! A [`Calendar`] is an IANA time zone, weekly working hours (split shifts and
//! overnight shifts included) and holidays (whole or partial days). It answers
//! the questions every guarantee asks: when is a promise due
//! ([`Calendar::add`]), how much business time has passed
//! ([`Calendar::elapsed`]), and is the office open ([`Calendar::is_open`]).
//!
//! The rules, exactly:
//! - An instant is business time when its local wall-clock reading lies in an
//!   open interval. Across a daylight-saving change business time is real
//!   elapsed time: a repeated local hour counts twice, a skipped one not at all.
//! - An interval belongs to the day it starts on; a holiday removes every
//!   interval that starts on that date; a partial day (`2026-12-24@09:00-12:00`)
//!   is open only in its own intervals, whatever the weekday says.
//! - `add(s, d)` is the earliest instant `T >= s` such that the business time in
//!   `[s, T)` equals `d`; `elapsed(s, e)` is the business time in `[s, e)`.
//! - Everything works in whole seconds; sub-second parts are dropped (floored).
//!
//! The crate is pure: no I/O, no clock reads. Answers come from a prefix-sum
//! index over the open intervals in UTC, with a bucket per day to jump into it,
//! so `add` and `elapsed` cost a few nanoseconds; instants outside the indexed
//! span are answered exactly by building the missing stretch on the fly.
//!
//! # Example
//! ```
//! use handshake_calendar::{BusinessDuration, Calendar};
//!
//! let cal = Calendar::from_spec("America/New_York", "mon-fri 09:00-17:00", "2026-12-25")?;
//! let start: jiff::Timestamp = "2026-12-24T16:00:00-05:00".parse()?;
//! // One business hour on Dec 24, Christmas is closed, so the rest is due on the 28th.
//! let due = cal.add(start, BusinessDuration::from_hours(4))?;
//! assert_eq!(due.to_string(), "2026-12-28T17:00:00Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod civil;
mod duration;
mod error;
mod index;
mod public;
mod spec;
mod zone;

pub use calendar::{Calendar, CalendarDef};
pub use duration::BusinessDuration;
pub use error::{CalendarError, SpecError};
pub use public::{PUBLIC_HOLIDAY_YEARS, PublicHoliday, PublicHolidayError, public_holidays};
pub use spec::{Holidays, LocalInterval, Weekday, WeeklyHours};
pub use zone::time_zone;
