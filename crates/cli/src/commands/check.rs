//! `handshake check`: reads an agreement file and prints every finding with
//! its place, then a one-screen summary, or the agreement in plain words.

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::agreement::{Agreement, explain};
use handshake_core::{SourceFile, check};

use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {name}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let file = SourceFile {
                name: &name,
                text: &valid,
            };
            let (line, col) = file.line_col(at);
            eprintln!(
                "{name}:{line}:{col}: error: the file is not UTF-8 text\n       = expected: a TOML file saved as UTF-8"
            );
            return Ok(ExitCode::from(1));
        }
    };
    let outcome = check(&name, &text);
    let file = SourceFile {
        name: &name,
        text: &text,
    };
    for d in &outcome.diagnostics {
        eprint!("{}", file.render(d));
    }
    let (errors, warnings) = (outcome.errors(), outcome.warnings());
    let Some(agreement) = outcome.agreement else {
        eprintln!(
            "{name}: {errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
        return Ok(ExitCode::from(1));
    };
    if args.explain {
        super::emit(&explain(&agreement));
    } else {
        super::emit(&summary(&name, &agreement, warnings));
    }
    if args.deny_warnings && warnings > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The one-screen summary of a valid agreement.
fn summary(name: &str, a: &Agreement, warnings: usize) -> String {
    let until = a
        .effective
        .to
        .map_or("open-ended".to_string(), |d| d.to_string());
    let mut s = format!(
        "{name}: valid{}\n",
        if warnings > 0 {
            format!(" ({warnings} warning{})", plural(warnings))
        } else {
            String::new()
        }
    );
    s += &format!("  {}\n", a.name);
    s += &format!(
        "  effective {} to {until}, periods in {}\n",
        a.effective.from, a.time_zone.name
    );
    let parties: Vec<&str> = a.parties.iter().map(|p| p.name.as_str()).collect();
    s += &format!("  parties:     {}\n", parties.join(", "));
    s += &format!(
        "  stages:      {}\n",
        a.stages
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    s += &format!(
        "  segments:    {}\n",
        a.segments
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    s += &format!(
        "  calendars:   {}\n",
        a.calendars
            .iter()
            .map(|c| format!("{} ({})", c.id, c.time_zone))
            .collect::<Vec<_>>()
            .join(", ")
    );
    s += &format!("  goals:       {}\n", a.goals.len());
    for g in &a.goals {
        s += &format!(
            "    {:<24} {:<10} {} per {}\n",
            g.id.as_str(),
            g.owner.as_str(),
            g.target,
            g.per.as_str()
        );
    }
    s += &format!("  guarantees:  {}\n", a.guarantees.len());
    for g in &a.guarantees {
        s += &format!(
            "    {:<24} {:<10} within {} ({})\n",
            g.id.as_str(),
            g.owner.as_str(),
            g.within,
            g.calendar
        );
    }
    s += &format!(
        "  consequences: {}, cancellation: {}\n",
        a.consequences.len(),
        a.cancellation
            .as_ref()
            .map_or("none".to_string(), |c| format!(
                "after {} missed periods",
                c.after_consecutive_missed_periods
            ))
    );
    s += "Read it in plain words: handshake check --explain FILE\n";
    s
}

/// Reads and checks an agreement file, printing every diagnostic to stderr;
/// the agreement and its text when it has no errors, else the number of errors.
pub fn read_checked(file: &std::path::Path) -> anyhow::Result<Result<(Agreement, String), usize>> {
    read_checked_for(file, None)
}

/// [`read_checked`], and with `channels` every channel an alert step names
/// must be one of them (the workspace's, when applying).
pub fn read_checked_for(
    file: &std::path::Path,
    channels: Option<&[handshake_core::alerts::ChannelName]>,
) -> anyhow::Result<Result<(Agreement, String), usize>> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
    let outcome = match channels {
        Some(channels) => handshake_core::agreement::check_in_workspace(&name, &text, channels),
        None => check(&name, &text),
    };
    let source = SourceFile {
        name: &name,
        text: &text,
    };
    for d in &outcome.diagnostics {
        eprint!("{}", source.render(d));
    }
    let errors = outcome.errors();
    Ok(outcome.agreement.map(|a| (a, text.clone())).ok_or(errors))
}
