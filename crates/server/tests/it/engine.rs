//! The scorecard, the clock queue and what-if over HTTP.

use handshake_store::Workspace;
use serde_json::Value;

use crate::app::{App, json, spawn_app};

const AGREEMENT: &str = include_str!("../../../../examples/agreement.toml");
const EVENTS: &str = include_str!("../../../../examples/events.ndjson");

async fn loaded() -> App {
    let app = spawn_app().await;
    app.store
        .add_agreement(&Workspace::new("default").unwrap(), "example", AGREEMENT)
        .await
        .unwrap();
    let r = app.post("/api/v1/events/batch", EVENTS).await;
    assert_eq!(json(r).await["accepted"], 17);
    app
}

#[tokio::test]
async fn the_scorecard_is_the_report_for_a_period() {
    let app = loaded().await;
    let r = app
        .get("/api/v1/scorecard?period=2027-01&as_of=2027-03-01T00:00:00Z")
        .await;
    assert_eq!(r.status(), 200);
    let s = json(r).await;
    assert_eq!(s["period"], "2027-01");
    let volume = s["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "mql-volume")
        .unwrap();
    assert_eq!(
        (volume["actual"].as_u64(), volume["attained"].as_bool()),
        (Some(2), Some(false))
    );
    let r = app.get("/api/v1/scorecard?period=2027-13").await;
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (422, Value::from("invalid_period"))
    );
}

#[tokio::test]
async fn the_clock_queue_lists_open_clocks_by_due() {
    let app = loaded().await;
    // 15:20Z: L-1001 became an enterprise MQL at 15:00Z (10:00 New York), due 16:00Z, not yet touched.
    let q = json(app.get("/api/v1/clocks?as_of=2027-01-11T15:20:00Z").await).await;
    let clocks = q["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1, "{q}");
    assert_eq!(
        (
            clocks[0]["guarantee"].as_str(),
            clocks[0]["lead"].as_str(),
            clocks[0]["state"].as_str()
        ),
        (
            Some("enterprise-first-touch"),
            Some("L-1001"),
            Some("running")
        )
    );
    assert_eq!(clocks[0]["due"], "2027-01-11T16:00:00Z");
    // Created with rep-ava as owner, routed to rep-ben a minute after it became an MQL:
    // the open clock is rep-ben's.
    assert_eq!(clocks[0]["owner"], "rep-ben");
    // 15:30Z: half the hour used, not yet at risk (75%); at 15:40Z a call stopped it in time.
    let q = json(
        app.get("/api/v1/clocks?state=at_risk&as_of=2027-01-11T15:30:00Z")
            .await,
    )
    .await;
    assert!(q["clocks"].as_array().unwrap().is_empty());
    let q = json(
        app.get("/api/v1/clocks?state=met&as_of=2027-01-11T15:41:00Z")
            .await,
    )
    .await;
    assert_eq!(q["clocks"][0]["stop"], "2027-01-11T15:40:00Z");
    // Filter by owner: an owner with no clock is an error naming those with clocks.
    let r = app
        .get("/api/v1/clocks?state=all&owner=nobody&as_of=2027-03-01T00:00:00Z")
        .await;
    assert_eq!(r.status(), 422);
    let e = json(r).await;
    assert_eq!(e["code"], "unknown_owner");
    assert!(e["message"].as_str().unwrap().contains("rep-ben"), "{e}");
    let q = json(
        app.get("/api/v1/clocks?state=all&owner=rep-ben&as_of=2027-03-01T00:00:00Z")
            .await,
    )
    .await;
    assert!(
        q["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["owner"] == "rep-ben")
    );
    // An unknown guarantee names the agreement's.
    let r = app.get("/api/v1/clocks?guarantee=nope").await;
    assert_eq!(r.status(), 422);
    let e = json(r).await;
    assert_eq!(e["code"], "unknown_guarantee");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("enterprise-first-touch")
    );
    let all = json(
        app.get("/api/v1/clocks?state=all&as_of=2027-03-01T00:00:00Z")
            .await,
    )
    .await;
    let all = all["clocks"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    // Paging: two at a time, following `next`, gives the same five in order.
    let mut paged = Vec::new();
    let mut url = "/api/v1/clocks?state=all&limit=2&as_of=2027-03-01T00:00:00Z".to_string();
    for _ in 0..5 {
        let page = json(app.get(&url).await).await;
        paged.extend(page["clocks"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                url = format!(
                    "/api/v1/clocks?state=all&limit=2&as_of=2027-03-01T00:00:00Z&cursor={next}"
                )
            }
            None => break,
        }
    }
    assert_eq!(paged, all);
    for bad in [
        "limit=0",
        "limit=1001",
        "cursor=xyz",
        "state=late",
        "stat=open",
    ] {
        let r = app.get(&format!("/api/v1/clocks?{bad}")).await;
        assert_eq!(r.status(), 422, "{bad}");
        let code = json(r).await["code"].clone();
        assert!(
            ["invalid_parameter", "invalid_cursor"].contains(&code.as_str().unwrap()),
            "{bad}: {code}"
        );
    }
}

#[tokio::test]
async fn whatif_puts_a_draft_beside_the_active_version_and_names_its_errors() {
    let app = loaded().await;
    let draft = AGREEMENT.replacen("target = 400", "target = 2", 1);
    let r = app
        .post(
            "/api/v1/whatif?period=2027-01&as_of=2027-03-01T00:00:00Z",
            draft,
        )
        .await;
    assert_eq!(r.status(), 200);
    let w = json(r).await;
    let attained = |side: &str| {
        w[side]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "mql-volume")
            .unwrap()["attained"]
            .clone()
    };
    assert_eq!(
        (attained("active"), attained("draft")),
        (Value::from(false), Value::from(true))
    );
    let broken = AGREEMENT.replacen("calendar = \"new-york\"", "calendar = \"ny\"", 1);
    let r = app.post("/api/v1/whatif", broken).await;
    assert_eq!(r.status(), 422);
    let e = json(r).await;
    assert_eq!(e["code"], "invalid_agreement");
    assert_eq!(e["errors"][0]["message"], "unknown calendar \"ny\"");
    assert!(e["errors"][0]["line"].as_u64().unwrap() > 100);
}

#[tokio::test]
async fn without_an_agreement_the_engine_says_what_to_do() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/scorecard").await;
    assert_eq!(
        (r.status().as_u16(), json(r).await["code"].clone()),
        (404, Value::from("no_agreement"))
    );
}

#[tokio::test]
async fn the_planner_answers_over_http_and_names_bad_input() {
    let app = spawn_app().await;
    let body = r#"{"goal":"2000000 USD","horizon":"2027","deal_size":20000,"marketing_share":"50%","lead_to_mql":"20%","mql_to_sql":"50%","sql_to_opportunity":"50%","opportunity_to_won":"25%","cycle":61}"#;
    let r = app.post("/api/v1/plan", body).await;
    assert_eq!(r.status(), 200);
    let p = json(r).await;
    assert_eq!(
        (
            p["months"][0]["month"].as_str(),
            p["months"][0]["mqls"].as_u64()
        ),
        (Some("2026-11"), Some(67))
    );
    let r = app
        .post("/api/v1/plan", body.replace("\"25%\"", "\"0%\""))
        .await;
    assert_eq!(r.status(), 422);
    let e = json(r).await;
    assert_eq!(e["code"], "invalid_plan");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("rates.opportunity_to_won: 0 is not a rate"),
        "{e}"
    );
    let r = app.post("/api/v1/plan", r#"{"gaol":"1 USD"}"#).await;
    assert_eq!(json(r).await["code"], "unknown_field");
}

#[tokio::test]
async fn without_as_of_the_answer_counts_every_event_already_accepted() {
    let app = loaded().await;
    let all = |q: Value| q["clocks"].as_array().unwrap().len();
    let before = all(json(app.get("/api/v1/clocks?state=all").await).await);
    // A new MQL an hour ago: the next answer has its clock, though the
    // server answered a moment ago from the evaluation it holds.
    let hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let created = format!(
        r#"{{"id":"fresh-1","type":"lead.created","lead_id":"L-fresh","occurred_at":"{hour_ago}","attributes":{{"segment":"enterprise"}}}}"#
    );
    let mql = format!(
        r#"{{"id":"fresh-2","type":"lead.stage_changed","lead_id":"L-fresh","occurred_at":"{hour_ago}","stage":"mql"}}"#
    );
    assert_eq!(app.post("/api/v1/events", created).await.status(), 201);
    assert_eq!(app.post("/api/v1/events", mql).await.status(), 201);
    let after = json(app.get("/api/v1/clocks?state=all").await).await;
    assert_eq!(all(after.clone()), before + 1, "{after}");
    assert!(
        after["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["lead"] == "L-fresh")
    );
}

/// Time moves without events: a running clock becomes at risk and then
/// breached in the live state as its warning point and due instant pass,
/// with no event and no question about another instant.
#[tokio::test]
async fn a_clock_falls_at_risk_and_due_with_no_event() {
    let app = spawn_app().await;
    // Always open, due a minute after the MQL, at risk from 95% of it.
    let text = AGREEMENT
        .replacen(
            "effective = { from = \"2027-01-01\", to = \"2027-12-31\" }",
            "effective = { from = \"2020-01-01\", to = \"2099-12-31\" }",
            1,
        )
        .replacen("hours = \"mon-fri 09:00-17:00\"", "hours = \"24x7\"", 1)
        .replacen("within = \"1 business hour\"", "within = \"1 minute\"", 1)
        .replacen("warn_at = \"75%\"", "warn_at = \"95%\"", 1);
    assert!(handshake_core::check("t", &text).agreement.is_some());
    app.store
        .add_agreement(&Workspace::new("default").unwrap(), "t", &text)
        .await
        .unwrap();
    // The MQL 53 s ago: at risk from 57 s, due at 60 s (breached from 61 s).
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(53);
    let batch = format!(
        "{{\"id\":\"a\",\"type\":\"lead.created\",\"lead_id\":\"T-1\",\"occurred_at\":\"{at}\",\"attributes\":{{\"segment\":\"enterprise\"}}}}\n\
         {{\"id\":\"b\",\"type\":\"lead.stage_changed\",\"lead_id\":\"T-1\",\"occurred_at\":\"{at}\",\"stage\":\"mql\"}}"
    );
    assert_eq!(app.post("/api/v1/events/batch", batch).await.status(), 200);
    let state = |q: Value| {
        let c = q["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["lead"] == "T-1")
            .cloned()
            .unwrap();
        (
            c["state"].as_str().unwrap().to_string(),
            c["at_risk"].as_bool().unwrap_or(false),
        )
    };
    let first = state(json(app.get("/api/v1/clocks?state=all").await).await);
    assert_eq!(first, ("running".to_string(), false), "53 s in");
    // Evaluation counts whole seconds: the clock started at the whole second.
    let started = jiff::Timestamp::from_second(at.as_second()).unwrap();
    let mut seen_at_risk = false;
    loop {
        let (s, risk) = state(json(app.get("/api/v1/clocks?state=all").await).await);
        let elapsed = jiff::Timestamp::now().duration_since(started).as_secs_f64();
        if risk {
            assert!(elapsed >= 57.0, "at risk too early, {elapsed} s in");
            seen_at_risk = true;
        }
        if s == "breached" {
            assert!(elapsed >= 61.0, "breached too early, {elapsed} s in");
            assert!(elapsed < 63.5, "breached late, {elapsed} s in");
            break;
        }
        assert!(elapsed < 63.5, "not breached {elapsed} s in: {s}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen_at_risk, "never seen at risk");
}
