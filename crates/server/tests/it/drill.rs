//! Drill-down: every goal number on the scorecard opens the list of what it
//! counted, on the page, in its CSV and in the API, with the same count.

use handshake_store::Workspace;

use crate::app::{App, json, spawn_app_with};
use crate::pages::{around_the_clock, page_html, sign_in};

/// The example agreement open around the clock, in force from 2026; four
/// enterprise MQLs on 10 March 2026 at 12:00 UTC (New York open
/// around the clock): A-1 (rep-ava) called at 12:30, accepted, SQL on the
/// 15th, an opportunity of 10,000 USD on the 20th; A-2 (rep-ava) called at
/// 13:30 (30 min late), rejected for no budget; Z-1 (rep-zoe) and N-1 (no
/// owner) never called. A-1 gives a name and a company, Z-1 a company.
async fn spawn_march() -> App {
    let app = spawn_app_with(handshake_server::Settings {
        crm_record_url: Some(
            handshake_core::lead::RecordUrl::parse("https://crm.example.com/leads/{id}").unwrap(),
        ),
        ..Default::default()
    })
    .await;
    let ws = Workspace::new("default").unwrap();
    app.store
        .add_agreement(
            &ws,
            "around-the-clock",
            // In force from 2026, so March 2026 has goal periods.
            &around_the_clock().replacen("from = \"2027-01-01\"", "from = \"2026-01-01\"", 1),
        )
        .await
        .unwrap();
    let mut lines = Vec::new();
    let mut push = |id: &str, lead: &str, at: &str, rest: &str| {
        lines.push(format!(
            r#"{{"id":"{id}","lead_id":"{lead}","occurred_at":"2026-03-{at}:00Z",{rest}}}"#
        ));
    };
    for (lead, owner, who) in [
        (
            "A-1",
            Some("rep-ava"),
            r#","name":"Ada Lim","company":"Acme""#,
        ),
        ("A-2", Some("rep-ava"), ""),
        ("Z-1", Some("rep-zoe"), r#","company":"Zeta""#),
        ("N-1", None, ""),
    ] {
        let owner = owner.map_or(String::new(), |o| format!(r#","owner":"{o}"{who}"#));
        push(
            &format!("{lead}-c"),
            lead,
            "10T12:00",
            &format!(r#""type":"lead.created","attributes":{{"segment":"enterprise"{owner}}}"#),
        );
        push(
            &format!("{lead}-m"),
            lead,
            "10T12:00",
            r#""type":"lead.stage_changed","stage":"mql""#,
        );
    }
    push(
        "A-1-t",
        "A-1",
        "10T12:30",
        r#""type":"lead.touched","channel":"call","by":"rep""#,
    );
    push("A-1-a", "A-1", "10T13:00", r#""type":"lead.accepted""#);
    push(
        "A-1-s",
        "A-1",
        "15T12:00",
        r#""type":"lead.stage_changed","stage":"sql""#,
    );
    push(
        "A-1-o",
        "A-1",
        "20T12:00",
        r#""type":"opportunity.created","amount":"10000","currency":"USD""#,
    );
    push(
        "A-2-t",
        "A-2",
        "10T13:30",
        r#""type":"lead.touched","channel":"call","by":"rep""#,
    );
    push(
        "A-2-r",
        "A-2",
        "10T14:00",
        r#""type":"lead.rejected","reason":"no budget""#,
    );
    let r = app.post("/api/v1/events/batch", lines.join("\n")).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    app
}

/// The (lead, counted, detail) of an API answer's rows.
fn rows(v: &serde_json::Value) -> Vec<(String, Option<bool>, String)> {
    v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|r| {
            (
                r["lead"].as_str().unwrap().to_string(),
                r["counted"].as_bool(),
                r["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(lead: &str, counted: Option<bool>, detail: &str) -> (String, Option<bool>, String) {
    (lead.to_string(), counted, detail.to_string())
}

#[tokio::test]
async fn each_goal_number_lists_what_it_counted_in_the_api_worked_by_hand() {
    let app = spawn_march().await;
    let get = |path: String| {
        let app = &app;
        async move { json(app.get(&path).await).await }
    };
    let v = get("/api/v1/goals/follow-up/2026-03".into()).await;
    assert_eq!(
        (
            v["total"].clone(),
            v["goal"]["numerator"].clone(),
            v["goal"]["denominator"].clone()
        ),
        (4.into(), 1.into(), 4.into()),
        "{v}"
    );
    // Each clock's lead by its name, else its company, else nothing.
    let names: Vec<(&str, &serde_json::Value)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["lead"].as_str().unwrap(), &r["name"]))
        .collect();
    assert_eq!(
        names,
        [
            ("A-1", &"Ada Lim".into()),
            ("A-2", &serde_json::Value::Null),
            ("N-1", &serde_json::Value::Null),
            ("Z-1", &"Zeta".into())
        ],
        "{v}"
    );
    let listed = rows(&v);
    assert_eq!(
        listed[..2],
        [
            row("A-1", Some(true), "met in time"),
            row("A-2", Some(false), "met 30 min late")
        ],
        "{v}"
    );
    assert!(
        listed[2].2.starts_with("breached, ") && listed[2].2.ends_with(" late"),
        "{v}"
    );
    assert_eq!(v["rows"][0]["owner"], "rep-ava");
    assert_eq!(v["rows"][0]["guarantee"], "enterprise-first-touch");
    assert_eq!(v["rows"][0]["crm_url"], "https://crm.example.com/leads/A-1");
    assert!(v["rows"][2]["owner"].is_null(), "{v}");

    let v = get("/api/v1/goals/acceptance/2026-03".into()).await;
    assert_eq!(
        rows(&v),
        [
            row("A-1", Some(true), "accepted"),
            row("A-2", Some(false), "rejected: no budget")
        ]
    );
    let v = get("/api/v1/goals/first-touch-speed/2026-03".into()).await;
    assert_eq!(
        v["goal"]["actual"], 3600.0,
        "the median of 30 and 90 min: {v}"
    );
    assert_eq!(
        rows(&v),
        [
            row("A-1", None, "touched 30 min after the MQL"),
            row("A-2", None, "touched 1 h 30 min after the MQL")
        ]
    );
    let v = get("/api/v1/goals/pipeline/2026-Q1".into()).await;
    assert_eq!(rows(&v), [row("A-1", None, "opportunity 10,000 USD")]);
    assert_eq!(v["rows"][0]["amount"], "10,000 USD");
    let v = get("/api/v1/goals/mql-to-sql/2026-Q1?counted=yes".into()).await;
    assert_eq!(
        (v["total"].clone(), v["matched"].clone()),
        (4.into(), 1.into())
    );
    assert_eq!(rows(&v), [row("A-1", Some(true), "reached sql")]);
    let v = get("/api/v1/goals/mql-volume/2026-03?owner=(no%20owner)".into()).await;
    assert_eq!(rows(&v), [row("N-1", None, "reached mql")]);

    let r = app.get("/api/v1/goals/no-such-goal/2026-03").await;
    assert_eq!(r.status(), 404);
    let v = json(r).await;
    assert_eq!(v["code"], "no_goal_period");
    assert!(v["message"].as_str().unwrap().contains("mql-volume"), "{v}");
    let v = json(app.get("/api/v1/goals/mql-volume/March").await).await;
    assert_eq!(v["code"], "invalid_period");
    let v = json(
        app.get("/api/v1/goals/follow-up/2026-03?counted=maybe")
            .await,
    )
    .await;
    assert_eq!(v["code"], "invalid_parameter");
}

/// Every goal number the scorecard links opens a page whose count equals
/// it, whose CSV holds the same rows, and the API agrees.
#[tokio::test]
async fn every_number_on_the_scorecard_opens_a_list_and_a_csv_of_the_same_count() {
    let app = spawn_march().await;
    let (session, _) = sign_in(&app, &app.token).await;
    let card = page_html(&app, "/?period=2026-03", &session).await;
    let links: Vec<String> = card
        .split("href=\"/goals/")
        .skip(1)
        .map(|s| format!("/goals/{}", &s[..s.find('"').unwrap()]))
        .collect();
    assert_eq!(links.len(), 7, "one link per goal: {card}");
    assert!(
        links.contains(&"/goals/pipeline/2026-Q1".to_string()),
        "{links:?}"
    );
    for link in links {
        let v = json(app.get(&format!("/api/v1{link}")).await).await;
        let total = v["total"].as_u64().unwrap_or_else(|| panic!("{link}: {v}"));
        let number = v["goal"]["denominator"]
            .as_u64()
            .or_else(|| v["goal"]["actual"].as_u64());
        if link.contains("pipeline") {
            assert_eq!(total, 1, "{v}");
        } else {
            assert_eq!(Some(total), number, "{link}: {v}");
        }
        let page = page_html(&app, &link, &session).await;
        assert!(page.contains(&format!(" {total} in all")), "{link}: {page}");
        assert_eq!(
            page.matches("<tr><td><a href=\"/leads/").count() as u64,
            total,
            "{link}"
        );
        let csv = page_html(&app, &format!("{link}?format=csv"), &session).await;
        let leads: Vec<&str> = csv
            .lines()
            .skip(1)
            .map(|l| &l[..l.find(',').unwrap()])
            .collect();
        let listed: Vec<String> = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["lead"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(leads, listed, "{link}: {csv}");
        assert!(
            csv.starts_with(
                "lead,name,at,owner,guarantee,counted,amount,business_seconds,detail,crm_url\n"
            ),
            "{csv}"
        );
    }
    let page = page_html(
        &app,
        "/goals/follow-up/2026-03?owner=rep-ava&counted=no",
        &session,
    )
    .await;
    assert!(page.contains("A-2") && !page.contains(">A-1<"), "{page}");
    assert!(
        page.contains("href=\"https://crm.example.com/leads/A-2\""),
        "{page}"
    );
    assert!(page.contains("met 30 min late"), "{page}");
}
