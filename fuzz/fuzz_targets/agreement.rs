//! The agreement checker on any text: it never panics, every diagnostic
//! renders with its place, and an accepted agreement can be explained.
#![no_main]

use handshake_core::agreement::explain;
use handshake_core::{SourceFile, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let outcome = check("fuzz.toml", text);
    let file = SourceFile {
        name: "fuzz.toml",
        text,
    };
    for d in &outcome.diagnostics {
        assert!(file.render(d).starts_with("fuzz.toml:"));
    }
    match &outcome.agreement {
        Some(a) => assert!(!explain(a).is_empty()),
        None => assert!(outcome.errors() > 0, "no agreement and no error"),
    }
});
