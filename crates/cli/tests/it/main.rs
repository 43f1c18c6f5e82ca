//! The `handshake` binary as a user runs it: each test runs the real
//! binary against a fresh temporary SQLite store where it needs one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod channel;
mod commands;
mod delivery;
mod demo;
mod durability;
mod guide;
mod import;
mod init;
mod person;
mod plan;
mod replicas;
mod report;
mod store;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

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

/// The example HubSpot contacts export, read straight from the file (the
/// counts tests compare Handshake's with).
pub struct ExampleContacts {
    /// Its rows, header excluded.
    pub rows: Vec<csv::StringRecord>,
    head: csv::StringRecord,
}

impl ExampleContacts {
    pub fn read() -> ExampleContacts {
        let mut reader = csv::Reader::from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/hubspot-contacts.csv"
        ))
        .unwrap();
        let head = reader.headers().unwrap().clone();
        let rows = reader.records().map(Result::unwrap).collect();
        ExampleContacts { rows, head }
    }

    /// The index of the column with this header.
    pub fn col(&self, name: &str) -> usize {
        self.head.iter().position(|h| h == name).unwrap()
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts `handshake serve` on a free port of 127.0.0.1 over `db`; the child
/// and its base URL (read from the first line it prints).
pub fn serve(db: &str) -> (Child, String) {
    serve_with(db, &[])
}

/// [`serve`] with these environment variables set too.
pub fn serve_with(db: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut c = bin();
    c.args(["serve", "--bind", "127.0.0.1:0", "--db", db])
        .envs(env.iter().copied());
    spawn_serve(c)
}

/// Starts a prepared `handshake serve --bind 127.0.0.1:0 ...`; the child and
/// its base URL (read from the first line it prints).
pub fn spawn_serve(mut command: Command) -> (Child, String) {
    let mut child = command
        .env("HANDSHAKE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    lines.read_line(&mut first).unwrap();
    // Keep reading whatever else it prints, so its stdout stays open.
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    (child, format!("http://{addr}"))
}

/// The `name=value` of the response's Set-Cookie for `name`.
pub fn cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

/// The value of the hidden form field `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key).unwrap() + key.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in to the dashboard at `base` with `token` as a browser would (the
/// form's cookie and CSRF token, then the post); the session cookie.
pub async fn sign_in(c: &reqwest::Client, base: &str, token: &str) -> String {
    let form = c.get(format!("{base}/login")).send().await.unwrap();
    let login = cookie(&form, "hs_login");
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    let r = c
        .post(format!("{base}/login"))
        .header("cookie", &login)
        .form(&[("token", token), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signing in with the token");
    cookie(&r, "hs_session")
}

/// A dashboard page's HTML, fetched with a session cookie.
pub async fn page(c: &reqwest::Client, base: &str, path: &str, session: &str) -> String {
    c.get(format!("{base}{path}"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
