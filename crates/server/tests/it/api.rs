//! Event ingest, leads and tokens over HTTP.

use serde_json::json;

use crate::app::{event, json, spawn_app};

#[tokio::test]
async fn one_event_is_accepted_then_a_duplicate_then_a_conflict() {
    let app = spawn_app().await;
    let e = event("e-1", "L-1", "2026-10-01T14:03:00Z");
    let r = app.post("/api/v1/events", e.clone()).await;
    assert_eq!(r.status(), 201);
    assert_eq!(json(r).await, json!({"id": "e-1", "status": "accepted"}));
    let r = app.post("/api/v1/events", e).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["status"], "duplicate");
    let r = app
        .post(
            "/api/v1/events",
            event("e-1", "L-1", "2026-10-02T14:03:00Z"),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(json(r).await["code"], "conflict");
}

#[tokio::test]
async fn an_invalid_event_gets_422_with_its_code_and_reason() {
    let app = spawn_app().await;
    let cases = [
        ("{", "invalid_json"),
        (
            r#"{"id":"e","type":"lead.rejected","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z"}"#,
            "missing_field",
        ),
        (
            r#"{"id":"e","type":"lead.sneezed","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z"}"#,
            "unknown_type",
        ),
        (
            r#"{"id":"e","type":"lead.accepted","lead_id":"L","occurred_at":"yesterday"}"#,
            "invalid_instant",
        ),
    ];
    for (body, code) in cases {
        let r = app.post("/api/v1/events", body).await;
        assert_eq!(r.status(), 422, "{body}");
        let answer = json(r).await;
        assert_eq!(answer["code"], code, "{answer}");
        assert!(answer["message"].as_str().unwrap().len() > 10);
    }
    let r = app.post("/api/v1/events", r#"{"id":"e","type":"lead.rejected","lead_id":"L","occurred_at":"2026-10-01T14:03:00Z"}"#).await;
    assert_eq!(
        json(r).await["message"],
        "\"reason\" is missing; expected e.g. \"reason\":\"no-budget\""
    );
    assert_eq!(
        app.store
            .count_events(&handshake_store::Workspace::new("default").unwrap())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_batch_keeps_the_good_lines_and_names_the_bad_ones() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/events",
        event("e-0", "L-0", "2026-10-01T00:00:00Z"),
    )
    .await;
    let body = [
        event("e-1", "L-1", "2026-10-01T14:03:00Z"),
        "{not json".to_string(),
        String::new(),
        event("e-0", "L-0", "2026-10-01T00:00:00Z"),
        r#"{"id":"e-2","type":"lead.touched","lead_id":"L-1","occurred_at":"2026-10-01T15:00:00Z","channel":"fax"}"#.to_string(),
        event("e-0", "L-0", "2026-10-09T00:00:00Z"),
        r#"{"id":"e-3","type":"lead.touched","lead_id":"L-1","occurred_at":"2026-10-01T15:00:00Z","channel":"call"}"#.to_string(),
    ]
    .join("\n");
    let r = app.post("/api/v1/events/batch", body).await;
    assert_eq!(r.status(), 200);
    let answer = json(r).await;
    assert_eq!(answer["accepted"], 2);
    assert_eq!(answer["duplicates"], 1);
    let rejected: Vec<(u64, String)> = answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (2, "invalid_json".into()),
            (5, "invalid_field".into()),
            (6, "conflict".into())
        ]
    );
    let lead = json(app.get("/api/v1/leads/L-1").await).await;
    assert_eq!(lead["timeline"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_lead_shows_its_state_and_timeline_in_order() {
    let app = spawn_app().await;
    let body = [
        r#"{"id":"c","type":"lead.assigned","lead_id":"L-9","occurred_at":"2026-10-03T00:00:00Z","owner":"rep-2"}"#.to_string(),
        event("a", "L-9", "2026-10-01T00:00:00Z"),
        r#"{"id":"b","type":"lead.stage_changed","lead_id":"L-9","occurred_at":"2026-10-02T00:00:00Z","stage":"mql"}"#.to_string(),
    ]
    .join("\n");
    app.post("/api/v1/events/batch", body).await;
    let r = app.get("/api/v1/leads/L-9").await;
    assert_eq!(r.status(), 200);
    let lead = json(r).await;
    let ids: Vec<&str> = lead["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["a", "b", "c"]);
    assert_eq!(lead["state"]["stage"], "mql");
    assert_eq!(lead["state"]["owner"], "rep-2");
    assert_eq!(lead["state"]["source"], "webinar");
    let r = app.get("/api/v1/leads/nobody").await;
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (404, json!("not_found"))
    );
}

#[tokio::test]
async fn no_token_or_a_wrong_one_is_401_and_workspaces_are_apart() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/events", app.base);
    let r = app
        .client
        .post(&url)
        .body(event("e", "L", "2026-10-01T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (401, json!("unauthorized"))
    );
    let mut forged = app.token.clone();
    forged.pop();
    forged.push(if app.token.ends_with('0') { '1' } else { '0' });
    let r = app
        .client
        .post(&url)
        .bearer_auth(forged)
        .body(event("e", "L", "2026-10-01T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // An event in the default workspace is invisible to another workspace's token.
    app.post("/api/v1/events", event("e", "L", "2026-10-01T00:00:00Z"))
        .await;
    let other = app.token_for("globex").await;
    let r = app
        .client
        .get(format!("{}/api/v1/leads/L", app.base))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // And the same id there is a new event, not a duplicate.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&other)
        .body(event("e", "L", "2026-10-01T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn bodies_over_the_limits_are_refused_whole() {
    let app = spawn_app().await;
    let big = format!(
        r#"{{"id":"e","type":"lead.created","lead_id":"L","occurred_at":"2026-10-01T00:00:00Z","attributes":{{"company":"{}"}}}}"#,
        "x".repeat(handshake_server::MAX_EVENT_BYTES)
    );
    let r = app.post("/api/v1/events", big).await;
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (413, json!("payload_too_large"))
    );
    let lines: Vec<String> = (0..=handshake_server::MAX_BATCH_LINES)
        .map(|i| event(&format!("e{i}"), "L", "2026-10-01T00:00:00Z"))
        .collect();
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (413, json!("too_many_lines"))
    );
    assert_eq!(
        app.store
            .count_events(&handshake_store::Workspace::new("default").unwrap())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_request_to_a_party_the_agreement_does_not_have_is_refused() {
    let app = spawn_app().await;
    let text = include_str!("../../../../examples/agreement.toml");
    app.store
        .add_agreement(
            &handshake_store::Workspace::new("default").unwrap(),
            "example",
            text,
        )
        .await
        .unwrap();
    let request = |id: &str, to: &str| {
        format!(
            r#"{{"id":"{id}","type":"request.opened","request_id":"R-{id}","occurred_at":"2027-01-15T18:00:00Z","from":"sales","to":"{to}","channel":"escalation"}}"#
        )
    };
    let r = app.post("/api/v1/events", request("1", "finance")).await;
    assert_eq!(r.status(), 422);
    let body = json(r).await;
    assert_eq!(body["code"], "unknown_party");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("\"finance\"") && message.contains("marketing, sales"),
        "{message}"
    );
    // In a batch the line alone is refused; the good one beside it is kept.
    let r = app
        .post(
            "/api/v1/events/batch",
            format!("{}\n{}", request("2", "marketing"), request("3", "legal")),
        )
        .await;
    let body = json(r).await;
    assert_eq!(body["accepted"], 1, "{body}");
    assert_eq!(body["rejected"][0]["line"], 2, "{body}");
    assert_eq!(body["rejected"][0]["code"], "unknown_party", "{body}");
    assert_eq!(
        app.store
            .count_events(&handshake_store::Workspace::new("default").unwrap())
            .await
            .unwrap(),
        1
    );
}

/// HubSpot's API and webhooks send lifecycle stages by their internal
/// names; `marketingqualifiedlead` is an MQL and starts its clock.
#[tokio::test]
async fn hubspot_internal_stage_names_count_as_the_standard_stages() {
    let app = spawn_app().await;
    crate::pages::apply_example(&app, "default").await;
    let body = [
        event("h1", "L-HS", "2027-01-11T14:00:00Z"),
        r#"{"id":"h2","type":"lead.stage_changed","lead_id":"L-HS","occurred_at":"2027-01-11T15:00:00Z","stage":"marketingqualifiedlead"}"#.to_string(),
        r#"{"id":"h3","type":"lead.stage_changed","lead_id":"L-HS","occurred_at":"2027-01-12T15:00:00Z","stage":"SalesQualifiedLead"}"#.to_string(),
    ]
    .join("\n");
    let r = app.post("/api/v1/events/batch", body).await;
    assert_eq!(json(r).await["accepted"], 3);
    let lead = json(app.get("/api/v1/leads/L-HS").await).await;
    assert_eq!(lead["state"]["stage"], "sql", "{lead}");
    let stages: Vec<&str> = lead["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["stage"].as_str())
        .collect();
    assert_eq!(stages, ["mql", "sql"]);
    let clocks = json(
        app.get("/api/v1/clocks?guarantee=enterprise-first-touch&as_of=2027-01-11T15:20:00Z")
            .await,
    )
    .await;
    assert_eq!(clocks["clocks"][0]["lead"], "L-HS", "{clocks}");
}
