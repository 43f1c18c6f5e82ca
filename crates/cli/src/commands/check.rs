//! `handshake check`: reads an agreement file, prints every finding with its place.

use std::process::ExitCode;

use crate::cli::CheckArgs;

pub fn run(_args: &CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}
