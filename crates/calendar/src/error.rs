//! The errors of this crate: [`SpecError`] for text that does not parse,
//! [`CalendarError`] for questions a calendar cannot answer.

use std::fmt;

/// A piece of text (hours, holidays, a duration) that does not parse.
///
/// `at` is the byte offset in the text where the problem starts, so a caller
/// that knows where the text came from (a TOML string, a CSV cell) can point
/// at the exact line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// Byte offset in the parsed text.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// What would be right.
    pub expected: String,
}

impl SpecError {
    pub(crate) fn new(
        at: usize,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> SpecError {
        SpecError {
            at,
            message: message.into(),
            expected: expected.into(),
        }
    }

    /// The same error, shifted by `offset` bytes (for text embedded in a larger one).
    pub fn shifted(mut self, offset: usize) -> SpecError {
        self.at += offset;
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at column {}; expected {}",
            self.message,
            self.at + 1,
            self.expected
        )
    }
}

impl std::error::Error for SpecError {}

/// Why a calendar could not give an answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The time zone name is not in the bundled IANA database.
    #[error(
        "unknown time zone \"{name}\"; expected an IANA name such as America/New_York or Europe/Berlin"
    )]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
    /// The hours or holidays text does not parse.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// The calendar is never open again after this instant, so the duration can never be used up.
    #[error(
        "the calendar has no open time after {after}, so {duration} of business time can never pass"
    )]
    NeverOpen {
        /// Where the search started.
        after: jiff::Timestamp,
        /// The duration that could not be used up.
        duration: crate::BusinessDuration,
    },
    /// The answer would lie outside the instants this library can represent (years -9999..=9999).
    #[error("the answer lies outside the supported years -9999..=9999")]
    OutOfRange,
    /// `elapsed` was asked for an end before its start.
    #[error("end {end} is before start {start}; expected an end at or after the start")]
    EndBeforeStart {
        /// The start given.
        start: jiff::Timestamp,
        /// The end given.
        end: jiff::Timestamp,
    },
}
