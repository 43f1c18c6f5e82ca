//! The stretch a report covers ([`Range`]: `from` inclusive, `to`
//! exclusive), and the typed [`Report`] rendered as a table, Markdown or CSV,
//! or two reports side by side (what-if). Every cell is a text the report
//! already holds or [`super::shown`] makes, the same the pages print.

use jiff::Timestamp;

use super::{GoalResult, GuaranteeLine, PeriodKey, Report};
use crate::agreement::Agreement;

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

    /// Whether goal period `r` overlaps the range: a quarter goal belongs to
    /// the report of each of its months (it showed in the first month only),
    /// and a month's goals to the report of their quarter.
    pub(crate) fn holds(&self, r: &GoalResult, a: &Agreement) -> bool {
        let tz = &a.time_zone.tz;
        r.period.start(tz) < self.to && r.period.end(tz) > self.from
    }
}

/// One guarantee's clocks in words, as the table and the pages print them.
pub fn guarantee_text(g: &GuaranteeLine) -> String {
    let mut text = format!(
        "{} clocks: {} met, {} late, {} breached, {} running ({} at risk)",
        g.clocks, g.met, g.met_late, g.breached, g.running, g.at_risk
    );
    if g.not_measurable > 0 {
        text.push_str(&format!(
            ", {} {}: no event that could stop them has arrived from any source",
            g.not_measurable,
            super::NOT_MEASURABLE
        ));
    }
    text
}

/// The report as rows: one header row and one row per guarantee and goal.
fn rows(report: &Report) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "kind", "id", "period", "owner", "target", "actual", "status",
    ];
    let mut out = Vec::new();
    for g in &report.guarantees {
        out.push(vec![
            "guarantee".into(),
            g.id.clone(),
            String::new(),
            String::new(),
            String::new(),
            guarantee_text(g),
            format!("compliance {}", g.compliance_text()),
        ]);
    }
    for g in &report.goals {
        out.push(vec![
            "goal".into(),
            g.id.clone(),
            g.period.clone(),
            g.owner.clone(),
            g.target_text.clone(),
            g.actual_text.clone(),
            g.status.words().into(),
        ]);
    }
    (head, out)
}

/// The report's title line: agreement, range and instant.
fn title(report: &Report) -> String {
    format!("{} to {} (as of {})", report.from, report.to, report.as_of)
}

/// The report as an aligned text table, with findings underneath.
pub fn to_table(report: &Report) -> String {
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
    let mut out = format!("{} - {}\n\n", report.agreement.name, title(report));
    out += &line(head.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out += &line(r);
    }
    out += &footer(report, "");
    out
}

/// The report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    let (head, rows) = rows(report);
    let mut out = format!(
        "# {}\n\n{}\n\n| {} |\n|{}|\n",
        report.agreement.name,
        title(report),
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
pub fn to_csv_rows(report: &Report) -> (Vec<&'static str>, Vec<Vec<String>>) {
    rows(report)
}

fn footer(report: &Report, bullet: &str) -> String {
    let mut out = String::new();
    if !report.findings.is_empty() {
        out += "\nFindings:\n";
        for f in &report.findings {
            out += &format!("{bullet}{f}\n");
        }
    }
    for c in &report.consequences {
        out += &format!("{bullet}Consequence: {c}\n");
    }
    if let Some(c) = &report.cancellation {
        out += &format!("{bullet}{c}\n");
    }
    if !report.requests.is_empty() {
        out += "\nRequests:\n";
        for line in report.requests.iter().flat_map(|r| r.texts()) {
            out += &format!("{bullet}{line}\n");
        }
    }
    if !report.owners.is_empty() {
        out += "\nClocks by owner (lead guarantees, started in the range):\n";
        for o in &report.owners {
            out += &format!("{bullet}{}: {}\n", o.guarantee, o.text());
        }
    }
    let mut shown: Vec<&str> = Vec::new();
    for g in report
        .goals
        .iter()
        .filter(|g| !g.outside_figures.is_empty())
    {
        if shown.contains(&g.id.as_str()) {
            continue;
        }
        shown.push(&g.id);
        out += &format!("\nGoal {}: {}:\n", g.id, super::OUTSIDE_LABEL);
        for f in &g.outside_figures {
            out += &format!("{bullet}{}. {} ({})\n", f.finding, f.source, f.url);
        }
    }
    if report.inferred_events > 0 {
        out += &format!(
            "\n{} of {} events are inferred from snapshot exports.\n",
            report.inferred_events, report.events
        );
    }
    out
}

/// One row of two reports side by side: what, the active version's
/// reading, the draft's, and whether they differ.
#[derive(Clone, Debug, PartialEq)]
pub struct SideBySide {
    /// `guarantee <id>` or `goal <id> <period>`.
    pub what: String,
    /// The active version's reading.
    pub active: String,
    /// The draft's reading.
    pub draft: String,
}

impl SideBySide {
    /// Whether the draft reads differently from the active version.
    pub fn changed(&self) -> bool {
        self.active != self.draft
    }
}

/// Two reports (active and draft) side by side: one row per guarantee and
/// per goal period, as the CLI and the what-if page print them.
pub fn side_by_side_rows(active: &Report, draft: &Report) -> Vec<SideBySide> {
    let absent = || "(not in this version)".to_string();
    let mut out = Vec::new();
    let mut ids: Vec<&str> = Vec::new();
    for side in [active, draft] {
        for g in &side.guarantees {
            if !ids.contains(&g.id.as_str()) {
                ids.push(&g.id);
            }
        }
    }
    for id in ids {
        let show = |r: &Report| {
            r.guarantees
                .iter()
                .find(|g| g.id == id)
                .map_or_else(absent, |g| {
                    format!(
                        "{} clocks, {} in time, {} breached",
                        g.clocks,
                        g.compliance_text(),
                        g.breached
                    )
                })
        };
        out.push(SideBySide {
            what: format!("guarantee {id}"),
            active: show(active),
            draft: show(draft),
        });
    }
    let mut goals: Vec<(&str, &str)> = Vec::new();
    for side in [active, draft] {
        for g in &side.goals {
            let key = (g.id.as_str(), g.period.as_str());
            if !goals.contains(&key) {
                goals.push(key);
            }
        }
    }
    for (id, period) in goals {
        let show = |r: &Report| {
            r.goals
                .iter()
                .find(|g| g.id == id && g.period == period)
                .map_or_else(absent, |g| {
                    format!(
                        "{} of {} {}",
                        g.actual_text,
                        g.target_text,
                        g.status.words()
                    )
                })
        };
        out.push(SideBySide {
            what: format!("goal {id} {period}"),
            active: show(active),
            draft: show(draft),
        });
    }
    out
}

/// Two reports (active and draft) side by side, as aligned text.
pub fn side_by_side(active: &Report, draft: &Report) -> String {
    let mut out = format!("what-if: {}\n\n", title(active));
    out += &format!("{:<36} {:<28} {:<28}\n", "", "active", "draft");
    for r in side_by_side_rows(active, draft) {
        out += &format!("{:<36} {:<28} {:<28}\n", r.what, r.active, r.draft);
    }
    out
}

/// Two reports (active and draft) side by side, as a Markdown table.
pub fn side_by_side_markdown(active: &Report, draft: &Report) -> String {
    let mut out = format!(
        "# What if: {}\n\n{}\n\n| | active | draft |\n|---|---|---|\n",
        draft.agreement.name,
        title(active)
    );
    for r in side_by_side_rows(active, draft) {
        out += &format!("| {} | {} | {} |\n", r.what, r.active, r.draft);
    }
    out
}
