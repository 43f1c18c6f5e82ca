//! The report of an evaluation over a stretch of time, as JSON (documented in
//! docs/report.md) and as a table, Markdown or CSV. Rates are fractions from
//! 0 to 1, null when there is nothing to measure; periods are written
//! `2026-10`, `2026-Q4`, `2026`; `from` is inclusive and `to` exclusive.

use jiff::Timestamp;
use serde_json::Value;

use super::{Evaluation, GoalResult, PeriodKey};
use crate::agreement::{Agreement, Period};

/// The stretch a report covers, and how it was asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// First instant (inclusive).
    pub from: Timestamp,
    /// Last instant (exclusive).
    pub to: Timestamp,
    /// The period asked for, when one was.
    pub period: Option<PeriodKey>,
}

impl Range {
    /// The range of one period in the agreement's zone.
    pub fn period(p: PeriodKey, a: &Agreement) -> Range {
        Range {
            from: p.start(&a.time_zone.tz),
            to: p.end(&a.time_zone.tz),
            period: Some(p),
        }
    }

    pub(crate) fn holds(&self, r: &GoalResult, a: &Agreement) -> bool {
        let tz = &a.time_zone.tz;
        let (ps, pe) = (r.period.start(tz), r.period.end(tz));
        ps < self.to
            && pe > self.from
            && (ps >= self.from
                || (pe >= self.to
                    && self
                        .period
                        .is_none_or(|p| p.kind != Period::Month || r.period.kind == Period::Month)))
    }
}

/// The report as JSON: [`super::Report`] serialized.
pub fn to_json(e: &Evaluation, a: &Agreement, range: Range, version: Option<i64>) -> Value {
    // Plain structs of strings and numbers: serializing them cannot fail.
    serde_json::to_value(super::Report::new(e, a, range, version)).unwrap_or(Value::Null)
}

/// A rate as a percentage with one decimal, so a small change shows.
fn rate(v: &Value) -> String {
    v.as_f64()
        .map_or("n/a".to_string(), |r| format!("{:.1}%", r * 100.0))
}

fn cell(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{} {}",
            m.get("amount").and_then(Value::as_str).unwrap_or(""),
            m.get("currency").and_then(Value::as_str).unwrap_or("")
        ),
        Value::String(s) => s.clone(),
        Value::Null => "n/a".into(),
        other => other.to_string(),
    }
}

fn goal_value(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if f.fract() != 0.0 || (0.0..=1.0).contains(&f) && !v.is_u64() => {
            format!("{:.1}%", f * 100.0)
        }
        _ => cell(v),
    }
}

/// A goal's actual as it reads beside its target: a duration actual
/// (business seconds) in the target's own unit, e.g. "1.8 business hours"
/// beside "2 business hours"; anything else as [`goal_value`] has it.
fn goal_actual(g: &Value) -> String {
    let (Some(target), Some(seconds)) = (g["target"].as_str(), g["actual"].as_f64()) else {
        return goal_value(&g["actual"]);
    };
    let business = if target.contains("business") {
        "business "
    } else {
        ""
    };
    let (per, unit) = if target.contains("minute") {
        (60.0, "minutes")
    } else if target.contains("second") {
        (1.0, "seconds")
    } else {
        // Hours, and days shown as hours: a business day's length is the
        // calendar's, which the report does not carry.
        (3600.0, "hours")
    };
    format!("{:.1} {business}{unit}", seconds / per)
}

/// How a goal stands: attained or missed once its period has closed, on
/// track or behind while it is open.
fn goal_status(g: &Value) -> &'static str {
    match (g["attained"].as_bool(), g["closed"].as_bool()) {
        (Some(true), Some(true)) => "attained",
        (Some(false), Some(true)) => "missed",
        (Some(true), _) => "on track",
        (Some(false), _) => "behind (period open)",
        (None, _) => "nothing to measure",
    }
}

/// The report as rows: one header row and one row per guarantee and goal.
fn rows(report: &Value) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "kind", "id", "period", "owner", "target", "actual", "status",
    ];
    let mut out = Vec::new();
    for g in report["guarantees"].as_array().into_iter().flatten() {
        out.push(vec![
            "guarantee".into(),
            cell(&g["id"]),
            String::new(),
            String::new(),
            String::new(),
            format!(
                "{} clocks: {} met, {} late, {} breached, {} running ({} at risk)",
                g["clocks"], g["met"], g["met_late"], g["breached"], g["running"], g["at_risk"]
            ),
            format!("compliance {}", rate(&g["compliance"])),
        ]);
    }
    for g in report["goals"].as_array().into_iter().flatten() {
        let status = goal_status(g);
        let actual = if g["target"].is_string() {
            // A duration target: the actual is business seconds.
            super::Actual::Duration(g["actual"].as_f64()).to_string()
        } else {
            goal_value(&g["actual"])
        };
        out.push(vec![
            "goal".into(),
            cell(&g["id"]),
            cell(&g["period"]),
            cell(&g["owner"]),
            goal_value(&g["target"]),
            actual,
            status.into(),
        ]);
    }
    (head, out)
}

/// The report as an aligned text table, with findings underneath.
pub fn to_table(report: &Value) -> String {
    let (head, rows) = rows(report);
    let mut widths: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
            + "\n"
    };
    let mut out = format!(
        "{} - {} to {} (as of {})\n\n",
        report["agreement"]["name"].as_str().unwrap_or(""),
        cell(&report["from"]),
        cell(&report["to"]),
        cell(&report["as_of"])
    );
    out += &line(head.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out += &line(r);
    }
    out += &footer(report, "");
    out
}

/// The report as Markdown.
pub fn to_markdown(report: &Value) -> String {
    let (head, rows) = rows(report);
    let mut out = format!(
        "# {}\n\n{} to {} (as of {})\n\n| {} |\n|{}|\n",
        report["agreement"]["name"].as_str().unwrap_or(""),
        cell(&report["from"]),
        cell(&report["to"]),
        cell(&report["as_of"]),
        head.join(" | "),
        head.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for r in rows {
        out += &format!("| {} |\n", r.join(" | "));
    }
    out += "\n";
    out += &footer(report, "- ");
    out
}

/// The report as CSV rows (the same columns as the table).
pub fn to_csv_rows(report: &Value) -> (Vec<&'static str>, Vec<Vec<String>>) {
    rows(report)
}

fn footer(report: &Value, bullet: &str) -> String {
    let mut out = String::new();
    let list = |key: &str| report[key].as_array().cloned().unwrap_or_default();
    let findings = list("findings");
    if !findings.is_empty() {
        out += "\nFindings:\n";
        for f in findings {
            out += &format!("{bullet}{}\n", cell(&f));
        }
    }
    for c in list("consequences") {
        out += &format!("{bullet}Consequence: {}\n", cell(&c));
    }
    if let Some(c) = report["cancellation"].as_str() {
        out += &format!("{bullet}{c}\n");
    }
    let inferred = report["inferred_events"].as_u64().unwrap_or(0);
    if inferred > 0 {
        out += &format!(
            "\n{inferred} of {} events are inferred from snapshot exports.\n",
            report["events"]
        );
    }
    out
}

/// Two reports (active and draft) side by side: one row per guarantee and
/// per goal period, `(what, active, draft)`.
pub fn side_by_side_rows(active: &Value, draft: &Value) -> Vec<(String, String, String)> {
    let find = |list: &Value, id: &Value, period: &Value| -> Option<Value> {
        list.as_array()?
            .iter()
            .find(|x| &x["id"] == id && (period.is_null() || &x["period"] == period))
            .cloned()
    };
    let absent = || "(not in this version)".to_string();
    let mut out = Vec::new();
    let mut ids: Vec<Value> = Vec::new();
    for side in [active, draft] {
        for g in side["guarantees"].as_array().into_iter().flatten() {
            if !ids.contains(&g["id"]) {
                ids.push(g["id"].clone());
            }
        }
    }
    for id in &ids {
        let show = |r: Option<Value>| {
            r.map_or_else(absent, |g| {
                format!("{} clocks, {} in time", g["clocks"], rate(&g["compliance"]))
            })
        };
        out.push((
            format!("guarantee {}", cell(id)),
            show(find(&active["guarantees"], id, &Value::Null)),
            show(find(&draft["guarantees"], id, &Value::Null)),
        ));
    }
    let mut goals: Vec<(Value, Value)> = Vec::new();
    for side in [active, draft] {
        for g in side["goals"].as_array().into_iter().flatten() {
            let key = (g["id"].clone(), g["period"].clone());
            if !goals.contains(&key) {
                goals.push(key);
            }
        }
    }
    for (id, period) in &goals {
        let show = |r: Option<Value>| {
            r.map_or_else(absent, |g| {
                format!(
                    "{} of {} {}",
                    goal_actual(&g),
                    goal_value(&g["target"]),
                    goal_status(&g)
                )
            })
        };
        out.push((
            format!("goal {} {}", cell(id), cell(period)),
            show(find(&active["goals"], id, period)),
            show(find(&draft["goals"], id, period)),
        ));
    }
    out
}

/// Two reports (active and draft) side by side, as aligned text.
pub fn side_by_side(active: &Value, draft: &Value) -> String {
    let mut out = format!(
        "what-if: {} to {} (as of {})\n\n",
        cell(&active["from"]),
        cell(&active["to"]),
        cell(&active["as_of"])
    );
    out += &format!("{:<36} {:<28} {:<28}\n", "", "active", "draft");
    for (what, a, d) in side_by_side_rows(active, draft) {
        out += &format!("{what:<36} {a:<28} {d:<28}\n");
    }
    out
}

/// Two reports (active and draft) side by side, as a Markdown table.
pub fn side_by_side_markdown(active: &Value, draft: &Value) -> String {
    let mut out = format!(
        "# What if: {}\n\n{} to {} (as of {})\n\n| | active | draft |\n|---|---|---|\n",
        draft["agreement"]["name"].as_str().unwrap_or(""),
        cell(&active["from"]),
        cell(&active["to"]),
        cell(&active["as_of"])
    );
    for (what, a, d) in side_by_side_rows(active, draft) {
        out += &format!("| {what} | {a} | {d} |\n");
    }
    out
}
