//! Nothing lost, nothing twice, across real `handshake serve` processes: a
//! server killed (`kill -9`) with a full outbox delivers all of it after a
//! restart, and two servers on one PostgreSQL deliver each notification
//! once. The receiver is a small HTTP server in the test that answers after
//! a pause, so the kill lands mid-delivery.

use std::collections::HashMap;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};
use handshake_store::{NewNotification, NotificationState, Store, Workspace};

use crate::{TempDir, serve_with};

/// Delivery ids the receiver accepted, with how often each came.
type Seen = Arc<Mutex<HashMap<String, usize>>>;

/// A receiver that answers 200 after `pause`.
async fn receiver(pause: Duration) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let kept = kept.clone();
            async move {
                tokio::time::sleep(pause).await;
                let id = headers["handshake-delivery"].to_str().unwrap().to_string();
                *kept.lock().unwrap().entry(id).or_default() += 1;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// `n` notifications due now on channel `ops` (a webhook to `url`, its
/// secret in `dir`).
async fn fill(store: &Store, dir: &TempDir, url: String, n: usize) {
    let ws = Workspace::new("default").unwrap();
    let secret = dir.0.join("ops.secret");
    std::fs::write(&secret, "s3cret").unwrap();
    let channel = Channel {
        name: ChannelName::parse("ops").unwrap(),
        target: ChannelTarget::Webhook {
            url,
            secret: SecretSource::File(secret),
        },
    };
    store.add_channel(&ws, &channel, 0).await.unwrap();
    let now = jiff::Timestamp::now().as_second();
    let list: Vec<NewNotification> = (0..n)
        .map(|i| NewNotification {
            key: format!("clock/first-touch/1/50%/owner/L-{i}/ops"),
            channel: "ops".into(),
            kind: "clock.step".into(),
            body: format!("{{\"subject\":\"L-{i}\"}}"),
            due_at: now,
            subject: None,
            summary: None,
        })
        .collect();
    assert_eq!(
        store.enqueue_notifications(&ws, &list, now).await.unwrap(),
        n as u64
    );
}

/// Waits until every notification is delivered (at most `limit`); their delivery ids.
async fn all_delivered(store: &Store, n: usize, limit: Duration) -> Vec<String> {
    let ws = Workspace::new("default").unwrap();
    let deadline = Instant::now() + limit;
    loop {
        let list = store.notifications(&ws, n as i64 + 10).await.unwrap();
        assert_eq!(list.len(), n);
        let done = list
            .iter()
            .filter(|x| x.state == NotificationState::Delivered)
            .count();
        if done == n {
            return list.into_iter().map(|x| x.delivery_id).collect();
        }
        assert!(
            Instant::now() < deadline,
            "{done} of {n} delivered after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_server_killed_with_a_full_outbox_delivers_all_of_it_after_a_restart() {
    const N: usize = 300;
    let rt = runtime();
    let dir = TempDir::new("kill");
    let db = format!("sqlite://{}", dir.0.join("h.db").display());
    let (store, seen) = rt.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        let (url, seen) = receiver(Duration::from_millis(100)).await;
        fill(&store, &dir, url, N).await;
        (store, seen)
    });
    // Short leases: what the killed server held is claimed again in 2 s.
    let env = [("HANDSHAKE_DELIVERY_LEASE", "2")];
    let mut first = Server(serve_with(&db, &env).0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < 40 {
        assert!(
            Instant::now() < deadline,
            "no deliveries from the first server"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // kill -9, mid-delivery.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let before = seen.lock().unwrap().len();
    assert!(before < N, "all {N} were delivered before the kill");
    let _second = Server(serve_with(&db, &env).0);
    let ids = rt.block_on(all_delivered(&store, N, Duration::from_secs(60)));
    let seen = seen.lock().unwrap().clone();
    for id in &ids {
        assert!(seen.contains_key(id), "{id} delivered but never received");
    }
    // Only what was in flight at the kill came twice, under its own id.
    let repeats = seen.values().filter(|n| **n > 1).count();
    assert!(
        repeats <= 128,
        "{repeats} delivery ids came more than once (one claim holds at most 128)"
    );
    assert_eq!(seen.len(), N);
}

#[test]
fn two_servers_on_one_postgres_deliver_each_notification_once() {
    const N: usize = 300;
    let rt = runtime();
    let Some(db) = rt.block_on(crate::replicas::postgres_url()) else {
        return;
    };
    let dir = TempDir::new("two-deliver");
    let (store, seen) = rt.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        let (url, seen) = receiver(Duration::from_millis(20)).await;
        fill(&store, &dir, url, N).await;
        (store, seen)
    });
    let (_a, _b) = (
        Server(serve_with(&db, &[]).0),
        Server(serve_with(&db, &[]).0),
    );
    let ids = rt.block_on(all_delivered(&store, N, Duration::from_secs(60)));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), N);
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "{id} not delivered exactly once");
    }
}
