//! `handshake demo` and `handshake serve --demo`: the README's main command
//! fills an empty store, prints a token, and the dashboard answers with it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::{TempDir, bin, text};

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
    let session = crate::sign_in(&c, &base, &token).await;
    let page = crate::page(&c, &base, "/", &session).await;
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

/// The demo company's report through the API, the CLI and the scorecard
/// page: the same numbers and the same words. A closed month two months
/// back, so nothing in it moves between the three readings.
#[tokio::test]
async fn the_demo_reads_the_same_through_the_api_the_cli_and_the_pages() {
    let dir = TempDir::new("three-ways");
    let (mut server, base, token, _) = serve_demo(&dir);
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let month = now.first_of_month().unwrap().date() - jiff::Span::new().months(2);
    let period = format!("{:04}-{:02}", month.year(), month.month());
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The API.
    let api: serde_json::Value = c
        .get(format!("{base}/api/v1/scorecard?period={period}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The CLI, JSON and table.
    let cli = dir.run(&["report", "--period", &period, "--format", "json"]);
    assert_eq!(cli.status.code(), Some(0), "{}", text(&cli.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let table = dir.run(&["report", "--period", &period]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    for key in [
        "guarantees",
        "goals",
        "streaks",
        "consequences",
        "cancellation",
        "findings",
        "sources",
        "scoring",
        "events",
    ] {
        assert_eq!(api[key], cli[key], "{key}: the API and the CLI differ");
    }
    let goals = api["goals"].as_array().unwrap();
    assert!(goals.len() >= 7, "{goals:?}");
    assert!(
        goals
            .iter()
            .any(|g| g["actual"].as_u64().is_some_and(|n| n > 0)),
        "the demo month has numbers: {goals:?}"
    );
    // The page, signed in with the same token.
    let session = crate::sign_in(&c, &base, &token).await;
    let page = crate::page(&c, &base, &format!("/?period={period}"), &session).await;
    // Each goal of the month (the quarter's, to date, for a quarter goal):
    // the table's target, actual and status words are the card's.
    let mut cards = 0;
    for line in table.lines().filter(|l| l.starts_with("goal ")) {
        let cells: Vec<&str> = line
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let [_, id, goal_period, _owner, target, actual, status] = cells[..] else {
            panic!("a goal row has seven cells: {line:?}");
        };
        let json = goals
            .iter()
            .find(|g| g["id"] == id && g["period"] == goal_period)
            .unwrap_or_else(|| panic!("{id} {goal_period} in the table, not in the JSON"));
        assert_eq!(
            json["status"].as_str().unwrap().replace('_', " "),
            status.split(" (").next().unwrap()
        );
        if let Some(n) = json["actual"].as_u64() {
            assert_eq!(actual, n.to_string(), "{id}");
        }
        let Some(at) = page.find(&format!("<h3>{id}</h3>")) else {
            continue;
        };
        let card = &page[at..];
        let card = &card[..card.find("</article>").unwrap()];
        if !card.contains(&format!("· {goal_period} · version 1<")) {
            continue;
        }
        cards += 1;
        assert!(
            card.contains(&format!("leads behind this number\">{actual}</a></span>")),
            "{id}: the table says {actual}; the card: {card}"
        );
        assert!(
            card.contains(&format!("of {target}</span>")),
            "{id}: {card}"
        );
        assert!(
            card.contains(&format!("{status} · {goal_period}")),
            "{id}: {card}"
        );
    }
    assert!(
        cards >= 6,
        "every goal has its card: {cards} matched\n{page}"
    );
    // Each guarantee: the page's row has the report's counts and share in time.
    for g in api["guarantees"].as_array().unwrap() {
        let row = format!(
            "{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
            g["id"].as_str().unwrap(),
            g["clocks"],
            g["met"],
            g["met_late"],
            g["breached"],
            g["running"],
            g["at_risk"]
        );
        assert!(page.contains(&row), "{row} not in the page");
        let compliance = format!(
            "compliance {:.1}%",
            g["compliance"].as_f64().unwrap() * 100.0
        );
        assert!(table.contains(&compliance), "{compliance} not in {table}");
    }
    // The findings, word for word (the page's HTML escapes quotes).
    let page = page
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    for f in api["findings"].as_array().unwrap() {
        let f = f.as_str().unwrap();
        assert!(table.contains(f), "{f} not in the table");
        assert!(page.contains(f), "{f} not in the page");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}
