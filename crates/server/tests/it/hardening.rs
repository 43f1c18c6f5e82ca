//! Hostile and unlucky clients (issue 15): each test here failed before its
//! fix. Wrong secrets are cheap and rate-limited, invented methods do not
//! grow the metrics, `next` never leaves the site, slow clients are cut off,
//! revoked tokens stop at once, a locked store is not "ready", and the
//! answers carry the security headers.

use std::time::{Duration, Instant};

use handshake_store::{TokenRole, Workspace};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::{event, json, spawn_app, spawn_app_with};
use crate::pages::{apply_example, hidden, login_form, no_redirects, set_cookie, sign_in};

/// A syntactically valid token for an id that does not exist.
const NOBODY: &str = "hs_000000000000_0000000000000000000000000000000000000000";

/// The token `real` with its secret replaced: the id exists, the secret is wrong.
fn wrong_secret(real: &str) -> String {
    format!("{}{}", &real[..16], "0".repeat(40))
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_client_and_others_are_unaffected() {
    let app = spawn_app().await;
    let attacker = app.client_from(21);
    let mut statuses = Vec::new();
    for i in 0..30 {
        // A new invented id each time, so only the per-client count applies.
        let r = attacker
            .get(format!("{}/api/v1/scorecard", app.base))
            .bearer_auth(format!("hs_{:012x}_{}", i + 1, "0".repeat(40)))
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=10).contains(&retry), "{retry}");
            let body = json(r).await;
            assert_eq!(body["code"], "too_many_failures");
        }
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
    );
    assert!(
        statuses[21..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The attacker's own address is refused even with a good token ...
    let r = attacker
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "health needs no token");
    // ... while another client with a valid token is served.
    let r = app
        .client_from(22)
        .get(format!("{}/api/v1/leads/L-1", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "served, the lead just does not exist"
    );
}

#[tokio::test]
async fn guessing_one_token_ids_secret_is_limited_across_clients() {
    let app = spawn_app().await;
    let guess = wrong_secret(&app.token);
    let mut last = StatusCode::OK;
    for i in 0..12 {
        last = app
            .client_from(30 + i)
            .get(format!("{}/api/v1/scorecard", app.base))
            .bearer_auth(&guess)
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Another token id from a fresh client is not affected.
    let r = app
        .client_from(60)
        .get(format!("{}/api/v1/scorecard", app.base))
        .bearer_auth(NOBODY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_secret_costs_about_what_an_unknown_id_costs() {
    let app = spawn_app().await;
    let guess = wrong_secret(&app.token);
    let time = |token: String, from: u8| {
        let c = app.client_from(from);
        let url = format!("{}/api/v1/leads/L-1", app.base);
        async move {
            let started = Instant::now();
            let r = c.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            started.elapsed()
        }
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..8 {
        known.push(time(guess.clone(), 70 + i).await);
        unknown.push(time(NOBODY.to_string(), 80 + i).await);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[4], unknown[4]);
    // Before the fast hash a wrong secret ran argon2: ~30 ms against ~2 ms.
    assert!(
        k < u + Duration::from_millis(15),
        "wrong secret {k:?} against unknown id {u:?}"
    );
}

#[tokio::test]
async fn invented_methods_are_refused_and_never_become_metric_labels() {
    let app = spawn_app().await;
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let r = app
            .client
            .request(method, format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(json(r).await["code"], "method_not_allowed");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("INVENTED"), "{metrics}");
    // A request line of 300 KB is refused before it is read whole.
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let huge = format!(
        "{} /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "M".repeat(300_000)
    );
    let _ = stream.write_all(huge.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4"),
        "{}",
        &text[..text.len().min(200)]
    );
}

#[tokio::test]
async fn next_after_sign_in_never_leaves_the_site() {
    let app = spawn_app().await;
    for evil in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\\evil.example",
        "//evil.example",
    ] {
        let (cookie, csrf) = login_form(&app).await;
        let r = no_redirects()
            .post(format!("{}/login", app.base))
            .header("cookie", &cookie)
            .form(&[
                ("token", app.token.as_str()),
                ("csrf", csrf.as_str()),
                ("next", evil),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{evil:?}");
        assert_eq!(r.headers()["location"], "/", "{evil:?}");
    }
    // The form itself does not carry an unsafe next either.
    let page = no_redirects()
        .get(format!("{}/login?next=/%09/evil.example", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(hidden(&page.text().await.unwrap(), "next"), "/");
    let page = no_redirects()
        .get(format!("{}/login?next=/%0d%0aSet-Cookie:%20x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let mut settings = handshake_server::Settings::default();
    settings.limits.header_read_timeout = Duration::from_secs(1);
    let app = spawn_app_with(settings).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server kept a half-sent request open for 5 s"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // A prompt client on the same server is served.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_managed_by_admins_and_a_revoked_one_stops_at_once() {
    let app = spawn_app().await;
    let created = app
        .client
        .post(format!("{}/api/v1/tokens", app.base))
        .bearer_auth(&app.token)
        .json(&serde_json::json!({"name": "hubspot"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json(created).await;
    assert_eq!(created["role"], "member");
    assert_eq!(created["active"], true);
    let member = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(member.starts_with(&format!("hs_{id}_")));
    // A member works for events but may not manage tokens.
    let r = app
        .client
        .post(format!("{}/api/v1/events", app.base))
        .bearer_auth(&member)
        .body(event("e-1", "L-1", "2026-10-01T14:03:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .client
        .get(format!("{}/api/v1/tokens", app.base))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The admin lists it (never a secret) and revokes it.
    let list = json(app.get("/api/v1/tokens").await).await;
    let names: Vec<&str> = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["test", "hubspot"]);
    assert!(
        !list.to_string().contains(&member[16..]),
        "no secret is listed"
    );
    // A session opened with the member token ...
    let (session, _) = sign_in(&app, &member).await;
    let r = app
        .client
        .delete(format!("{}/api/v1/tokens/{id}", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // ... and the token itself stop at the next request.
    let r = app
        .client
        .post(format!("{}/api/v1/events", app.base))
        .bearer_auth(&member)
        .body(event("e-2", "L-1", "2026-10-01T14:04:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let page = no_redirects()
        .get(format!("{}/planner", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(
        page.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let list = json(app.get("/api/v1/tokens").await).await;
    assert_eq!(list["tokens"][1]["active"], false);
    assert!(list["tokens"][1]["revoked_at"].is_string());
    // Unknown ids and bad bodies are told apart.
    let r = app
        .client
        .delete(format!("{}/api/v1/tokens/000000000000", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .client
        .post(format!("{}/api/v1/tokens", app.base))
        .bearer_auth(&app.token)
        .json(&serde_json::json!({"name": "x", "expires_at": "2020-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("in the past")
    );
}

#[tokio::test]
async fn a_token_past_its_expiry_fails() {
    let app = spawn_app().await;
    let ws = Workspace::new("default").unwrap();
    let now = jiff::Timestamp::now();
    let make = |at: jiff::Timestamp| {
        let store = app.store.clone();
        let ws = ws.clone();
        async move {
            store
                .create_token(&ws, "brief", TokenRole::Member, Some(at))
                .await
                .unwrap()
                .reveal()
        }
    };
    let hour = jiff::SignedDuration::from_hours(1);
    let (valid, expired) = (make(now + hour).await, make(now - hour).await);
    let get = |token: String| {
        app.client
            .get(format!("{}/api/v1/leads/L-1", app.base))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(get(valid).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(expired).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn queue_links_are_url_encoded() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let body = format!(
        "{}\n{}\n",
        r#"{"id":"s-1","type":"lead.created","lead_id":"A/B?c#d","occurred_at":"AT","attributes":{"segment":"enterprise"}}"#,
        r#"{"id":"s-2","type":"lead.stage_changed","lead_id":"A/B?c#d","occurred_at":"AT","stage":"mql"}"#,
    )
    .replace("AT", &hour_ago.to_string());
    assert_eq!(
        json(app.post("/api/v1/events/batch", body).await).await["accepted"],
        2
    );
    let (session, _) = sign_in(&app, &app.token).await;
    let page = |path: String| {
        no_redirects()
            .get(format!("{}{path}", app.base))
            .header("cookie", &session)
            .send()
    };
    let queue = page("/queue".into()).await.unwrap().text().await.unwrap();
    assert!(queue.contains("href=\"/leads/A%2FB%3Fc%23d\""), "{queue}");
    let lead = page("/leads/A%2FB%3Fc%23d".into()).await.unwrap();
    assert_eq!(lead.status(), StatusCode::OK);
    assert!(lead.text().await.unwrap().contains("A/B?c#d"));
}

#[tokio::test]
async fn a_locked_store_is_not_ready_and_a_write_fails_fast() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    let handshake_store::Store::Sqlite(pool, _) = &app.store else {
        unreachable!("spawn_app uses SQLite")
    };
    let url = format!(
        "sqlite://{}",
        pool.connect_options().get_filename().display()
    );
    let holder = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut conn = holder.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *conn)
        .await
        .unwrap();
    let started = Instant::now();
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let r = app
        .post(
            "/api/v1/events",
            event("e-1", "L-1", "2026-10-01T14:03:00Z"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < handshake_store::WAIT + Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_batch_line_is_held_to_the_single_event_limit() {
    let app = spawn_app().await;
    let big = event("e-big", "L-1", "2026-10-01T14:03:00Z").replace(
        "\"webinar\"",
        &format!("\"webinar\",\"company\":\"{}\"", "x".repeat(70_000)),
    );
    let body = format!(
        "\u{FEFF}{}\n{big}\n{}\n",
        event("e-1", "L-1", "2026-10-01T14:03:00Z"),
        event("e-2", "L-2", "2026-10-01T14:03:00Z")
            .replace("\"L-2\"", "\"L-2\",\"lead_id\":\"L-3\"")
    );
    let answer = json(app.post("/api/v1/events/batch", body).await).await;
    assert_eq!(answer["accepted"], 1, "{answer}");
    let rejected = answer["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{answer}");
    assert_eq!(
        (rejected[0]["line"].as_u64(), rejected[0]["code"].as_str()),
        (Some(2), Some("payload_too_large"))
    );
    assert_eq!(
        (rejected[1]["line"].as_u64(), rejected[1]["code"].as_str()),
        (Some(3), Some("invalid_json"))
    );
    assert!(
        rejected[1]["message"]
            .as_str()
            .unwrap()
            .contains("\"lead_id\" appears twice")
    );
    // A single event with a repeated key is refused too.
    let r = app
        .post(
            "/api/v1/events",
            event("e-9", "L-9", "2026-10-01T14:03:00Z")
                .replace("\"L-9\"", "\"L-9\",\"id\":\"e-10\""),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_cookies_are_secure_behind_tls() {
    let app = spawn_app().await;
    for path in ["/login", "/healthz", "/api/v1/leads/nope", "/nowhere"] {
        let r = no_redirects()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
    let plain = no_redirects()
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let (_, cookie) = set_cookie(&plain, "hs_login").unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    let proxied = no_redirects()
        .get(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let (_, cookie) = set_cookie(&proxied, "hs_login").unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let told = spawn_app_with(handshake_server::Settings {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let r = no_redirects()
        .get(format!("{}/login", told.base))
        .send()
        .await
        .unwrap();
    let (_, cookie) = set_cookie(&r, "hs_login").unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_against_the_forwarded_client() {
    let app = spawn_app_with(handshake_server::Settings {
        trusted_proxies: vec!["127.0.0.5".parse().unwrap()],
        ..Default::default()
    })
    .await;
    let proxy = app.client_from(5);
    let get = |client: &reqwest::Client, forwarded: &str, token: String| {
        client
            .get(format!("{}/api/v1/leads/L-1", app.base))
            .header("x-forwarded-for", forwarded)
            .bearer_auth(token)
            .send()
    };
    let invented = |i: usize| format!("hs_{:012x}_{}", i + 1, "0".repeat(40));
    let mut last = StatusCode::OK;
    for i in 0..22 {
        last = get(&proxy, "203.0.113.7, 198.51.100.1", invented(i))
            .await
            .unwrap()
            .status();
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser behind the proxy"
    );
    let other = get(&proxy, "198.51.100.2", app.token.clone())
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "another client of the same proxy is served"
    );
    // From an address that is not a trusted proxy, the header is not believed.
    let spoofer = app.client_from(6);
    for i in 0..22 {
        get(&spoofer, &format!("192.0.2.{i}"), invented(100 + i))
            .await
            .unwrap();
    }
    let r = get(&spoofer, "192.0.2.200", app.token.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_and_the_connection_freed() {
    let mut settings = handshake_server::Settings::default();
    settings.limits.body_timeout = Duration::from_secs(1);
    let app = spawn_app_with(settings).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/events/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 1000\r\n\r\n{{\"id\":",
        app.token
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "a stalled body held the connection for 5 s");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 4"), "{text}");
    assert_eq!(
        app.store
            .count_events(&Workspace::new("default").unwrap())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_token_revoked_through_one_server_fails_at_once_on_another() {
    let app = spawn_app().await;
    // A second server on the same database.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(handshake_server::serve(
        listener,
        handshake_server::AppState::new(app.store.clone()),
        std::future::pending(),
    ));
    let member = app
        .store
        .create_token(
            &Workspace::new("default").unwrap(),
            "crm",
            TokenRole::Member,
            None,
        )
        .await
        .unwrap();
    let on_second = || {
        app.client
            .get(format!("{second}/api/v1/leads/L-1"))
            .bearer_auth(member.reveal())
            .send()
    };
    assert_eq!(on_second().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = app
        .client
        .delete(format!("{}/api/v1/tokens/{}", app.base, member.id()))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        on_second().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
