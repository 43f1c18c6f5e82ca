//! `handshake import`: a CRM export (CSV) into events, with a progress bar, a
//! closing summary, and the rows that could not be read in a reject file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use handshake_core::event::Event;
use handshake_core::import::{Mapping, mapping_from_toml, row_to_events};
use handshake_store::Versioned;

use crate::cli::{Global, ImportArgs};

/// Events per transaction.
const CHUNK: usize = 10_000;

fn mapping(args: &ImportArgs) -> anyhow::Result<Mapping> {
    let mut m = mapping_for(
        args.preset.as_deref(),
        args.mapping.as_deref(),
        args.tz.as_deref(),
    )?;
    // The flags add to what a mapping file says; they never undo it.
    m.day_first |= args.day_first;
    if args.date_format.is_some() {
        m.date_format.clone_from(&args.date_format);
    }
    Ok(m)
}

/// The export layout from `--preset` or `--mapping`, with `--tz` applied.
pub fn mapping_for(
    preset: Option<&str>,
    mapping: Option<&Path>,
    tz: Option<&str>,
) -> anyhow::Result<Mapping> {
    let mut m = match (preset, mapping) {
        (Some(name), _) => Mapping::preset(name).with_context(|| {
            let names: Vec<&str> = Mapping::PRESETS.iter().map(|(n, _)| *n).collect();
            format!("no preset {name:?}; expected one of {}", names.join(", "))
        })?,
        (None, Some(path)) => {
            let name = path.display().to_string();
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
            mapping_from_toml(&text).map_err(|diags| {
                let file = handshake_core::SourceFile {
                    name: &name,
                    text: &text,
                };
                let rendered: String = diags.iter().map(|d| file.render(d)).collect();
                anyhow::anyhow!("the mapping file has errors:\n{rendered}")
            })?
        }
        (None, None) => anyhow::bail!(
            "say the export's layout: --preset hubspot|salesforce or --mapping FILE.toml"
        ),
    };
    if let Some(tz) = tz {
        m.time_zone = handshake_calendar::time_zone(tz)?;
    }
    Ok(m)
}

/// An export opened for reading: its reader past the header row, the
/// header names, each column's index, and the mapping with the file's own
/// header for each column (one preset reads every export style of its CRM).
pub struct Export {
    pub reader: csv::Reader<std::fs::File>,
    pub header_list: Vec<String>,
    pub index: HashMap<String, usize>,
    pub mapping: Mapping,
}

impl Export {
    /// A row's value for `column` (empty where the row or the file lacks it).
    pub fn cell(&self, record: &csv::StringRecord, column: &str) -> String {
        cell(&self.index, record, column)
    }
}

fn cell(index: &HashMap<String, usize>, record: &csv::StringRecord, column: &str) -> String {
    index
        .get(column)
        .and_then(|i| record.get(*i))
        .unwrap_or("")
        .to_string()
}

/// Opens a CSV export and checks its header row against the layout: a
/// missing optional column is a warning, a missing required one an error
/// that lists the columns the file has.
pub fn open_export(file: &Path, m: &Mapping) -> anyhow::Result<Export> {
    let name = file.display().to_string();
    let (reader, headers) = read_headers(file)?;
    let header_list: Vec<&str> = headers.iter().collect();
    let m = m.for_headers(&header_list);
    for column in m.missing_optional(&header_list) {
        eprintln!("warning: {name} has no column \"{column}\"; what it would say is not imported");
    }
    let missing = m.missing_required(&header_list);
    if !missing.is_empty() {
        anyhow::bail!(
            "{name} lacks the columns {} that the {} layout needs; its columns are: {}",
            missing
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            m.source,
            header_list.join(", ")
        );
    }
    let index = header_list
        .iter()
        .enumerate()
        .map(|(i, h)| ((*h).to_string(), i))
        .collect();
    let header_list = header_list.iter().map(|h| (*h).to_string()).collect();
    Ok(Export {
        reader,
        header_list,
        index,
        mapping: m,
    })
}

/// A CSV reader past the header row (rows of any width are read), and the
/// header row.
fn read_headers(file: &Path) -> anyhow::Result<(csv::Reader<std::fs::File>, csv::StringRecord)> {
    let name = file.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .with_context(|| format!("cannot read {name}"))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{name}: reading the header row"))?
        .clone();
    Ok((reader, headers))
}

/// Reads the file's date columns once before anything is stored: a date
/// like `13/10/2026` under month-first (or `10/13/2026` under `--day-first`)
/// means the whole file is the other way round, and importing it as it is
/// would silently put every date up to the 12th in the wrong month.
fn check_date_order(file: &Path, m: &Mapping) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let (mut reader, headers) = read_headers(file)?;
    let header_list: Vec<&str> = headers.iter().collect();
    let m = m.for_headers(&header_list);
    let mut columns: Vec<&str> = vec![m.created_at.as_str()];
    columns.extend(m.stages.iter().map(|(_, c)| c.as_str()));
    columns.extend(m.flagged_stages.iter().map(|(_, _, d)| d.as_str()));
    let at: Vec<usize> = columns
        .iter()
        .filter_map(|c| header_list.iter().position(|h| h == c))
        .collect();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).unwrap_or(false) {
        for cell in at.iter().filter_map(|i| record.get(*i)) {
            let mut parts = cell.trim().splitn(3, '/');
            let (Some(a), Some(b), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
                continue;
            };
            let line = record.position().map_or(0, |p| p.line());
            if !m.day_first && a > 12 && b <= 12 {
                anyhow::bail!(
                    "{name}:{line}: \"{cell}\" writes the day first; nothing was imported. Import with --day-first (every slashed date is then read day/month/year) or --date-format"
                );
            }
            if m.day_first && b > 12 && a <= 12 {
                anyhow::bail!(
                    "{name}:{line}: \"{cell}\" writes the month first, but --day-first was given; nothing was imported. Import without --day-first"
                );
            }
        }
    }
    Ok(())
}

fn rejects_path(input: &Path) -> PathBuf {
    let mut name = input
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".rejects.csv");
    input.with_file_name(name)
}

pub async fn run(global: &Global, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let m = mapping(args)?;
    let name = args.file.display().to_string();
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {name}"))?
        .len();
    if m.date_format.is_none() {
        check_date_order(&args.file, &m)?;
    }
    let ends_with_newline = {
        use std::io::{Read, Seek, SeekFrom};
        let mut f =
            std::fs::File::open(&args.file).with_context(|| format!("cannot read {name}"))?;
        let mut last = [0u8; 1];
        size == 0
            || (f.seek(SeekFrom::End(-1)).is_ok()
                && f.read_exact(&mut last).is_ok()
                && last[0] == b'\n')
    };
    let Export {
        mut reader,
        header_list,
        index,
        mapping: m,
    } = open_export(&args.file, &m)?;
    let (store, ws) = super::store::open(global).await?;

    let progress = indicatif::ProgressBar::new(size);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} importing {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress.set_message(name.clone());

    let mut rows = 0usize;
    let mut tally = Tally::default();
    let mut rejects: Vec<(u64, String, Vec<String>)> = Vec::new();
    let mut pending: Vec<(u64, Vec<String>, Event)> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut maybe_footer: Vec<(u64, Vec<String>)> = Vec::new();
    // Activity rows that are no touch (a task, a note).
    let mut skipped = 0usize;
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                rows += 1;
                rejects.push((line, format!("unreadable CSV: {e}"), Vec::new()));
                continue;
            }
        }
        // The line the record starts on, counted back from where it ends
        // (the reader's own start line counts blank lines skipped before it).
        let embedded = record
            .iter()
            .map(|f| f.bytes().filter(|b| *b == b'\n').count() as u64)
            .sum::<u64>();
        let end = reader.position().line();
        let at_eof_unterminated = reader.position().byte() >= size && !ends_with_newline;
        let line = (end + u64::from(at_eof_unterminated))
            .saturating_sub(1 + embedded)
            .max(2);
        if record.len() != header_list.len() {
            let fields = record.iter().map(str::to_string).collect();
            if record.len() == 1 {
                // A report's footer ("Grand Totals (120 records)", the
                // copyright line) if nothing but such lines follow.
                maybe_footer.push((line, fields));
            } else {
                rows += 1;
                rejects.push((
                    line,
                    format!(
                        "the row has {} fields where the header has {}; a field may hold an unquoted comma",
                        record.len(),
                        header_list.len()
                    ),
                    fields,
                ));
            }
            continue;
        }
        // One-field lines followed by data were rows after all.
        for (at, fields) in maybe_footer.drain(..) {
            rows += 1;
            rejects.push((
                at,
                format!(
                    "the row has 1 field where the header has {}",
                    header_list.len()
                ),
                fields,
            ));
        }
        rows += 1;
        match row_to_events(&m, |column| cell(&index, &record, column)) {
            Ok(events) if events.is_empty() => skipped += 1,
            Ok(events) => {
                let fields: Vec<String> = record.iter().map(str::to_string).collect();
                pending.extend(events.into_iter().map(|e| (line, fields.clone(), e)));
            }
            Err(e) => rejects.push((line, e.message, record.iter().map(str::to_string).collect())),
        }
        if pending.len() >= CHUNK {
            flush(&store, &ws, &mut pending, &mut tally, &mut rejects).await?;
            progress.set_position(reader.position().byte());
        }
    }
    // What is left after the last full chunk.
    flush(&store, &ws, &mut pending, &mut tally, &mut rejects).await?;
    progress.finish_and_clear();

    let reject_file = rejects_path(&args.file);
    if rejects.is_empty() {
        let _ = std::fs::remove_file(&reject_file);
    } else {
        rejects.sort_by_key(|r| r.0);
        // Rejected rows keep their own number of fields.
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&reject_file)
            .with_context(|| format!("cannot write {}", reject_file.display()))?;
        let mut head = vec!["line".to_string(), "reason".to_string()];
        head.extend(header_list.iter().map(|h| (*h).to_string()));
        w.write_record(&head)?;
        for (line, reason, fields) in &rejects {
            let mut out = vec![line.to_string(), reason.clone()];
            out.extend(fields.iter().cloned());
            w.write_record(&out)?;
        }
        w.flush()?;
    }
    let rejected_rows = rejects
        .iter()
        .map(|r| r.0)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let Tally {
        created,
        corrected,
        duplicates,
    } = tally;
    let corrected = if corrected > 0 {
        format!(
            ", corrected {corrected} (the export changed a record: the new values replace the old, which are kept)"
        )
    } else {
        String::new()
    };
    println!(
        "{name}: rows read {rows}, events created {created}, duplicates {duplicates}, rows rejected {rejected_rows}{corrected}"
    );
    if skipped > 0 {
        println!("skipped {skipped} activities that are no touch (tasks, notes)");
    }
    if !maybe_footer.is_empty() {
        println!(
            "skipped the report footer at the end ({} lines from line {}): not rows",
            maybe_footer.len(),
            maybe_footer[0].0
        );
    }
    if rejected_rows > 0 {
        println!(
            "rejected rows, with their line and reason: {}",
            reject_file.display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Events stored new, stored as corrections, and already stored.
#[derive(Default)]
struct Tally {
    created: usize,
    corrected: usize,
    duplicates: usize,
}

async fn flush(
    store: &handshake_store::Store,
    ws: &handshake_store::Workspace,
    pending: &mut Vec<(u64, Vec<String>, Event)>,
    tally: &mut Tally,
    rejects: &mut Vec<(u64, String, Vec<String>)>,
) -> anyhow::Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let events: Vec<Event> = pending.iter().map(|(_, _, e)| e.clone()).collect();
    let outcome = store.insert_versions(ws, &events).await?;
    for ((line, fields, e), result) in pending.drain(..).zip(outcome) {
        match result {
            Versioned::Accepted => tally.created += 1,
            Versioned::Corrected(_) => tally.corrected += 1,
            Versioned::Duplicate => tally.duplicates += 1,
            Versioned::Refused(why) => rejects.push((
                line,
                format!(
                    "event {} was imported before with other values, and the correction cannot be stored: {why}",
                    e.id
                ),
                fields,
            )),
        }
    }
    Ok(())
}
