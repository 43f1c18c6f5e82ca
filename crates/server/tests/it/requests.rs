//! Requests between the teams over HTTP: the whole exchange is taken, the
//! feedback a team owes on what it asked for is clocked in calendar days,
//! and an extension granted moves the due time on the API and the page.

use handshake_store::Workspace;

use crate::app::{json, spawn_app};
use crate::pages::{page_html, sign_in};

const AGREEMENT: &str = include_str!("../../../../examples/agreement.toml");

/// The seed's feedback (with its extension rule) and recap guarantees.
const REQUEST_GUARANTEES: &str = include_str!("../../../../examples/request-guarantees.toml");

/// The example agreement in force since 2026, so that past events count.
fn in_force_now() -> String {
    let was = "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }";
    assert!(AGREEMENT.contains(was));
    AGREEMENT.replace(was, "effective = { from = \"2026-01-01\" }")
}

/// Feedback asked of sales on Monday 10:00 in New York is due Thursday
/// 10:00; sales asks on Monday 15:00 for Friday 17:00, marketing grants
/// it, and the clock is due Friday 17:00 and met by Friday's feedback.
#[tokio::test]
async fn a_granted_extension_moves_the_feedback_due_time() {
    let app = spawn_app().await;
    let ws = Workspace::new("default").unwrap();
    app.store
        .add_agreement(
            &ws,
            "seed",
            &format!("{}\n{REQUEST_GUARANTEES}", in_force_now()),
        )
        .await
        .unwrap();
    let step = |id: &str, kind: &str, at: &str, more: &str| {
        format!(
            r#"{{"id":"{id}","type":"request.{kind}","request_id":"R-1","occurred_at":"{at}"{more}}}"#
        )
    };
    let lines = [
        step(
            "o",
            "opened",
            "2026-11-09T09:00:00-05:00",
            r#","from":"sales","to":"marketing","channel":"email","kind":"campaign""#,
        ),
        step("f", "feedback_requested", "2026-11-09T10:00:00-05:00", ""),
        step(
            "x",
            "extension_requested",
            "2026-11-09T15:00:00-05:00",
            r#","until":"2026-11-13T17:00:00-05:00""#,
        ),
        step("g", "extension_granted", "2026-11-10T09:00:00-05:00", ""),
        step("d", "feedback_given", "2026-11-13T16:00:00-05:00", ""),
    ];
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let body = json(app.get("/api/v1/clocks?guarantee=feedback&state=all").await).await;
    let clocks = body["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1, "{body}");
    let c = &clocks[0];
    assert_eq!(c["lead"], "R-1");
    assert_eq!(c["state"], "met", "{c}");
    assert_eq!(c["due"], "2026-11-13T22:00:00Z", "{c}");
    assert_eq!(c["extension"]["state"], "granted", "{c}");
    assert_eq!(c["extension"]["until"], "2026-11-13T22:00:00Z", "{c}");
    assert_eq!(c["extension"]["asked_at"], "2026-11-09T20:00:00Z", "{c}");

    let (session, _) = sign_in(&app, &app.token).await;
    let page = page_html(&app, "/leads/R-1", &session).await;
    assert!(page.contains("extension until"), "{page}");
    assert!(page.contains(", granted</small>"), "{page}");
    assert!(page.contains("request.extension_requested"), "{page}");
}
