//! HubSpot's webhook deliveries through the real endpoint: a delivery of
//! the recorded shape, signed as HubSpot signs it, is stored once (a second
//! delivery of the same notifications creates nothing); a wrong, stale or
//! missing signature is refused with 401 and stores nothing.

use handshake_core::alerts::channel::SecretSource;
use handshake_core::hubspot::sign_v3;
use reqwest::StatusCode;

use crate::app::{App, json, spawn_app, spawn_app_with};

const SECRET: &str = "0f8e6c2a-hubspot-client-secret";

/// Contact 5001 created, made an MQL (HubSpot's internal value), assigned,
/// its lead status set; and a company notification Handshake does not read.
const DELIVERY: &str = r#"[{"eventId":4001,"subscriptionId":11,"portalId":62515,"appId":1160452,"occurredAt":1790000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":5001,"changeFlag":"CREATED","changeSource":"CRM"},{"eventId":4002,"subscriptionId":12,"portalId":62515,"appId":1160452,"occurredAt":1790000060000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"lifecyclestage","propertyValue":"marketingqualifiedlead","changeSource":"CRM"},{"eventId":4003,"subscriptionId":13,"portalId":62515,"appId":1160452,"occurredAt":1790000120000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"hubspot_owner_id","propertyValue":"rep-ava","changeSource":"CRM"},{"eventId":4004,"subscriptionId":14,"portalId":62515,"appId":1160452,"occurredAt":1790000180000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":5001,"propertyName":"hs_lead_status","propertyValue":"IN_PROGRESS","changeSource":"CRM"},{"eventId":4005,"subscriptionId":15,"portalId":62515,"appId":1160452,"occurredAt":1790000240000,"subscriptionType":"company.creation","attemptNumber":0,"objectId":77,"changeSource":"CRM"}]"#;

async fn hubspot_app() -> App {
    let file = std::env::temp_dir().join(format!("hubspot-secret-{}", std::process::id()));
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    spawn_app_with(handshake_server::Settings {
        hubspot_secret: Some(SecretSource::File(file)),
        ..handshake_server::Settings::default()
    })
    .await
}

/// Posts `body` as HubSpot would, with this signature and timestamp.
async fn post(
    app: &App,
    body: &str,
    timestamp: &str,
    signature: Option<&str>,
) -> reqwest::Response {
    let mut r = app
        .client
        .post(format!("{}/api/v1/hooks/hubspot/default", app.base))
        .header("content-type", "application/json")
        .header("x-hubspot-request-timestamp", timestamp)
        .body(body.to_string());
    if let Some(s) = signature {
        r = r.header("x-hubspot-signature-v3", s);
    }
    r.send().await.unwrap()
}

fn now_ms() -> String {
    jiff::Timestamp::now().as_millisecond().to_string()
}

#[tokio::test]
async fn a_signed_delivery_is_stored_once() {
    let app = hubspot_app().await;
    let uri = format!("{}/api/v1/hooks/hubspot/default", app.base);
    let t = now_ms();
    let sig = sign_v3(SECRET.as_bytes(), "POST", &uri, DELIVERY.as_bytes(), &t);
    let r = post(&app, DELIVERY, &t, Some(&sig)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let answer = json(r).await;
    assert_eq!(
        (answer["accepted"].as_u64(), answer["duplicates"].as_u64()),
        (Some(4), Some(0)),
        "{answer}"
    );
    assert_eq!(answer["skipped"][0]["index"], 5);
    assert!(
        answer["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("company.creation")
    );

    let lead = json(app.get("/api/v1/leads/5001").await).await;
    assert_eq!(lead["state"]["stage"], "mql", "{lead}");
    assert_eq!(lead["state"]["owner"], "rep-ava", "{lead}");
    assert_eq!(lead["timeline"].as_array().unwrap().len(), 4);

    // HubSpot sends the same notifications again: nothing new.
    let t = now_ms();
    let sig = sign_v3(SECRET.as_bytes(), "POST", &uri, DELIVERY.as_bytes(), &t);
    let again = json(post(&app, DELIVERY, &t, Some(&sig)).await).await;
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(4)),
        "{again}"
    );
}

#[tokio::test]
async fn bad_signatures_are_refused_and_store_nothing() {
    let app = hubspot_app().await;
    let uri = format!("{}/api/v1/hooks/hubspot/default", app.base);
    let t = now_ms();
    let wrong_key = sign_v3(b"another-secret", "POST", &uri, DELIVERY.as_bytes(), &t);
    let other_path = sign_v3(
        SECRET.as_bytes(),
        "POST",
        &format!("{}/api/v1/hooks/hubspot/emea", app.base),
        DELIVERY.as_bytes(),
        &t,
    );
    let stale_t = (jiff::Timestamp::now().as_millisecond() - 6 * 60 * 1000).to_string();
    let stale = sign_v3(
        SECRET.as_bytes(),
        "POST",
        &uri,
        DELIVERY.as_bytes(),
        &stale_t,
    );
    for (t, sig, says) in [
        (t.as_str(), Some(wrong_key.as_str()), "does not match"),
        (t.as_str(), Some(other_path.as_str()), "does not match"),
        (
            stale_t.as_str(),
            Some(stale.as_str()),
            "not within 5 minutes",
        ),
        (t.as_str(), None, "X-HubSpot-Signature-v3 header is missing"),
    ] {
        let r = post(&app, DELIVERY, t, sig).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body = json(r).await;
        assert_eq!(body["code"], "invalid_signature");
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(
        app.get("/api/v1/leads/5001").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_a_secret_the_endpoint_is_not_there() {
    let app = spawn_app().await;
    let r = post(&app, DELIVERY, &now_ms(), Some("x")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(r).await["code"], "not_configured");
}
