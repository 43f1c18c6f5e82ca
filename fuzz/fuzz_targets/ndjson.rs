//! NDJSON batches of any bytes: never a panic, every line accounted for
//! exactly once, and every accepted event reads back from its canonical JSON
//! as the same event. The CRM hooks' bodies (HubSpot deliveries, Salesforce
//! change events and Outbound Messages) from the same bytes: never a panic,
//! every notification either an event source or listed as skipped, and the
//! notes on deals and engagements read back and derive events.
#![no_main]

use handshake_core::event::{count_lines, parse_event, parse_ndjson};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let lines = parse_ndjson(body);
    assert_eq!(lines.events.len() + lines.rejected.len(), count_lines(body));
    for (_, event) in &lines.events {
        let again = parse_event(&event.canonical_json()).expect("canonical JSON reads back");
        assert_eq!(&again, event);
        assert_eq!(again.fingerprint(), event.fingerprint());
    }
    for read in [
        handshake_core::hubspot::delivery_events(body, &Default::default()).ok(),
        handshake_core::salesforce::cdc_events(body).ok(),
    ]
    .into_iter()
    .flatten()
    {
        check(read);
    }
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(read) = handshake_core::salesforce::outbound_events(text)
    {
        check(read.told);
    }
});

/// Every skipped notification has its place and reason; every event reads
/// back; every note reads back from what the store keeps, and the notes of
/// each object derive events without a panic (an error is a message).
fn check(told: handshake_core::hubspot::Told) {
    use handshake_core::crm_objects::{Note, derive};
    assert!(told.skipped.iter().all(|s| s.index >= 1 && !s.reason.is_empty()));
    for e in &told.events {
        let again = parse_event(&e.canonical_json()).expect("a hook's event reads back");
        assert_eq!(&again, e);
    }
    for n in &told.notes {
        let back = Note::from_parts(&n.key(), &n.id, n.at, &n.fact_text()).expect("a note reads back");
        assert_eq!(&back, n);
    }
    let mut notes = told.notes.clone();
    notes.sort_by_key(Note::key);
    for object in notes.chunk_by(|a, b| a.key() == b.key()) {
        if let Ok(events) = derive(object, &Default::default()) {
            for e in &events {
                let again = parse_event(&e.canonical_json()).expect("a derived event reads back");
                assert_eq!(&again, e);
            }
        }
    }
}
