//! Clocks written back to the CRM, against local stand-ins of HubSpot's and
//! Salesforce's APIs that record each call: the path, the bearer token, the
//! body's shape and the batching (HubSpot 100 contacts a call, its 429
//! waited out; Salesforce one sObject Collection), only CRM leads written,
//! and afterwards only what changed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use handshake_core::alerts::channel::SecretSource;
use serde_json::Value;

use crate::app::{App, spawn_app_with};

/// The calls a stand-in received: (authorization header, body).
type Calls = Arc<Mutex<Vec<(String, Value)>>>;

/// HubSpot's batch update: the first call is refused with 429 (retry after
/// one second), the others answered as HubSpot does.
async fn hubspot() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let kept = calls.clone();
    let app = axum::Router::new().route(
        "/crm/v3/objects/contacts/batch/update",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let mut list = kept.lock().unwrap();
                let auth = headers["authorization"].to_str().unwrap().to_string();
                list.push((auth, serde_json::from_slice(&body).unwrap()));
                if list.len() == 1 {
                    (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}")
                } else {
                    (
                        StatusCode::OK,
                        [("retry-after", "0")],
                        r#"{"status":"COMPLETE","results":[]}"#,
                    )
                }
            }
        }),
    );
    serve(app, calls).await
}

/// Salesforce's sObject Collections update: every record updated.
async fn salesforce() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let kept = calls.clone();
    let app = axum::Router::new().route(
        "/services/data/v60.0/composite/sobjects",
        axum::routing::patch(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let body: Value = serde_json::from_slice(&body).unwrap();
                let results: Vec<Value> = body["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| serde_json::json!({"id": r["id"], "success": true, "errors": []}))
                    .collect();
                let auth = headers["authorization"].to_str().unwrap().to_string();
                kept.lock().unwrap().push((auth, body));
                axum::Json(results)
            }
        }),
    );
    serve(app, calls).await
}

async fn serve(app: axum::Router, calls: Calls) -> (String, Calls) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

/// Waits (at most 30 s) until `calls` holds `n` calls.
async fn calls_reach(calls: &Calls, n: usize) -> Vec<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = calls.lock().unwrap().clone();
        if now.len() >= n {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} calls: {now:?}",
            now.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn token_file(name: &str, token: &str) -> std::path::PathBuf {
    let file = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::write(&file, format!("{token}\n")).unwrap();
    file
}

#[tokio::test]
async fn each_crm_lead_is_written_back_in_batches_and_then_only_what_changed() {
    let (hs_url, hs_calls) = hubspot().await;
    let (sf_url, sf_calls) = salesforce().await;
    let app: App = spawn_app_with(handshake_server::Settings {
        writeback: handshake_server::WriteBackSettings {
            hubspot: Some(handshake_server::CrmTarget {
                base: hs_url,
                token: SecretSource::File(token_file("hs-token", "pat-na1-hs-token")),
            }),
            salesforce: Some(handshake_server::CrmTarget {
                base: sf_url,
                token: SecretSource::File(token_file("sf-token", "00D!sf-token")),
            }),
            every: Duration::from_millis(100),
        },
        ..handshake_server::Settings::default()
    })
    .await;
    crate::pages::apply_example(&app, "default").await;
    // 150 HubSpot contacts, 3 Salesforce Leads and one lead of the API's
    // own: each became an MQL five days ago and nobody called.
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 5);
    let leads: Vec<String> = (0..150)
        .map(|i| (7000 + i).to_string())
        .chain((1..=3).map(|i| format!("00Q5e00000WB{i:03}")))
        .chain(["L-9".to_string()])
        .collect();
    let body: Vec<String> = leads
        .iter()
        .flat_map(|lead| {
            [
                crate::app::event(&format!("{lead}-c"), lead, &at.to_string()),
                format!(
                    r#"{{"id":"{lead}-m","type":"lead.stage_changed","lead_id":"{lead}","occurred_at":"{at}","stage":"mql"}}"#
                ),
            ]
        })
        .collect();
    let r = app.post("/api/v1/events/batch", body.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // HubSpot: the 429, then the same first 100 again, then the other 50.
    let calls = calls_reach(&hs_calls, 3).await;
    assert!(
        calls
            .iter()
            .all(|(auth, _)| auth == "Bearer pat-na1-hs-token")
    );
    let sizes: Vec<usize> = calls
        .iter()
        .map(|(_, b)| b["inputs"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(
        calls[0].1, calls[1].1,
        "the refused batch is sent again as it was"
    );
    let mut ids: Vec<&str> = calls[1..]
        .iter()
        .flat_map(|(_, b)| b["inputs"].as_array().unwrap().iter())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut hubspot_leads: Vec<&str> = leads[..150].iter().map(String::as_str).collect();
    hubspot_leads.sort_unstable();
    assert_eq!(ids, hubspot_leads);
    let first = &calls[1].1["inputs"][0]["properties"];
    assert_eq!(first["handshake_guarantee"], "enterprise-first-touch");
    assert_eq!(first["handshake_state"], "breached");
    assert_eq!(first["handshake_breached"], "true");
    assert!(
        first["handshake_due_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok(),
        "{first}"
    );

    // Salesforce: one collection of the three Leads, nothing else.
    let calls = calls_reach(&sf_calls, 1).await;
    assert_eq!(calls[0].0, "Bearer 00D!sf-token");
    assert_eq!(calls[0].1["allOrNone"], false);
    let records = calls[0].1["records"].as_array().unwrap();
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["00Q5e00000WB001", "00Q5e00000WB002", "00Q5e00000WB003"]
    );
    assert_eq!(records[0]["attributes"]["type"], "Lead");
    assert_eq!(records[0]["Handshake_State__c"], "breached");
    assert_eq!(records[0]["Handshake_Breached__c"], true);

    // One contact is called: the next round sends that contact alone.
    let touch = format!(
        r#"{{"id":"7003-t","type":"lead.touched","lead_id":"7003","occurred_at":"{}","channel":"call"}}"#,
        jiff::Timestamp::now()
    );
    assert!(
        app.post("/api/v1/events", touch)
            .await
            .status()
            .is_success()
    );
    let calls = calls_reach(&hs_calls, 4).await;
    let inputs = calls[3].1["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert_eq!(inputs[0]["id"], "7003");
    assert_eq!(inputs[0]["properties"]["handshake_state"], "met_late");
    assert_eq!(inputs[0]["properties"]["handshake_breached"], "true");
    // What was sent is noted in the store (once the CRM answered), for a
    // restart or another server.
    let ws = handshake_store::Workspace::new("default").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let told = loop {
        let told = app.store.written_back(&ws, "hubspot").await.unwrap();
        if told
            .get("7003")
            .is_some_and(|t| t.contains("|met_late|true"))
        {
            break told;
        }
        assert!(Instant::now() < deadline, "{:?}", told.get("7003"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(told.len(), 150);
    assert_eq!(sf_calls.lock().unwrap().len(), 1);
}
