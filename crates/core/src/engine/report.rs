//! The report of an evaluation over a stretch of time, as JSON (documented in
//! docs/report.md) and as a table, Markdown or CSV. Rates are fractions from
//! 0 to 1, null when there is nothing to measure; periods are written
//! `2026-10`, `2026-Q4`, `2026`; `from` is inclusive and `to` exclusive.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Actual, Evaluation, GoalResult, PeriodKey};
use crate::agreement::{Agreement, Period, Target};

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

    fn holds(&self, r: &GoalResult, a: &Agreement) -> bool {
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

fn target_json(t: &Target) -> Value {
    match t {
        Target::Count(n) => json!(n),
        Target::Money { minor, currency } => {
            json!({ "amount": minor_text(*minor), "currency": currency })
        }
        Target::Rate(bp) => json!(f64::from(*bp) / 10_000.0),
        Target::Duration(d) => json!(d.to_string()),
    }
}

fn minor_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

fn actual_json(a: &Actual) -> Value {
    match a {
        Actual::Count(n) => json!(n),
        Actual::Money { minor, currency } => {
            json!({ "amount": minor_text(*minor), "currency": currency })
        }
        Actual::Rate(r) => json!(r),
        Actual::Duration(d) => json!(d),
    }
}

/// The report as JSON.
pub fn to_json(e: &Evaluation, a: &Agreement, range: Range, version: Option<i64>) -> Value {
    let (from, to) = (range.from.as_second(), range.to.as_second());
    let guarantees: Vec<Value> = e
        .guarantee_summaries(a, from, to)
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id, "clocks": s.clocks, "met": s.met, "met_late": s.met_late, "breached": s.breached,
                "running": s.running, "paused": s.paused, "at_risk": s.at_risk, "compliance": s.compliance,
            })
        })
        .collect();
    let goals: Vec<Value> = e
        .goals
        .iter()
        .filter(|r| range.holds(r, a))
        .map(|r| {
            json!({
                "id": r.id, "owner": r.owner, "period": r.period.to_string(), "target": target_json(&r.target),
                "actual": actual_json(&r.actual), "attained": r.attained, "closed": r.closed,
            })
        })
        .collect();
    let period = range
        .period
        .unwrap_or_else(|| PeriodKey::containing(Period::Month, range.from, &a.time_zone.tz));
    let findings: Vec<Value> = e
        .findings(a, period)
        .into_iter()
        .map(|f| json!(f.text))
        .collect();
    let sources: Vec<Value> = e
        .sources
        .iter()
        .map(|q| {
            let decided = q.accepted + q.rejected;
            json!({
                "source": q.source, "leads": q.leads, "mqls": q.mqls, "accepted": q.accepted, "rejected": q.rejected,
                "acceptance": (decided > 0).then(|| q.accepted as f64 / decided as f64),
                "sqls": q.sqls, "conversion": (q.mqls > 0).then(|| q.sqls as f64 / q.mqls as f64), "won": q.won,
                "rejection_reasons": q.rejection_reasons.iter().map(|(r, n)| json!({"reason": r, "count": n})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "agreement": { "name": a.name, "version": version },
        "as_of": e.as_of.to_string(),
        "from": range.from.to_string(),
        "to": range.to.to_string(),
        "period": range.period.map(|p| p.to_string()),
        "guarantees": guarantees,
        "goals": goals,
        "streaks": e.streaks.iter().map(|s| json!({"goal": s.goal, "missed_in_a_row": s.missed_in_a_row})).collect::<Vec<_>>(),
        "consequences": e.consequences,
        "cancellation": e.cancellation,
        "findings": findings,
        "sources": sources,
        "scoring": e.scoring.as_ref().map(|d| json!({
            "handed_below_threshold": d.handed_below_threshold,
            "above_threshold_not_handed": d.above_threshold_not_handed,
        })),
        "events": e.events,
        "inferred_events": e.inferred_events,
    })
}

fn rate(v: &Value) -> String {
    v.as_f64()
        .map_or("n/a".to_string(), |r| format!("{:.0}%", r * 100.0))
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
            format!("{:.0}%", f * 100.0)
        }
        _ => cell(v),
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
        let status = match (g["attained"].as_bool(), g["closed"].as_bool()) {
            (Some(true), Some(true)) => "attained",
            (Some(false), Some(true)) => "missed",
            (Some(true), _) => "on track",
            (Some(false), _) => "behind (period open)",
            (None, _) => "nothing to measure",
        };
        let actual = if g["target"].is_string() {
            // A duration target: the actual is business seconds.
            g["actual"].as_i64().map_or("n/a".to_string(), |s| {
                format!("{}h{:02}m", s / 3600, s / 60 % 60)
            })
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

/// Two reports (active and draft) side by side, guarantee by guarantee and goal by goal.
pub fn side_by_side(active: &Value, draft: &Value) -> String {
    let mut out = format!(
        "what-if: {} to {} (as of {})\n\n",
        cell(&active["from"]),
        cell(&active["to"]),
        cell(&active["as_of"])
    );
    out += &format!("{:<36} {:<28} {:<28}\n", "", "active", "draft");
    let find = |list: &Value, id: &Value, period: &Value| -> Option<Value> {
        list.as_array()?
            .iter()
            .find(|x| &x["id"] == id && (period.is_null() || &x["period"] == period))
            .cloned()
    };
    let mut ids: Vec<(Value, Value)> = Vec::new();
    for side in [active, draft] {
        for g in side["guarantees"].as_array().into_iter().flatten() {
            if !ids.contains(&(g["id"].clone(), Value::Null)) {
                ids.push((g["id"].clone(), Value::Null));
            }
        }
    }
    for (id, _) in &ids {
        let show = |r: Option<Value>| {
            r.map_or("(not in this version)".to_string(), |g| {
                format!("{} clocks, {} in time", g["clocks"], rate(&g["compliance"]))
            })
        };
        out += &format!(
            "{:<36} {:<28} {:<28}\n",
            format!("guarantee {}", cell(id)),
            show(find(&active["guarantees"], id, &Value::Null)),
            show(find(&draft["guarantees"], id, &Value::Null))
        );
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
            r.map_or("(not in this version)".to_string(), |g| {
                let status = match g["attained"].as_bool() {
                    Some(true) => "attained",
                    Some(false) => "missed",
                    None => "n/a",
                };
                format!(
                    "{} of {} {status}",
                    goal_value(&g["actual"]),
                    goal_value(&g["target"])
                )
            })
        };
        out += &format!(
            "{:<36} {:<28} {:<28}\n",
            format!("goal {} {}", cell(id), cell(period)),
            show(find(&active["goals"], id, period)),
            show(find(&draft["goals"], id, period))
        );
    }
    out
}
