//! The abuse test (issue 15), in a process of its own so that its memory
//! figure is the server's: under 500 concurrent wrong-secret requests, 300
//! clients that never finish their headers and a burst of invented methods,
//! the server's resident memory grows by at most 256 MiB and `/healthz`
//! still answers within 100 ms. Bounded: every loop has a count, and the
//! whole test a deadline.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use handshake_store::{Store, TokenRole, Workspace};
use tokio::io::AsyncWriteExt;

const WRONG_SECRETS: usize = 500;
const SLOW_CLIENTS: usize = 300;
const BUDGET_BYTES: u64 = 256 * 1024 * 1024;

/// This process's resident memory, from /proc/self/status.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status");
    kib * 1024
}

/// The slowest of several `/healthz` answers.
async fn health_latency(client: &reqwest::Client, base: &str) -> Duration {
    let mut worst = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let r = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        worst = worst.max(started.elapsed());
    }
    worst
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_and_health_answers_under_abuse() {
    tokio::time::timeout(Duration::from_secs(120), abuse())
        .await
        .expect("the abuse test finishes within two minutes");
}

async fn abuse() {
    let dir = std::env::temp_dir().join(format!("handshake-abuse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("abuse.db").display()))
        .await
        .unwrap();
    let ws = Workspace::new("default").unwrap();
    let real = store
        .create_token(&ws, "real", TokenRole::Admin, None)
        .await
        .unwrap()
        .reveal();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    tokio::spawn(handshake_server::serve(
        listener,
        handshake_server::AppState::new(store),
        std::future::pending(),
    ));
    let probe = reqwest::Client::new();
    // Warm up: the first requests allocate what every request needs.
    health_latency(&probe, &base).await;
    let r = probe
        .get(format!("{base}/api/v1/tokens"))
        .bearer_auth(&real)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let before = resident_bytes();

    // 300 clients that send half a request and stop.
    let mut slow = Vec::with_capacity(SLOW_CLIENTS);
    for _ in 0..SLOW_CLIENTS {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Le")
            .await
            .unwrap();
        slow.push(s);
    }

    // 500 concurrent requests with wrong secrets: for the real token's id,
    // and for invented ids, from 25 client addresses.
    let id = &real[3..15];
    let tasks: Vec<_> = (0..WRONG_SECRETS)
        .map(|i| {
            let token = if i % 2 == 0 {
                format!("hs_{id}_{:040x}", i)
            } else {
                format!("hs_{:012x}_{:040x}", i, i)
            };
            let client = reqwest::Client::builder()
                .local_address(std::net::IpAddr::from([127, 0, 0, 100 + (i % 25) as u8]))
                .build()
                .unwrap();
            let url = format!("{base}/api/v1/scorecard");
            tokio::spawn(async move {
                let r = client.get(url).bearer_auth(token).send().await.unwrap();
                r.status().as_u16()
            })
        })
        .collect();
    // Invented methods at the same time.
    for i in 0..200 {
        let method = reqwest::Method::from_bytes(format!("X{i:0>40}").as_bytes()).unwrap();
        let r = probe
            .request(method, format!("{base}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for t in tasks {
        *statuses.entry(t.await.unwrap()).or_default() += 1;
    }
    assert_eq!(
        statuses.keys().copied().collect::<Vec<_>>(),
        vec![401, 429],
        "every wrong secret is refused, none served, none a 5xx: {statuses:?}"
    );

    // With the slow clients still connected, health answers at once.
    let worst = health_latency(&probe, &base).await;
    let grown = resident_bytes().saturating_sub(before);
    eprintln!(
        "abuse: {statuses:?}; resident memory grew {} MiB; slowest /healthz {worst:?}",
        grown / (1024 * 1024)
    );
    assert!(
        worst <= Duration::from_millis(100),
        "/healthz took {worst:?} under abuse"
    );
    assert!(
        grown <= BUDGET_BYTES,
        "resident memory grew by {} MiB (budget 256 MiB)",
        grown / (1024 * 1024)
    );
    let metrics = probe
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.len() < 64 * 1024,
        "metrics grew to {} bytes",
        metrics.len()
    );
    drop(slow);
    let _ = std::fs::remove_dir_all(&dir);
}
