//! CRM exports of any bytes through the HubSpot and Salesforce presets, and
//! any text as a mapping file: never a panic; a row either becomes events
//! with the row's record id or an error naming a column.
#![no_main]

use handshake_core::import::{Mapping, mapping_from_toml, row_to_events};
use libfuzzer_sys::fuzz_target;

fn import(m: &Mapping, data: &[u8]) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(data);
    let Ok(headers) = reader.headers().cloned() else {
        return;
    };
    for record in reader.records().take(100) {
        let Ok(record) = record else { continue };
        let cell = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        match row_to_events(m, cell) {
            Ok(events) => {
                for e in events {
                    assert!(!e.id.as_str().is_empty());
                }
            }
            Err(e) => assert!(!e.column.is_empty() || !e.message.is_empty()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    import(&Mapping::hubspot(), data);
    import(&Mapping::salesforce(), data);
    import(&Mapping::hubspot_activities(), data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = mapping_from_toml(text) {
            import(&m, b"id,created\n1,2026-10-01\n");
        }
    }
});
