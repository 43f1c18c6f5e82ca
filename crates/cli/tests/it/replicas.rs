//! Two `handshake serve` processes on one PostgreSQL database: an event
//! posted to one counts in the other's pages (which never wait for it)
//! within 2 seconds, and a dashboard sign-in on one is valid on the other.
//! Needs `HANDSHAKE_TEST_POSTGRES`; says so when skipped, and fails in CI.

use std::process::Child;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;

use crate::{bin, cookie, hidden, text};

/// A fresh schema on the test PostgreSQL, as a URL; `None` (said plainly) without one.
pub(crate) async fn postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("HANDSHAKE_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").ok().is_none_or(|v| v != "true"),
            "HANDSHAKE_TEST_POSTGRES is not set but CI=true: the two-server test must run in CI"
        );
        eprintln!(
            "SKIPPED: two servers on one PostgreSQL (set HANDSHAKE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it)"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let schema = format!("hs_replicas_{}_{nanos}", std::process::id());
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

/// A server killed when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str) -> Server {
    let (child, base) = crate::serve(db);
    Server(child, base)
}

#[test]
fn two_servers_on_one_postgres_agree_and_share_sign_ins() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(postgres_url()) else {
        return;
    };
    let applied = bin()
        .args(["apply", "examples/agreement.toml", "--db", &db])
        .output()
        .unwrap();
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let token = bin()
        .args(["token", "create", "--name", "replicas", "--db", &db])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", text(&token.stderr));
    let token = text(&token.stdout).trim().to_string();
    let (a, b) = (serve(&db), serve(&db));
    rt.block_on(async {
        let c = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        // Sign in on A.
        let form = c.get(format!("{}/login", a.1)).send().await.unwrap();
        let login = cookie(&form, "hs_login");
        let csrf = hidden(&form.text().await.unwrap(), "csrf");
        let r = c
            .post(format!("{}/login", a.1))
            .header("cookie", &login)
            .form(&[("token", token.as_str()), ("csrf", &csrf), ("next", "/queue")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let session = cookie(&r, "hs_session");
        // The same cookie opens B's pages.
        let page = |path: &'static str| {
            let req = c.get(format!("{}{path}", b.1)).header("cookie", &session);
            async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), 200, "B refused A's sign-in on {path}");
                r.text().await.unwrap()
            }
        };
        let before = page("/queue").await;
        assert!(!before.contains("REPL-1"));
        // An MQL a minute ago: its first-touch clock is running.
        let at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1);
        let body = format!(
            "{{\"id\":\"r-1\",\"type\":\"lead.created\",\"lead_id\":\"REPL-1\",\"occurred_at\":\"{at}\",\"attributes\":{{\"segment\":\"enterprise\"}}}}\n\
             {{\"id\":\"r-2\",\"type\":\"lead.stage_changed\",\"lead_id\":\"REPL-1\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}"
        );
        let posted = c
            .post(format!("{}/api/v1/events/batch", a.1))
            .bearer_auth(&token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_success(), "{}", posted.text().await.unwrap());
        let t0 = Instant::now();
        // B's pages answer from its live state without waiting: poll them.
        loop {
            let queue = page("/queue").await;
            let scorecard = page("/").await;
            if queue.contains("REPL-1") && scorecard.contains("2 events") {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(2),
                "B did not count A's events within 2 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // And B's API, which waits for what the store holds, agrees.
        let clocks: serde_json::Value = c
            .get(format!("{}/api/v1/clocks", b.1))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let leads: Vec<&str> = clocks["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["lead"].as_str().or(c["subject"].as_str()))
            .collect();
        assert!(leads.contains(&"REPL-1"), "{clocks}");
        // Signing out on B ends the session on A too.
        let page = c
            .get(format!("{}/queue", b.1))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "csrf");
        let out = c
            .post(format!("{}/logout", b.1))
            .header("cookie", &session)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        let gone = c
            .get(format!("{}/queue", a.1))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 303, "A still knows a session B ended");
    });
}
