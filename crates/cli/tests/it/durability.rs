//! An event acknowledged with a 2xx survives a `kill -9` of the server. The
//! test loads the server with batches, kills it in the middle of one, starts
//! it again on the same database, and finds every acknowledged event; the
//! batch cut short is there whole or not at all.

use std::process::Child;

use crate::{TempDir, bin, text};

fn start(dir: &TempDir) -> (Child, String) {
    crate::serve(&dir.db())
}

fn batch(n: usize) -> String {
    (0..200)
        .map(|i| format!(r#"{{"id":"b{n}-{i}","type":"lead.touched","lead_id":"L{n}","occurred_at":"2026-10-01T14:{:02}:00Z","channel":"call"}}"#, i % 60))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn acknowledged_events_survive_kill_9() {
    let dir = TempDir::new("durability");
    let token = bin()
        .args(["token", "create", "--name", "load", "--db", &dir.db()])
        .output()
        .unwrap();
    let token = text(&token.stdout).trim().to_string();
    let (mut server, base) = start(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (acked, cut) = rt.block_on(async {
        let client = reqwest::Client::new();
        let send = |n: usize| {
            let req = client
                .post(format!("{base}/api/v1/events/batch"))
                .bearer_auth(&token)
                .body(batch(n));
            async move {
                req.send()
                    .await
                    .ok()
                    .filter(|r| r.status().is_success())
                    .is_some()
            }
        };
        let mut acked = Vec::new();
        for n in 0..15 {
            assert!(
                send(n).await,
                "batch {n} before the kill must be acknowledged"
            );
            acked.push(n);
        }
        // Several batches in flight at once; kill -9 while they are.
        let in_flight: Vec<_> = (15..20).map(|n| tokio::spawn(send(n))).collect();
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        let mut cut = Vec::new();
        for (n, handle) in (15..20).zip(in_flight) {
            if handle.await.unwrap() {
                acked.push(n);
            } else {
                cut.push(n);
            }
        }
        (acked, cut)
    });
    let (mut again, base) = start(&dir);
    rt.block_on(async {
        let client = reqwest::Client::new();
        let events_of = |n: usize| {
            let req = client
                .get(format!("{base}/api/v1/leads/L{n}"))
                .bearer_auth(&token);
            async move {
                let r = req.send().await.unwrap();
                if r.status() == 404 {
                    return 0;
                }
                let v: serde_json::Value = r.json().await.unwrap();
                v["timeline"].as_array().map_or(0, Vec::len)
            }
        };
        for &n in &acked {
            assert_eq!(
                events_of(n).await,
                200,
                "acknowledged batch {n} lost events"
            );
        }
        for &n in &cut {
            let count = events_of(n).await;
            assert!(
                count == 0 || count == 200,
                "batch {n} cut by the kill is partly stored: {count}"
            );
        }
    });
    again.kill().unwrap();
    again.wait().unwrap();
    assert!(acked.len() >= 15);
}
