//! The delivery worker over the outbox: a receiver that refuses at first
//! gets the notification again under the same delivery id, each attempt
//! signed, until it accepts; a notification for a channel not set up waits,
//! tried again, until it is. And the escalation ladders: steps falling for
//! running clocks reach Slack and signed webhooks, addressed through the
//! people directory, without anyone reading a page.

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

/// The example agreement without its digests: they come at an hour of a
/// weekday (marketing's on Mondays at 09:00), and a test of something else
/// must not meet them on the day it runs at that hour.
fn without_digests() -> String {
    let text = include_str!("../../../../examples/agreement.toml");
    let cut = text.find("[[digests]]").expect("the example has digests");
    assert!(
        !text[cut..]
            .lines()
            .any(|l| l.starts_with('[') && !l.starts_with("[[digests]]")),
        "the digests are the example's last section"
    );
    text[..cut].to_string()
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
                    subject: None,
                    summary: None,
                },
                NewNotification {
                    key: "clock:first-touch:L-2:step-1".into(),
                    channel: "gone".into(),
                    kind: "clock.at_risk".into(),
                    body: body.into(),
                    due_at: now,
                    subject: None,
                    summary: None,
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
    // A channel not set up (yet): kept and tried again, saying why...
    let deadline = Instant::now() + Duration::from_secs(30);
    let waiting = loop {
        let list = app.store.notifications(&ws, 10).await.unwrap();
        if let Some(n) = list
            .into_iter()
            .find(|n| n.key == "clock:first-touch:L-2:step-1" && n.attempts > 0)
        {
            break n;
        }
        assert!(
            Instant::now() < deadline,
            "the channel-less one was never tried"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(waiting.state, NotificationState::Pending);
    assert_eq!(
        waiting.last_answer.as_deref(),
        Some(
            "workspace \"default\" has no channel \"gone\" (yet): add it with `handshake channel add gone`"
        )
    );
    // ...and delivered once it is.
    app.store
        .add_channel(
            &ws,
            &Channel {
                name: ChannelName::parse("gone").unwrap(),
                target: ChannelTarget::Log,
            },
            0,
        )
        .await
        .unwrap();
    let done = settled(&app, &ws, "clock:first-touch:L-2:step-1").await;
    assert_eq!(done.state, NotificationState::Delivered);
    assert_eq!(
        done.last_answer.as_deref(),
        Some("written to the server's log")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The body of each request a receiver saw, as JSON.
fn bodies(seen: &Seen) -> Vec<(HeaderMap, serde_json::Value)> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(h, raw)| (h.clone(), serde_json::from_slice(raw).unwrap()))
        .collect()
}

/// Waits until `seen` holds `n` requests (at most `limit`).
async fn wait_for_requests(seen: &Seen, n: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while seen.lock().unwrap().len() < n {
        assert!(
            Instant::now() < deadline,
            "{} of {n} requests after {limit:?}: {:?}",
            seen.lock().unwrap().len(),
            bodies(seen)
                .iter()
                .map(|(_, b)| b.to_string())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_ladder_tells_the_owner_then_the_manager_as_the_clock_runs_with_no_one_reading() {
    use handshake_core::alerts::people::{Person, Presence};
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            ..handshake_server::DeliverySettings::default()
        },
        public_url: Some("https://hs.example".into()),
        ..handshake_server::Settings::default()
    })
    .await;
    let ws = Workspace::new("default").unwrap();
    let (slack_url, slack) = receiver(0).await;
    let (ops_url, ops) = receiver(0).await;
    let dir = std::env::temp_dir().join(format!("handshake-ladder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("ops.secret");
    std::fs::write(&secret, "ops-secret\n").unwrap();
    for channel in [
        Channel {
            name: ChannelName::parse("sales-room").unwrap(),
            target: ChannelTarget::Slack { url: slack_url },
        },
        Channel {
            name: ChannelName::parse("ops").unwrap(),
            target: ChannelTarget::Webhook {
                url: ops_url,
                secret: SecretSource::File(secret),
            },
        },
    ] {
        app.store.add_channel(&ws, &channel, 0).await.unwrap();
    }
    let person = |id: &str, name: &str, slack: &str, manager: Option<&str>| Person {
        owner_id: id.into(),
        name: name.into(),
        email: Some(format!("{id}@northwind.example")),
        slack: Some(slack.into()),
        party: "sales".into(),
        manager: manager.map(str::to_string),
        calendar: None,
        time_zone: Some("Europe/Berlin".into()),
        quiet_hours: None,
        presence: Presence::Active,
    };
    app.store
        .put_people(
            &ws,
            &[
                person("rep-ava", "Ava Chen", "UAVA", Some("mgr-sam")),
                person("mgr-sam", "Sam Lee", "USAM", None),
            ],
        )
        .await
        .unwrap();
    // Always open; one minute to the first touch: the owner is told at
    // 30 s, the manager at 60 s, the party contact at 90 s.
    let text = without_digests()
        .replacen(
            "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }",
            "effective = { from = \"2020-01-01\", to = \"2099-12-31\" }",
            1,
        )
        .replacen("hours = \"mon-fri 09:00-17:00\"", "hours = \"24x7\"", 1)
        .replacen("within = \"1 business hour\"", "within = \"1 minute\"", 1);
    assert!(handshake_core::check("t", &text).agreement.is_some());
    app.store.add_agreement(&ws, "t", &text).await.unwrap();
    let ago = |s: i64| jiff::Timestamp::now() - jiff::SignedDuration::from_secs(s);
    let mql = |lead: &str, at: jiff::Timestamp| {
        format!(
            "{{\"id\":\"{lead}-c\",\"type\":\"lead.created\",\"lead_id\":\"{lead}\",\"occurred_at\":\"{at}\",\"attributes\":{{\"segment\":\"enterprise\"}}}}\n\
             {{\"id\":\"{lead}-a\",\"type\":\"lead.assigned\",\"lead_id\":\"{lead}\",\"occurred_at\":\"{at}\",\"owner\":\"rep-ava\"}}\n\
             {{\"id\":\"{lead}-m\",\"type\":\"lead.stage_changed\",\"lead_id\":\"{lead}\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}"
        )
    };
    // T-1: an MQL 55 s ago, untouched: its 50% step fell 25 s ago, its due
    // comes in 5 s. T-2: touched before half its time. T-3: an MQL two
    // hours ago, from before anyone looked: history is not told again.
    let t1 = ago(55);
    let batch = [
        mql("T-1", t1),
        mql("T-2", ago(55)),
        format!(
            "{{\"id\":\"T-2-t\",\"type\":\"lead.touched\",\"lead_id\":\"T-2\",\"occurred_at\":\"{}\",\"channel\":\"call\"}}",
            ago(50)
        ),
        mql("T-3", ago(7200)),
    ]
    .join("\n");
    assert_eq!(app.post("/api/v1/events/batch", batch).await.status(), 200);
    let started = t1.as_second();
    // The owner, on Slack, at once (the step fell before the first look, within its grace).
    wait_for_requests(&slack, 1, Duration::from_secs(10)).await;
    let (_, first) = bodies(&slack).remove(0);
    assert_eq!(
        first["blocks"][0]["text"]["text"],
        ":hourglass_flowing_sand: <@UAVA>: *T-1* has used 50% of its time"
    );
    assert_eq!(
        first["blocks"][2]["elements"][0]["url"],
        "https://hs.example/leads/T-1"
    );
    // The manager at due: on Slack and, signed, on the ops webhook.
    wait_for_requests(&ops, 1, Duration::from_secs(15)).await;
    let arrived = jiff::Timestamp::now().as_second();
    assert!(
        arrived - (started + 60) <= 5,
        "due at {}, told at {arrived}",
        started + 60
    );
    wait_for_requests(&slack, 2, Duration::from_secs(5)).await;
    let (headers, hook) = bodies(&ops).remove(0);
    assert_eq!(headers["handshake-event"], "clock.step");
    assert!(
        headers["handshake-signature"]
            .to_str()
            .unwrap()
            .starts_with("t=")
    );
    assert_eq!(hook["subject"], "T-1");
    assert_eq!(hook["step"]["at_percent"], 100);
    assert_eq!(hook["tell"]["role"], "manager");
    assert_eq!(hook["tell"]["name"], "Sam Lee");
    assert_eq!(hook["owner"]["name"], "Ava Chen");
    assert_eq!(hook["reassign"], false);
    let (_, second) = bodies(&slack).remove(1);
    assert!(
        second["text"].as_str().unwrap().starts_with(
            "Sam Lee: T-1 is due now: guarantee enterprise-first-touch, within 1 business minute, due "
        ),
        "{second}"
    );
    // Nothing for T-2 (touched in time) or T-3 (history), and each step once.
    let notifications = app.store.notifications(&ws, 50).await.unwrap();
    let mut keys: Vec<&str> = notifications.iter().map(|n| n.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            format!("clock/enterprise-first-touch/{started}/100%/manager/T-1/ops"),
            format!("clock/enterprise-first-touch/{started}/100%/manager/T-1/sales-room"),
            format!("clock/enterprise-first-touch/{started}/50%/owner/T-1/sales-room"),
        ]
    );
    assert_eq!(slack.lock().unwrap().len(), 2);
    // The lead's timeline says what was sent to whom, where; T-2's nothing.
    let (session, _) = crate::pages::sign_in(&app, &app.token).await;
    let page = crate::pages::page_html(&app, "/leads/T-1", &session).await;
    let told: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("<strong>notification</strong>"))
        .collect();
    assert_eq!(told.len(), 3, "{page}");
    assert!(
        told[0].contains("via sales-room (")
            && told[0].contains("Ava Chen: T-1 has used 50% of its time"),
        "{}",
        told[0]
    );
    assert!(
        told[1..]
            .iter()
            .all(|l| l.contains("Sam Lee: T-1 is due now")),
        "{told:?}"
    );
    let page = crate::pages::page_html(&app, "/leads/T-2", &session).await;
    assert!(!page.contains("<strong>notification</strong>"), "{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_months_close_tells_the_consequences_and_the_cancellation_term_once() {
    use handshake_core::agreement::Period;
    use handshake_core::engine::PeriodKey;
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            ..handshake_server::DeliverySettings::default()
        },
        public_url: Some("https://hs.example".into()),
        ..handshake_server::Settings::default()
    })
    .await;
    let ws = Workspace::new("default").unwrap();
    let (url, ops) = receiver(0).await;
    let dir = ops_channel(&app, &ws, url, "closing").await;
    // The example, in force for years with no leads: every month misses
    // mql-volume (400 MQLs). The alert mark stood a minute before this
    // month began, as if the server had looked then: this month's start is
    // last month's close, and it is told.
    let text = without_digests().replacen(
        "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }",
        "effective = { from = \"2020-01-01\", to = \"2099-12-31\" }",
        1,
    );
    let a = handshake_core::check("t", &text).agreement.unwrap();
    let tz = &a.time_zone.tz;
    let this_month = PeriodKey::containing(Period::Month, jiff::Timestamp::now(), tz);
    let closed = this_month.start(tz).as_second();
    let last_month = this_month.previous().to_string();
    app.store
        .enqueue_alerts(&ws, &[], closed - 60, closed - 60)
        .await
        .unwrap();
    app.store.add_agreement(&ws, "t", &text).await.unwrap();
    let one = r#"{"id":"x-1","type":"lead.created","lead_id":"X-1","occurred_at":"2021-01-05T15:00:00Z"}"#;
    assert_eq!(app.post("/api/v1/events", one).await.status(), 201);
    // Escalated to marketing (two months in a row), and the cancellation
    // term (three) to both parties' contacts, all through ops.
    let escalation = format!("consequence/1/mql-volume/{last_month}/marketing/ops");
    let deadline = Instant::now() + Duration::from_secs(30);
    let all = loop {
        let all = app.store.notifications(&ws, 200).await.unwrap();
        if all.iter().any(|n| n.key == escalation)
            && all.iter().all(|n| n.state == NotificationState::Delivered)
        {
            break all;
        }
        assert!(Instant::now() < deadline, "not told in 30 s: {all:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let keys: Vec<&str> = all.iter().map(|n| n.key.as_str()).collect();
    for party in ["marketing", "sales"] {
        let key = format!("cancellation/mql-volume/{last_month}/{party}/ops");
        assert!(keys.contains(&key.as_str()), "{key} in {keys:?}");
    }
    // Only last month's close: earlier closes are history.
    assert!(keys.iter().all(|k| k.contains(&last_month)), "{keys:?}");
    let bodies = bodies(&ops);
    let (headers, told) = bodies
        .iter()
        .find(|(_, b)| b["kind"] == "goal.missed" && b["goal"] == "mql-volume")
        .unwrap();
    assert_eq!(headers["handshake-event"], "goal.missed");
    assert_eq!(told["period"], last_month.as_str());
    assert_eq!(told["action"], "escalate");
    assert_eq!(told["tell"]["name"], "Marketing (Dana Ortiz)");
    assert_eq!(
        told["link"],
        format!("https://hs.example/?period={last_month}")
    );
    assert!(
        told["text"]
            .as_str()
            .unwrap()
            .contains("0 against a target of 400"),
        "{told}"
    );
    assert_eq!(bodies.len(), all.len(), "each told once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn digests_come_at_their_hour_to_owners_and_party_contacts() {
    use handshake_core::alerts::people::{Person, Presence};
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let ws = Workspace::new("default").unwrap();
    let (slack_url, slack) = receiver(0).await;
    let (ops_url, ops) = receiver(0).await;
    let dir = ops_channel(&app, &ws, ops_url, "digest").await;
    app.store
        .add_channel(
            &ws,
            &Channel {
                name: ChannelName::parse("sales-room").unwrap(),
                target: ChannelTarget::Slack { url: slack_url },
            },
            0,
        )
        .await
        .unwrap();
    app.store
        .put_people(
            &ws,
            &[Person {
                owner_id: "rep-ava".into(),
                name: "Ava Chen".into(),
                email: None,
                slack: Some("UAVA".into()),
                party: "sales".into(),
                manager: None,
                calendar: None,
                time_zone: Some("UTC".into()),
                quiet_hours: None,
                presence: Presence::Active,
            }],
        )
        .await
        .unwrap();
    // Both of the example's digests, daily at the minute that just began
    // (in UTC, Ava's zone; in New York, the agreement's, for Dana).
    let now = jiff::Timestamp::now();
    let hhmm = |tz: &str| {
        now.to_zoned(jiff::tz::TimeZone::get(tz).unwrap())
            .strftime("%H:%M")
            .to_string()
    };
    let text = include_str!("../../../../examples/agreement.toml")
        .replacen(
            "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }",
            "effective = { from = \"2020-01-01\", to = \"2099-12-31\" }",
            1,
        )
        .replacen("hours = \"mon-fri 09:00-17:00\"", "hours = \"24x7\"", 1)
        .replacen(
            "every = \"weekdays 08:00\"",
            &format!("every = \"daily {}\"", hhmm("UTC")),
            1,
        )
        .replacen(
            "every = \"monday 09:00\"",
            &format!("every = \"daily {}\"", hhmm("America/New_York")),
            1,
        );
    app.store
        .enqueue_alerts(&ws, &[], now.as_second() - 120, now.as_second() - 120)
        .await
        .unwrap();
    app.store.add_agreement(&ws, "t", &text).await.unwrap();
    // Ava's lead, an MQL ten minutes ago: due within the hour.
    let at = now - jiff::SignedDuration::from_secs(600);
    let batch = format!(
        "{{\"id\":\"D-1-c\",\"type\":\"lead.created\",\"lead_id\":\"D-1\",\"occurred_at\":\"{at}\",\"attributes\":{{\"segment\":\"enterprise\",\"owner\":\"rep-ava\"}}}}\n\
         {{\"id\":\"D-1-m\",\"type\":\"lead.stage_changed\",\"lead_id\":\"D-1\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}"
    );
    assert_eq!(app.post("/api/v1/events/batch", batch).await.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    let digests = loop {
        let all = app.store.notifications(&ws, 200).await.unwrap();
        let digests: Vec<Notification> = all.into_iter().filter(|n| n.kind == "digest").collect();
        if digests.len() == 2
            && digests
                .iter()
                .all(|n| n.state == NotificationState::Delivered)
        {
            break digests;
        }
        assert!(
            Instant::now() < deadline,
            "no digests in 30 s: {digests:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    assert!(
        digests
            .iter()
            .any(|n| n.key == format!("digest/1/rep-ava/{today}/sales-room")),
        "{digests:#?}"
    );
    let to_ava = bodies(&slack)
        .into_iter()
        .map(|(_, b)| b)
        .find(|b| {
            b["text"]
                .as_str()
                .unwrap_or("")
                .starts_with("Ava Chen: 1 lead due today")
        })
        .expect("Ava's digest on Slack");
    assert_eq!(
        to_ava["blocks"][0]["text"]["text"],
        ":clipboard: <@UAVA>: *Ava Chen: 1 lead due today, 0 breaches*"
    );
    assert!(
        to_ava["text"]
            .as_str()
            .unwrap()
            .contains("- D-1 (enterprise-first-touch) due"),
        "{to_ava}"
    );
    let (headers, brief) = bodies(&ops)
        .into_iter()
        .find(|(_, b)| b["kind"] == "digest")
        .expect("the scorecard in brief on ops");
    assert_eq!(headers["handshake-event"], "digest");
    assert_eq!(brief["title"], "Marketing: the scorecard in brief");
    assert_eq!(brief["to"]["name"], "Marketing (Dana Ortiz)");
    assert!(
        brief["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("mql-volume in ")),
        "{brief}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A signed webhook channel `ops` to `url` in `ws`; the directory holding
/// its secret, to remove at the end.
async fn ops_channel(
    app: &crate::app::App,
    ws: &Workspace,
    url: String,
    tag: &str,
) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("handshake-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("ops.secret");
    std::fs::write(&secret, "s").unwrap();
    app.store
        .add_channel(
            ws,
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
    dir
}

/// `n` notifications to `ops`, due now.
async fn due_now(app: &crate::app::App, ws: &Workspace, n: usize) {
    let now = jiff::Timestamp::now().as_second();
    let list: Vec<NewNotification> = (0..n)
        .map(|i| NewNotification {
            key: format!("step-{i}"),
            channel: "ops".into(),
            kind: "clock.step".into(),
            body: format!("{{\"n\":{i}}}"),
            due_at: now,
            subject: None,
            summary: None,
        })
        .collect();
    app.store
        .enqueue_notifications(ws, &list, now)
        .await
        .unwrap();
}

/// A receiver that refuses (500) while `down` holds and otherwise counts
/// each delivery id it accepts.
async fn switched_receiver(
    down: impl Fn() -> bool + Clone + Send + Sync + 'static,
) -> (
    String,
    Arc<Mutex<std::collections::HashMap<String, usize>>>,
    Arc<std::sync::atomic::AtomicUsize>,
) {
    let accepted: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (kept, no) = (accepted.clone(), refused.clone());
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let (kept, no, down) = (kept.clone(), no.clone(), down.clone());
            async move {
                if down() {
                    no.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let id = headers["handshake-delivery"].to_str().unwrap().to_string();
                *kept.lock().unwrap().entry(id).or_default() += 1;
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, accepted, refused)
}

/// Waits (at most `limit`) until every notification of `ws` is delivered.
async fn all_delivered(
    app: &crate::app::App,
    ws: &Workspace,
    limit: Duration,
) -> Vec<Notification> {
    let deadline = Instant::now() + limit;
    loop {
        let all = app.store.notifications(ws, 500).await.unwrap();
        if all.iter().all(|n| n.state == NotificationState::Delivered) {
            return all;
        }
        assert!(Instant::now() < deadline, "not all delivered in {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_receiver_down_for_its_first_minute_gets_every_notification_accepted_once() {
    // The production schedule (30 s, then doubling, with jitter) and
    // suspension rule: a minute's outage loses nothing and suspends nothing.
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(100),
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let up_at = Instant::now() + Duration::from_secs(60);
    let (url, accepted, refused) = switched_receiver(move || Instant::now() < up_at).await;
    let ws = Workspace::new("default").unwrap();
    let dir = ops_channel(&app, &ws, url, "down").await;
    due_now(&app, &ws, 100).await;
    let all = all_delivered(&app, &ws, Duration::from_secs(240)).await;
    assert!(
        refused.load(std::sync::atomic::Ordering::Relaxed) >= 200,
        "each was refused at 0 s and again about 30 s later"
    );
    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 100);
    for n in &all {
        assert!(n.attempts >= 3, "{} delivered within the minute", n.key);
        assert_eq!(accepted.get(&n.delivery_id), Some(&1), "{}", n.key);
    }
    let health = app.store.channel_health(&ws).await.unwrap();
    assert_eq!((health[0].failures, health[0].suspended_at), (0, None));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_channel_that_keeps_refusing_is_suspended_until_resumed_and_loses_nothing() {
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            retry: RetryPolicy {
                first_wait: 1,
                longest_wait: 1,
                give_up_after: 3_600,
            },
            suspend: handshake_core::alerts::pacing::SuspendRule {
                failures: 4,
                failing_for: 1,
            },
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let down = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let is_down = down.clone();
    let (url, accepted, refused) =
        switched_receiver(move || is_down.load(std::sync::atomic::Ordering::Relaxed)).await;
    let ws = Workspace::new("default").unwrap();
    let dir = ops_channel(&app, &ws, url, "suspend").await;
    due_now(&app, &ws, 3).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let suspended = loop {
        let h = app.store.channel_health(&ws).await.unwrap().remove(0);
        if h.suspended_at.is_some() {
            break h;
        }
        assert!(Instant::now() < deadline, "not suspended in 20 s: {h:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(suspended.failures >= 4, "{suspended:?}");
    // Suspended: shown on the notifications page, and nothing is tried.
    let (session, _) = crate::pages::sign_in(&app, &app.token).await;
    let page = crate::pages::page_html(&app, "/notifications", &session).await;
    assert!(page.contains("Channel ops is suspended"), "{page}");
    let tried = refused.load(std::sync::atomic::Ordering::Relaxed);
    // Two seconds is twenty looks of the worker at 50 ms, each of which
    // would try the retries due every second.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(refused.load(std::sync::atomic::Ordering::Relaxed), tried);
    let waiting = app.store.notifications(&ws, 10).await.unwrap();
    assert!(
        waiting
            .iter()
            .all(|n| n.state == NotificationState::Pending)
    );
    // The receiver is fixed and the channel resumed: all arrive, once each.
    down.store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(
        app.store
            .resume_channel(&ws, &ChannelName::parse("ops").unwrap())
            .await
            .unwrap()
    );
    let all = all_delivered(&app, &ws, Duration::from_secs(20)).await;
    let accepted = accepted.lock().unwrap().clone();
    for n in &all {
        assert_eq!(accepted.get(&n.delivery_id), Some(&1), "{}", n.key);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_rate_limit_holds_what_is_over_it_for_the_next_minute() {
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let (url, accepted, _) = switched_receiver(|| false).await;
    let ws = Workspace::new("default").unwrap();
    let dir = ops_channel(&app, &ws, url, "pace").await;
    let ops = ChannelName::parse("ops").unwrap();
    assert!(
        app.store
            .set_channel_pace(&ws, &ops, Some(5))
            .await
            .unwrap()
    );
    due_now(&app, &ws, 12).await;
    // Settled: each sent, or held to a minute's start without an attempt.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (sent, held) = loop {
        let all = app.store.notifications(&ws, 50).await.unwrap();
        let sent = all
            .iter()
            .filter(|n| n.state == NotificationState::Delivered)
            .count();
        let held = all
            .iter()
            .filter(|n| {
                n.state == NotificationState::Pending
                    && n.attempts == 0
                    && n.next_attempt_at % 60 == 0
                    && n.next_attempt_at > n.due_at
            })
            .count();
        if sent >= 5 && sent + held == 12 {
            break (sent, held);
        }
        assert!(
            Instant::now() < deadline,
            "not settled in 20 s: {sent} sent, {held} held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Five a minute: ten if the test ran across a minute's turn.
    assert!(sent == 5 || sent == 10, "{sent} sent, {held} held");
    assert_eq!(accepted.lock().unwrap().len(), sent);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A local SMTP sink: speaks just enough SMTP for one client at a time and
/// keeps each message's envelope recipients and data.
type Mails = Arc<Mutex<Vec<(Vec<String>, String)>>>;

async fn smtp_sink() -> (String, Mails) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let kept: Mails = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let sink = kept.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        sink.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued as 1\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (url, kept)
}

#[tokio::test]
async fn an_email_channel_sends_plain_text_and_escaped_html_to_each_recipient() {
    use handshake_core::agreement::{AlertStep, Recipient};
    use handshake_core::alerts::message::{self, Links};
    use handshake_core::alerts::people::{Person, Presence};
    use handshake_core::engine::AlertDue;
    let app = spawn_app_with(handshake_server::Settings {
        delivery: handshake_server::DeliverySettings {
            poll: Duration::from_millis(50),
            ..handshake_server::DeliverySettings::default()
        },
        ..handshake_server::Settings::default()
    })
    .await;
    let ws = Workspace::new("default").unwrap();
    let (smtp, sink) = smtp_sink().await;
    let mail = Channel {
        name: ChannelName::parse("mail").unwrap(),
        target: ChannelTarget::Email {
            smtp,
            from: "Handshake <alerts@northwind.example>".into(),
            secret: None,
        },
    };
    app.store.add_channel(&ws, &mail, 0).await.unwrap();
    let agreement = handshake_core::check("a", include_str!("../../../../examples/agreement.toml"))
        .agreement
        .unwrap();
    let ava = Person {
        owner_id: "rep-ava".into(),
        name: "Ava Chen".into(),
        email: Some("ava@northwind.example".into()),
        slack: None,
        party: "sales".into(),
        manager: None,
        calendar: None,
        time_zone: None,
        quiet_hours: None,
        presence: Presence::Active,
    };
    let step = |subject: &str, owner: &str| AlertDue {
        guarantee: "enterprise-first-touch".into(),
        subject: subject.into(),
        start: 1_799_766_000,
        step: AlertStep {
            at: 50,
            tell: Recipient::Owner,
            via: vec![mail.name.clone()],
            reassign: false,
        },
        instant: 1_799_767_800,
        due: Some(1_799_769_600),
        owner: Some(owner.into()),
        version: 1,
    };
    let notices = message::notices(
        &agreement,
        &[ava],
        std::slice::from_ref(&mail),
        "default",
        Links {
            base: Some("https://hs.example"),
        },
        &[step("<b>L-1</b>", "rep-ava"), step("L-2", "rep-zed")],
    );
    let list: Vec<NewNotification> = notices
        .into_iter()
        .map(|n| NewNotification {
            due_at: 0,
            ..NewNotification::from(n)
        })
        .collect();
    app.store
        .enqueue_notifications(&ws, &list, 0)
        .await
        .unwrap();
    let sent = settled(&app, &ws, &list[0].key).await;
    assert_eq!(
        (sent.state, sent.last_status),
        (NotificationState::Delivered, Some(250))
    );
    // rep-zed has no address: failed at once, saying what to do.
    let lost = settled(&app, &ws, &list[1].key).await;
    assert_eq!((lost.state, lost.attempts), (NotificationState::Failed, 1));
    assert!(
        lost.last_answer
            .as_deref()
            .unwrap()
            .starts_with("no e-mail address for rep-zed"),
        "{lost:?}"
    );
    let got = sink.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (rcpt, data) = &got[0];
    assert_eq!(rcpt, &vec!["<ava@northwind.example>".to_string()]);
    assert!(
        data.contains("To: \"Ava Chen\" <ava@northwind.example>")
            || data.contains("To: Ava Chen <ava@northwind.example>"),
        "{data}"
    );
    assert!(
        data.contains(&format!("Message-ID: <{}@handshake>", sent.delivery_id)),
        "{data}"
    );
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(data.contains("Content-Type: text/html"), "{data}");
    // The lead id as the HTML shows it: escaped, never markup.
    assert!(
        data.contains("&lt;b&gt;L-1&lt;/b&gt;") || data.contains("&#60;b&#62;L-1"),
        "{data}"
    );
    assert!(
        !data.contains("<h2 style=\"font-size: 18px;\"><b>"),
        "{data}"
    );
    assert!(
        data.contains("https://hs.example/leads/%3Cb%3EL-1%3C%2Fb%3E"),
        "{data}"
    );
}
