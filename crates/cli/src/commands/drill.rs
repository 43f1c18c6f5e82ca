//! `handshake report --goal`: the rows behind one goal's number in one
//! period, from the core's drill-down, with the server's columns
//! ([`handshake_server::drill`]) so the terminal, the CSV, the API and the
//! dashboard's list say the same thing.

use std::fmt::Write as _;

use anyhow::Context;
use handshake_core::Agreement;
use handshake_core::engine::{GoalLine, Live, PeriodKey};
use handshake_core::lead::RecordUrl;
use handshake_server::drill::{self, DrillFilter, GoalRows};
use jiff::Timestamp;

use crate::cli::ReportArgs;

/// Prints goal `goal`'s rows in `period`, folded in `live`, as `args` asks;
/// `a` is the latest version (the one a missing goal is explained by).
///
/// # Errors
/// A goal with no number in the period, a bad filter or CRM pattern, or a
/// format that is not table, json or csv.
pub fn print(
    live: &mut Live,
    a: &Agreement,
    at: Timestamp,
    goal: &str,
    period: PeriodKey,
    args: &ReportArgs,
) -> anyhow::Result<()> {
    let filter = DrillFilter::parse(args.owner.as_deref(), args.counted.as_deref())
        .map_err(|e| anyhow::anyhow!("--counted: {e}"))?;
    let crm = args
        .crm_record_url
        .as_deref()
        .map(RecordUrl::parse)
        .transpose()
        .context("--crm-record-url")?;
    anyhow::ensure!(
        matches!(args.format.as_str(), "table" | "json" | "csv"),
        "--format {} is for the whole report; a goal's rows come as table, json or csv",
        args.format
    );
    let Some((result, rows)) = live.goal_rows(at, goal, period) else {
        anyhow::bail!("{}", drill::no_goal_period(a, goal, &period.to_string()));
    };
    let kept = filter.kept(&rows);
    // Every row on one page: the API's shape, without its 500-row pages.
    let listed = GoalRows::page(
        GoalLine::new(a, &result),
        &rows,
        &kept,
        crm.as_ref(),
        1,
        usize::MAX,
    );
    match args.format.as_str() {
        "json" => super::emit(&format!("{}\n", serde_json::to_string_pretty(&listed)?)),
        "csv" => super::emit(&String::from_utf8(drill::csv(&listed.rows)?)?),
        _ => super::emit(&table(&listed, a)),
    }
    Ok(())
}

/// The rows as an aligned table under a heading with the number.
fn table(listed: &GoalRows, a: &Agreement) -> String {
    let (line, lines) = (&listed.goal, &listed.rows);
    let mut out = format!(
        "{} · {} ({}): {} against {} · {}\n",
        line.id,
        line.period,
        line.owner,
        line.actual_text,
        line.target_text,
        line.status.words()
    );
    if let Some(g) = a.goals.iter().find(|g| g.id.as_str() == line.id) {
        let _ = writeln!(out, "{}", drill::explained(&g.metric));
    }
    let rows = if listed.total == 1 { "row" } else { "rows" };
    let shown = if listed.matched == listed.total {
        format!("{} {rows}\n", listed.total)
    } else {
        format!("{} of {} {rows}\n", listed.matched, listed.total)
    };
    out.push_str(&shown);
    if lines.is_empty() {
        return out;
    }
    let cells: Vec<[String; 4]> = lines
        .iter()
        .map(|l| {
            [
                match &l.name {
                    Some(n) => format!("{} {n}", l.lead),
                    None => l.lead.clone(),
                },
                l.at.clone(),
                l.owner.clone().unwrap_or_else(|| "(no owner)".into()),
                match &l.crm_url {
                    Some(u) => format!("{} · {u}", l.detail),
                    None => l.detail.clone(),
                },
            ]
        })
        .collect();
    let head = ["lead", "at", "owner", "detail"];
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c[i].chars().count())
            .chain([head[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    for row in std::iter::once(head.map(String::from)).chain(cells) {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    out
}
