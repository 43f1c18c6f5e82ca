//! `handshake calendar add|elapsed|eval`: business-time arithmetic from the
//! command line, one question or a CSV of them.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use handshake_calendar::{BusinessDuration, Calendar, CalendarDef, time_zone};
use jiff::Timestamp;

use crate::cli::{CalendarCommand, CalendarSpec};

pub fn run(cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CalendarCommand::Add {
            calendar,
            start,
            duration,
        } => {
            let start = parse_instant(&start).context("--start")?;
            let duration: BusinessDuration = duration
                .parse()
                .map_err(|e| anyhow::anyhow!("--duration {duration:?}: {e}"))?;
            let (cal, tz) = build(&calendar, start.as_second(), start.as_second())?;
            let due = cal.add(start, duration)?;
            super::emit(&format!("{}\n", with_offset(due, &tz)));
        }
        CalendarCommand::Elapsed {
            calendar,
            start,
            end,
        } => {
            let start = parse_instant(&start).context("--start")?;
            let end = parse_instant(&end).context("--end")?;
            let (cal, _) = build(&calendar, start.as_second(), end.as_second())?;
            super::emit(&format!("{}\n", cal.elapsed(start, end)?));
        }
        CalendarCommand::Eval { file } => eval(&file)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn build(
    spec: &CalendarSpec,
    from: i64,
    to: i64,
) -> anyhow::Result<(Calendar, jiff::tz::TimeZone)> {
    let def = definition(&spec.tz, &spec.hours, &spec.holidays)?;
    let tz = def.time_zone.clone();
    Ok((
        Calendar::with_span(def, from - 7 * 86_400, to + 60 * 86_400),
        tz,
    ))
}

fn definition(tz: &str, hours: &str, holidays: &str) -> anyhow::Result<CalendarDef> {
    Ok(CalendarDef {
        time_zone: time_zone(tz)?,
        hours: hours
            .parse()
            .map_err(|e| anyhow::anyhow!("hours {hours:?}: {e}"))?,
        holidays: holidays
            .parse()
            .map_err(|e| anyhow::anyhow!("holidays {holidays:?}: {e}"))?,
        day_length: None,
    })
}

fn parse_instant(text: &str) -> anyhow::Result<Timestamp> {
    text.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "{text:?} is not an instant; expected RFC 3339 such as 2026-11-20T16:00:00-05:00"
        )
    })
}

/// RFC 3339 with the calendar's own UTC offset at that instant.
fn with_offset(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.display_with_offset(tz.to_offset(t)).to_string()
}

/// One parsed row of `calendar eval`.
struct Case {
    id: String,
    question: Result<(String, Question), String>,
}

enum Question {
    Add { start: Timestamp, minutes: u32 },
    Elapsed { start: Timestamp, end: Timestamp },
}

const COLUMNS: [&str; 7] = ["case_id", "tz", "hours", "holidays", "start", "op", "arg"];

fn eval(file: &str) -> anyhow::Result<()> {
    let input: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("cannot open {file}"))?)
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().context("reading the header row")?.clone();
    let position: Vec<usize> = COLUMNS
        .iter()
        .map(|name| header.iter().position(|h| h.trim() == *name))
        .collect::<Option<_>>()
        .with_context(|| {
            format!(
                "the header is {:?}; expected the columns {}",
                header.iter().collect::<Vec<_>>(),
                COLUMNS.join(",")
            )
        })?;

    // First pass: parse every row, and note the span each calendar is asked about.
    let mut cases = Vec::new();
    let mut spans: HashMap<String, (i64, i64)> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                cases.push(Case {
                    id: format!("line {line}"),
                    question: Err(format!("unreadable CSV row: {e}")),
                });
                continue;
            }
        };
        let field = |i: usize| record.get(position[i]).unwrap_or("").trim();
        let id = field(0).to_string();
        if record.len() < COLUMNS.len() {
            let id = if id.is_empty() {
                format!("line {line}")
            } else {
                id
            };
            cases.push(Case {
                id,
                question: Err(format!(
                    "{} fields; expected {}",
                    record.len(),
                    COLUMNS.len()
                )),
            });
            continue;
        }
        let key = format!("{}\u{1f}{}\u{1f}{}", field(1), field(2), field(3));
        let question = parse_question(field(4), field(5), field(6));
        if let Ok(q) = &question {
            let (a, b) = match q {
                Question::Add { start, .. } => (start.as_second(), start.as_second()),
                Question::Elapsed { start, end } => (start.as_second(), end.as_second()),
            };
            let span = spans.entry(key.clone()).or_insert((a, b));
            *span = (span.0.min(a), span.1.max(b));
        }
        cases.push(Case {
            id,
            question: question.map(|q| (key, q)),
        });
    }

    // Build each distinct calendar once, indexed for the span it is asked about.
    let mut calendars: HashMap<String, Result<Calendar, String>> = HashMap::new();
    for (key, (from, to)) in &spans {
        let mut parts = key.split('\u{1f}');
        let (tz, hours, holidays) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let built = definition(tz, hours, holidays)
            .map(|def| Calendar::with_span(def, from - 7 * 86_400, to + 60 * 86_400))
            .map_err(|e| e.to_string());
        calendars.insert(key.clone(), built);
    }

    let stdout = std::io::stdout();
    let mut out = csv::Writer::from_writer(stdout.lock());
    out.write_record(["case_id", "result"])?;
    for case in cases {
        let result = case.question.and_then(|(key, q)| {
            let cal = calendars
                .get(&key)
                .map_or(Err("no calendar".to_string()), |c| {
                    c.as_ref().map_err(Clone::clone)
                })?;
            answer(cal, &q)
        });
        let text = result.unwrap_or_else(|e| format!("error: {e}"));
        out.write_record([case.id.as_str(), text.as_str()])?;
    }
    out.flush()?;
    std::io::stdout().flush()?;
    Ok(())
}

fn parse_question(start: &str, op: &str, arg: &str) -> Result<Question, String> {
    let start = parse_instant(start).map_err(|e| format!("start: {e}"))?;
    match op {
        "add" => {
            let minutes = arg.parse::<u32>().map_err(|_| {
                format!(
                    "arg {arg:?} is not a number of minutes; expected a whole number such as 120"
                )
            })?;
            Ok(Question::Add { start, minutes })
        }
        "elapsed" => {
            let end = parse_instant(arg).map_err(|e| format!("arg: {e}"))?;
            Ok(Question::Elapsed { start, end })
        }
        other => Err(format!("op {other:?} is unknown; expected add or elapsed")),
    }
}

fn answer(cal: &Calendar, q: &Question) -> Result<String, String> {
    match *q {
        Question::Add { start, minutes } => cal
            .add(start, BusinessDuration::from_minutes(minutes))
            .map(|due| with_offset(due, &cal.def().time_zone))
            .map_err(|e| e.to_string()),
        Question::Elapsed { start, end } => cal
            .elapsed(start, end)
            .map(|d| d.as_whole_minutes().to_string())
            .map_err(|e| e.to_string()),
    }
}
