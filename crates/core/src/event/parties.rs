//! Requests between the teams name a party on each side; a party the
//! agreement does not have is refused at ingest (with the parties it does
//! have), so a request addressed to nobody never starts a clock.

use super::{ErrorCode, Event, EventError, EventKind};
use crate::agreement::Agreement;

/// Refuses a `request.opened` whose `from` or `to` is not a party of
/// `agreement`; every other event passes.
///
/// # Errors
/// [`ErrorCode::UnknownParty`], naming the field, the value and the parties.
///
/// # Example
/// ```
/// use handshake_core::{check, event::{check_parties, parse_event}};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let a = check("agreement.toml", &text).agreement.expect("valid");
/// let e = parse_event(r#"{"id":"r1","type":"request.opened","request_id":"R1","occurred_at":"2027-01-11T15:00:00Z","from":"sales","to":"finance","channel":"escalation"}"#)?;
/// let refused = check_parties(&e, &a).unwrap_err();
/// assert_eq!(refused.code.as_str(), "unknown_party");
/// assert!(refused.message.contains("marketing, sales"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_parties(e: &Event, agreement: &Agreement) -> Result<(), EventError> {
    let EventKind::RequestOpened { from, to, .. } = &e.kind else {
        return Ok(());
    };
    for (field, value) in [("from", from), ("to", to)] {
        if !agreement.parties.iter().any(|p| p.id.as_str() == value) {
            let known: Vec<&str> = agreement.parties.iter().map(|p| p.id.as_str()).collect();
            return Err(EventError {
                code: ErrorCode::UnknownParty,
                message: format!(
                    "event {}: {field} \"{value}\" is not a party of the agreement; expected one of {}",
                    e.id,
                    known.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// Events with the line each came from, as [`super::parse_ndjson`] gives them.
pub type Numbered = Vec<(usize, Event)>;

/// Splits parsed events (each with its line) into those that pass
/// [`check_parties`] and those refused, with their lines. Without an
/// agreement every event passes (there are no parties to check against).
pub fn refuse_unknown_parties(
    events: Numbered,
    agreement: Option<&Agreement>,
) -> (Numbered, Vec<(usize, EventError)>) {
    let Some(a) = agreement else {
        return (events, Vec::new());
    };
    let (mut kept, mut refused) = (Vec::with_capacity(events.len()), Vec::new());
    for (line, e) in events {
        match check_parties(&e, a) {
            Ok(()) => kept.push((line, e)),
            Err(err) => refused.push((line, err)),
        }
    }
    (kept, refused)
}

/// Whether any of `events` names parties (so the agreement must be read to check them).
pub fn names_parties<'e>(mut events: impl Iterator<Item = &'e Event>) -> bool {
    events.any(|e| matches!(e.kind, EventKind::RequestOpened { .. }))
}
