//! The people directory and the alert channels over the API: what an admin
//! token may change and a member token may not, each problem named, a CSV
//! import row by row, the owners the events name that the directory lacks,
//! and channels that never show or take a secret.

use axum::http::StatusCode as Status;
use handshake_store::{TokenRole, Workspace};
use reqwest::StatusCode;
use serde_json::json;

use crate::app::{App, json, spawn_app};
use crate::pages::apply_example;

async fn send(
    app: &App,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut r = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn member(app: &App) -> String {
    app.store
        .create_token(
            &Workspace::new("default").unwrap(),
            "rep",
            TokenRole::Member,
            None,
        )
        .await
        .unwrap()
        .reveal()
}

#[tokio::test]
async fn an_admin_keeps_the_directory_and_everyone_reads_it() {
    use reqwest::Method;
    let app = spawn_app().await;
    apply_example(&app, "default").await;
    let admin = app.token.clone();
    let ava = json!({
        "name": "Ava Chen", "party": "sales", "email": "ava@northwind.example",
        "manager": "rep-lead", "time_zone": "America/New_York", "quiet_hours": "20:00-08:00"
    });
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-ava",
        &admin,
        Some(ava.clone()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let doc = json(r).await;
    assert_eq!(
        (
            doc["owner_id"].clone(),
            doc["quiet_hours"].clone(),
            doc["status"].clone()
        ),
        (json!("rep-ava"), json!("20:00-08:00"), json!("active"))
    );
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-ava",
        &admin,
        Some(ava.clone()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "the same owner id replaces");
    // Every problem named; a party the agreement lacks; a path and body that disagree.
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-x",
        &admin,
        Some(json!({"name": "X", "party": "sales", "email": "x", "quiet_hours": "late"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e = json(r).await;
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("email \"x\": expected an address")
            && message.contains("quiet_hours \"late\""),
        "{e}"
    );
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-x",
        &admin,
        Some(json!({"name": "X", "party": "finance"})),
    )
    .await;
    assert!(
        json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("the agreement's parties are marketing, sales")
    );
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-x",
        &admin,
        Some(json!({"owner_id": "rep-y", "name": "X", "party": "sales"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/people/rep-x",
        &admin,
        Some(json!({"name": "X", "party": "sales", "boss": "y"})),
    )
    .await;
    assert_eq!(
        json(r).await["code"],
        "invalid_json",
        "unknown fields are refused"
    );
    // A CSV: the bad row named by number, the good ones kept.
    let csv = "owner_id,name,party,email,status\n\
               rep-bo,Bo Berg,sales,bo@northwind.example,away\n\
               rep-cy,Cy,sales,cy@,\n\
               rep-ava,Ava Chen,sales,ava@northwind.example,\n";
    let r = app
        .client
        .post(format!("{}/api/v1/people/import", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer = json(r).await;
    assert_eq!(
        (
            answer["imported"].clone(),
            answer["new"].clone(),
            answer["refused"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(answer["problems"][0]["row"], 3);
    let r = app
        .client
        .post(format!("{}/api/v1/people/import", app.base))
        .bearer_auth(&admin)
        .body("name,party\nX,sales\n")
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["code"], "invalid_csv");
    // The events name an owner the directory lacks: listed, not dropped.
    let event = r#"{"id":"e-1","type":"lead.assigned","lead_id":"L-1","occurred_at":"2027-01-05T15:00:00Z","owner":"rep-dee"}"#;
    assert_eq!(app.post("/api/v1/events", event).await.status(), 201);
    // A member reads, but may not change.
    let rep = member(&app).await;
    let list = json(send(&app, Method::GET, "/api/v1/people", &rep, None).await).await;
    let ids: Vec<&str> = list["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["owner_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["rep-ava", "rep-bo"]);
    assert_eq!(list["people"][1]["status"], "away");
    assert_eq!(list["lacking"], json!(["rep-dee"]));
    for (method, path) in [
        (Method::PUT, "/api/v1/people/rep-z"),
        (Method::DELETE, "/api/v1/people/rep-bo"),
        (Method::POST, "/api/v1/people/import"),
    ] {
        let r = send(
            &app,
            method,
            path,
            &rep,
            Some(json!({"name": "Z", "party": "sales"})),
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Another workspace sees no one.
    let other = app.token_for("other").await;
    let theirs = json(send(&app, Method::GET, "/api/v1/people", &other, None).await).await;
    assert_eq!(theirs["people"], json!([]));
    // Removed once.
    let r = send(&app, Method::DELETE, "/api/v1/people/rep-bo", &admin, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = send(&app, Method::DELETE, "/api/v1/people/rep-bo", &admin, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_sets_up_channels_that_never_show_or_take_a_secret() {
    use reqwest::Method;
    let app = spawn_app().await;
    let admin = app.token.clone();
    // A Slack receiver on this machine, for the test delivery.
    let router = axum::Router::new().route(
        "/services/T/B/SECRETPATH",
        axum::routing::post(|| async { (Status::OK, "ok") }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slack = format!(
        "http://{}/services/T/B/SECRETPATH",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels",
        &admin,
        Some(json!({"name": "sales-room", "slack": slack})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let doc = json(r).await;
    assert_eq!(doc["per_minute"], 60, "Slack's own limit");
    assert_eq!(doc["health"], "ok");
    assert!(!doc.to_string().contains("SECRETPATH"), "{doc}");
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels",
        &admin,
        Some(json!({"name": "sales-room", "log": true})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // A secret is never taken in the body, nor read from any variable.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels",
        &admin,
        Some(json!({"name": "ops", "webhook": "https://hooks.example/x", "secret_env": "DATABASE_URL"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("must start with HANDSHAKE_SECRET_")
    );
    for smuggled in [
        json!({"secret": "s3cret"}),
        json!({"secret_file": "/etc/passwd"}),
    ] {
        let mut body = json!({"name": "ops", "webhook": "https://hooks.example/x"});
        body.as_object_mut()
            .unwrap()
            .extend(smuggled.as_object().unwrap().clone());
        let r = send(&app, Method::POST, "/api/v1/channels", &admin, Some(body)).await;
        assert_eq!(json(r).await["code"], "invalid_json");
    }
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels",
        &admin,
        Some(json!({"name": "ops", "webhook": "https://hooks.example/x"})),
    )
    .await;
    assert!(
        json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("signs every delivery")
    );
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels",
        &admin,
        Some(json!({"name": "try-out", "log": true, "per_minute": 10})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // A test delivery says what the receiver answered.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels/sales-room/test",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let answer = json(r).await;
    assert_eq!(
        (answer["status"].clone(), answer["accepted"].clone()),
        (json!(200), json!(true))
    );
    assert_eq!(answer["delivery"].as_str().unwrap().len(), 32);
    // Listed by name with limits and health; a member may not see them.
    let list = json(send(&app, Method::GET, "/api/v1/channels", &admin, None).await).await;
    let names: Vec<(&str, i64)> = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["per_minute"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("sales-room", 60), ("try-out", 10)]);
    let rep = member(&app).await;
    for (method, path) in [
        (Method::GET, "/api/v1/channels"),
        (Method::POST, "/api/v1/channels/sales-room/test"),
        (Method::POST, "/api/v1/channels/sales-room/resume"),
        (Method::DELETE, "/api/v1/channels/sales-room"),
    ] {
        assert_eq!(
            send(&app, method, path, &rep, None).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels/try-out/resume",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/channels/nope/resume",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = send(
        &app,
        Method::DELETE,
        "/api/v1/channels/try-out",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = send(
        &app,
        Method::DELETE,
        "/api/v1/channels/try-out",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
