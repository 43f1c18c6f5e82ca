//! The `handshake` binary: parses the command line and hands each command to
//! its module in `commands/`. Thin on purpose: the decisions live in
//! `handshake-core` and `handshake-calendar`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
