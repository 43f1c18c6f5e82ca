//! The agreement file: its model ([`model`]), how it is read ([`check`]),
//! and how it is told in plain words ([`explain`]).

pub mod changes;
mod explain;
pub mod model;
mod parse;
pub mod starter;
mod text;
mod validate;

pub use explain::explain;
pub use model::*;

use toml::de::DeTable;

use crate::{Diagnostic, Severity};

/// What checking a file gives: the agreement when it has no errors, and
/// every diagnostic (errors and warnings) in file order.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The agreement, when the file has no errors.
    pub agreement: Option<Agreement>,
    /// Every problem found, in the order they stand in the file.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutcome {
    /// The number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Reads and checks an agreement file: TOML syntax, every section's keys and
/// values, every cross-reference, and the suspicious-but-legal things worth
/// a warning. Never panics, whatever the input; reports every problem at once.
///
/// `name` is only used in messages.
///
/// # Example
/// ```
/// let outcome = handshake_core::check("bad.toml", "[agreement]\nname = 1\n");
/// assert!(outcome.agreement.is_none());
/// assert!(outcome.errors() >= 1);
/// ```
pub fn check(name: &str, text: &str) -> CheckOutcome {
    check_with(name, text, None)
}

/// [`check`], and every channel an alert step names must be one of
/// `channels` (the workspace's): what `handshake apply` runs before it
/// stores a version.
///
/// # Example
/// ```
/// use handshake_core::{agreement::check_in_workspace, alerts::ChannelName};
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agreement.toml"))?;
/// let only_ops = [ChannelName::parse("ops")?];
/// let outcome = check_in_workspace("agreement.toml", &text, &only_ops);
/// // The example's ladders also name `sales-room`, which this workspace lacks.
/// assert!(outcome.diagnostics.iter().any(|d| d.message.contains("\"sales-room\" is not set up")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_in_workspace(
    name: &str,
    text: &str,
    channels: &[crate::alerts::ChannelName],
) -> CheckOutcome {
    check_with(name, text, Some(channels))
}

fn check_with(
    name: &str,
    text: &str,
    channels: Option<&[crate::alerts::ChannelName]>,
) -> CheckOutcome {
    let _ = name;
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut diagnostics: Vec<Diagnostic> = syntax_errors
        .iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            Diagnostic::error(span, format!("TOML syntax: {}", e.message().trim())).expected(
                "valid TOML: key = value, [table], [[array of tables]], strings in double quotes",
            )
        })
        .collect();
    let parser = parse::Parser::new(text);
    let parsed = parser.document(root.get_ref());
    let (mut semantic, parsed_agreement) = validate::validate(parsed, text, channels);
    if !diagnostics.is_empty() {
        // A broken line makes the structure around it unreliable: keep only
        // the findings on lines without a syntax error.
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count();
        let broken: Vec<usize> = diagnostics.iter().map(|d| line_of(d.span.start)).collect();
        semantic.retain(|d| {
            !broken.contains(&line_of(d.span.start)) && !d.message.contains(" has no \"")
        });
    }
    diagnostics.extend(semantic);
    diagnostics.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.severity)));
    diagnostics.dedup();
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    CheckOutcome {
        agreement: if has_errors { None } else { parsed_agreement },
        diagnostics,
    }
}

#[cfg(test)]
pub(crate) fn time_zone_for_tests(name: &str) -> jiff::tz::TimeZone {
    handshake_calendar::time_zone(name).expect("bundled zone")
}
