//! NDJSON: one event per line. Each line is parsed on its own, so a bad line
//! costs only itself; blank lines are skipped; line numbers count from 1.

use super::{ErrorCode, Event, EventError, parse_event};

/// The events of an NDJSON text and the lines refused, each with its line number.
#[derive(Debug, Default)]
pub struct Lines {
    /// Good events with their line numbers, in input order.
    pub events: Vec<(usize, Event)>,
    /// Refused lines with their line numbers, in input order.
    pub rejected: Vec<(usize, EventError)>,
}

/// Parses NDJSON bytes (invalid UTF-8 on a line refuses that line only).
///
/// # Example
/// ```
/// let body = b"{\"id\":\"1\",\"type\":\"lead.created\",\"lead_id\":\"L\",\"occurred_at\":\"2026-10-01T00:00:00Z\"}\n\nnot json\n";
/// let lines = handshake_core::event::parse_ndjson(body);
/// assert_eq!(lines.events.len(), 1);
/// assert_eq!(lines.rejected[0].0, 3);
/// ```
pub fn parse_ndjson(body: &[u8]) -> Lines {
    let mut out = Lines::default();
    for (n, raw) in body.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = n + 1;
        match std::str::from_utf8(raw) {
            Ok(text) => match parse_event(text) {
                Ok(e) => out.events.push((line, e)),
                Err(e) => out.rejected.push((line, e)),
            },
            Err(_) => out.rejected.push((
                line,
                EventError {
                    code: ErrorCode::InvalidJson,
                    message: "the line is not UTF-8 text; expected one JSON object".into(),
                },
            )),
        }
    }
    out
}

/// The number of non-blank lines, to enforce a batch limit before parsing.
pub fn count_lines(body: &[u8]) -> usize {
    body.split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count()
}
