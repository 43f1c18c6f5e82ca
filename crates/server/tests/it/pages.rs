//! The dashboard's pages over HTTP: sign-in, CSRF, workspace isolation and
//! escaping, as a browser without JavaScript would meet them.

use handshake_store::Workspace;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use crate::app::{App, spawn_app};

pub(crate) fn no_redirects() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The `name=value` of a Set-Cookie header for `name`, and the whole header.
pub(crate) fn set_cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| (v.split(';').next().unwrap().to_string(), v.to_string()))
}

pub(crate) fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key).unwrap() + key.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The sign-in form's cookie and the CSRF token it expects back.
pub(crate) async fn login_form(app: &App) -> (String, String) {
    let form = no_redirects()
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let (cookie, _) = set_cookie(&form, "hs_login").unwrap();
    (cookie, hidden(&form.text().await.unwrap(), "csrf"))
}

/// Signs in with `token`; the session cookie and the session's CSRF token.
pub(crate) async fn sign_in(app: &App, token: &str) -> (String, String) {
    let c = no_redirects();
    let (login_cookie, csrf) = login_form(app).await;
    let r = c
        .post(format!("{}/login", app.base))
        .header("cookie", &login_cookie)
        .form(&[
            ("token", token),
            ("csrf", csrf.as_str()),
            ("next", "/quality"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/quality");
    let (session, header) = set_cookie(&r, "hs_session").unwrap();
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let page = c
        .get(format!("{}/planner", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (session, hidden(&page, "csrf"))
}

/// A page's HTML for a session cookie.
pub(crate) async fn page_html(app: &App, path: &str, session: &str) -> String {
    no_redirects()
        .get(format!("{}{path}", app.base))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn apply_example(app: &App, ws: &str) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap();
    app.store
        .add_agreement(&Workspace::new(ws).unwrap(), "example", &text)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_page_sends_a_stranger_to_sign_in() {
    let app = spawn_app().await;
    let c = no_redirects();
    for path in [
        "/",
        "/queue",
        "/quality",
        "/requests",
        "/agreement",
        "/whatif",
        "/planner",
        "/notifications",
        "/leads/L-1",
    ] {
        let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        let to = r.headers()["location"].to_str().unwrap();
        assert_eq!(to, format!("/login?next={path}"), "{path}");
    }
    // Forms are refused too, before anything else is looked at.
    let r = c
        .post(format!("{}/planner", app.base))
        .form(&[("goal", "1 USD")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_needs_the_forms_own_token_and_a_valid_api_token() {
    let app = spawn_app().await;
    let c = no_redirects();
    // A form posted from elsewhere has no sign-in cookie: refused.
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[("token", app.token.as_str()), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&r, "hs_session").is_none());
    // The right form, a wrong token: 401 and no session.
    let (cookie, csrf) = login_form(&app).await;
    let r = c
        .post(format!("{}/login", app.base))
        .header("cookie", &cookie)
        .form(&[
            (
                "token",
                "hs_000000000000_0000000000000000000000000000000000000000",
            ),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&r, "hs_session").is_none());
    assert!(r.text().await.unwrap().contains("not valid"));
    // A next that leaves the site is ignored.
    let (cookie, csrf) = login_form(&app).await;
    let r = c
        .post(format!("{}/login", app.base))
        .header("cookie", &cookie)
        .form(&[
            ("token", app.token.as_str()),
            ("csrf", csrf.as_str()),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    let (session, csrf) = sign_in(&app, &app.token).await;
    let c = no_redirects();
    let post = |path: &'static str, token: String| {
        c.post(format!("{}{path}", app.base))
            .header("cookie", &session)
            .form(&[
                ("csrf", token.as_str()),
                ("goal", "1000000 USD"),
                ("horizon", "2027"),
                ("deal_size", "20000"),
                ("lead_to_mql", "20%"),
                ("mql_to_sql", "50%"),
                ("sql_to_opportunity", "50%"),
                ("opportunity_to_won", "25%"),
                ("marketing_share", "50%"),
                ("cycle", "60"),
            ])
            .send()
    };
    assert_eq!(
        post("/planner", "forged".into()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post("/logout", String::new()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = post("/planner", csrf.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Monthly targets"));
    // Signing out ends the session: its cookie no longer opens a page.
    let r = post("/logout", csrf).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .get(format!("{}/", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_session_sees_only_its_own_workspace_and_text_is_escaped() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let event = r#"{"id":"x-1","type":"lead.created","lead_id":"L-9","occurred_at":"2026-10-01T14:00:00Z","attributes":{"source":"<script>alert(1)</script>","segment":"enterprise"}}"#;
    assert_eq!(
        app.post("/api/v1/events", event).await.status(),
        StatusCode::CREATED
    );
    let (mine, _) = sign_in(&app, &app.token).await;
    let c = no_redirects();
    let get = |path: &str, cookie: &str| {
        c.get(format!("{}{path}", app.base))
            .header("cookie", cookie)
            .send()
    };
    let quality = get("/quality?period=2026-10", &mine)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        quality.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{quality}"
    );
    assert!(!quality.contains("<script>alert"));
    let lead = get("/leads/L-9", &mine).await.unwrap();
    assert_eq!(lead.status(), StatusCode::OK);
    // Another workspace's token: no agreement there, and not this lead.
    let other = app.token_for("other").await;
    let (theirs, _) = sign_in(&app, &other).await;
    let page = get("/", &theirs).await.unwrap().text().await.unwrap();
    assert!(page.contains("has no agreement yet"), "{page}");
    apply_example(&app, "other").await;
    let r = get("/leads/L-9", &theirs).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("No such lead"));
}

#[tokio::test]
async fn browsers_get_an_error_page_and_clients_get_json() {
    let app = spawn_app().await;
    let c = no_redirects();
    let r = c
        .get(format!("{}/nowhere", app.base))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Page not found"));
    let r = c.get(format!("{}/nowhere", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "not_found"
    );
    let css = c
        .get(format!("{}/assets/app.css", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn an_uploaded_draft_with_errors_is_answered_with_their_places() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let (session, csrf) = sign_in(&app, &app.token).await;
    let broken = "[agreement]\nname = \"x\"\ntime_zone = \"Mars/Olympus\"\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("draft", "ignored when a file is uploaded")
        .part(
            "file",
            reqwest::multipart::Part::text(broken).file_name("draft.toml"),
        )
        .text("period", "");
    let r = no_redirects()
        .post(format!("{}/whatif", app.base))
        .header("cookie", &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("The draft has errors"), "{page}");
    assert!(
        page.contains("line 3, column 14: unknown time zone"),
        "{page}"
    );
    // The uploaded text is kept in the form to fix.
    assert!(page.contains("Mars/Olympus"));
}

/// "Hours:minutes" as the pages print business time, in seconds.
/// Seconds of business time as a page says them (`2 business days 4 h`,
/// `3 h 5 min`), with business days of `day` seconds.
fn page_seconds(text: &str, day: i64) -> i64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut seconds = 0;
    let mut i = 0;
    while i + 1 < words.len() {
        let n: i64 = words[i].parse().unwrap_or_else(|_| panic!("{text}"));
        let (unit, step) = match words[i + 1] {
            "business" => (day, 3),
            "h" => (3600, 2),
            "min" => (60, 2),
            other => panic!("{other} in {text}"),
        };
        seconds += n * unit;
        i += step;
    }
    seconds
}

#[test]
fn page_seconds_reads_what_pages_say() {
    let day = 8 * 3600;
    for s in [59 * 60, 3 * 3600 + 5 * 60, 2 * day + 4 * 3600, day, 5 * day] {
        assert_eq!(
            page_seconds(&handshake_core::engine::spoken(s, day), day),
            s
        );
    }
}

/// After version 2 doubles a promise, a clock started under version 1 is
/// due, and late, by version 1 in the queue (its due instant came from
/// version 1 and how late from version 2), and the row says so.
#[tokio::test]
async fn the_queue_reads_a_clock_by_the_version_that_judged_it() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 5);
    let body = format!(
        "{}\n{{\"id\":\"v-2\",\"type\":\"lead.stage_changed\",\"lead_id\":\"VER-1\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}",
        crate::app::event("v-1", "VER-1", &at.to_string())
    );
    let r = app.post("/api/v1/events/batch", body).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap()
    .replacen(
        "within = \"1 business hour\"",
        "within = \"2 business hours\"",
        1,
    );
    app.store
        .add_agreement(&Workspace::new("default").unwrap(), "v2", &text)
        .await
        .unwrap();
    // The API waits for version 2; its clock line names version 1.
    let clocks = crate::app::json(
        app.get("/api/v1/clocks?guarantee=enterprise-first-touch")
            .await,
    )
    .await;
    let line = &clocks["clocks"][0];
    assert_eq!(line["lead"], "VER-1", "{clocks}");
    assert_eq!(
        (
            line["version"].as_u64(),
            line["business_seconds_promised"].as_i64()
        ),
        (Some(1), Some(3_600))
    );
    let used = line["business_seconds_used"].as_i64().unwrap();
    let (session, _) = sign_in(&app, &app.token).await;
    let queue = page_html(&app, "/queue", &session).await;
    let row = queue
        .lines()
        .find(|l| l.contains(">VER-1<"))
        .unwrap_or_else(|| panic!("no VER-1 row in {queue}"));
    assert!(row.contains(">version 1</td>"), "{row}");
    let late = row
        .split('>')
        .find_map(|cell| cell.split('<').next().and_then(|t| t.strip_suffix(" late")))
        .unwrap_or_else(|| panic!("no \"late\" in {row}"));
    // Late by version 1's hour, not version 2's two. Past a business day
    // the page leaves the minutes out: it says at most what has passed
    // (a minute's slack for business time passing between the two reads)
    // and less than an hour below it.
    let day = handshake_core::check("a.toml", &text)
        .agreement
        .unwrap()
        .business_day("enterprise-first-touch");
    let expected = used - 3_600;
    let said = page_seconds(late, day);
    assert!(
        said <= expected + 120 && said > expected - 3_600,
        "{late} late ({said} s), expected about {expected} s: {row}"
    );
}

/// The notifications page: each notification's state in words, its
/// attempts and the receiver's last answer (escaped), by workspace.
#[tokio::test]
async fn the_notifications_page_shows_each_state_and_answer() {
    use handshake_store::{NewNotification, NotificationState, Outcome};
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let ws = Workspace::new("default").unwrap();
    let n = |key: &str, due_at: i64| NewNotification {
        key: key.into(),
        channel: "ops".into(),
        kind: "clock.at_risk".into(),
        body: "{}".into(),
        due_at,
        subject: None,
        summary: None,
    };
    // Due far in the future, so the server's worker never claims them.
    let later = 4_000_000_000;
    app.store
        .enqueue_notifications(
            &ws,
            &[
                n("k-sent", later),
                n("k-retry", later + 1),
                n("k-failed", later + 2),
                n("k-new", later + 3),
            ],
            0,
        )
        .await
        .unwrap();
    let record = |key: &'static str, outcome: Outcome| {
        let store = app.store.clone();
        async move {
            store
                .record_delivery("default", key, &outcome, 1)
                .await
                .unwrap()
        }
    };
    record(
        "k-sent",
        Outcome::Delivered {
            status: 200,
            answer: "ok".into(),
        },
    )
    .await;
    record(
        "k-retry",
        Outcome::Retry {
            status: Some(503),
            answer: "<b>busy</b>".into(),
            at: later + 60,
        },
    )
    .await;
    record(
        "k-failed",
        Outcome::Failed {
            status: None,
            answer: "connection refused".into(),
        },
    )
    .await;
    let (session, _) = sign_in(&app, &app.token).await;
    let page = page_html(&app, "/notifications", &session).await;
    assert!(
        page.contains("1 sent, 1 pending, 1 retrying, 1 failed"),
        "{page}"
    );
    let row = |key: &str| {
        page.lines()
            .find(|l| l.contains(&format!("<td>{key}</td>")))
            .unwrap_or_else(|| panic!("no {key} row in {page}"))
            .to_string()
    };
    assert!(row("k-sent").contains("<td>sent</td>") && row("k-sent").contains("<td>200: ok</td>"));
    assert!(
        row("k-retry").contains("<td>retrying</td>"),
        "{}",
        row("k-retry")
    );
    assert!(
        row("k-retry").contains("503: &#60;b&#62;busy&#60;/b&#62;"),
        "{}",
        row("k-retry")
    );
    assert!(
        row("k-failed").contains("<td>failed</td>")
            && row("k-failed").contains("connection refused")
    );
    assert!(row("k-new").contains("<td>pending</td>") && row("k-new").contains("<td>0</td>"));
    // An admin may try a failed one again: the button is on its row, not
    // on a sent one's.
    assert!(row("k-failed").contains("Retry now") && !row("k-sent").contains("Retry now"));
    let (session, csrf) = sign_in(&app, &app.token).await;
    let retry = |session: String, csrf: String, key: &'static str| {
        let base = app.base.clone();
        async move {
            no_redirects()
                .post(format!("{base}/notifications/retry"))
                .header("cookie", session)
                .form(&[("csrf", csrf.as_str()), ("key", key)])
                .send()
                .await
                .unwrap()
        }
    };
    let before = app.store.notifications(&ws, 10).await.unwrap();
    let id = |list: &[handshake_store::Notification]| {
        list.iter()
            .find(|n| n.key == "k-failed")
            .unwrap()
            .delivery_id
            .clone()
    };
    let r = retry(session.clone(), "forged".into(), "k-failed").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = retry(session.clone(), csrf.clone(), "k-failed").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let again = app.store.notifications(&ws, 10).await.unwrap();
    let failed = again.iter().find(|n| n.key == "k-failed").unwrap();
    // Pending again (the worker may have tried it already: the channel
    // "ops" does not exist, so it stays pending), under its delivery id.
    assert_eq!(failed.state, NotificationState::Pending);
    assert_eq!(failed.delivery_id, id(&before));
    assert_eq!(
        retry(session, csrf, "k-sent").await.status(),
        StatusCode::NOT_FOUND,
        "a delivered one is not sent again"
    );
    // A member sees no button and may not retry.
    let member = app
        .store
        .create_token(&ws, "rep", handshake_store::TokenRole::Member, None)
        .await
        .unwrap()
        .reveal();
    let (theirs, csrf) = sign_in(&app, &member).await;
    let page = page_html(&app, "/notifications", &theirs).await;
    assert!(!page.contains("Retry now"), "{page}");
    assert_eq!(
        retry(theirs, csrf, "k-retry").await.status(),
        StatusCode::FORBIDDEN
    );
    // Another workspace sees none of them.
    let other = app.token_for("other").await;
    let (theirs, _) = sign_in(&app, &other).await;
    let page = page_html(&app, "/notifications", &theirs).await;
    assert!(page.contains("No notification yet."), "{page}");
}

#[tokio::test]
async fn the_agreement_page_renders_markdown_and_says_what_changed() {
    let app = spawn_app().await;
    let (session, _) = sign_in(&app, &app.token).await;
    let v1 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap()
    .replacen(
        "summary = \"\"\"\n",
        "summary = \"\"\"\n<script>alert(1)</script> [x](javascript:alert(2)) ",
        1,
    );
    let ws = Workspace::new("default").unwrap();
    app.store.add_agreement(&ws, "v1", &v1).await.unwrap();
    let v2 =
        v1.replacen("target = 400", "target = 450", 1)
            .replacen("# ", "# reworded comment: ", 1);
    app.store.add_agreement(&ws, "v2", &v2).await.unwrap();

    let page = page_html(&app, "/agreement", &session).await;
    assert!(page.contains("<strong>Marketing</strong>"), "{page}");
    assert!(!page.contains("**Marketing**"), "{page}");
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        !page.to_ascii_lowercase().contains("href=\"javascript"),
        "{page}"
    );

    let changed = page_html(&app, "/agreement?from=1&to=2", &session).await;
    assert!(
        changed.contains("<li class=\"change\">goal mql-volume: target 400 → 450</li>"),
        "{changed}"
    );
    // The comment changed too, but that is no change in meaning.
    assert_eq!(
        changed.matches("<li class=\"change\">").count(),
        1,
        "{changed}"
    );
    assert!(changed.contains("from=1&amp;to=2&amp;text=1"), "{changed}");

    let text = page_html(&app, "/agreement?from=1&to=2&text=1", &session).await;
    assert!(
        text.contains("<span class=\"add\">+ target = 450</span>"),
        "{text}"
    );
    assert!(
        text.contains("<span class=\"del\">- target = 400</span>"),
        "{text}"
    );
}

#[tokio::test]
async fn the_median_first_touch_card_shows_outside_figures_labelled_as_such() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let (session, _) = sign_in(&app, &app.token).await;
    let page = page_html(&app, "/?period=2027-01", &session).await;
    let card = page
        .split("<article class=\"goal")
        .find(|c| c.contains("<h3>first-touch-speed</h3>"))
        .expect("the first-touch-speed card");
    assert!(card.contains("<aside class=\"outside\">"), "{card}");
    assert!(card.contains("Outside figures, not your data"), "{card}");
    assert!(card.contains("37% answered within an hour"), "{card}");
    assert!(
        card.contains("href=\"https://hbr.org/2011/03/the-short-life-of-online-sales-leads\""),
        "{card}"
    );
    // Only beside the speed goal.
    assert_eq!(
        page.matches("<aside class=\"outside\">").count(),
        1,
        "{page}"
    );
}

/// An MQL read off a contacts export (inferred) with no touch anywhere in
/// the data: the API lists its clock as not measurable, the scorecard says
/// so in words, and the queue leaves it out and says why.
#[tokio::test]
async fn clocks_without_any_stop_event_in_the_data_are_not_measurable() {
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 5);
    let body = format!(
        "{}\n{{\"id\":\"n-2\",\"type\":\"lead.stage_changed\",\"lead_id\":\"NM-1\",\"occurred_at\":\"{at}\",\"stage\":\"mql\",\"inferred\":true}}",
        crate::app::event("n-1", "NM-1", &at.to_string())
    );
    let r = app.post("/api/v1/events/batch", body).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let clocks = crate::app::json(app.get("/api/v1/clocks?state=not_measurable").await).await;
    let leads: Vec<&str> = clocks["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["lead"].as_str().unwrap())
        .collect();
    assert_eq!(leads, ["NM-1"], "{clocks}");
    assert_eq!(clocks["clocks"][0]["state"], "not_measurable");
    let breached = crate::app::json(app.get("/api/v1/clocks?state=breached").await).await;
    assert_eq!(
        breached["clocks"].as_array().unwrap().len(),
        0,
        "{breached}"
    );
    let (session, _) = sign_in(&app, &app.token).await;
    let period = at.strftime("%Y-%m").to_string();
    let card = page_html(&app, &format!("/?period={period}"), &session).await;
    assert!(
        card.contains("enterprise-first-touch: 1 clock is not measurable from this data"),
        "{card}"
    );
    let queue = page_html(&app, "/queue", &session).await;
    assert!(!queue.contains(">NM-1<"), "{queue}");
    assert!(
        queue.contains("1 open clock is left out: it is not measurable from this data"),
        "{queue}"
    );
}

/// The example agreement with New York open around the clock (no
/// holidays), so business time is wall-clock time whatever day the test
/// runs, and the queue keeping breaches for one business day (24 hours).
pub(crate) fn around_the_clock() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap();
    let from = text.find("[calendars.new-york]").unwrap();
    let to = text.find("[calendars.berlin]").unwrap();
    format!(
        "{}[calendars.new-york]\ntime_zone = \"America/New_York\"\nhours = \"mon-sun 00:00-24:00\"\n\n{}\n[queue]\nkeep_breached = \"1 business day\"\n",
        &text[..from],
        &text[to..]
    )
}

/// A server whose workspace `default` has [`around_the_clock`] applied.
async fn spawn_around_the_clock() -> (App, Workspace) {
    let app = spawn_app().await;
    let ws = Workspace::new("default").unwrap();
    app.store
        .add_agreement(&ws, "around-the-clock", &around_the_clock())
        .await
        .unwrap();
    (app, ws)
}

/// A server as [`spawn_around_the_clock`] whose directory holds rep-ava
/// (team of Mia Ward, mgr-mia), rep-zoe (team of mgr-max, who is not in
/// the directory) and Mia herself.
async fn spawn_two_teams() -> App {
    use handshake_core::alerts::people::Person;
    let (app, ws) = spawn_around_the_clock().await;
    let person = |id: &str, name: &str, manager: Option<&str>| {
        let mut p = Person::new(id, name, "sales");
        p.manager = manager.map(str::to_string);
        p
    };
    app.store
        .put_people(
            &ws,
            &[
                person("rep-ava", "Ava Stone", Some("mgr-mia")),
                person("rep-zoe", "Zoe Hart", Some("mgr-max")),
                person("mgr-mia", "Mia Ward", None),
            ],
        )
        .await
        .unwrap();
    app
}

/// Three enterprise leads of rep-ava (team of mgr-mia) and one of rep-zoe
/// (another team): one MQL ten days ago (breached long ago), one five hours
/// ago (breached, within the day the queue keeps), one now (running). The
/// queue holds the last two, says where the old one went, and filters by
/// team and state; the breaches list has the old one; the API's
/// `state=queue` and `team` agree.
#[tokio::test]
async fn the_queue_keeps_recent_breaches_and_sends_old_ones_to_the_breaches_list() {
    let app = spawn_two_teams().await;
    let now = jiff::Timestamp::now();
    let hours = |h: i64| (now - jiff::SignedDuration::from_hours(h)).to_string();
    let mut lines = Vec::new();
    // NEW-1 has a name and a company (the name is shown), OLD-1 a company.
    for (lead, owner, at, who) in [
        ("OLD-1", "rep-ava", hours(240), r#","company":"Oldco""#),
        (
            "NEW-1",
            "rep-ava",
            hours(5),
            r#","name":"Nia Ek","company":"Acme""#,
        ),
        ("RUN-1", "rep-ava", now.to_string(), ""),
        ("ZOE-1", "rep-zoe", hours(5), ""),
    ] {
        lines.push(format!(
            r#"{{"id":"{lead}-c","type":"lead.created","lead_id":"{lead}","occurred_at":"{at}","attributes":{{"segment":"enterprise","owner":"{owner}"{who}}}}}"#
        ));
        lines.push(format!(
            r#"{{"id":"{lead}-m","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"mql"}}"#
        ));
    }
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let leads = |v: &serde_json::Value| -> Vec<String> {
        let mut l: Vec<String> = v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["guarantee"] == "enterprise-first-touch")
            .map(|c| c["lead"].as_str().unwrap().to_string())
            .collect();
        l.sort();
        l
    };
    let api = |q: &'static str| {
        let app = &app;
        async move { crate::app::json(app.get(&format!("/api/v1/clocks?{q}")).await).await }
    };
    let queued = api("state=queue").await;
    assert_eq!(leads(&queued), ["NEW-1", "RUN-1", "ZOE-1"]);
    let name = |v: &serde_json::Value, lead: &str| {
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["lead"] == lead)
            .map(|c| c["name"].clone())
    };
    assert_eq!(name(&queued, "NEW-1"), Some("Nia Ek".into()), "{queued}");
    assert_eq!(name(&queued, "RUN-1"), Some(serde_json::Value::Null));
    assert_eq!(leads(&api("state=breached_long_ago").await), ["OLD-1"]);
    assert_eq!(
        leads(&api("state=queue&team=mgr-mia").await),
        ["NEW-1", "RUN-1"]
    );
    let unknown = app.get("/api/v1/clocks?team=rep-ava").await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = crate::app::json(unknown).await;
    assert_eq!(body["code"], "unknown_team", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("mgr-max, mgr-mia"),
        "{body}"
    );

    let (session, _) = sign_in(&app, &app.token).await;
    let row = |html: &str, lead: &str| {
        html.lines()
            .find(|l| l.contains(&format!(">{lead}<")))
            .map(str::to_string)
    };
    let queue = page_html(&app, "/queue", &session).await;
    assert!(row(&queue, "OLD-1").is_none(), "{queue}");
    let new = row(&queue, "NEW-1").unwrap_or_else(|| panic!("{queue}"));
    assert!(new.contains("<tr class=\"breached\">"), "{new}");
    assert!(new.contains(">NEW-1</a> Nia Ek</td>"), "{new}");
    let run = row(&queue, "RUN-1").unwrap_or_else(|| panic!("{queue}"));
    assert!(run.contains("<tr class=\"running\">"), "{run}");
    assert!(row(&queue, "ZOE-1").is_some(), "{queue}");
    assert!(
        queue.contains("1 clock breached more than 1 business day ago is in the <a href=\"/breaches?state=breached\">breaches list</a>"),
        "{queue}"
    );
    assert!(
        queue.contains("<option value=\"mgr-mia\">team of Mia Ward</option>"),
        "{queue}"
    );
    // Mia's team, breached: NEW-1 alone.
    let mine = page_html(&app, "/queue?team=mgr-mia&state=breached", &session).await;
    assert!(row(&mine, "NEW-1").is_some(), "{mine}");
    for gone in ["RUN-1", "ZOE-1", "OLD-1"] {
        assert!(row(&mine, gone).is_none(), "{gone} in {mine}");
    }
    assert!(
        mine.contains("<option value=\"mgr-mia\" selected>"),
        "{mine}"
    );
    assert!(mine.contains("Showing 1 to 1 of 1"), "{mine}");

    let breaches = page_html(&app, "/breaches?state=breached&team=mgr-mia", &session).await;
    let old = row(&breaches, "OLD-1").unwrap_or_else(|| panic!("{breaches}"));
    assert!(
        old.contains("still open") && old.contains("rep-ava"),
        "{old}"
    );
    assert!(old.contains(">OLD-1</a> Oldco</td>"), "{old}");
    assert!(row(&breaches, "NEW-1").is_some(), "{breaches}");
    assert!(row(&breaches, "RUN-1").is_none(), "{breaches}");
    assert!(row(&breaches, "ZOE-1").is_none(), "{breaches}");
    // OLD-1 was due longest ago: listed last.
    assert!(
        breaches.find(">NEW-1<") < breaches.find(">OLD-1<"),
        "{breaches}"
    );

    let bad = no_redirects()
        .get(format!("{}/queue?state=late", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let text = bad.text().await.unwrap();
    assert!(
        text.contains(
            "&#34;late&#34; is not a state this list shows; expected one of running, paused, at_risk, breached."
        ),
        "{text}"
    );
}

/// A list longer than a page is cut into pages that keep the filters, and
/// every row is on exactly one page.
#[tokio::test]
async fn the_breaches_list_pages_keep_their_filters_and_every_row() {
    let (app, _) = spawn_around_the_clock().await;
    let at = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(240)).to_string();
    let mut lines = Vec::new();
    for i in 0..150 {
        lines.push(format!(
            r#"{{"id":"c-{i}","type":"lead.created","lead_id":"P-{i:03}","occurred_at":"{at}","attributes":{{"segment":"enterprise","owner":"rep-ava"}}}}"#
        ));
        lines.push(format!(
            r#"{{"id":"m-{i}","type":"lead.stage_changed","lead_id":"P-{i:03}","occurred_at":"{at}","stage":"mql"}}"#
        ));
    }
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (session, _) = sign_in(&app, &app.token).await;
    let first = page_html(
        &app,
        "/breaches?owner=rep-ava&guarantee=enterprise-first-touch",
        &session,
    )
    .await;
    assert!(first.contains("Showing 1 to 100 of 150"), "{first}");
    // The template escapes the link's `&` as `&#38;`.
    let next = "/breaches?owner=rep-ava&#38;guarantee=enterprise-first-touch&#38;page=2";
    assert!(
        first.contains(&format!("<a rel=\"next\" href=\"{next}\">")),
        "{first}"
    );
    let second = page_html(&app, &next.replace("&#38;", "&"), &session).await;
    assert!(second.contains("Showing 101 to 150 of 150"), "{second}");
    assert!(!second.contains("rel=\"next\""), "{second}");
    let ids = |html: &str| -> Vec<String> {
        html.match_indices(">P-")
            .map(|(at, _)| html[at + 1..at + 6].to_string())
            .collect()
    };
    // A page past the end shows the last one.
    let past = page_html(&app, "/breaches?owner=rep-ava&page=9", &session).await;
    assert!(past.contains("Showing 101 to 150 of 150"), "{past}");
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.sort();
    let expected: Vec<String> = (0..150).map(|i| format!("P-{i:03}")).collect();
    assert_eq!(all, expected);
}

/// The scorecard splits each lead guarantee's clocks by owner and by team
/// (the report's `owners`, the same lines): March 2026 on a calendar open
/// around the clock, enterprise first touch within 1 hour. Ava touched one
/// lead in 30 minutes and one in 90 (late), Zoe and nobody never touched
/// theirs (breached). Each row links to that owner's queue.
#[tokio::test]
async fn the_scorecard_splits_clocks_by_owner_and_team() {
    let app = spawn_two_teams().await;
    let mut lines = Vec::new();
    for (lead, owner, touched) in [
        ("A-1", Some("rep-ava"), Some("12:30")),
        ("A-2", Some("rep-ava"), Some("13:30")),
        ("Z-1", Some("rep-zoe"), None),
        ("N-1", None, None),
    ] {
        let owner = owner.map_or(String::new(), |o| format!(r#","owner":"{o}""#));
        lines.push(format!(
            r#"{{"id":"{lead}-c","type":"lead.created","lead_id":"{lead}","occurred_at":"2026-03-10T12:00:00Z","attributes":{{"segment":"enterprise"{owner}}}}}"#
        ));
        lines.push(format!(
            r#"{{"id":"{lead}-m","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"2026-03-10T12:00:00Z","stage":"mql"}}"#
        ));
        if let Some(at) = touched {
            lines.push(format!(
                r#"{{"id":"{lead}-t","type":"lead.touched","lead_id":"{lead}","occurred_at":"2026-03-10T{at}:00Z","channel":"call","by":"rep"}}"#
            ));
        }
    }
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let report = crate::app::json(app.get("/api/v1/scorecard?period=2026-03").await).await;
    let owners: Vec<(String, u64, u64, u64, u64, String)> = report["owners"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .filter(|o| o["guarantee"] == "enterprise-first-touch")
        .map(|o| {
            (
                o["owner"].as_str().unwrap_or("none").to_string(),
                o["clocks"].as_u64().unwrap(),
                o["met"].as_u64().unwrap(),
                o["met_late"].as_u64().unwrap(),
                o["breached"].as_u64().unwrap(),
                o["median_to_stop_text"]
                    .as_str()
                    .unwrap_or("none")
                    .to_string(),
            )
        })
        .collect();
    let row = |o: &str, c, m, l, b, med: &str| (o.to_string(), c, m, l, b, med.to_string());
    assert_eq!(
        owners,
        [
            row("rep-ava", 2, 1, 1, 0, "30 min"),
            row("rep-zoe", 1, 0, 0, 1, "none"),
            row("none", 1, 0, 0, 1, "none"),
        ],
        "{report}"
    );
    assert_eq!(report["owners"][0]["median_to_stop"], 1800, "{report}");

    let (session, _) = sign_in(&app, &app.token).await;
    let page = page_html(&app, "/?period=2026-03", &session).await;
    let tr = |who: &str| {
        page.lines()
            .find(|l| l.contains("<td>enterprise-first-touch</td>") && l.contains(who))
            .unwrap_or_else(|| panic!("no row for {who} in {page}"))
            .to_string()
    };
    assert_eq!(
        tr(">Ava Stone (rep-ava)<"),
        "<tr><td>enterprise-first-touch</td><td><a href=\"/queue?owner=rep-ava&#38;guarantee=enterprise-first-touch\">Ava Stone (rep-ava)</a></td><td>2</td><td>1</td><td>1</td><td>0</td><td>50.0%</td><td>30 min</td></tr>"
    );
    assert!(
        tr(">(no owner)<").contains(
            "href=\"/queue?owner=%28no%20owner%29&#38;guarantee=enterprise-first-touch\""
        )
    );
    assert_eq!(
        tr(">team of Mia Ward<"),
        "<tr><td>enterprise-first-touch</td><td><a href=\"/queue?team=mgr-mia&#38;guarantee=enterprise-first-touch\">team of Mia Ward</a></td><td>2</td><td>1</td><td>1</td><td>0</td><td>50.0%</td><td>30 min</td></tr>"
    );
    assert!(
        tr(">team of mgr-max<")
            .contains("<td>1</td><td>0</td><td>0</td><td>1</td><td>0.0%</td><td>—</td>")
    );
}
