//! NDJSON: one event per line. Each line is parsed on its own, so a bad line
//! costs only itself; blank lines are skipped; line numbers count from 1.

use super::{ErrorCode, Event, EventError, parse_event};

/// The largest one event may be, in bytes: alone, or as one NDJSON line.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

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
    // A UTF-8 byte-order mark (as some editors and exports write) is not part
    // of the first event.
    let body = body.strip_prefix(BOM).unwrap_or(body);
    for (n, raw) in body.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = n + 1;
        if raw.len() > MAX_EVENT_BYTES {
            out.rejected.push((
                line,
                EventError {
                    code: ErrorCode::TooLarge,
                    message: format!(
                        "the line has {} bytes; one event may have at most {MAX_EVENT_BYTES}",
                        raw.len()
                    ),
                },
            ));
            continue;
        }
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
    let body = body.strip_prefix(BOM).unwrap_or(body);
    body.split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str =
        r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z"}"#;

    #[test]
    fn a_byte_order_mark_does_not_cost_the_first_line() {
        let body = format!("\u{FEFF}{LINE}\n");
        let lines = parse_ndjson(body.as_bytes());
        assert_eq!(lines.events.len(), 1, "{:?}", lines.rejected);
        assert_eq!(lines.events[0].0, 1);
    }

    #[test]
    fn a_line_over_the_event_limit_is_refused_alone() {
        let padding = "x".repeat(MAX_EVENT_BYTES);
        let big = LINE.replace("\"L\"", &format!("\"L\",\"company\":\"{padding}\""));
        let body = format!("{big}\n{}\n", LINE.replace("\"1\"", "\"2\""));
        let lines = parse_ndjson(body.as_bytes());
        assert_eq!(lines.events.len(), 1);
        assert_eq!(lines.events[0].0, 2);
        assert_eq!(lines.rejected.len(), 1);
        assert_eq!(lines.rejected[0].0, 1);
        assert_eq!(lines.rejected[0].1.code, ErrorCode::TooLarge);
        assert!(lines.rejected[0].1.message.contains("at most 65536"));
    }

    #[test]
    fn a_repeated_key_is_an_error_with_its_name() {
        let dup = LINE.replace("\"L\"", "\"L\",\"lead_id\":\"M\"");
        let lines = parse_ndjson(dup.as_bytes());
        assert_eq!(lines.rejected[0].1.code, ErrorCode::InvalidJson);
        assert!(
            lines.rejected[0]
                .1
                .message
                .contains("\"lead_id\" appears twice")
        );
    }
}
