//! `handshake init`: the team's own agreement from a few answers. Each
//! question is asked in the terminal (dialoguer) unless its flag answered it;
//! without a terminal, or with `--yes`, nothing is asked and a missing
//! required answer is an error naming its flag. The answers are parsed here,
//! the text is written by `handshake_core::agreement::starter`, checked,
//! explained, and applied when asked.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use handshake_core::agreement::explain;
use handshake_core::agreement::starter::{
    Answers, CrmSummary, Office, PartyAnswer, SegmentAnswer, Volume, is_id, starter,
};
use handshake_core::import::row_to_events;
use handshake_core::planner::plan;
use handshake_core::planner::spec::PlanSpec;
use handshake_core::{SourceFile, check};
use jiff::civil::Date;

use crate::cli::{Global, InitArgs};

/// Starting conversion rates for a revenue goal, until the team's own
/// history measures them (`handshake plan --from-history`).
const STARTING_RATES: [(&str, &str); 4] = [
    ("lead to MQL", "20%"),
    ("MQL to SQL", "25%"),
    ("SQL to opportunity", "50%"),
    ("opportunity to won", "25%"),
];
/// The starting sales cycle, in days.
const STARTING_CYCLE: &str = "90";

pub fn run(global: &Global, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.display().to_string();
    if args.out.exists() && !args.force {
        bail!("{out} exists; name another file with --out, or overwrite it with --force");
    }
    let ask = Ask {
        interactive: !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let crm = match &args.from_crm {
        Some(file) => Some(read_crm(file, args)?),
        None => None,
    };
    if let Some(c) = &crm {
        eprintln!(
            "{}: {} records; stages {}; segments {}; owners {}",
            c.file,
            c.records,
            c.stages.len(),
            c.segments.len(),
            c.owners.len()
        );
    }

    let company = ask.value("--company", "Company", args.company.as_deref(), None, |s| {
        let s = s.trim();
        if s.is_empty() {
            Err("expected the company's name, e.g. \"Northwind Cloud\"".into())
        } else {
            Ok(s.to_owned())
        }
    })?;
    let marketing = party(
        &ask,
        "marketing",
        &args.marketing_name,
        args.marketing_contact.as_deref(),
    )?;
    let sales = party(
        &ask,
        "sales",
        &args.sales_name,
        args.sales_contact.as_deref(),
    )?;
    let offices = ask.list(
        "--office",
        "Office as id|zone|hours|country[-region], e.g. new-york|America/New_York|mon-fri 09:00-17:00|US-NY",
        &args.office,
        1,
        parse_office,
    )?;
    let segment_hint = crm
        .as_ref()
        .filter(|c| !c.segments.is_empty())
        .map(|c| {
            format!(
                " (the export's values: {})",
                c.segments.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .unwrap_or_default();
    let segments = ask.list(
        "--segment",
        &format!(
            "Segment as id|promise|attribute=values[|office], e.g. enterprise|1 business hour|segment=Enterprise{segment_hint}; empty for one promise for all"
        ),
        &args.segment,
        0,
        |s| parse_segment(s, &offices),
    )?;
    let starts = match &args.starts {
        Some(s) => parse_date("--starts", s)?,
        None => {
            let default = first_of_next_month()?;
            ask.value(
                "--starts",
                "First day in force (YYYY-MM-DD)",
                None,
                Some(default.to_string()),
                |s| parse_date("--starts", s).map_err(|e| e.to_string()),
            )?
        }
    };
    let volume = match (&args.mql_target, &args.revenue_goal) {
        (Some(n), _) => Volume::Mqls(*n),
        (None, Some(goal)) => planned(goal, args.deal_size.as_deref().unwrap_or_default(), starts)?,
        (None, None) => ask.value(
            "--mql-target (or --revenue-goal with --deal-size)",
            "Monthly MQL target, or a yearly revenue goal such as \"2000000 USD\"",
            None,
            None,
            |s| match s.trim().parse::<u64>() {
                Ok(n) => Ok(Volume::Mqls(n)),
                Err(_) => {
                    let deal = Ask::prompt("Average deal size, e.g. 25000", None)
                        .map_err(|e| e.to_string())?;
                    planned(s, &deal, starts).map_err(|e| e.to_string())
                }
            },
        )?,
    };
    let cancel_after = match args.cancel_after {
        Some(n) => n,
        None => ask.value(
            "--cancel-after",
            "Missed MQL months in a row after which either side may end it (0: never)",
            None,
            Some("3".into()),
            |s| {
                s.trim()
                    .parse::<u32>()
                    .map_err(|_| "expected a number of months, e.g. 3".into())
            },
        )?,
    };

    let answers = Answers {
        company,
        starts,
        marketing,
        sales,
        offices,
        segments,
        volume,
        cancel_after: (cancel_after > 0).then_some(cancel_after),
        crm,
    };
    let text = starter(&answers);
    let outcome = check(&out, &text);
    write(&args.out, &text, args.force)?;
    let file = SourceFile {
        name: &out,
        text: &text,
    };
    for d in &outcome.diagnostics {
        eprint!("{}", file.render(d));
    }
    let Some(agreement) = outcome.agreement else {
        eprintln!(
            "{out}: written, with {} errors above: an answer the agreement cannot take; fix it in the file, or run init again with --force",
            outcome.errors()
        );
        return Ok(ExitCode::from(1));
    };
    super::emit(&explain(&agreement));
    eprintln!("wrote {out}: it passes `handshake check`");
    let apply = args.apply
        || (ask.interactive
            && dialoguer::Confirm::new()
                .with_prompt(format!("Apply it to {} now?", global.db))
                .default(true)
                .interact()?);
    if apply {
        super::store::runtime()?.block_on(super::store::apply(global, &args.out))
    } else {
        eprintln!(
            "next: handshake apply {out}   (then: handshake import EXPORT.csv --preset hubspot)"
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// Asks a question, or takes its flag.
struct Ask {
    interactive: bool,
}

impl Ask {
    fn prompt(question: &str, default: Option<String>) -> anyhow::Result<String> {
        let mut input = dialoguer::Input::<String>::new().with_prompt(question);
        if let Some(d) = default {
            input = input.default(d);
        }
        Ok(input.allow_empty(true).interact_text()?)
    }

    /// One answer: the flag's, else asked until it parses, else (no
    /// terminal) the default, else an error naming the flag.
    fn value<T>(
        &self,
        flag: &str,
        question: &str,
        given: Option<&str>,
        default: Option<String>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> anyhow::Result<T> {
        if let Some(g) = given {
            return parse(g).map_err(|e| anyhow::anyhow!("{flag} {g:?}: {e}"));
        }
        if !self.interactive {
            return match default {
                Some(d) => parse(&d).map_err(|e| anyhow::anyhow!("{flag}: {e}")),
                None => bail!(
                    "{flag} is needed ({question}); without a terminal, or with --yes, nothing is asked"
                ),
            };
        }
        loop {
            let answer = Self::prompt(question, default.clone())?;
            match parse(&answer) {
                Ok(v) => return Ok(v),
                Err(e) => eprintln!("  {e}"),
            }
        }
    }

    /// A repeatable answer: the flags', else asked one per line until an
    /// empty line (and at least `min`).
    fn list<T>(
        &self,
        flag: &str,
        question: &str,
        given: &[String],
        min: usize,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> anyhow::Result<Vec<T>> {
        if !given.is_empty() || !self.interactive {
            if given.len() < min {
                bail!(
                    "{flag} is needed ({question}); without a terminal, or with --yes, nothing is asked"
                );
            }
            return given
                .iter()
                .map(|g| parse(g).map_err(|e| anyhow::anyhow!("{flag} {g:?}: {e}")))
                .collect();
        }
        let mut out = Vec::new();
        loop {
            let answer = Self::prompt(question, None)?;
            if answer.trim().is_empty() {
                if out.len() >= min {
                    return Ok(out);
                }
                eprintln!("  at least {min} needed");
                continue;
            }
            match parse(&answer) {
                Ok(v) => out.push(v),
                Err(e) => eprintln!("  {e}"),
            }
        }
    }
}

fn party(ask: &Ask, id: &str, name: &str, contact: Option<&str>) -> anyhow::Result<PartyAnswer> {
    let (contact, email) = ask.value(
        &format!("--{id}-contact"),
        &format!("Who speaks for {id}: Name <e-mail>"),
        contact,
        None,
        parse_contact,
    )?;
    Ok(PartyAnswer {
        name: name.to_owned(),
        contact,
        email,
    })
}

/// `Dana Reyes <dana@acme.example>` into its name and address.
fn parse_contact(s: &str) -> Result<(String, String), String> {
    let expected = "expected Name <e-mail>, e.g. \"Dana Reyes <dana@acme.example>\"";
    let (name, rest) = s.split_once('<').ok_or(expected)?;
    let email = rest.trim().strip_suffix('>').ok_or(expected)?.trim();
    let name = name.trim();
    if name.is_empty() || !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(expected.into());
    }
    Ok((name.to_owned(), email.to_owned()))
}

/// `id|zone|hours|country[-region]`; hours and country optional.
fn parse_office(s: &str) -> Result<Office, String> {
    let parts: Vec<&str> = s.split('|').map(str::trim).collect();
    let (id, zone) = match parts.as_slice() {
        [id, zone, ..] if parts.len() <= 4 => (*id, *zone),
        _ => return Err("expected id|zone|hours|country[-region], e.g. berlin|Europe/Berlin|mon-fri 09:00-18:00|DE-BE".into()),
    };
    if !is_id(id) {
        return Err(format!(
            "office id {id:?}: expected lower-case letters, digits and dashes, e.g. new-york"
        ));
    }
    handshake_calendar::time_zone(zone).map_err(|e| e.to_string())?;
    let hours = parts
        .get(2)
        .filter(|h| !h.is_empty())
        .unwrap_or(&"mon-fri 09:00-17:00");
    let (country, subdivision) = match parts.get(3).filter(|c| !c.is_empty()) {
        None => (None, None),
        Some(c) => {
            let (country, sub) = match c.split_once('-') {
                Some((c, s)) => (c.to_ascii_uppercase(), Some(s.to_ascii_uppercase())),
                None => (c.to_ascii_uppercase(), None),
            };
            let year = *handshake_calendar::PUBLIC_HOLIDAY_YEARS.end();
            handshake_calendar::public_holidays(&country, sub.as_deref(), year..=year)
                .map_err(|e| e.to_string())?;
            (Some(country), sub)
        }
    };
    Ok(Office {
        id: id.to_owned(),
        time_zone: zone.to_owned(),
        hours: (*hours).to_owned(),
        country,
        subdivision,
    })
}

/// `id|promise|attribute=v1,v2[|office]`.
fn parse_segment(s: &str, offices: &[Office]) -> Result<SegmentAnswer, String> {
    let expected = "expected id|promise|attribute=values[|office], e.g. enterprise|1 business hour|segment=Enterprise,Strategic";
    let parts: Vec<&str> = s.split('|').map(str::trim).collect();
    let [id, within, rule, rest @ ..] = parts.as_slice() else {
        return Err(expected.into());
    };
    if !is_id(id) {
        return Err(format!(
            "segment id {id:?}: expected lower-case letters, digits and dashes"
        ));
    }
    let (attribute, values) = rule.split_once('=').ok_or(expected)?;
    let equals: Vec<String> = values
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    if attribute.trim().is_empty() || equals.is_empty() {
        return Err(expected.into());
    }
    let office = match rest {
        [] => None,
        [o] if offices.iter().any(|x| x.id == *o) => Some((*o).to_owned()),
        [o] => {
            let known: Vec<&str> = offices.iter().map(|x| x.id.as_str()).collect();
            return Err(format!(
                "office {o:?} is not one of the offices: {}",
                known.join(", ")
            ));
        }
        _ => return Err(expected.into()),
    };
    Ok(SegmentAnswer {
        id: (*id).to_owned(),
        attribute: attribute.trim().to_owned(),
        equals,
        within: (*within).to_owned(),
        office,
    })
}

fn parse_date(flag: &str, s: &str) -> anyhow::Result<Date> {
    s.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag} {s:?}: expected a date, YYYY-MM-DD"))
}

fn first_of_next_month() -> anyhow::Result<Date> {
    let today = jiff::Zoned::now().date();
    Ok(today
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))?)
}

/// The planner's goals for a yearly revenue goal, from starting rates.
fn planned(goal: &str, deal_size: &str, starts: Date) -> anyhow::Result<Volume> {
    let [lead, mql, sql, opp] = STARTING_RATES.map(|(_, r)| Some(r.to_owned()));
    let spec = PlanSpec {
        goal: Some(goal.trim().to_owned()),
        horizon: Some(starts.year().to_string()),
        deal_size: Some(deal_size.trim().to_owned()),
        lead_to_mql: lead,
        mql_to_sql: mql,
        sql_to_opportunity: sql,
        opportunity_to_won: opp,
        cycle: Some(STARTING_CYCLE.to_owned()),
        ..PlanSpec::default()
    };
    let input = spec
        .resolve(None)
        .map_err(|e| anyhow::anyhow!("--revenue-goal: {e}"))?;
    let p = plan(&input).map_err(|e| anyhow::anyhow!("--revenue-goal: {e}"))?;
    let rates: Vec<String> = STARTING_RATES
        .iter()
        .map(|(n, r)| format!("{n} {r}"))
        .collect();
    eprintln!(
        "planned from starting rates ({}, cycle {STARTING_CYCLE} days); measure yours later with handshake plan --from-history",
        rates.join(", ")
    );
    Ok(Volume::Planned(p.goals_toml()))
}

/// Sums a CRM export's stages, sources, segments and owners, row by row.
fn read_crm(file: &Path, args: &InitArgs) -> anyhow::Result<CrmSummary> {
    if args.preset.is_none() && args.mapping.is_none() {
        bail!(
            "--from-crm needs the export's layout: --preset hubspot|salesforce or --mapping FILE.toml"
        );
    }
    let m = super::import::mapping_for(args.preset.as_deref(), args.mapping.as_deref(), None)?;
    let mut export = super::import::open_export(file, &m)?;
    let mut summary = CrmSummary {
        file: file.display().to_string(),
        ..CrmSummary::default()
    };
    let mut record = csv::StringRecord::new();
    let mut unreadable = 0u64;
    while export
        .reader
        .read_record(&mut record)
        .with_context(|| format!("{}: reading a row", summary.file))?
    {
        match row_to_events(&export.mapping, |column| export.cell(&record, column)) {
            Ok(events) => summary.add(&events),
            Err(_) => unreadable += 1,
        }
    }
    if unreadable > 0 {
        eprintln!(
            "warning: {unreadable} rows of {} could not be read; `handshake import` lists them with their reason",
            summary.file
        );
    }
    Ok(summary)
}

/// Writes the file; without `force` only when it does not exist yet.
fn write(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let name = path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {name}"))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {name}"))
}
