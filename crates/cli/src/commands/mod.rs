//! One module per command; each parses its input, calls the core, and prints.

mod calendar;
mod check;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the chosen command; `Err` means it could not run at all (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Calendar(cmd) => calendar::run(cmd),
    }
}
