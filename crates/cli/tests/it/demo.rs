//! `handshake demo` and `handshake serve --demo`: the README's main command
//! fills an empty store, prints a token, and the dashboard answers with it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::{TempDir, bin, cookie, text};

#[test]
fn demo_is_deterministic_and_loading_it_twice_adds_no_events() {
    let dir = TempDir::new("demo");
    let args = ["demo", "--leads", "300", "--as-of", "2026-11-22T12:00:00Z"];
    let first = dir.run(&args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(out.contains("agreement version 1"), "{out}");
    let events: usize = out
        .split(" new events")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event count in {out}"));
    assert!(events > 1_000, "{out}");
    let again = text(&dir.run(&args).stdout);
    assert!(
        again.contains("agreement version 2") && again.contains(" 0 new events"),
        "{again}"
    );
    let bad = dir.run(&["demo", "--as-of", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("expected RFC 3339"),
        "{}",
        text(&bad.stderr)
    );
}

/// Starts `serve --demo`; its child, base URL and printed token.
fn serve_demo(dir: &TempDir) -> (Child, String, String, String) {
    let mut child = bin()
        .args([
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--db",
            &dir.db(),
        ])
        .env("HANDSHAKE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let (mut listening, mut dashboard) = (String::new(), String::new());
    lines.read_line(&mut listening).unwrap();
    lines.read_line(&mut dashboard).unwrap();
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    let base = listening
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| panic!("no address in {listening:?}"));
    let token = dashboard
        .split_whitespace()
        .find(|w| w.starts_with("hs_"))
        .map(|t| t.trim_end_matches(')').to_string())
        .unwrap_or_else(|| panic!("no token in {dashboard:?}"));
    (child, base, token, dashboard)
}

#[tokio::test]
async fn serve_demo_fills_an_empty_store_and_its_token_opens_the_dashboard() {
    let dir = TempDir::new("serve-demo");
    let (mut server, base, token, dashboard) = serve_demo(&dir);
    assert!(
        dashboard.starts_with(&format!("Dashboard: {base}/")),
        "{dashboard}"
    );
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = c.get(format!("{base}/login")).send().await.unwrap();
    let login = cookie(&form, "hs_login");
    let html = form.text().await.unwrap();
    let key = "name=\"csrf\" value=\"";
    let at = html.find(key).unwrap() + key.len();
    let csrf = &html[at..at + 64];
    let r = c
        .post(format!("{base}/login"))
        .header("cookie", &login)
        .form(&[("token", token.as_str()), ("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = cookie(&r, "hs_session");
    let page = c
        .get(format!("{base}/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Northwind Cloud") && page.contains("mql-volume"),
        "{page}"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    // The store is no longer empty: a second start loads nothing and prints a new token.
    let (mut again, _, second, _) = serve_demo(&dir);
    assert_ne!(second, token);
    again.kill().unwrap();
    again.wait().unwrap();
    let versions = text(&dir.run(&["agreement", "list"]).stdout);
    assert_eq!(versions.lines().count(), 1, "{versions}");
}
