//! `handshake plan`: the funnel planner from flags or a plan file, with rates
//! from the store's history and pace against actuals when asked.

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::event::EventKind;
use handshake_core::planner::history::{self, History, SMALL_SAMPLE};
use handshake_core::planner::spec::PlanSpec;
use handshake_core::planner::{Month, output, plan};
use jiff::Timestamp;

use crate::cli::{Global, PlanArgs};

/// Reads a plan file: each key as text.
fn spec_from_file(path: &std::path::Path) -> anyhow::Result<PlanSpec> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let table =
        toml::de::DeTable::parse(&text).map_err(|e| anyhow::anyhow!("{name}: {}", e.message()))?;
    let mut spec = PlanSpec::default();
    for (key, value) in table.get_ref().iter() {
        let v = value.get_ref();
        let text = match v {
            toml::de::DeValue::String(s) => s.to_string(),
            toml::de::DeValue::Integer(i) => i.as_str().replace('_', ""),
            toml::de::DeValue::Float(f) => f.as_str().replace('_', ""),
            toml::de::DeValue::Array(items) => items
                .iter()
                .map(|i| match i.get_ref() {
                    toml::de::DeValue::String(s) => s.to_string(),
                    toml::de::DeValue::Integer(n) => n.as_str().to_string(),
                    toml::de::DeValue::Float(n) => n.as_str().to_string(),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join(","),
            _ => anyhow::bail!(
                "{name}: \"{}\" is not a string, number or list",
                key.get_ref()
            ),
        };
        let slot = match key.get_ref().as_ref() {
            "goal" => &mut spec.goal,
            "horizon" => &mut spec.horizon,
            "weights" => &mut spec.weights,
            "deal_size" => &mut spec.deal_size,
            "lead_to_mql" => &mut spec.lead_to_mql,
            "mql_to_sql" => &mut spec.mql_to_sql,
            "sql_to_opportunity" => &mut spec.sql_to_opportunity,
            "opportunity_to_won" => &mut spec.opportunity_to_won,
            "marketing_share" => &mut spec.marketing_share,
            "cycle" => &mut spec.cycle,
            "pipeline" => &mut spec.pipeline,
            other => anyhow::bail!(
                "{name}: unknown key \"{other}\"; expected goal, horizon, weights, deal_size, lead_to_mql, mql_to_sql, sql_to_opportunity, opportunity_to_won, marketing_share, cycle or pipeline"
            ),
        };
        *slot = Some(text);
    }
    Ok(spec)
}

pub fn run(global: &Global, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let mut spec = match &args.file {
        Some(path) => spec_from_file(path)?,
        None => PlanSpec::default(),
    };
    let given = [
        (&args.goal, &mut spec.goal),
        (&args.horizon, &mut spec.horizon),
        (&args.weights, &mut spec.weights),
        (&args.deal_size, &mut spec.deal_size),
        (&args.lead_to_mql, &mut spec.lead_to_mql),
        (&args.mql_to_sql, &mut spec.mql_to_sql),
        (&args.sql_to_opp, &mut spec.sql_to_opportunity),
        (&args.opp_to_won, &mut spec.opportunity_to_won),
        (&args.share, &mut spec.marketing_share),
        (&args.cycle, &mut spec.cycle),
        (&args.pipeline, &mut spec.pipeline),
    ];
    for (flag, slot) in given {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    let as_of = match &args.as_of {
        None => Timestamp::now(),
        Some(t) => t
            .parse()
            .map_err(|_| anyhow::anyhow!("--as-of {t:?} is not an instant; expected RFC 3339"))?,
    };
    let events = if args.from_history || args.pace {
        let rt = super::store::runtime()?;
        rt.block_on(async {
            let (store, ws) = super::store::open(global).await?;
            anyhow::Ok(store.all_events(&ws).await?)
        })?
    } else {
        Vec::new()
    };
    let history = if args.from_history {
        let months: i64 = args
            .window
            .strip_suffix('m')
            .and_then(|m| m.parse().ok())
            .filter(|m| *m > 0)
            .with_context(|| {
                format!(
                    "--window {:?}; expected a number of months such as 6m",
                    args.window
                )
            })?;
        let from = as_of
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_sub(jiff::Span::new().months(months))?
            .timestamp();
        // Cohorts old enough to have finished: one sales cycle, the one
        // given when it is, else the history's own.
        let cycle = spec
            .cycle
            .as_deref()
            .map(handshake_core::planner::spec::parse_cycle)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let h = history::from_events(&events, from, as_of, cycle.as_deref());
        print_history(&h, from, as_of);
        Some(h)
    } else {
        None
    };
    let input = spec
        .resolve(history.as_ref())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let p = plan(&input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let pace = args.pace.then(|| {
        let now = month_of(as_of);
        let (won, mqls) = actuals(&events, &input.currency, input.start, as_of);
        p.pace(won, &mqls, now)
    });
    if args.emit_goals {
        super::emit(&p.goals_toml());
        return Ok(ExitCode::SUCCESS);
    }
    match args.format.as_str() {
        "json" => {
            // The same typed plan the API answers.
            let mut plan = output::PlanOut::new(&p, pace.as_ref());
            plan.history = history.as_ref().map(output::HistoryOut::new);
            super::emit(&format!("{}\n", serde_json::to_string_pretty(&plan)?));
        }
        "csv" => {
            let (head, rows) = output::rows(&p);
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(head)?;
            for r in rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        _ => super::emit(&output::to_table(&p, pace.as_ref())),
    }
    Ok(ExitCode::SUCCESS)
}

fn month_of(t: Timestamp) -> Month {
    let d = t.to_zoned(jiff::tz::TimeZone::UTC);
    Month {
        year: i32::from(d.year()),
        month: u32::try_from(d.month()).unwrap_or(1),
    }
}

/// Revenue won since the horizon's start and MQLs per month (UTC months), up to as_of.
fn actuals(
    events: &[handshake_core::event::Event],
    currency: &str,
    start: Month,
    as_of: Timestamp,
) -> (f64, Vec<(Month, u64)>) {
    let mut won = 0.0;
    let mut mqls: std::collections::BTreeMap<Month, u64> = std::collections::BTreeMap::new();
    for e in events.iter().filter(|e| e.occurred_at <= as_of) {
        match &e.kind {
            EventKind::DealWon { amount }
                if amount.currency == currency && month_of(e.occurred_at) >= start =>
            {
                won += amount.major()
            }
            EventKind::StageChanged { stage } if stage.eq_ignore_ascii_case("mql") => {
                *mqls.entry(month_of(e.occurred_at)).or_default() += 1
            }
            _ => {}
        }
    }
    (won, mqls.into_iter().collect())
}

fn print_history(h: &History, from: Timestamp, to: Timestamp) {
    let show = |name: &str, m: &history::Measured, pct: bool| {
        let value = m.value.map_or("no sample".to_string(), |v| {
            if pct {
                format!("{:.1}%", v * 100.0)
            } else {
                format!("{v:.2}")
            }
        });
        let warn = if m.sample < SMALL_SAMPLE {
            "  (small sample: do not trust it yet)"
        } else {
            ""
        };
        eprintln!("  {name:<22} {value:>12}  from {} leads{warn}", m.sample);
    };
    eprintln!("history from {from} to {to}, by cohort:");
    if h.maturity_days > 0 {
        eprintln!(
            "  rates from the cohorts that entered each stage before {} (one sales cycle, {} days, before the end), so each has had time to finish; open opportunities are not counted as lost",
            h.cohorts_before, h.maturity_days
        );
    } else {
        eprintln!(
            "  no sales cycle known (no won deal in the window and no --cycle): the rates count every cohort of the window, still-open ones as not converted"
        );
    }
    if h.cohorts_before <= from {
        eprintln!(
            "  warning: the window is no longer than one sales cycle, so no cohort has finished; widen --window"
        );
    }
    show("lead to MQL", &h.lead_to_mql, true);
    show("MQL to SQL", &h.mql_to_sql, true);
    show("SQL to opportunity", &h.sql_to_opportunity, true);
    show("opportunity to won", &h.opportunity_to_won, true);
    show(
        &format!("deal size ({})", h.currency.as_deref().unwrap_or("-")),
        &h.deal_size,
        false,
    );
    let cycle: Vec<String> = h
        .cycle
        .iter()
        .map(|c| format!("{:.0}%:{}", c.share * 100.0, c.days))
        .collect();
    let warn = if h.cycle_sample < SMALL_SAMPLE {
        "  (small sample: do not trust it yet)"
    } else {
        ""
    };
    eprintln!(
        "  {:<22} {:>12}  from {} won deals{warn}",
        "cycle (share:days)",
        if cycle.is_empty() {
            "no sample".to_string()
        } else {
            cycle.join(",")
        },
        h.cycle_sample
    );
}
