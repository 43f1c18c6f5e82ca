//! What changed between two agreement versions, by meaning rather than by
//! line: parties, stages, segments, calendars, goals, guarantees and the rest
//! added, removed, or changed field by field ("goal mql-volume: target 400 →
//! 450"). Comments, key order, quoting and layout do not count as changes.
//!
//! Items are matched by their id (a table's key, or an array entry's `id`),
//! so moving a goal down the file is no change and renaming it is one goal
//! removed and another added. The text diff (`crate::diff`) stays the
//! exact record; this is the summary people read.

use std::collections::BTreeMap;
use std::fmt;

use toml::de::{DeTable, DeValue};

/// One item added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What kind of item: `goal`, `guarantee`, `party`, `calendar`, `stage`, ...
    pub kind: String,
    /// Its id (empty for the one-of-a-kind sections such as `agreement`).
    pub id: String,
    /// What happened to it.
    pub what: ChangeKind,
}

/// What happened to an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with these fields different.
    Changed(Vec<FieldChange>),
}

/// One field of a changed item: its dotted path, and its value before and
/// after (`None` where it was absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// e.g. `target`, `contact.email`, `holidays.country`.
    pub field: String,
    /// The old value, as written in the file.
    pub from: Option<String>,
    /// The new value.
    pub to: Option<String>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "definition"
        } else {
            &self.field
        };
        match (&self.from, &self.to) {
            (Some(a), Some(b)) => write!(f, "{field} {a} → {b}"),
            (None, Some(b)) => write!(f, "{field} set to {b}"),
            (Some(a), None) => write!(f, "{field} removed (was {a})"),
            (None, None) => write!(f, "{field}"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.id.is_empty() {
            self.kind.clone()
        } else {
            format!("{} {}", self.kind, self.id)
        };
        match &self.what {
            ChangeKind::Added => write!(f, "{name} added"),
            ChangeKind::Removed => write!(f, "{name} removed"),
            ChangeKind::Changed(fields) => {
                let parts: Vec<String> = fields.iter().map(ToString::to_string).collect();
                write!(f, "{name}: {}", parts.join("; "))
            }
        }
    }
}

/// A version that is not TOML (stored versions always are: they were checked).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("version {which} is not a TOML document: {message}")]
pub struct ChangesError {
    /// `old` or `new`.
    pub which: &'static str,
    /// The parser's words.
    pub message: String,
}

/// The changes from `old` to `new`, in the file's order of sections, each
/// kind's items by id.
///
/// # Errors
/// [`ChangesError`] when either text is not TOML.
///
/// # Example
/// ```
/// use handshake_core::agreement::changes::changes;
/// let old = "[[goals]]\nid = \"mql-volume\"\ntarget = 400\nper = \"month\"\n";
/// let new = "# raised in March\n[[goals]]\nper = \"month\"\nid = \"mql-volume\"\ntarget = 450\n";
/// let found = changes(old, new)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].to_string(), "goal mql-volume: target 400 → 450");
/// # Ok::<(), handshake_core::agreement::changes::ChangesError>(())
/// ```
pub fn changes(old: &str, new: &str) -> Result<Vec<Change>, ChangesError> {
    let parse = |which: &'static str, text: &str| {
        DeTable::parse(text)
            .map(|t| items(t.get_ref()))
            .map_err(|e| ChangesError {
                which,
                message: e.message().to_owned(),
            })
    };
    let (a, b) = (parse("old", old)?, parse("new", new)?);
    let mut keys: Vec<&(usize, String, String)> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let (_, kind, id) = key;
        let what = match (a.get(key), b.get(key)) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(x), Some(y)) => {
                let mut fields: Vec<&String> = x.keys().chain(y.keys()).collect();
                fields.sort();
                fields.dedup();
                let changed: Vec<FieldChange> = fields
                    .into_iter()
                    .filter(|f| x.get(*f) != y.get(*f))
                    .map(|f| FieldChange {
                        field: f.clone(),
                        from: x.get(f).cloned(),
                        to: y.get(f).cloned(),
                    })
                    .collect();
                if changed.is_empty() {
                    continue;
                }
                ChangeKind::Changed(changed)
            }
            (None, None) => continue,
        };
        out.push(Change {
            kind: kind.clone(),
            id: id.clone(),
            what,
        });
    }
    Ok(out)
}

/// Each item (section order, kind, id) with its fields flattened.
type Items = BTreeMap<(usize, String, String), BTreeMap<String, String>>;

/// The order sections are reported in, and each one's item word.
const SECTIONS: [(&str, &str); 14] = [
    ("agreement", "agreement"),
    ("parties", "party"),
    ("stages", "stage"),
    ("rejection_reasons", "rejection reason"),
    ("segments", "segment"),
    ("calendars", "calendar"),
    ("goals", "goal"),
    ("guarantees", "guarantee"),
    ("requests", "request"),
    ("alerts", "alert"),
    ("consequences", "consequence"),
    ("cancellation", "cancellation"),
    ("queue", "queue"),
    ("scoring", "scoring"),
];

/// Tables whose entries are single values, each entry an item.
const VALUE_MAPS: [&str; 2] = ["stages", "rejection_reasons"];

fn items(doc: &DeTable<'_>) -> Items {
    let mut out = Items::new();
    for (key, value) in doc.iter() {
        let key = key.get_ref().as_ref();
        let (order, word) = SECTIONS
            .iter()
            .enumerate()
            .find(|(_, (k, _))| *k == key)
            .map_or((SECTIONS.len(), key), |(i, (_, w))| (i, *w));
        let mut add = |id: String, fields: BTreeMap<String, String>| {
            out.insert((order, word.to_owned(), id), fields);
        };
        match value.get_ref() {
            DeValue::Table(t) if VALUE_MAPS.contains(&key) => {
                for (id, v) in t.iter() {
                    add(
                        id.get_ref().to_string(),
                        BTreeMap::from([(String::new(), render(v.get_ref()))]),
                    );
                }
            }
            DeValue::Table(t)
                if !t.is_empty()
                    && t.iter()
                        .all(|(_, v)| matches!(v.get_ref(), DeValue::Table(_))) =>
            {
                for (id, v) in t.iter() {
                    let mut fields = BTreeMap::new();
                    flatten("", v.get_ref(), &mut fields);
                    add(id.get_ref().to_string(), fields);
                }
            }
            DeValue::Array(entries)
                if entries
                    .iter()
                    .all(|e| matches!(e.get_ref(), DeValue::Table(_))) =>
            {
                for (n, e) in entries.iter().enumerate() {
                    let mut fields = BTreeMap::new();
                    flatten("", e.get_ref(), &mut fields);
                    let id = fields.remove("id").unwrap_or_else(|| (n + 1).to_string());
                    add(id, fields);
                }
            }
            other => {
                let mut fields = BTreeMap::new();
                flatten("", other, &mut fields);
                add(String::new(), fields);
            }
        }
    }
    out
}

/// Nested tables into dotted paths; everything else rendered as one value.
fn flatten(prefix: &str, value: &DeValue<'_>, out: &mut BTreeMap<String, String>) {
    match value {
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                let path = if prefix.is_empty() {
                    k.get_ref().to_string()
                } else {
                    format!("{prefix}.{}", k.get_ref())
                };
                flatten(&path, v.get_ref(), out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), render(other));
        }
    }
}

/// A value as a reader would write it: strings bare, lists bracketed.
fn render(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().replace('_', ""),
        DeValue::Float(f) => f.as_str().replace('_', ""),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(items) => {
            let inner: Vec<String> = items.iter().map(|i| render(i.get_ref())).collect();
            format!("[{}]", inner.join(", "))
        }
        DeValue::Table(t) => {
            let inner: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{} = {}", k.get_ref(), render(v.get_ref())))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(old: &str, new: &str) -> Vec<String> {
        changes(old, new)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn layout_comments_and_order_are_no_change() {
        let old =
            "[agreement]\nname = \"A\"\ntime_zone = \"UTC\"\n[stages]\nmql = \"x\"\nsql = \"y\"\n";
        let new = "# note\n[stages]\nsql = 'y'\nmql = \"x\"\n\n[agreement]\ntime_zone = \"UTC\"\nname = \"A\"\n";
        assert_eq!(said(old, new), Vec::<String>::new());
    }

    #[test]
    fn items_added_removed_and_changed_by_field() {
        let old = r#"
[parties.sales]
name = "Sales"
contact = { name = "Sam", email = "sam@x.example" }
[stages]
mql = "Fits the profile"
[calendars.ny]
time_zone = "America/New_York"
holidays = { country = "US", years = "2027" }
[[goals]]
id = "mql-volume"
target = 400
[[guarantees]]
id = "first-touch"
within = "4 business hours"
"#;
        let new = r#"
[parties.sales]
name = "Sales"
contact = { name = "Ana", email = "sam@x.example" }
[stages]
mql = "Fits the profile and asked for a demo"
[calendars.ny]
time_zone = "America/New_York"
holidays = { country = "US", subdivision = "NY", years = "2027" }
[[goals]]
id = "mql-volume"
target = 450
[[goals]]
id = "acceptance"
target = "80%"
"#;
        assert_eq!(
            said(old, new),
            [
                "party sales: contact.name Sam → Ana",
                "stage mql: definition Fits the profile → Fits the profile and asked for a demo",
                "calendar ny: holidays.subdivision set to NY",
                "goal acceptance added",
                "goal mql-volume: target 400 → 450",
                "guarantee first-touch removed",
            ]
        );
    }

    #[test]
    fn entries_without_an_id_are_matched_by_position() {
        let old = "[[consequences]]\nwhen = \"goal_missed\"\nperiods = 2\n";
        let new = "[[consequences]]\nwhen = \"goal_missed\"\nperiods = 3\n[[consequences]]\nwhen = \"breach\"\n";
        assert_eq!(
            said(old, new),
            ["consequence 1: periods 2 → 3", "consequence 2 added"]
        );
    }

    #[test]
    fn a_broken_version_is_named() {
        let e = changes("x = 1", "x = ").unwrap_err();
        assert_eq!(e.which, "new");
    }
}
