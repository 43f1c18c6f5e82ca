//! The `handshake` binary as a user runs it: each test runs the real
//! binary against a fresh temporary SQLite store where it needs one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod commands;
mod demo;
mod durability;
mod import;
mod plan;
mod replicas;
mod report;
mod store;

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_handshake"));
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    c.env_remove("HANDSHAKE_DB")
        .env_remove("HANDSHAKE_WORKSPACE");
    c
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "handshake-cli-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn db(&self) -> String {
        format!("sqlite://{}", self.0.join("handshake.db").display())
    }

    /// Runs `handshake ARGS` against this directory's store.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        bin()
            .args(args)
            .env("HANDSHAKE_DB", self.db())
            .output()
            .unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn handshake(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
