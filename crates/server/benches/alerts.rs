//! Alert lateness: N running clocks (default 100,000) whose ladder steps
//! fall due over a window of seconds, the server in this process, and a
//! webhook receiver here too. For every delivery the receiver notes when it
//! came against the instant its step fell (the body's `step.fell_at`): p50,
//! p99 and the latest, beside the issue's limit of 5 s for p99.
//!
//! Run: `cargo bench -p handshake-server --bench alerts -- [CLOCKS] [WINDOW_SECONDS]`;
//! with `--postgres` the store is a fresh schema on `HANDSHAKE_TEST_POSTGRES`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};
use handshake_core::event::parse_event;
use handshake_store::{Store, Workspace};

mod common;
use common::fresh_pg_schema;

/// Lateness of each delivery, in ms.
type Seen = Arc<Mutex<Vec<i64>>>;

async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let now = jiff::Timestamp::now().as_millisecond();
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let fell: jiff::Timestamp = v["step"]["fell_at"].as_str().unwrap().parse().unwrap();
                kept.lock().unwrap().push(now - fell.as_millisecond());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let postgres = all.iter().any(|a| a == "--postgres");
    let args: Vec<&String> = all.iter().filter(|a| !a.starts_with("--")).collect();
    let clocks: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let window: i64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let dir = std::env::temp_dir().join(format!("handshake-bench-alerts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = if postgres {
        let base = std::env::var("HANDSHAKE_TEST_POSTGRES")
            .expect("--postgres needs HANDSHAKE_TEST_POSTGRES");
        fresh_pg_schema(&base, "alerts").await
    } else {
        format!("sqlite://{}", dir.join("alerts.db").display())
    };
    let store = Store::connect(&url).await.unwrap();
    let ws = Workspace::new("default").unwrap();
    // Always open, two minutes to the first touch, the owner told at half.
    let text = include_str!("../../../examples/agreement.toml")
        .replacen(
            "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }",
            "effective = { from = \"2020-01-01\", to = \"2099-12-31\" }",
            1,
        )
        .replacen("hours = \"mon-fri 09:00-17:00\"", "hours = \"24x7\"", 1)
        .replacen("within = \"1 business hour\"", "within = \"2 minutes\"", 1)
        .replacen(
            "  { at = \"50%\", tell = \"owner\", via = \"sales-room\" },\n  { at = \"due\", tell = \"manager\", via = [\"sales-room\", \"ops\"] },\n  { at = \"150%\", tell = \"sales\", via = \"ops\", ask = \"reassign\" },\n",
            "  { at = \"50%\", tell = \"owner\", via = \"ops\" },\n",
            1,
        );
    assert!(handshake_core::check("bench", &text).agreement.is_some());
    store.add_agreement(&ws, "bench", &text).await.unwrap();
    let (hook, seen) = receiver().await;
    let secret = dir.join("ops.secret");
    std::fs::write(&secret, "bench-secret").unwrap();
    let channel = Channel {
        name: ChannelName::parse("ops").unwrap(),
        target: ChannelTarget::Webhook {
            url: hook,
            secret: SecretSource::File(secret),
        },
    };
    store.add_channel(&ws, &channel, 0).await.unwrap();
    // The steps fall from 25 s after now, spread over the window: each
    // MQL 60 s before its step.
    let first_step = jiff::Timestamp::now().as_second() + 25;
    let t = Instant::now();
    let mut batch = Vec::new();
    for i in 0..clocks {
        let step = first_step + (i as i64 * window) / clocks as i64;
        let at = jiff::Timestamp::from_second(step - 60).unwrap();
        let lead = format!("B-{i}");
        for line in [
            format!(
                r#"{{"id":"{lead}-c","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise"}}}}"#
            ),
            format!(
                r#"{{"id":"{lead}-a","type":"lead.assigned","lead_id":"{lead}","occurred_at":"{at}","owner":"rep-{}"}}"#,
                i % 50
            ),
            format!(
                r#"{{"id":"{lead}-m","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"mql"}}"#
            ),
        ] {
            batch.push(parse_event(&line).unwrap());
        }
        if batch.len() >= 30_000 {
            store.insert_events(&ws, &batch).await.unwrap();
            batch.clear();
        }
    }
    store.insert_events(&ws, &batch).await.unwrap();
    println!(
        "alerts on {}: {clocks} running clocks stored in {:.1} s; their steps fall over {window} s, the first 25 s after they were planned",
        store.backend(),
        t.elapsed().as_secs_f64(),
    );
    let state = handshake_server::AppState::with_settings(
        store.clone(),
        handshake_server::Settings::default(),
    );
    state.warm(ws.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    tokio::spawn(handshake_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let deadline = Instant::now() + Duration::from_secs(window as u64 + 120);
    while seen.lock().unwrap().len() < clocks && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut late = seen.lock().unwrap().clone();
    assert!(!late.is_empty(), "nothing was delivered");
    late.sort_unstable();
    let at = |q: f64| late[((late.len() as f64 * q) as usize).min(late.len() - 1)] as f64 / 1000.0;
    let p99 = at(0.99);
    println!(
        "lateness of {} of {clocks} deliveries (attempt minus the instant the step fell): p50 {:.2} s, p99 {p99:.2} s, latest {:.2} s; limit 5 s for p99: {:.2}x of it",
        late.len(),
        at(0.5),
        late[late.len() - 1] as f64 / 1000.0,
        p99 / 5.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
