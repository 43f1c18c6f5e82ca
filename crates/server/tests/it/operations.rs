//! Health, readiness, metrics and the API's own description.

use crate::app::{event, json, spawn_app};

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["store"], "sqlite");
    let r = app
        .client
        .get(format!("{}/no/such/path", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (404, serde_json::json!("not_found"))
    );
}

#[tokio::test]
async fn metrics_count_events_by_outcome_and_time_requests() {
    let app = spawn_app().await;
    app.post("/api/v1/events", event("m-1", "L", "2026-10-01T00:00:00Z"))
        .await;
    app.post("/api/v1/events", "{").await;
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |needle: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(needle))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    assert!(
        value("handshake_events_total{outcome=\"accepted\"") >= 1.0,
        "{text}"
    );
    assert!(
        value("handshake_events_total{outcome=\"rejected\",code=\"invalid_json\"}") >= 1.0,
        "{text}"
    );
    assert!(
        text.contains("handshake_http_request_duration_seconds"),
        "{text}"
    );
    assert!(text.contains("route=\"/api/v1/events\""), "{text}");
}

#[tokio::test]
async fn the_openapi_document_covers_every_endpoint_and_the_docs_page_shows_it() {
    let app = spawn_app().await;
    let doc = json(
        app.client
            .get(format!("{}/api/v1/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/events", "post"),
        ("/api/v1/events/batch", "post"),
        ("/api/v1/leads/{id}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{path} {method} missing");
    }
    for status in ["201", "200", "401", "409", "413", "422", "503"] {
        assert!(
            paths["/api/v1/events"]["post"]["responses"][status].is_object(),
            "status {status}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let page = app
        .client
        .get(format!("{}/api/v1/docs", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for path in [
        "/api/v1/events",
        "/api/v1/events/batch",
        "/api/v1/leads/{id}",
    ] {
        assert!(page.contains(&format!("<code>{path}</code>")), "{path}");
    }
    assert!(
        !page.contains("<script"),
        "the docs page loads nothing from elsewhere"
    );
}

#[tokio::test]
async fn every_answer_in_the_document_has_a_real_schema() {
    let app = spawn_app().await;
    let doc = json(app.get("/api/v1/openapi.json").await).await;
    let mut untyped = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if status == "204" {
                    continue;
                }
                let schema = answer["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|m| m["schema"].clone())
                    .unwrap_or_default();
                // A reference to a named schema, never a bare "object" or nothing.
                if schema["$ref"].as_str().is_none() {
                    untyped.push(format!("{method} {path} {status}: {schema}"));
                }
            }
        }
    }
    assert!(untyped.is_empty(), "answers without a schema: {untyped:#?}");
    // Every operation that signs a caller in can refuse a guesser with 429,
    // and says so (the API fuzzer hits the guard within seconds).
    let mut signed_in = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["responses"]["401"].is_object() {
                signed_in += 1;
                assert_eq!(
                    op["responses"]["429"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} does not document 429"
                );
            }
        }
    }
    assert!(signed_in >= 20, "only {signed_in} signed-in operations");
    // A parameter said to be in the path is in the path's template.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(p["in"] == "path", in_path, "{path} {name}: {}", p["in"]);
            }
        }
    }
    // The event types in the document are the ones the server knows, in order.
    let types: Vec<&str> = doc["components"]["schemas"]["EventDoc"]["properties"]["type"]["oneOf"]
        [0]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(types, handshake_core::event::EventKind::TYPES);
    for closed in ["EventDoc", "NewTokenDoc", "PlanRequest"] {
        assert_eq!(
            doc["components"]["schemas"][closed]["additionalProperties"], false,
            "{closed}"
        );
    }
}
