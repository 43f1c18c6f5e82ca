//! Reading a TOML document with spans, collecting every problem instead of
//! stopping at the first: the agreement parser asks for keys and typed
//! values, and each wrong or missing one becomes a [`Diagnostic`] at its place.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::Diagnostic;
use crate::diagnostic::{closest, quoted_list};

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A byte range in the file, copyable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn of<T>(v: &Spanned<T>) -> Span {
        let r = v.span();
        Span {
            start: r.start,
            end: r.end,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// The sub-span `[at, at + len)` of a string's content.
    pub fn sub(self, at: usize, len: usize) -> Span {
        let start = (self.start + at).min(self.end);
        Span {
            start,
            end: (start + len.max(1)).min(self.end.max(start + 1)),
        }
    }
}

/// A table of the document with where it stands.
#[derive(Clone, Copy)]
pub(crate) struct Table<'t, 'i> {
    pub map: &'t DeTable<'i>,
    pub span: Span,
}

/// A string value, with the span of its content (inside the quotes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Str<'t> {
    pub text: &'t str,
    pub span: Span,
}

/// The reader: the source text (to locate string contents) and the diagnostics so far.
pub(crate) struct Reader<'s> {
    pub source: &'s str,
    pub diags: Vec<Diagnostic>,
}

impl<'s> Reader<'s> {
    pub fn new(source: &'s str) -> Reader<'s> {
        Reader {
            source,
            diags: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>, expected: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(span.range(), message).expected(expected));
    }

    /// Reports every key of `t` not in `allowed`, suggesting the closest one.
    pub fn keys(&mut self, t: Table<'_, '_>, allowed: &[&str], what: &str) {
        for (key, _) in t.map.iter() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let expected = match closest(name, allowed.iter().copied()) {
                    Some(close) => format!(
                        "\"{close}\" (one of {})",
                        quoted_list(allowed.iter().copied())
                    ),
                    None => format!("one of {}", quoted_list(allowed.iter().copied())),
                };
                self.error(
                    Span::of(key),
                    format!("unknown key \"{name}\" in {what}"),
                    expected,
                );
            }
        }
    }

    pub fn get<'t, 'i>(&self, t: Table<'t, 'i>, key: &str) -> Option<&'t Value<'i>> {
        t.map.get(key)
    }

    /// The value at `key`, or an error at the table when it is missing.
    pub fn req<'t, 'i>(
        &mut self,
        t: Table<'t, 'i>,
        key: &str,
        what: &str,
        expected: &str,
    ) -> Option<&'t Value<'i>> {
        let v = t.map.get(key);
        if v.is_none() {
            self.error(
                t.span,
                format!("{what} has no \"{key}\""),
                format!("{key} = {expected}"),
            );
        }
        v
    }

    fn wrong_type(&mut self, v: &Value<'_>, what: &str, expected: &str) {
        self.error(
            Span::of(v),
            format!("{what} is a {}", v.get_ref().type_str()),
            expected.to_string(),
        );
    }

    pub fn table<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
        expected: &str,
    ) -> Option<Table<'t, 'i>> {
        match v.get_ref() {
            DeValue::Table(map) => Some(Table {
                map,
                span: Span::of(v),
            }),
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    pub fn array<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
        expected: &str,
    ) -> Option<&'t DeArray<'i>> {
        match v.get_ref() {
            DeValue::Array(items) => Some(items),
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    pub fn string<'t>(&mut self, v: &'t Value<'_>, what: &str, expected: &str) -> Option<Str<'t>> {
        match v.get_ref() {
            DeValue::String(s) => Some(Str {
                text: s.as_ref(),
                span: self.content_span(Span::of(v)),
            }),
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    /// A string, or a TOML date/time written without quotes (kept as its text).
    pub fn string_or_datetime(
        &mut self,
        v: &Value<'_>,
        what: &str,
        expected: &str,
    ) -> Option<(String, Span)> {
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), self.content_span(Span::of(v)))),
            DeValue::Datetime(d) => Some((d.to_string(), Span::of(v))),
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    pub fn integer(&mut self, v: &Value<'_>, what: &str, expected: &str) -> Option<(i64, Span)> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                let digits = digits
                    .trim_start_matches("0x")
                    .trim_start_matches("0o")
                    .trim_start_matches("0b");
                match i64::from_str_radix(digits, i.radix()) {
                    Ok(n) => Some((n, Span::of(v))),
                    Err(_) => {
                        self.error(
                            Span::of(v),
                            format!("{what} {} is too large", i.as_str()),
                            expected.to_string(),
                        );
                        None
                    }
                }
            }
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    /// A number: an integer or a float.
    pub fn number(&mut self, v: &Value<'_>, what: &str, expected: &str) -> Option<(f64, Span)> {
        match v.get_ref() {
            DeValue::Integer(_) => self.integer(v, what, expected).map(|(n, s)| (n as f64, s)),
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some((x, Span::of(v))),
                _ => {
                    self.error(
                        Span::of(v),
                        format!("{what} {} is not a finite number", f.as_str()),
                        expected.to_string(),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, what, expected);
                None
            }
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    pub fn strings<'t>(&mut self, v: &'t Value<'_>, what: &str, expected: &str) -> Vec<Str<'t>> {
        match v.get_ref() {
            DeValue::String(_) => self.string(v, what, expected).into_iter().collect(),
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| self.string(item, what, expected))
                .collect(),
            _ => {
                self.wrong_type(v, what, expected);
                Vec::new()
            }
        }
    }

    /// The span of a string's content: inside its quotes (escapes aside).
    fn content_span(&self, whole: Span) -> Span {
        let rest = self.source.get(whole.start..).unwrap_or("");
        let quote = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            3
        } else if rest.starts_with('"') || rest.starts_with('\'') {
            1
        } else {
            0
        };
        Span {
            start: (whole.start + quote).min(whole.end),
            end: whole
                .end
                .saturating_sub(quote)
                .max(whole.start + quote)
                .min(whole.end),
        }
    }
}
