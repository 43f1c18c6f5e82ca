//! The checker never panics: not on arbitrary bytes, not on a valid file
//! cut, spliced or sprinkled with stray characters. Whatever it reports can
//! be rendered, and whatever it accepts can be explained.

#![allow(clippy::unwrap_used)]

use handshake_core::agreement::explain;
use handshake_core::{SourceFile, check};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../../examples/agreement.toml");

fn exercise(text: &str) {
    let outcome = check("fuzz.toml", text);
    let file = SourceFile {
        name: "fuzz.toml",
        text,
    };
    for d in &outcome.diagnostics {
        let rendered = file.render(d);
        assert!(rendered.starts_with("fuzz.toml:"), "{rendered}");
    }
    if let Some(a) = &outcome.agreement {
        assert!(!explain(a).is_empty());
    } else {
        assert!(
            outcome.errors() > 0,
            "no agreement must mean at least one error"
        );
    }
}

/// One edit of the example: delete a stretch, insert text, or swap two lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..EXAMPLE.len(), 0usize..40).prop_map(|(at, len)| Edit::Delete(at, len)),
        (0..EXAMPLE.len(), "[\\[\\]{}=\"',#\\n a-z0-9@:.|%-]{0,12}")
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        (0usize..400, 0usize..400).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match e {
        Edit::Delete(at, len) => {
            let (a, b) = (floor(*at), floor(at + len));
            format!("{}{}", &text[..a], &text[b..])
        }
        Edit::Insert(at, s) => {
            let a = floor(*at);
            format!("{}{s}{}", &text[..a], &text[a..])
        }
        Edit::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            let n = lines.len();
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn toml_shaped_noise(text in "(\\[[a-z.]{0,12}\\]\\n|[a-z_]{1,10} = (\"[^\"\\n]{0,20}\"|[0-9-]{1,6}|\\[\"[a-z =]{0,10}\"\\]|\\{ [a-z]{1,5} = \"[a-z0-9@.-]{0,10}\" \\})\\n){0,30}") {
        exercise(&text);
    }

    #[test]
    fn mutated_example(edits in prop::collection::vec(edit(), 1..5)) {
        let mut text = EXAMPLE.to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        exercise(&text);
    }
}

#[test]
fn the_example_is_valid_and_clean() {
    let outcome = check("examples/agreement.toml", EXAMPLE);
    assert_eq!(outcome.diagnostics, vec![]);
    let a = outcome.agreement.unwrap();
    assert_eq!((a.segments.len(), a.calendars.len()), (2, 2));
    assert!(a.goals.len() >= 4 && a.guarantees.len() >= 3);
    let owners: std::collections::BTreeSet<&str> =
        a.goals.iter().map(|g| g.owner.as_str()).collect();
    assert_eq!(owners.len(), 2, "goals across both teams");
}
