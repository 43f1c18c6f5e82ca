//! Diagnostics: what is wrong (or suspicious) in an agreement file, where
//! exactly, and what would be right; and their rendering as
//! `file:line:col: error: ...` with the offending line underneath.

use std::fmt;
use std::ops::Range;

/// How serious a finding in the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Legal, but probably not what the authors meant.
    Warning,
    /// The file cannot be used until this is fixed.
    Error,
}

/// One problem in an agreement file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Byte range in the file the problem is about.
    pub span: Range<usize>,
    /// What is wrong, naming the offending text.
    pub message: String,
    /// What would be right.
    pub expected: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            expected: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// The same diagnostic with what would be right.
    pub fn expected(mut self, expected: impl Into<String>) -> Diagnostic {
        self.expected = Some(expected.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A file's name and text, to turn byte offsets into lines and columns.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The name shown in diagnostics (usually the path given).
    pub name: &'a str,
    /// The whole text.
    pub text: &'a str,
}

impl<'a> SourceFile<'a> {
    /// 1-based line and column (in characters) of a byte offset.
    ///
    /// # Example
    /// ```
    /// let file = handshake_core::SourceFile { name: "a.toml", text: "x = 1\ny = é2" };
    /// assert_eq!(file.line_col(6), (2, 1));
    /// assert_eq!(file.line_col(12), (2, 6));
    /// ```
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_boundary(offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    fn floor_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// Renders a diagnostic: `file:line:col: error: message`, the line of
    /// the file with the span underlined, and what would be right.
    pub fn render(&self, d: &Diagnostic) -> String {
        Rendered {
            file: *self,
            diagnostic: d,
        }
        .to_string()
    }
}

struct Rendered<'a> {
    file: SourceFile<'a>,
    diagnostic: &'a Diagnostic,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let (line, col) = self.file.line_col(d.span.start);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{}:{line}:{col}: {kind}: {}", self.file.name, d.message)?;
        if let Some(text) = self.file.text.lines().nth(line - 1) {
            let start = self
                .file
                .floor_boundary(d.span.start.min(self.file.text.len()));
            let end = self
                .file
                .floor_boundary(d.span.end.min(self.file.text.len()))
                .max(start);
            let on_line = self.file.text[start..end].split('\n').next().unwrap_or("");
            let width = on_line.chars().count().max(1);
            writeln!(f, "  {line:>4} | {text}")?;
            writeln!(f, "       | {}{}", " ".repeat(col - 1), "^".repeat(width))?;
        }
        if let Some(expected) = &d.expected {
            writeln!(f, "       = expected: {expected}")?;
        }
        Ok(())
    }
}

/// Suggests the closest of `known` to `given` (edit distance at most 2).
pub(crate) fn closest<'k>(
    given: &str,
    known: impl IntoIterator<Item = &'k str>,
) -> Option<&'k str> {
    known
        .into_iter()
        .map(|k| (edit_distance(given, k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `"a", "b", "c"`: a list of names quoted for a message.
pub(crate) fn quoted_list<'k>(names: impl IntoIterator<Item = &'k str>) -> String {
    let list: Vec<String> = names.into_iter().map(|n| format!("\"{n}\"")).collect();
    if list.is_empty() {
        "none are defined".to_string()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_place_line_and_caret() {
        let file = SourceFile {
            name: "a.toml",
            text: "[x]\ncalendar = \"ny\"\n",
        };
        let d =
            Diagnostic::error(15..19, "unknown calendar \"ny\"").expected("one of \"new-york\"");
        let text = file.render(&d);
        assert_eq!(
            text,
            "a.toml:2:12: error: unknown calendar \"ny\"\n     2 | calendar = \"ny\"\n       |            ^^^^\n       = expected: one of \"new-york\"\n"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            closest("new-yrok", ["new-york", "berlin"]),
            Some("new-york")
        );
        assert_eq!(closest("tokyo", ["new-york", "berlin"]), None);
    }
}
