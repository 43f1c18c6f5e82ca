//! The live engine under load: a demo store of N leads (default 100,000),
//! the server in this process, one client posting events at a steady rate
//! (default 1,000 events/s in batches of 100), and meanwhile
//!
//! - event to visible: every 250 ms a probe event is posted, and right after
//!   its 2xx a `GET /api/v1/scorecard` is sent; that answer waits until the
//!   live state counts what the store held, so its latency is the time from
//!   the 2xx to the event counting (the answer's `events` is checked);
//! - reads under writes: a reader fetching the scorecard, the clock queue
//!   and the `/queue` page one after another.
//!
//! Before the load: cold start (a new server to its first current
//! scorecard) beside the database's own shell reading the same rows.
//!
//! Run: `cargo bench -p handshake-server --bench live -- [LEADS] [SECONDS] [RATE]`;
//! with `--postgres` the store is a fresh schema on `HANDSHAKE_TEST_POSTGRES`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use handshake_core::demo::DemoSpec;
use handshake_store::{Store, Workspace};
use reqwest::redirect::Policy;

mod common;
use common::{fresh_pg_schema, ms, sign_in};

/// Median, 99th percentile and slowest, in ms.
fn summary(mut d: Vec<Duration>) -> String {
    if d.is_empty() {
        return "no samples".into();
    }
    d.sort_unstable();
    let at = |q: f64| d[((d.len() as f64 * q) as usize).min(d.len() - 1)];
    format!(
        "n={} p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        d.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(d[d.len() - 1])
    )
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(0.0, |k| k / 1024.0)
}

async fn connect(postgres: bool, dir: &std::path::Path) -> (Store, String) {
    if postgres {
        let base = std::env::var("HANDSHAKE_TEST_POSTGRES")
            .expect("--postgres needs HANDSHAKE_TEST_POSTGRES");
        let url = fresh_pg_schema(&base, "live").await;
        (Store::connect(&url).await.unwrap(), url)
    } else {
        let file = dir.join("live.db");
        let url = format!("sqlite://{}", file.display());
        (Store::connect(&url).await.unwrap(), url)
    }
}

fn event(id: &str, lead: &str, kind: &str) -> String {
    let at = jiff::Timestamp::now();
    match kind {
        "created" => format!(
            r#"{{"id":"{id}","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise","source":"webinar"}}}}"#
        ),
        _ => format!(
            r#"{{"id":"{id}","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"mql"}}"#
        ),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let postgres = all.iter().any(|a| a == "--postgres");
    let args: Vec<&String> = all.iter().filter(|a| !a.starts_with("--")).collect();
    let leads: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let rate: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let dir = std::env::temp_dir().join(format!("handshake-bench-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (store, url) = connect(postgres, &dir).await;
    let ws = Workspace::new("default").unwrap();
    let t = Instant::now();
    let loaded = handshake_server::load_demo(
        &store,
        &ws,
        &DemoSpec {
            seed: 7,
            leads,
            as_of: jiff::Timestamp::now(),
        },
    )
    .await
    .unwrap();
    println!(
        "demo on {}: {leads} leads, {} events, loaded in {:.1} s",
        store.backend(),
        loaded.events,
        t.elapsed().as_secs_f64()
    );
    // The database's own shell reading the same rows: the limit of a cold start.
    let t = Instant::now();
    let shell = if postgres {
        let schema = format!("hs_test_bench_live_{}", std::process::id());
        let base = std::env::var("HANDSHAKE_TEST_POSTGRES").unwrap();
        std::process::Command::new("psql")
            .arg(&base)
            .arg("-c")
            .arg(format!(
                "\\copy (select * from {schema}.events) to /dev/null"
            ))
            .output()
    } else {
        std::process::Command::new("sqlite3")
            .arg(dir.join("live.db"))
            .arg("select * from events")
            .stdout(std::process::Stdio::null())
            .output()
    };
    let shell_time = t.elapsed();
    match shell {
        Ok(o) if o.status.success() => {
            println!("the shell reads every row: {:.0} ms", ms(shell_time))
        }
        _ => {
            println!("the database shell is not installed; no limit to compare the cold start with")
        }
    }
    drop(store);
    let rss_before = rss_mb();
    // Cold start: a new server on the store, to its first current scorecard.
    let t = Instant::now();
    let store = Store::connect(&url).await.unwrap();
    let token = store
        .create_token(&ws, "bench", handshake_store::TokenRole::Admin, None)
        .await
        .unwrap()
        .reveal();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = handshake_server::AppState::new(store.clone());
    state.warm(ws.clone());
    tokio::spawn(handshake_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let c = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let first = c
        .get(format!("{base}/api/v1/scorecard"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let cold = t.elapsed();
    println!(
        "cold start to a current scorecard: {:.0} ms ({:.2} times the shell); resident memory +{:.0} MB",
        ms(cold),
        cold.as_secs_f64() / shell_time.as_secs_f64(),
        rss_mb() - rss_before
    );
    let session = sign_in(&c, &base, &token).await;

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    // The writer: `rate` events a second, in batches of 100.
    let writer = {
        let (c, base, token, stop, sent) = (
            c.clone(),
            base.clone(),
            token.clone(),
            stop.clone(),
            sent.clone(),
        );
        tokio::spawn(async move {
            let per_batch = 100;
            let every = Duration::from_secs_f64(per_batch as f64 / rate as f64);
            let mut tick = tokio::time::interval(every);
            let mut n = 0usize;
            let mut late = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let body: Vec<String> = (0..per_batch)
                    .map(|i| {
                        let lead = format!("W-{}", (n + i) / 2);
                        let kind = if (n + i).is_multiple_of(2) {
                            "created"
                        } else {
                            "mql"
                        };
                        event(&format!("w-{}", n + i), &lead, kind)
                    })
                    .collect();
                n += per_batch;
                let t = Instant::now();
                let r = c
                    .post(format!("{base}/api/v1/events/batch"))
                    .bearer_auth(&token)
                    .body(body.join("\n"))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                late.push(t.elapsed());
                sent.fetch_add(per_batch, Ordering::Relaxed);
            }
            late
        })
    };
    // The reader: scorecard, clocks, the queue page.
    let reader = {
        let (c, base, token, session, stop) = (
            c.clone(),
            base.clone(),
            token.clone(),
            session.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut times: [Vec<Duration>; 3] = Default::default();
            while !stop.load(Ordering::Relaxed) {
                for (i, path) in ["/api/v1/scorecard", "/api/v1/clocks", "/queue"]
                    .iter()
                    .enumerate()
                {
                    let t = Instant::now();
                    let req = c.get(format!("{base}{path}"));
                    let req = if path.starts_with("/api") {
                        req.bearer_auth(&token)
                    } else {
                        req.header("cookie", &session)
                    };
                    let r = req.send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    r.bytes().await.unwrap();
                    times[i].push(t.elapsed());
                }
            }
            times
        })
    };
    // The probe: event to visible.
    let mut visible = Vec::new();
    let started = Instant::now();
    let mut p = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let r = c
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&token)
            .body(event(&format!("p-{p}"), &format!("P-{p}"), "created"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let t = Instant::now();
        let card: serde_json::Value = c
            .get(format!("{base}/api/v1/scorecard"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        visible.push(t.elapsed());
        let counted = card["events"].as_u64().unwrap_or(0) as usize;
        assert!(
            counted > loaded.events + p,
            "the probe is not counted: {counted} events"
        );
        p += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let posts = writer.await.unwrap();
    let reads = reader.await.unwrap();
    println!(
        "{} events written at {rate}/s over {seconds} s; batch POST {}",
        sent.load(Ordering::Relaxed),
        summary(posts)
    );
    println!(
        "event to visible (2xx to counting in GET /api/v1/scorecard): {}",
        summary(visible)
    );
    println!(
        "GET /api/v1/scorecard under writes: {}",
        summary(reads[0].clone())
    );
    println!(
        "GET /api/v1/clocks under writes: {}",
        summary(reads[1].clone())
    );
    println!(
        "GET /queue (page) under writes: {}",
        summary(reads[2].clone())
    );
    println!("resident memory now: {:.0} MB", rss_mb());
    let _ = std::fs::remove_dir_all(&dir);
}
