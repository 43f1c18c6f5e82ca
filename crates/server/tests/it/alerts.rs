//! The delivery worker over the outbox: a receiver that refuses at first
//! gets the notification again under the same delivery id, each attempt
//! signed, until it accepts; a notification for a channel that is gone is
//! failed and kept to show.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use handshake_core::alerts::retry::RetryPolicy;
use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};
use handshake_store::{NewNotification, Notification, NotificationState, Workspace};
use hmac::{Hmac, Mac};

use crate::app::spawn_app_with;

type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver that answers 500 to its first `refusals` requests, then 200.
async fn receiver(refusals: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let mut list = kept.lock().unwrap();
                list.push((headers, body.to_vec()));
                if list.len() <= refusals {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn settled(app: &crate::app::App, ws: &Workspace, key: &str) -> Notification {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = app.store.notifications(ws, 10).await.unwrap();
        if let Some(n) = list
            .into_iter()
            .find(|n| n.key == key && n.state != NotificationState::Pending)
        {
            return n;
        }
        assert!(Instant::now() < deadline, "{key} did not settle in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_refused_notification_comes_again_under_its_delivery_id_until_accepted() {
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            retry: RetryPolicy {
                first_wait: 1,
                longest_wait: 1,
                give_up_after: 3_600,
            },
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let (url, seen) = receiver(2).await;
    let dir = std::env::temp_dir().join(format!("handshake-alerts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("ops.secret");
    std::fs::write(&secret, "ops-secret").unwrap();
    let ws = Workspace::new("default").unwrap();
    app.store
        .add_channel(
            &ws,
            &Channel {
                name: ChannelName::parse("ops").unwrap(),
                target: ChannelTarget::Webhook {
                    url,
                    secret: SecretSource::File(secret),
                },
            },
            0,
        )
        .await
        .unwrap();
    let now = jiff::Timestamp::now().as_second();
    let body = r#"{"kind":"clock.at_risk","lead":"L-1"}"#;
    app.store
        .enqueue_notifications(
            &ws,
            &[
                NewNotification {
                    key: "clock:first-touch:L-1:step-1".into(),
                    channel: "ops".into(),
                    kind: "clock.at_risk".into(),
                    body: body.into(),
                    due_at: now,
                },
                NewNotification {
                    key: "clock:first-touch:L-2:step-1".into(),
                    channel: "gone".into(),
                    kind: "clock.at_risk".into(),
                    body: body.into(),
                    due_at: now,
                },
            ],
            now,
        )
        .await
        .unwrap();
    let done = settled(&app, &ws, "clock:first-touch:L-1:step-1").await;
    assert_eq!(
        (done.state, done.attempts, done.last_status),
        (NotificationState::Delivered, 3, Some(200))
    );
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "two refusals, then accepted");
    for (headers, raw) in &requests {
        let h = |name: &str| headers[name].to_str().unwrap().to_string();
        assert_eq!(
            h("handshake-delivery"),
            done.delivery_id,
            "the same id on every attempt"
        );
        assert_eq!(h("handshake-event"), "clock.at_risk");
        assert_eq!(raw, body.as_bytes());
        let signature = h("handshake-signature");
        let (t, v1) = signature
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"ops-secret").unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(raw);
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, expected);
    }
    let gone = settled(&app, &ws, "clock:first-touch:L-2:step-1").await;
    assert_eq!(gone.state, NotificationState::Failed);
    assert_eq!(
        gone.last_answer.as_deref(),
        Some("workspace \"default\" has no channel \"gone\"")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
