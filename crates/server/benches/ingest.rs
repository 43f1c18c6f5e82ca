//! Ingest throughput: N events through `POST /api/v1/events/batch` (NDJSON,
//! 10,000 per request, two connections) into SQLite and into PostgreSQL,
//! next to each back end's own limit on the same rows: a plain bulk insert
//! into the same table with the same unique index (SQLite: multi-row INSERT
//! in one transaction per 10,000; PostgreSQL: COPY), no HTTP, no validation.
//!
//! Run: `cargo bench -p handshake-server --bench ingest -- [EVENTS]`
//! (default 1,000,000). PostgreSQL is measured when HANDSHAKE_TEST_POSTGRES is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

mod common;
use common::fresh_pg_schema;

use handshake_store::{Store, Workspace};

const BATCH: usize = 10_000;
const BASE: i64 = 1_790_000_000; // 2026-09-22

/// The n-th event: a realistic mix of creations, stage changes and touches.
fn line(n: usize) -> String {
    let lead = n / 4;
    let at = jiff::Timestamp::from_second(BASE + n as i64 * 7).unwrap();
    match n % 4 {
        0 => format!(
            r#"{{"id":"e{n}","type":"lead.created","lead_id":"L{lead}","occurred_at":"{at}","attributes":{{"source":"webinar","segment":"enterprise","score":{}}}}}"#,
            n % 100
        ),
        1 => format!(
            r#"{{"id":"e{n}","type":"lead.stage_changed","lead_id":"L{lead}","occurred_at":"{at}","stage":"mql"}}"#
        ),
        _ => format!(
            r#"{{"id":"e{n}","type":"lead.touched","lead_id":"L{lead}","occurred_at":"{at}","channel":"call","by":"rep-{}"}}"#,
            n % 8
        ),
    }
}

fn temp_sqlite(tag: &str) -> (String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("handshake-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    (format!("sqlite://{}", dir.join("bench.db").display()), dir)
}

/// Typed columns of the n-th event, as the baseline inserts them.
struct Plain {
    id: String,
    subject: String,
    kind: i16,
    at: i64,
    fingerprint: i64,
    stage: Option<&'static str>,
    channel: Option<&'static str>,
    actor: Option<String>,
    source: Option<&'static str>,
    segment: Option<&'static str>,
    score: Option<i64>,
}

fn plain(n: usize) -> Plain {
    let (kind, stage, channel, actor, source, segment, score) = match n % 4 {
        0 => (
            0,
            None,
            None,
            None,
            Some("webinar"),
            Some("enterprise"),
            Some((n % 100) as i64),
        ),
        1 => (2, Some("mql"), None, None, None, None, None),
        _ => (
            4,
            None,
            Some("call"),
            Some(format!("rep-{}", n % 8)),
            None,
            None,
            None,
        ),
    };
    Plain {
        id: format!("e{n}"),
        subject: format!("L{}", n / 4),
        kind,
        at: (BASE + n as i64 * 7) * 1_000_000_000,
        fingerprint: n as i64,
        stage,
        channel,
        actor,
        source,
        segment,
        score,
    }
}

const COLS: &str = "workspace, id, subject, kind, occurred_at, received_at, fingerprint, inferred, stage, channel, actor, source, segment, score";

async fn baseline_sqlite(url: &str, n: usize) -> f64 {
    let store = Store::connect(url).await.unwrap();
    let Store::Sqlite(pool, _) = &store else {
        unreachable!()
    };
    let start = Instant::now();
    for chunk_start in (0..n).step_by(BATCH) {
        let rows: Vec<Plain> = (chunk_start..(chunk_start + BATCH).min(n))
            .map(plain)
            .collect();
        let mut tx = pool.begin().await.unwrap();
        for part in rows.chunks(1_000) {
            let mut q =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO events ({COLS}) "));
            q.push_values(part, |mut b, r| {
                b.push_bind("default")
                    .push_bind(&r.id)
                    .push_bind(&r.subject)
                    .push_bind(r.kind)
                    .push_bind(r.at)
                    .push_bind(r.at)
                    .push_bind(r.fingerprint)
                    .push_bind(false)
                    .push_bind(r.stage)
                    .push_bind(r.channel)
                    .push_bind(&r.actor)
                    .push_bind(r.source)
                    .push_bind(r.segment)
                    .push_bind(r.score);
            });
            q.build().execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn baseline_postgres(url: &str, n: usize) -> f64 {
    let store = Store::connect(url).await.unwrap();
    let Store::Postgres(pool) = &store else {
        unreachable!()
    };
    let opt = |v: Option<&str>| v.map_or("\\N".to_string(), str::to_string);
    let start = Instant::now();
    for chunk_start in (0..n).step_by(BATCH) {
        let mut text = String::with_capacity(BATCH * 120);
        for i in chunk_start..(chunk_start + BATCH).min(n) {
            let r = plain(i);
            text.push_str(&format!(
                "default\t{}\t{}\t{}\t{}\t{}\t{}\tf\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.id,
                r.subject,
                r.kind,
                r.at,
                r.at,
                r.fingerprint,
                opt(r.stage),
                opt(r.channel),
                opt(r.actor.as_deref()),
                opt(r.source),
                opt(r.segment),
                r.score.map_or("\\N".to_string(), |s| s.to_string())
            ));
        }
        let mut conn = pool.acquire().await.unwrap();
        let mut copy = conn
            .copy_in_raw(&format!("COPY events ({COLS}) FROM STDIN"))
            .await
            .unwrap();
        copy.send(text.as_bytes()).await.unwrap();
        copy.finish().await.unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn http(url: &str, n: usize) -> f64 {
    let store = Store::connect(url).await.unwrap();
    let token = store
        .create_token(
            &Workspace::new("default").unwrap(),
            "bench",
            handshake_store::TokenRole::Admin,
            None,
        )
        .await
        .unwrap()
        .reveal();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://{}/api/v1/events/batch",
        listener.local_addr().unwrap()
    );
    tokio::spawn(handshake_server::serve(
        listener,
        handshake_server::AppState::new(store),
        std::future::pending(),
    ));
    let bodies: Vec<String> = (0..n)
        .step_by(BATCH)
        .map(|s| {
            (s..(s + BATCH).min(n))
                .map(line)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut accepted = 0u64;
    // Two connections, each sending its half of the batches in turn.
    let halves: Vec<Vec<String>> = vec![
        bodies.iter().step_by(2).cloned().collect(),
        bodies.iter().skip(1).step_by(2).cloned().collect(),
    ];
    let tasks: Vec<_> = halves
        .into_iter()
        .map(|half| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                let mut ok = 0u64;
                for body in half {
                    let r = client
                        .post(&base)
                        .bearer_auth(&token)
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    let v: serde_json::Value = r.json().await.unwrap();
                    ok += v["accepted"].as_u64().unwrap_or(0);
                }
                ok
            })
        })
        .collect();
    for t in tasks {
        accepted += t.await.unwrap();
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    assert_eq!(accepted, n as u64, "every event must be accepted");
    rate
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runs = 3;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("ingest of {n} events, batches of {BATCH}; median of {runs} runs, limit and HTTP alternating");
        let (mut limits, mut gots) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let (url, dir) = temp_sqlite(&format!("limit{run}"));
            limits.push(baseline_sqlite(&url, n).await);
            let _ = std::fs::remove_dir_all(dir);
            let (url, dir) = temp_sqlite(&format!("http{run}"));
            gots.push(http(&url, n).await);
            let _ = std::fs::remove_dir_all(dir);
        }
        let (limit, got) = (median(limits.clone()), median(gots.clone()));
        println!("sqlite     runs: limit {limits:.0?}, HTTP {gots:.0?}");
        println!("sqlite     limit (multi-row INSERT, same table and index): {limit:>10.0} events/s");
        println!("sqlite     HTTP batch endpoint:                           {got:>10.0} events/s  = {:.0}% of the limit", got / limit * 100.0);
        match std::env::var("HANDSHAKE_TEST_POSTGRES") {
            Ok(base) => {
                let (mut limits, mut gots) = (Vec::new(), Vec::new());
                for run in 0..runs {
                    let url = fresh_pg_schema(&base, &format!("limit{run}")).await;
                    limits.push(baseline_postgres(&url, n).await);
                    let url = fresh_pg_schema(&base, &format!("http{run}")).await;
                    gots.push(http(&url, n).await);
                }
                let (limit, got) = (median(limits.clone()), median(gots.clone()));
                println!("postgres   runs: limit {limits:.0?}, HTTP {gots:.0?}");
                println!("postgres   limit (COPY, same table and index):            {limit:>10.0} events/s");
                println!("postgres   HTTP batch endpoint:                           {got:>10.0} events/s  = {:.0}% of the limit", got / limit * 100.0);
            }
            Err(_) => println!("postgres   SKIPPED: set HANDSHAKE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to measure it"),
        }
    });
}
