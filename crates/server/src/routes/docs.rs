//! `/api/v1/openapi.json` and `/api/v1/docs`: the API described, the second
//! as a page rendered here from the same document, so it works offline.

use std::fmt::Write;

use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde_json::Value;

/// The OpenAPI document.
pub(crate) async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The docs page's policy: as every page's, but its own inline stylesheet.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// A readable page of every endpoint, its parameters and answers.
pub(crate) async fn page() -> impl IntoResponse {
    let doc: Value = serde_json::from_str(&crate::openapi::document()).unwrap_or(Value::Null);
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Handshake API</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
         code{background:#f3f3f3;padding:0 .2em}h2{border-top:1px solid #ddd;padding-top:1rem}.m{font-weight:bold;text-transform:uppercase}\
         td,th{text-align:left;padding:.2rem .6rem;vertical-align:top}</style></head><body>",
    );
    let info = &doc["info"];
    let _ = write!(
        out,
        "<h1>{}</h1><p>{}</p>",
        escape(info["title"].as_str().unwrap_or("")),
        escape(info["description"].as_str().unwrap_or(""))
    );
    out.push_str("<p>Send <code>Authorization: Bearer &lt;token&gt;</code> (create one with <code>handshake token create --name NAME</code>). The machine-readable document is at <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let _ = write!(
                    out,
                    "<h2><span class=\"m\">{}</span> <code>{}</code></h2>",
                    escape(method),
                    escape(path)
                );
                if let Some(s) = op["summary"].as_str() {
                    let _ = write!(out, "<p>{}</p>", escape(s));
                }
                if let Some(d) = op["description"].as_str() {
                    let _ = write!(out, "<p>{}</p>", escape(d));
                }
                if let Some(body) = op["requestBody"]["description"].as_str() {
                    let _ = write!(out, "<p>Body: {}</p>", escape(body));
                }
                out.push_str("<table><tr><th>status</th><th>meaning</th></tr>");
                for (status, r) in op["responses"].as_object().into_iter().flatten() {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td>{}</td></tr>",
                        escape(status),
                        escape(r["description"].as_str().unwrap_or(""))
                    );
                }
                out.push_str("</table>");
            }
        }
    }
    if let Some(event) = doc["components"]["schemas"]["EventDoc"]["properties"].as_object() {
        out.push_str("<h2>Event fields</h2><table><tr><th>field</th><th>meaning</th></tr>");
        for (name, p) in event {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(name),
                escape(p["description"].as_str().unwrap_or(""))
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</body></html>");
    ([(header::CONTENT_SECURITY_POLICY, PAGE_CSP)], Html(out))
}
