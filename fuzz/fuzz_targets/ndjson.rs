//! NDJSON batches of any bytes: never a panic, every line accounted for
//! exactly once, and every accepted event reads back from its canonical JSON
//! as the same event.
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
});
