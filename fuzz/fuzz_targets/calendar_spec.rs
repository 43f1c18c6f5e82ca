//! Calendar specs of any text (time zone, weekly hours, holidays, split by
//! newlines): never a panic, and a calendar that builds answers add and
//! elapsed consistently (the business time from a start to start + 60 s is 60 s).
#![no_main]

use handshake_calendar::Calendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(3, '\n');
    let (tz, hours, holidays) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let Ok(calendar) = Calendar::from_spec(tz, hours, holidays) else {
        return;
    };
    let start = 1_790_000_000; // 2026-09-22
    if let Some(due) = calendar.add_seconds(start, 60) {
        assert!(due >= start);
        assert_eq!(calendar.elapsed_seconds(start, due), 60);
    }
});
