//! `handshake report` and `handshake whatif`: the active agreement (or a
//! draft) evaluated against the workspace's events, for a stretch of time.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use handshake_core::agreement::Agreement;
use handshake_core::engine::report::{self, Range};
use handshake_core::engine::{Live, PeriodKey, Report};
use jiff::Timestamp;

use crate::cli::{Global, RangeArgs, ReportArgs};

/// Every applied version, each in force from when it was applied, and the latest's number.
async fn versions(
    store: &handshake_store::Store,
    ws: &handshake_store::Workspace,
) -> anyhow::Result<(Vec<(Timestamp, Agreement)>, i64)> {
    store.agreement_history(ws).await?.with_context(|| {
        format!(
            "no agreement applied in workspace \"{}\"; apply one with `handshake apply FILE`",
            ws.as_str()
        )
    })
}

fn as_of(args: &RangeArgs) -> anyhow::Result<Timestamp> {
    match &args.as_of {
        None => Ok(Timestamp::now()),
        Some(t) => t.parse().map_err(|_| {
            anyhow::anyhow!(
                "--as-of {t:?} is not an instant; expected RFC 3339 such as 2027-04-01T00:00:00Z"
            )
        }),
    }
}

fn range(args: &RangeArgs, a: &Agreement, at: Timestamp) -> anyhow::Result<Range> {
    let tz = &a.time_zone.tz;
    if let Some(p) = &args.period {
        let key = PeriodKey::parse(p).with_context(|| {
            format!(
                "--period {p:?} is not a period; expected {}",
                PeriodKey::EXPECTED
            )
        })?;
        return Ok(Range::period(key, a));
    }
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        let day = |s: &str, flag: &str| -> anyhow::Result<Timestamp> {
            let d: jiff::civil::Date = s.parse().map_err(|_| {
                anyhow::anyhow!("--{flag} {s:?} is not a date; expected YYYY-MM-DD")
            })?;
            Ok(d.to_zoned(tz.clone())?.timestamp())
        };
        let (f, t) = (day(from, "from")?, day(to, "to")?);
        anyhow::ensure!(
            f < t,
            "--from {from} must be before --to {to} (--to is exclusive)"
        );
        return Ok(Range {
            from: f,
            to: t,
            period: None,
        });
    }
    Ok(Range::period(
        PeriodKey::containing(handshake_core::agreement::Period::Month, at, tz),
        a,
    ))
}

pub async fn report(global: &Global, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let (store, ws) = super::store::open(global).await?;
    let (all, version) = versions(&store, &ws).await?;
    let agreement = &all[all.len() - 1].1;
    let at = as_of(&args.range)?;
    let range = range(&args.range, agreement, at)?;
    // Streamed subject by subject and folded as read: only facts are held.
    let live = store
        .fold_subjects(&ws, Live::at(all.clone(), at), |live, subject, events| {
            live.set_subject(&subject, events);
        })
        .await?;
    if let Some(goal) = &args.goal {
        let period = range.period.context(
            "--goal needs a period (--period, or none for the month of --as-of), not --from/--to",
        )?;
        let mut live = live;
        super::drill::print(&mut live, agreement, at, goal, period, args)?;
        return Ok(ExitCode::SUCCESS);
    }
    let evaluation = tokio::task::spawn_blocking(move || {
        let mut live = live;
        live.evaluation(at)
    })
    .await?;
    let json = Report::new(&evaluation, agreement, range, Some(version));
    match args.format.as_str() {
        "json" => super::emit(&format!("{}\n", serde_json::to_string_pretty(&json)?)),
        "md" => super::emit(&report::to_markdown(&json)),
        "csv" => {
            let (head, rows) = report::to_csv_rows(&json);
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(head)?;
            for r in rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        _ => super::emit(&report::to_table(&json)),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn whatif(
    global: &Global,
    draft: &Path,
    args: &RangeArgs,
    format: &str,
) -> anyhow::Result<ExitCode> {
    let proposed = match super::check::read_checked(draft)? {
        Ok((a, _)) => a,
        Err(errors) => {
            eprintln!("{}: {errors} errors; fix the draft first", draft.display());
            return Ok(ExitCode::from(1));
        }
    };
    let (store, ws) = super::store::open(global).await?;
    let (all, version) = versions(&store, &ws).await?;
    let current = &all[all.len() - 1].1;
    let at = as_of(args)?;
    let range = range(args, current, at)?;
    let both = (
        Live::at(all.clone(), at),
        Live::at(vec![(Timestamp::UNIX_EPOCH, proposed.clone())], at),
    );
    let (mut active, mut drafted) = store
        .fold_subjects(&ws, both, |(active, drafted), subject, events| {
            drafted.set_subject(&subject, events.clone());
            active.set_subject(&subject, events);
        })
        .await?;
    let before = Report::new(&active.evaluation(at), current, range, Some(version));
    let after = Report::new(&drafted.evaluation(at), &proposed, range, None);
    match format {
        "json" => super::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({ "active": before, "draft": after }))?
        )),
        "md" => super::emit(&report::side_by_side_markdown(&before, &after)),
        _ => super::emit(&report::side_by_side(&before, &after)),
    }
    Ok(ExitCode::SUCCESS)
}
