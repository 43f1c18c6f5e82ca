//! One conformance suite, run against both back ends: every behaviour the
//! rest of Handshake relies on, asserted the same way on SQLite and on
//! PostgreSQL. PostgreSQL comes from `HANDSHAKE_TEST_POSTGRES` (a URL); each
//! test gets a schema of its own. Without the variable the PostgreSQL half
//! says it is skipped, and with `CI=true` a skip is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use handshake_core::event::{Event, parse_event};
use handshake_store::{Cursor, Inserted, Store, TokenRole, TokenSecret, Workspace};

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// The one token's stored hash.
async fn stored_hash(store: &Store) -> String {
    let sql = "SELECT secret_hash FROM tokens";
    match store {
        Store::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Runs one statement on whichever pool the store has (test set-up only).
async fn exec(store: &Store, sql: &str, text: &str) {
    match store {
        Store::Sqlite(p, _) => sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(text)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
        Store::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(text)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
    }
}

fn ev(json: &str) -> Event {
    parse_event(json).unwrap()
}

fn created(id: &str, lead: &str, at: &str) -> Event {
    ev(&format!(
        r#"{{"id":"{id}","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise"}}}}"#
    ))
}

fn ws(name: &str) -> Workspace {
    Workspace::new(name).unwrap()
}

async fn sqlite() -> (Store, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let url = format!("sqlite://{}", dir.path.join("test.db").display());
    (Store::connect(&url).await.unwrap(), dir)
}

/// A fresh schema on the test PostgreSQL, or `None` (said plainly) when there is none.
async fn postgres() -> Option<Store> {
    let Ok(base) = std::env::var("HANDSHAKE_TEST_POSTGRES") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "HANDSHAKE_TEST_POSTGRES is not set but CI=true: the PostgreSQL conformance suite must run in CI"
            );
        }
        eprintln!(
            "SKIPPED: PostgreSQL conformance test (set HANDSHAKE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it)"
        );
        return None;
    };
    let schema = format!("hs_test_{}_{}", std::process::id(), unique());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("HANDSHAKE_TEST_POSTGRES must reach a PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    Some(Store::connect(&url).await.unwrap())
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    u64::from(nanos) * 1000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

mod tempdir {
    /// A temporary directory removed when dropped.
    pub struct Dir {
        pub path: std::path::PathBuf,
    }

    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!(
                "handshake-store-{}-{}",
                std::process::id(),
                super::unique()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Runs each suite function against SQLite and against PostgreSQL.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = super::sqlite().await;
                    super::$name(store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(store) = super::postgres().await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

conformance!(
    new_duplicate_and_conflicting_events,
    a_changed_event_is_stored_as_its_next_version,
    what_was_written_back_is_kept_per_workspace_and_crm,
    crm_notes_are_kept_once_per_notification,
    repeats_inside_one_batch,
    every_event_type_round_trips,
    timeline_is_in_evaluation_order,
    workspaces_do_not_see_each_other,
    agreement_versions_are_numbered_per_workspace,
    tokens_are_stored_hashed_and_verified,
    tokens_are_listed_revoked_and_expire,
    argon2_tokens_from_before_still_work_and_are_upgraded,
    a_fingerprint_collision_is_a_conflict_not_a_duplicate,
    readiness_is_a_real_write,
    a_stored_kind_code_no_type_has_is_an_error_not_a_guess,
    the_cursor_numbers_events_in_the_order_stored,
    the_cursor_never_skips_a_batch_that_commits_late,
    sessions_are_shared_stored_hashed_and_expire,
    every_subject_is_folded_once_with_its_events_in_order,
    channels_are_per_workspace_and_keep_no_secret,
    a_notification_exists_once_and_keeps_its_delivery_id,
    concurrent_claims_never_take_one_notification_twice,
    the_directory_is_per_workspace_and_knows_which_owners_it_lacks,
    the_alert_mark_moves_with_its_notifications_and_never_back,
    a_rate_limit_is_shared_and_a_failing_channel_is_suspended_until_resumed,
);

async fn a_rate_limit_is_shared_and_a_failing_channel_is_suspended_until_resumed(store: Store) {
    use handshake_core::alerts::pacing::SuspendRule;
    use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};
    use handshake_store::{ChannelTally, Outcome};
    let w = ws("acme");
    let ops = Channel {
        name: ChannelName::parse("ops").unwrap(),
        target: ChannelTarget::Webhook {
            url: "https://hooks.example/ops".into(),
            secret: SecretSource::Env("OPS_SECRET".into()),
        },
    };
    store.add_channel(&w, &ops, 1).await.unwrap();
    // No limit: everything asked for goes.
    assert_eq!(
        store.take_sends("acme", "ops", 500, 6_000).await.unwrap(),
        500
    );
    assert!(
        store
            .set_channel_pace(&w, &ops.name, Some(10))
            .await
            .unwrap()
    );
    // Two servers asking in one minute (6000..6060) share its 10 sends.
    assert_eq!(store.take_sends("acme", "ops", 7, 6_001).await.unwrap(), 7);
    assert_eq!(store.take_sends("acme", "ops", 7, 6_030).await.unwrap(), 3);
    assert_eq!(store.take_sends("acme", "ops", 7, 6_059).await.unwrap(), 0);
    // The next minute starts afresh.
    assert_eq!(store.take_sends("acme", "ops", 4, 6_060).await.unwrap(), 4);
    // A channel the workspace lacks has no limit to keep.
    assert_eq!(store.take_sends("acme", "nope", 3, 6_060).await.unwrap(), 3);

    // Refusals in a row: suspended once there are 3 over at least 100 s.
    let rule = SuspendRule {
        failures: 3,
        failing_for: 100,
    };
    store
        .enqueue_notifications(&w, &[notification("n-1", 10), notification("n-2", 10)], 10)
        .await
        .unwrap();
    let tally = |accepted, refused| ChannelTally {
        workspace: "acme",
        channel: "ops",
        accepted,
        refused,
    };
    let refused = Outcome::Retry {
        status: Some(500),
        answer: "down".into(),
        at: 0,
    };
    let record = |now: i64, t: ChannelTally<'static>| {
        let store = store.clone();
        let refused = refused.clone();
        async move {
            store
                .record_deliveries(&[("acme", "n-1", &refused)], &[t], rule, now)
                .await
                .unwrap();
        }
    };
    let health = || async { store.channel_health(&w).await.unwrap().remove(0) };
    record(1_000, tally(0, 2)).await;
    assert_eq!(
        (health().await.failures, health().await.failing_since),
        (2, Some(1_000))
    );
    // An acceptance clears the count.
    record(1_010, tally(1, 0)).await;
    assert_eq!(
        (health().await.failures, health().await.failing_since),
        (0, None)
    );
    record(1_020, tally(0, 5)).await;
    assert_eq!(health().await.suspended_at, None, "many, but not for long");
    record(1_119, tally(0, 1)).await;
    assert_eq!(health().await.suspended_at, None, "99 s is not 100");
    record(1_120, tally(0, 1)).await;
    let h = health().await;
    assert_eq!(
        (h.failures, h.failing_since, h.suspended_at),
        (7, Some(1_020), Some(1_120))
    );
    // A suspended channel's notifications are not claimed, and wait.
    assert!(
        store
            .claim_notifications(2_000, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Resumed: claimed at once, its failures forgotten.
    assert!(store.resume_channel(&w, &ops.name).await.unwrap());
    assert!(
        !store
            .resume_channel(&ws("globex"), &ops.name)
            .await
            .unwrap()
    );
    let h = health().await;
    assert_eq!(
        (h.failures, h.suspended_at, h.per_minute),
        (0, None, Some(10))
    );
    let claimed = store.claim_notifications(2_000, 30, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    // Held by the rate limit: tried at the next window, not counted as an attempt.
    store
        .record_deliveries(
            &[("acme", "n-2", &Outcome::Deferred { at: 2_040 })],
            &[],
            rule,
            2_001,
        )
        .await
        .unwrap();
    let n2 = store
        .notifications(&w, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.key == "n-2")
        .unwrap();
    assert_eq!((n2.attempts, n2.next_attempt_at), (0, 2_040));
    assert!(
        store
            .claim_notifications(2_039, 30, 10)
            .await
            .unwrap()
            .iter()
            .all(|n| n.key != "n-2")
    );
    assert_eq!(
        store
            .claim_notifications(2_040, 30, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_alert_mark_moves_with_its_notifications_and_never_back(store: Store) {
    let (w, other) = (ws("acme"), ws("globex"));
    assert_eq!(store.alerts_up_to(&w).await.unwrap(), None);
    let added = store
        .enqueue_alerts(&w, &[notification("step-1", 100)], 150, 150)
        .await
        .unwrap();
    assert_eq!(
        (added, store.alerts_up_to(&w).await.unwrap()),
        (1, Some(150))
    );
    // A second server that looked up to an earlier instant: the mark stays,
    // and the step it decided again is not added twice.
    let added = store
        .enqueue_alerts(&w, &[notification("step-1", 100)], 160, 120)
        .await
        .unwrap();
    assert_eq!(
        (added, store.alerts_up_to(&w).await.unwrap()),
        (0, Some(150))
    );
    // Nothing fell: the mark still moves.
    store.enqueue_alerts(&w, &[], 200, 200).await.unwrap();
    assert_eq!(store.alerts_up_to(&w).await.unwrap(), Some(200));
    assert_eq!(store.alerts_up_to(&other).await.unwrap(), None);
    assert_eq!(store.notifications(&w, 10).await.unwrap().len(), 1);
    assert_eq!(store.outbox_depth().await.unwrap(), (1, Some(100)));
}

async fn the_directory_is_per_workspace_and_knows_which_owners_it_lacks(store: Store) {
    use handshake_core::alerts::people::{Person, Presence};
    let (w, other) = (ws("acme"), ws("globex"));
    let person = |id: &str, name: &str| Person {
        owner_id: id.into(),
        name: name.into(),
        email: Some(format!("{id}@acme.example")),
        slack: None,
        party: "sales".into(),
        manager: Some("rep-lead".into()),
        calendar: None,
        time_zone: Some("America/New_York".into()),
        quiet_hours: None,
        presence: Presence::Active,
    };
    assert_eq!(
        store
            .put_people(&w, &[person("rep-ava", "Ava"), person("rep-bo", "Bo")])
            .await
            .unwrap(),
        2
    );
    // Again, one changed (away, with quiet hours): nothing new, the change kept.
    let away = Person {
        quiet_hours: Some(handshake_core::alerts::quiet::QuietHours::parse("22:00-07:00").unwrap()),
        presence: Presence::Away,
        ..person("rep-bo", "Bo Berg")
    };
    assert_eq!(
        store
            .put_people(&w, &[person("rep-ava", "Ava"), away.clone()])
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store.people(&w).await.unwrap(),
        vec![person("rep-ava", "Ava"), away]
    );
    assert!(store.people(&other).await.unwrap().is_empty());
    // The owners the events name, whether the directory has them or not.
    let assigned = ev(
        r#"{"id":"a-1","type":"lead.assigned","lead_id":"L-1","occurred_at":"2026-10-01T00:00:00Z","owner":"rep-cy"}"#,
    );
    let attribute = ev(
        r#"{"id":"a-2","type":"lead.created","lead_id":"L-2","occurred_at":"2026-10-01T00:00:00Z","attributes":{"owner":"rep-ava"}}"#,
    );
    store
        .insert_events(&w, &[assigned, attribute])
        .await
        .unwrap();
    assert_eq!(
        store.event_owners(&w).await.unwrap(),
        vec!["rep-ava", "rep-cy"]
    );
    assert!(store.event_owners(&other).await.unwrap().is_empty());
    assert!(store.remove_person(&w, "rep-bo").await.unwrap());
    assert!(!store.remove_person(&w, "rep-bo").await.unwrap());
}

fn notification(key: &str, due_at: i64) -> handshake_store::NewNotification {
    handshake_store::NewNotification {
        key: key.into(),
        channel: "ops".into(),
        kind: "clock.at_risk".into(),
        body: format!("{{\"key\":\"{key}\"}}"),
        due_at,
        subject: None,
        summary: None,
    }
}

async fn a_notification_exists_once_and_keeps_its_delivery_id(store: Store) {
    use handshake_store::{NotificationState, Outcome};
    let (w, other) = (ws("acme"), ws("globex"));
    assert_eq!(
        store
            .enqueue_notifications(&w, &[notification("a", 100), notification("b", 200)], 50)
            .await
            .unwrap(),
        2
    );
    // Decided again (another server, a restart): nothing new.
    assert_eq!(
        store
            .enqueue_notifications(&w, &[notification("a", 100)], 60)
            .await
            .unwrap(),
        0
    );
    // The same key in another workspace is another notification.
    assert_eq!(
        store
            .enqueue_notifications(&other, &[notification("a", 100)], 60)
            .await
            .unwrap(),
        1
    );
    // Nothing before its instant; at it, one claim takes it for the lease.
    assert!(
        store
            .claim_notifications(99, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first = store.claim_notifications(100, 30, 10).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|n| (n.workspace.as_str(), n.key.as_str()))
            .collect::<Vec<_>>(),
        vec![("acme", "a"), ("globex", "a")]
    );
    let id = first[0].delivery_id.clone();
    assert_eq!(id.len(), 32);
    assert_ne!(id, first[1].delivery_id);
    assert!(
        store
            .claim_notifications(120, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The claimer died: when the lease ends, it is claimed again, same id.
    let again = store.claim_notifications(130, 30, 1).await.unwrap();
    assert_eq!(
        (again[0].key.as_str(), again[0].delivery_id.as_str()),
        ("a", id.as_str())
    );
    // A refusal: tried again at its time, still the same id, one attempt counted.
    store
        .record_delivery(
            "acme",
            "a",
            &Outcome::Retry {
                status: Some(500),
                answer: "busy".into(),
                at: 300,
            },
            131,
        )
        .await
        .unwrap();
    store
        .record_delivery(
            "globex",
            "a",
            &Outcome::Delivered {
                status: 200,
                answer: "ok".into(),
            },
            131,
        )
        .await
        .unwrap();
    let due = store.claim_notifications(250, 30, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(),
        vec!["b"]
    );
    store
        .record_delivery(
            "acme",
            "b",
            &Outcome::Failed {
                status: None,
                answer: "connection refused".into(),
            },
            251,
        )
        .await
        .unwrap();
    let retried = store.claim_notifications(300, 30, 10).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(
        (
            retried[0].key.as_str(),
            retried[0].delivery_id.as_str(),
            retried[0].attempts,
            retried[0].last_status
        ),
        ("a", id.as_str(), 1, Some(500))
    );
    store
        .record_delivery(
            "acme",
            "a",
            &Outcome::Delivered {
                status: 204,
                answer: String::new(),
            },
            301,
        )
        .await
        .unwrap();
    // Delivered and failed ones are never claimed again; the list shows each state.
    assert!(
        store
            .claim_notifications(10_000, 30, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = store.notifications(&w, 10).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|n| (n.key.as_str(), n.state, n.attempts, n.delivered_at))
            .collect::<Vec<_>>(),
        vec![
            ("b", NotificationState::Failed, 1, None),
            ("a", NotificationState::Delivered, 2, Some(301))
        ]
    );
    assert_eq!(listed[0].last_answer.as_deref(), Some("connection refused"));
}

async fn concurrent_claims_never_take_one_notification_twice(store: Store) {
    let w = ws("acme");
    let list: Vec<_> = (0..120)
        .map(|i| notification(&format!("n-{i:03}"), 100))
        .collect();
    store.enqueue_notifications(&w, &list, 0).await.unwrap();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store.claim_notifications(100, 600, 7).await.unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got.into_iter().map(|n| n.key));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (120, 120), "each claimed exactly once");
}

async fn channels_are_per_workspace_and_keep_no_secret(store: Store) {
    use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};
    let (w, other) = (ws("acme"), ws("globex"));
    let ops = Channel {
        name: ChannelName::parse("ops").unwrap(),
        target: ChannelTarget::Webhook {
            url: "https://hooks.example/ops".into(),
            secret: SecretSource::Env("OPS_SECRET".into()),
        },
    };
    let room = Channel {
        name: ChannelName::parse("sales-room").unwrap(),
        target: ChannelTarget::Slack {
            url: "https://hooks.slack.com/services/T/B/x".into(),
        },
    };
    store.add_channel(&w, &room, 1).await.unwrap();
    store.add_channel(&w, &ops, 2).await.unwrap();
    // A second channel of the same name is refused, saying why.
    let again = store.add_channel(&w, &ops, 3).await.unwrap_err();
    assert!(
        again
            .to_string()
            .contains("has a channel named \"ops\" already"),
        "{again}"
    );
    // By name, and only in their own workspace.
    assert_eq!(
        store.channels(&w).await.unwrap(),
        vec![ops.clone(), room.clone()]
    );
    assert!(store.channels(&other).await.unwrap().is_empty());
    assert_eq!(
        store.channel(&w, &ops.name).await.unwrap(),
        Some(ops.clone())
    );
    assert_eq!(store.channel(&other, &ops.name).await.unwrap(), None);
    // Removing works once, in its own workspace only.
    assert!(!store.remove_channel(&other, &ops.name).await.unwrap());
    assert!(store.remove_channel(&w, &ops.name).await.unwrap());
    assert!(!store.remove_channel(&w, &ops.name).await.unwrap());
    assert_eq!(store.channels(&w).await.unwrap(), vec![room.clone()]);
    // E-mail channels keep their sender, and a password's source only when given.
    for (name, secret) in [
        (
            "mail",
            Some(SecretSource::File("/etc/handshake/smtp.pass".into())),
        ),
        ("relay", None),
    ] {
        let mail = Channel {
            name: ChannelName::parse(name).unwrap(),
            target: ChannelTarget::Email {
                smtp: "smtps://alerts@mail.example.com:465".into(),
                from: "Handshake <alerts@acme.example>".into(),
                secret,
            },
        };
        store.add_channel(&w, &mail, 4).await.unwrap();
        assert_eq!(store.channel(&w, &mail.name).await.unwrap(), Some(mail));
    }
}

async fn every_subject_is_folded_once_with_its_events_in_order(store: Store) {
    let (w, other) = (ws("acme"), ws("globex"));
    let mut batch = Vec::new();
    for lead in 0..30 {
        for i in (0..4).rev() {
            batch.push(created(
                &format!("e-{lead}-{i}"),
                &format!("L-{lead:02}"),
                &format!("2026-10-0{}T00:00:00Z", i + 1),
            ));
        }
    }
    store.insert_events(&w, &batch).await.unwrap();
    store
        .insert_events(&other, &[created("o-1", "L-00", "2026-10-01T00:00:00Z")])
        .await
        .unwrap();
    let seen = store
        .fold_subjects(
            &w,
            Vec::new(),
            |seen: &mut Vec<(String, Vec<String>)>, subject, events| {
                seen.push((subject, events.iter().map(|e| e.id.to_string()).collect()));
            },
        )
        .await
        .unwrap();
    assert_eq!(seen.len(), 30, "each subject once");
    let subjects: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    let mut sorted = subjects.clone();
    sorted.sort_unstable();
    assert_eq!(subjects, sorted, "in subject order");
    assert_eq!(seen[7].0, "L-07");
    assert_eq!(seen[7].1, vec!["e-7-0", "e-7-1", "e-7-2", "e-7-3"]);
    // Nothing of another workspace; an empty workspace folds nothing.
    assert!(seen.iter().all(|(_, ids)| ids.len() == 4));
    let none = store
        .fold_subjects(&ws("empty"), 0, |n: &mut usize, _, _| *n += 1)
        .await
        .unwrap();
    assert_eq!(none, 0);
}

#[tokio::test]
async fn an_in_memory_sqlite_store_folds_subjects_too() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    every_subject_is_folded_once_with_its_events_in_order(store).await;
}

fn ids(list: &[(Cursor, Event)]) -> Vec<String> {
    list.iter().map(|(_, e)| e.id.to_string()).collect()
}

/// The events after `after` once at least `n` are visible, or what is
/// visible after a minute. On PostgreSQL the cursor reads only up to the
/// oldest transaction still running anywhere in the cluster (the safe
/// point), and tests running beside this one (migrations of their own
/// schemas) hold it back for a moment: stored events become visible late,
/// never out of order.
async fn visible(store: &Store, w: &Workspace, after: Cursor, n: usize) -> Vec<(Cursor, Event)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let page = store.events_after(w, after, 100).await.unwrap();
        if page.len() >= n || std::time::Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn the_cursor_numbers_events_in_the_order_stored(store: Store) {
    let (w, other) = (ws("acme"), ws("globex"));
    assert_eq!(store.cursor_end(&w).await.unwrap(), Cursor::START);
    // Stored in this order, whatever their instants.
    store
        .insert_events(&w, &[created("e-late", "L-1", "2026-10-09T00:00:00Z")])
        .await
        .unwrap();
    store
        .insert_events(&other, &[created("o-1", "L-9", "2026-10-01T00:00:00Z")])
        .await
        .unwrap();
    store
        .insert_events(
            &w,
            &[
                created("e-early", "L-2", "2026-10-01T00:00:00Z"),
                created("e-late", "L-1", "2026-10-09T00:00:00Z"),
                created("e-mid", "L-1", "2026-10-05T00:00:00Z"),
            ],
        )
        .await
        .unwrap();
    let all = visible(&store, &w, Cursor::START, 3).await;
    assert_eq!(ids(&all), vec!["e-late", "e-early", "e-mid"]);
    let seqs: Vec<Cursor> = all.iter().map(|(s, _)| *s).collect();
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "{seqs:?}");
    // A redelivery takes no new place; the end is the last place given out.
    assert!(store.cursor_end(&w).await.unwrap() >= seqs[2]);
    // Reading on from a place gives what came after it, a page at a time.
    assert_eq!(
        ids(&store.events_after(&w, seqs[0], 1).await.unwrap()),
        vec!["e-early"]
    );
    assert!(
        store
            .events_after(&w, seqs[2], 100)
            .await
            .unwrap()
            .is_empty()
    );
    // Another workspace has its own cursor.
    assert_eq!(
        ids(&visible(&store, &other, Cursor::START, 1).await),
        vec!["o-1"]
    );
    // The events of several subjects at once, each in evaluation order.
    let t = store.timelines(&w, &["L-1", "L-2", "L-404"]).await.unwrap();
    let l1: Vec<String> = t["L-1"].iter().map(|e| e.id.to_string()).collect();
    assert_eq!(l1, vec!["e-mid", "e-late"]);
    assert_eq!(t["L-2"].len(), 1);
    assert!(!t.contains_key("L-404"));
}

/// Writers commit concurrently while a reader follows the cursor: every
/// event is read exactly once. A cursor numbered by a plain sequence would
/// skip the batches that took their numbers first and committed last.
async fn the_cursor_never_skips_a_batch_that_commits_late(store: Store) {
    // Batches big enough that a transaction stays open a while after it
    // takes its number, so commits do overtake each other.
    const WRITERS: usize = 4;
    const BATCHES: usize = 10;
    const SIZE: usize = 250;
    let w = ws("acme");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (store, w, done) = (store.clone(), w.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let batch: Vec<Event> = (0..SIZE)
                    .map(|i| {
                        created(
                            &format!("w{writer}-b{b}-{i}"),
                            &format!("L-{writer}-{b}"),
                            "2026-10-01T00:00:00Z",
                        )
                    })
                    .collect();
                store.insert_events(&w, &batch).await.unwrap();
            }
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }));
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = Cursor::START;
    // Once the writers are done every event is stored; the reader goes on
    // until it has read them all, or for a minute. An event the cursor
    // skipped would never be read: the count falls short. (An empty page
    // after the writers finish is no proof of the end: on PostgreSQL a
    // transaction of a test running beside this one can hold the safe
    // point back for a moment.)
    let mut deadline = None;
    loop {
        // Pages large enough that the reader keeps up with the writers.
        let page = store.events_after(&w, cursor, 2_000).await.unwrap();
        for (seq, e) in &page {
            assert!(*seq > cursor);
            cursor = *seq;
            assert!(seen.insert(e.id.to_string()), "{} read twice", e.id);
        }
        if seen.len() == WRITERS * BATCHES * SIZE {
            break;
        }
        if done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS {
            let at = *deadline.get_or_insert_with(|| {
                std::time::Instant::now() + std::time::Duration::from_secs(60)
            });
            if std::time::Instant::now() > at {
                break;
            }
            if page.is_empty() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        } else {
            tokio::task::yield_now().await;
        }
    }
    for h in writers {
        h.await.unwrap();
    }
    assert_eq!(
        seen.len(),
        WRITERS * BATCHES * SIZE,
        "the cursor skipped events"
    );
}

async fn sessions_are_shared_stored_hashed_and_expire(store: Store) {
    let w = ws("acme");
    let made = store
        .open_session(&w, "alice", "tok1", 1_000, 2_000)
        .await
        .unwrap();
    assert_eq!(made.info.workspace, w);
    // Any handle on the same database finds it by its cookie; others find nothing.
    let found = store.session(&made.cookie, 1_500).await.unwrap().unwrap();
    assert_eq!(found, made.info);
    assert!(
        store
            .session("not-a-session", 1_500)
            .await
            .unwrap()
            .is_none()
    );
    // Expired at its instant.
    assert!(store.session(&made.cookie, 2_000).await.unwrap().is_none());
    // The cookie's value is not what the database holds.
    let sql = "SELECT id_hash FROM sessions";
    let held: String = match &store {
        Store::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    assert!(!held.contains(&made.cookie));
    // Closed: gone; opening another sweeps the expired.
    let second = store
        .open_session(&w, "bob", "tok2", 1_000, 9_000)
        .await
        .unwrap();
    store.close_session(&second.cookie).await.unwrap();
    assert!(
        store
            .session(&second.cookie, 1_500)
            .await
            .unwrap()
            .is_none()
    );
    store
        .open_session(&w, "carol", "tok3", 5_000, 9_000)
        .await
        .unwrap();
    let count: i64 = match &store {
        Store::Sqlite(p, _) => sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(p)
            .await
            .unwrap(),
        Store::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(count, 1, "the expired session is swept");
}

async fn new_duplicate_and_conflicting_events(store: Store) {
    let w = ws("acme");
    let a = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    assert_eq!(
        store
            .insert_events(&w, std::slice::from_ref(&a))
            .await
            .unwrap(),
        vec![Inserted::Accepted]
    );
    // The same event redelivered, even with another key order and offset, is a duplicate.
    let same = ev(
        r#"{"attributes":{"segment":"enterprise"},"lead_id":"L-1","occurred_at":"2026-10-01T16:03:00+02:00","type":"lead.created","id":"e-1"}"#,
    );
    let changed = created("e-1", "L-1", "2026-10-02T14:03:00Z");
    let fresh = created("e-2", "L-1", "2026-10-02T14:03:00Z");
    let outcome = store
        .insert_events(&w, &[same, changed, fresh])
        .await
        .unwrap();
    assert_eq!(
        outcome,
        vec![Inserted::Duplicate, Inserted::Conflict, Inserted::Accepted]
    );
    assert_eq!(store.count_events(&w).await.unwrap(), 2);
    // The conflicting body did not overwrite the stored one.
    let timeline = store.timeline(&w, "L-1").await.unwrap();
    assert_eq!(timeline[0], a);
}

/// A source that corrects what it said: a changed body becomes the next
/// version (`ID~2`, `ID~3`), a repeat of the latest is a duplicate, and a
/// body corrected back becomes a further version.
async fn a_changed_event_is_stored_as_its_next_version(store: Store) {
    use handshake_store::Versioned;
    let w = ws("acme");
    let first = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    let second = created("e-1", "L-1", "2026-10-02T14:03:00Z");
    let put = |e: &handshake_core::event::Event| {
        let (store, w, e) = (&store, &w, e.clone());
        async move { store.insert_versions(w, &[e]).await.unwrap() }
    };
    assert_eq!(put(&first).await, [Versioned::Accepted]);
    assert_eq!(put(&first).await, [Versioned::Duplicate]);
    assert_eq!(put(&second).await, [Versioned::Corrected(2)]);
    assert_eq!(put(&second).await, [Versioned::Duplicate]);
    // The first body is no longer the latest: it is taken again.
    assert_eq!(put(&first).await, [Versioned::Corrected(3)]);
    assert_eq!(put(&first).await, [Versioned::Duplicate]);
    assert_eq!(put(&second).await, [Versioned::Corrected(4)]);
    let mut ids = timeline_ids(&store, &w, "L-1").await;
    ids.sort_unstable();
    assert_eq!(ids, ["e-1", "e-1~2", "e-1~3", "e-1~4"]);
}

/// The write-back's notes: the latest record per lead, per CRM and
/// workspace.
async fn what_was_written_back_is_kept_per_workspace_and_crm(store: Store) {
    let (a, b) = (ws("acme"), ws("beta"));
    store
        .note_written_back(&a, "hubspot", &[("5001", "g|t|running|false".into())], 1)
        .await
        .unwrap();
    store
        .note_written_back(
            &a,
            "hubspot",
            &[("5001", "g|t|breached|true".into()), ("5002", "x".into())],
            2,
        )
        .await
        .unwrap();
    store
        .note_written_back(&a, "salesforce", &[("00Q5e00000LEAD1", "y".into())], 2)
        .await
        .unwrap();
    let told = store.written_back(&a, "hubspot").await.unwrap();
    assert_eq!(told.len(), 2);
    assert_eq!(told["5001"], "g|t|breached|true");
    assert_eq!(store.written_back(&a, "salesforce").await.unwrap().len(), 1);
    assert!(store.written_back(&b, "hubspot").await.unwrap().is_empty());
}

/// Notes on CRM objects: each notification once, read back per object and
/// workspace exactly as given.
async fn crm_notes_are_kept_once_per_notification(store: Store) {
    use handshake_core::crm_objects::{Fact, Note, ObjectKind};
    use handshake_core::event::SubjectId;
    let (a, b) = (ws("acme"), ws("beta"));
    let note = |object: &str, id: &str, second: i64, fact: Fact| Note {
        crm: "hubspot".into(),
        kind: ObjectKind::Deal,
        object: object.into(),
        id: id.into(),
        at: jiff::Timestamp::from_millisecond(1_790_000_000_000 + second * 1000 + 7).unwrap(),
        fact,
    };
    let deal = [
        note("88", "1", 0, Fact::Created),
        note(
            "88",
            "2",
            5,
            Fact::Property {
                name: "amount".into(),
                value: "12 500 \"€\"".into(),
            },
        ),
        note(
            "88",
            "3",
            9,
            Fact::Lead {
                lead: SubjectId::new("5001").unwrap(),
            },
        ),
    ];
    let other = note("99", "1", 1, Fact::Created);
    assert_eq!(
        store
            .add_crm_notes(&a, &[deal[0].clone(), deal[1].clone(), other.clone()])
            .await
            .unwrap(),
        [true, true, true]
    );
    // Sent again, with one new: only the new one is kept.
    assert_eq!(
        store
            .add_crm_notes(&a, &[deal[1].clone(), deal[2].clone()])
            .await
            .unwrap(),
        [false, true]
    );
    assert_eq!(
        store
            .crm_notes(&a, &["hubspot:deal:88".into()])
            .await
            .unwrap(),
        deal
    );
    let both = store
        .crm_notes(&a, &["hubspot:deal:88".into(), "hubspot:deal:99".into()])
        .await
        .unwrap();
    assert_eq!(both.len(), 4);
    assert!(
        store
            .crm_notes(&b, &["hubspot:deal:88".into()])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn repeats_inside_one_batch(store: Store) {
    let w = ws("acme");
    let a = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    let b = created("e-1", "L-1", "2026-10-05T14:03:00Z");
    let outcome = store
        .insert_events(&w, &[a.clone(), a.clone(), b.clone()])
        .await
        .unwrap();
    assert_eq!(
        outcome,
        vec![Inserted::Accepted, Inserted::Duplicate, Inserted::Conflict]
    );
    // Next batch: the stored body decides.
    let outcome = store.insert_events(&w, &[b, a]).await.unwrap();
    assert_eq!(outcome, vec![Inserted::Conflict, Inserted::Duplicate]);
    assert_eq!(store.count_events(&w).await.unwrap(), 1);
}

async fn every_event_type_round_trips(store: Store) {
    let w = ws("acme");
    let lines = [
        r#"{"id":"1","type":"lead.created","lead_id":"L","occurred_at":"2026-10-01T14:00:00.123456789Z","attributes":{"source":"ebook","segment":"enterprise","persona":"it-director","score":42,"owner":"rep-7","email":"a@b.example","company":"Acme","employees":1200,"trial":true}}"#,
        r#"{"id":"2","type":"lead.updated","lead_id":"L","occurred_at":"2026-10-01T14:01:00Z","attributes":{"score":70}}"#,
        r#"{"id":"3","type":"lead.stage_changed","lead_id":"L","occurred_at":"2026-10-01T14:02:00Z","stage":"mql"}"#,
        r#"{"id":"4","type":"lead.assigned","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z","owner":"rep-9"}"#,
        r#"{"id":"5","type":"lead.touched","lead_id":"L","occurred_at":"2026-10-01T14:04:00Z","channel":"email","by":"rep-9","automated":true}"#,
        r#"{"id":"6","type":"lead.activity","lead_id":"L","occurred_at":"2026-10-01T14:05:00Z","activity":"webinar_attended"}"#,
        r#"{"id":"7","type":"lead.accepted","lead_id":"L","occurred_at":"2026-10-01T14:06:00Z","by":"rep-9"}"#,
        r#"{"id":"8","type":"lead.rejected","lead_id":"L","occurred_at":"2026-10-01T14:07:00Z","reason":"no-budget","by":"rep-9"}"#,
        r#"{"id":"9","type":"lead.recycled","lead_id":"L","occurred_at":"2026-10-01T14:08:00Z","reason":"timing"}"#,
        r#"{"id":"10","type":"opportunity.created","lead_id":"L","occurred_at":"2026-10-01T14:09:00Z","amount":"12500.50","currency":"USD"}"#,
        r#"{"id":"11","type":"deal.won","lead_id":"L","occurred_at":"2026-10-01T14:10:00Z","amount":1000000,"currency":"JPY"}"#,
        r#"{"id":"12","type":"deal.lost","lead_id":"L","occurred_at":"2026-10-01T14:11:00Z","inferred":true}"#,
        r#"{"id":"13","type":"request.opened","request_id":"R","occurred_at":"2026-10-01T14:12:00Z","from":"sales","to":"marketing","channel":"escalation","kind":"campaign"}"#,
        r#"{"id":"14","type":"request.acknowledged","request_id":"R","occurred_at":"2026-10-01T14:13:00Z"}"#,
        r#"{"id":"15","type":"request.resolved","request_id":"R","occurred_at":"2026-10-01T14:14:00Z"}"#,
        r#"{"id":"16","type":"request.feedback_requested","request_id":"R","occurred_at":"2026-10-01T14:15:00Z"}"#,
        r#"{"id":"17","type":"request.extension_requested","request_id":"R","occurred_at":"2026-10-01T14:16:00Z","until":"2026-10-05T17:00:00.5+02:00"}"#,
        r#"{"id":"18","type":"request.extension_granted","request_id":"R","occurred_at":"2026-10-01T14:17:00Z"}"#,
        r#"{"id":"19","type":"request.recap_sent","request_id":"R","occurred_at":"2026-10-01T14:18:00Z"}"#,
    ];
    let events: Vec<Event> = lines.iter().map(|l| ev(l)).collect();
    assert!(
        store
            .insert_events(&w, &events)
            .await
            .unwrap()
            .iter()
            .all(|o| *o == Inserted::Accepted)
    );
    let mut back = store.timeline(&w, "L").await.unwrap();
    back.extend(store.timeline(&w, "R").await.unwrap());
    let mut expected = events.clone();
    expected.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    back.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    assert_eq!(back, expected);
    // Full precision is kept.
    assert_eq!(
        back.iter()
            .find(|e| e.id.as_str() == "1")
            .unwrap()
            .occurred_at
            .subsec_nanosecond(),
        123_456_789
    );
}

async fn timeline_is_in_evaluation_order(store: Store) {
    let w = ws("acme");
    // Arrive out of order; two at the same instant order by id.
    let batch = [
        created("e-c", "L-1", "2026-10-03T00:00:00Z"),
        created("e-b", "L-1", "2026-10-01T00:00:00Z"),
        created("e-a", "L-1", "2026-10-01T00:00:00Z"),
        created("e-x", "L-2", "2026-10-02T00:00:00Z"),
    ];
    store.insert_events(&w, &batch[..2]).await.unwrap();
    store.insert_events(&w, &batch[2..]).await.unwrap();
    assert_eq!(
        timeline_ids(&store, &w, "L-1").await,
        vec!["e-a", "e-b", "e-c"]
    );
}

/// The ids of a lead's events, in timeline order.
async fn timeline_ids(store: &Store, w: &Workspace, lead: &str) -> Vec<String> {
    store
        .timeline(w, lead)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id.to_string())
        .collect()
}

async fn workspaces_do_not_see_each_other(store: Store) {
    let (a, b) = (ws("acme"), ws("globex"));
    let e = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    assert_eq!(
        store
            .insert_events(&a, std::slice::from_ref(&e))
            .await
            .unwrap(),
        vec![Inserted::Accepted]
    );
    // The same id in another workspace is a different event.
    assert_eq!(
        store
            .insert_events(&b, std::slice::from_ref(&e))
            .await
            .unwrap(),
        vec![Inserted::Accepted]
    );
    store
        .insert_events(&a, &[created("e-2", "L-2", "2026-10-01T14:03:00Z")])
        .await
        .unwrap();
    assert_eq!(store.count_events(&a).await.unwrap(), 2);
    assert_eq!(store.count_events(&b).await.unwrap(), 1);
    assert!(store.timeline(&b, "L-2").await.unwrap().is_empty());
    store.add_agreement(&a, "A", "source a").await.unwrap();
    assert!(store.agreements(&b).await.unwrap().is_empty());
    let token = store
        .create_token(&a, "t", handshake_store::TokenRole::Admin, None)
        .await
        .unwrap();
    assert_eq!(
        store
            .verify_token(&token, now())
            .await
            .unwrap()
            .unwrap()
            .workspace,
        a
    );
}

async fn agreement_versions_are_numbered_per_workspace(store: Store) {
    let (a, b) = (ws("acme"), ws("globex"));
    assert_eq!(
        store
            .add_agreement(&a, "SLA 2027", "v1 text")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_agreement(&a, "SLA 2027", "v2 text")
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.add_agreement(&b, "Other", "x").await.unwrap(), 1);
    let list = store.agreements(&a).await.unwrap();
    assert_eq!(
        list.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        store.agreement(&a, 2).await.unwrap().unwrap().source,
        "v2 text"
    );
    assert_eq!(store.agreement(&a, 3).await.unwrap(), None);
}

async fn tokens_are_stored_hashed_and_verified(store: Store) {
    let w = ws("acme");
    let token = store
        .create_token(&w, "hubspot", handshake_store::TokenRole::Admin, None)
        .await
        .unwrap();
    let info = store
        .verify_token(&token, now())
        .await
        .unwrap()
        .expect("valid token");
    assert_eq!((info.name.as_str(), info.workspace), ("hubspot", w));
    let text = token.reveal();
    let forged = TokenSecret::parse(&format!(
        "{}{}",
        &text[..text.len() - 1],
        if text.ends_with('0') { '1' } else { '0' }
    ))
    .unwrap();
    assert_eq!(store.verify_token(&forged, now()).await.unwrap(), None);
    assert!(TokenSecret::parse("hs_nothex_x").is_none());
    // What is stored is a hash, never the secret.
    let secret = &text[text.rfind('_').unwrap() + 1..];
    let stored = stored_hash(&store).await;
    assert!(stored.starts_with("sha256:"), "{stored}");
    assert!(!stored.contains(secret));
}

#[tokio::test]
async fn migrations_run_once_and_reopen_cleanly() {
    let dir = tempdir::Dir::new();
    let url = format!("sqlite://{}", dir.path.join("again.db").display());
    let first = Store::connect(&url).await.unwrap();
    first.add_agreement(&ws("acme"), "A", "x").await.unwrap();
    drop(first);
    let second = Store::connect(&url).await.unwrap();
    assert_eq!(second.agreements(&ws("acme")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn unsupported_urls_say_what_would_work() {
    let err = Store::connect("mysql://root:secret@localhost/db")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("sqlite://FILE"), "{err}");
    assert!(
        !err.contains("secret"),
        "the password must not be echoed: {err}"
    );
}

async fn tokens_are_listed_revoked_and_expire(store: Store) {
    let (a, b) = (ws("acme"), ws("globex"));
    let admin = store
        .create_token(&a, "ops", TokenRole::Admin, None)
        .await
        .unwrap();
    let soon = now() + jiff::SignedDuration::from_secs(3600);
    let member = store
        .create_token(&a, "hubspot", TokenRole::Member, Some(soon))
        .await
        .unwrap();
    store
        .create_token(&b, "other", TokenRole::Admin, None)
        .await
        .unwrap();
    let list = store.list_tokens(&a).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|t| (t.name.as_str(), t.role))
            .collect::<Vec<_>>(),
        vec![("ops", TokenRole::Admin), ("hubspot", TokenRole::Member)]
    );
    assert_eq!(
        list[1].expires_at.map(|t| t.as_second()),
        Some(soon.as_second())
    );
    // Valid now, not after its expiry.
    assert!(store.verify_token(&member, now()).await.unwrap().is_some());
    let later = soon + jiff::SignedDuration::from_secs(1);
    assert_eq!(store.verify_token(&member, later).await.unwrap(), None);
    assert_eq!(store.active_token(member.id(), later).await.unwrap(), None);
    // Another workspace cannot revoke it; its own can, and then it fails at once.
    assert!(!store.revoke_token(&b, member.id(), now()).await.unwrap());
    assert!(store.verify_token(&member, now()).await.unwrap().is_some());
    assert!(store.revoke_token(&a, member.id(), now()).await.unwrap());
    assert_eq!(store.verify_token(&member, now()).await.unwrap(), None);
    assert_eq!(store.active_token(member.id(), now()).await.unwrap(), None);
    let listed = store.list_tokens(&a).await.unwrap();
    assert!(listed[1].revoked_at.is_some());
    assert!(!listed[1].active(now()));
    assert!(store.verify_token(&admin, now()).await.unwrap().is_some());
    assert!(!store.revoke_token(&a, "000000000000", now()).await.unwrap());
}

async fn argon2_tokens_from_before_still_work_and_are_upgraded(store: Store) {
    use argon2::PasswordHasher;
    let w = ws("acme");
    let token = store
        .create_token(&w, "old", TokenRole::Admin, None)
        .await
        .unwrap();
    let text = token.reveal();
    let secret = &text[text.rfind('_').unwrap() + 1..];
    let legacy = argon2::Argon2::default()
        .hash_password_with_salt(secret.as_bytes(), &[9u8; 16])
        .unwrap()
        .to_string();
    exec(&store, "UPDATE tokens SET secret_hash = $1", &legacy).await;
    let wrong = TokenSecret::parse(&text.replace(secret, &"0".repeat(40))).unwrap();
    assert_eq!(store.verify_token(&wrong, now()).await.unwrap(), None);
    assert!(store.verify_token(&token, now()).await.unwrap().is_some());
    let stored = stored_hash(&store).await;
    assert!(stored.starts_with("sha256:"), "upgraded on use: {stored}");
    assert!(store.verify_token(&token, now()).await.unwrap().is_some());
}

async fn a_fingerprint_collision_is_a_conflict_not_a_duplicate(store: Store) {
    let w = ws("acme");
    let stored = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    let other = created("e-1", "L-2", "2026-10-01T14:03:00Z");
    store.insert_events(&w, &[stored]).await.unwrap();
    // Make the stored row's 64-bit fingerprint that of a different body, as a
    // collision would: the bodies must still be told apart.
    exec(
        &store,
        "UPDATE events SET fingerprint = CAST($1 AS BIGINT)",
        &other.fingerprint().to_string(),
    )
    .await;
    assert_eq!(
        store.insert_events(&w, &[other]).await.unwrap(),
        vec![Inserted::Conflict]
    );
    let again = created("e-1", "L-1", "2026-10-01T14:03:00Z");
    exec(
        &store,
        "UPDATE events SET fingerprint = CAST($1 AS BIGINT)",
        &again.fingerprint().to_string(),
    )
    .await;
    assert_eq!(
        store.insert_events(&w, &[again]).await.unwrap(),
        vec![Inserted::Duplicate]
    );
}

async fn a_stored_kind_code_no_type_has_is_an_error_not_a_guess(store: Store) {
    let w = ws("acme");
    store
        .insert_events(&w, &[created("e-1", "L-1", "2026-10-01T14:03:00Z")])
        .await
        .unwrap();
    exec(&store, "UPDATE events SET kind = CAST($1 AS INTEGER)", "99").await;
    let err = store.timeline(&w, "L-1").await.unwrap_err().to_string();
    assert!(err.contains("kind code 99"), "{err}");
}

async fn readiness_is_a_real_write(store: Store) {
    store.check_writable().await.unwrap();
    store.check_writable().await.unwrap();
}

#[tokio::test]
async fn a_new_sqlite_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir::Dir::new();
    let path = dir.path.join("private.db");
    let _store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

#[tokio::test]
async fn a_locked_sqlite_database_fails_writes_within_the_wait_not_the_stall() {
    let dir = tempdir::Dir::new();
    let url = format!("sqlite://{}", dir.path.join("locked.db").display());
    let store = Store::connect(&url).await.unwrap();
    // Another process holds the write lock and does not let go.
    let holder = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut conn = holder.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *conn)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert!(store.check_writable().await.is_err());
    let waited = started.elapsed();
    assert!(
        waited < handshake_store::WAIT + std::time::Duration::from_secs(2),
        "{waited:?}"
    );
    sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
    store.check_writable().await.unwrap();
}

#[tokio::test]
async fn postgres_sessions_wait_for_locks_and_statements_only_so_long() {
    let Some(store) = postgres().await else {
        return;
    };
    let Store::Postgres(pool) = &store else {
        unreachable!("postgres() gives a PostgreSQL store")
    };
    let show = |what: &'static str| async move {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("SHOW {what}")))
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(show("lock_timeout").await, "5s");
    assert_eq!(show("statement_timeout").await, "2min");
    // The URL's own options (here the test's schema) are kept beside them.
    assert!(show("search_path").await.starts_with("hs_test_"));
}
