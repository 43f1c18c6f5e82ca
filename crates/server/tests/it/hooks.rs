//! HubSpot webhook deliveries and Salesforce Outbound Messages through the
//! real endpoints, in their recorded shapes. HubSpot: signed as HubSpot
//! signs, stored once (the same notifications again create nothing); a
//! wrong, stale or missing signature is refused with 401 and stores nothing.
//! Salesforce: acknowledged as Salesforce expects and stored once; another
//! organisation's message is refused with 403.

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

/// Signs `body` as HubSpot would and posts it now.
async fn deliver(app: &App, body: &str) -> serde_json::Value {
    let uri = format!("{}/api/v1/hooks/hubspot/default", app.base);
    let t = now_ms();
    let sig = sign_v3(SECRET.as_bytes(), "POST", &uri, body.as_bytes(), &t);
    let r = post(app, body, &t, Some(&sig)).await;
    assert_eq!(r.status(), StatusCode::OK);
    json(r).await
}

/// Deal 88 created with its amount, before anyone associates it: kept,
/// nothing derived yet. (Legacy `deal.*` subscriptions.)
const DEAL: &str = r#"[{"eventId":5001,"subscriptionId":21,"portalId":62515,"appId":1160452,"occurredAt":1790000300000,"subscriptionType":"deal.creation","attemptNumber":0,"objectId":88,"changeFlag":"CREATED","changeSource":"CRM"},{"eventId":5002,"subscriptionId":22,"portalId":62515,"appId":1160452,"occurredAt":1790000300000,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":88,"propertyName":"amount","propertyValue":"25000","changeSource":"CRM"},{"eventId":5003,"subscriptionId":22,"portalId":62515,"appId":1160452,"occurredAt":1790000300000,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":88,"propertyName":"dealname","propertyValue":"Acme renewal","changeSource":"CRM"}]"#;

/// The deal associated with contact 5001, a call logged on 5001 and an
/// incoming e-mail (generic `object.*` subscriptions), and the deal won.
const LATER: &str = r#"[{"eventId":5004,"subscriptionId":23,"portalId":62515,"appId":1160452,"occurredAt":1790000310000,"subscriptionType":"deal.associationChange","attemptNumber":0,"changeSource":"USER","associationType":"DEAL_TO_CONTACT","fromObjectId":88,"toObjectId":5001,"associationRemoved":false,"isPrimaryAssociation":false},{"eventId":5005,"subscriptionId":31,"portalId":62515,"appId":1160452,"occurredAt":1790000400000,"subscriptionType":"object.creation","attemptNumber":0,"objectId":301,"objectTypeId":"0-48","changeFlag":"CREATED","changeSource":"CRM_UI"},{"eventId":5006,"subscriptionId":32,"portalId":62515,"appId":1160452,"occurredAt":1790000400000,"subscriptionType":"object.associationChange","attemptNumber":0,"changeSource":"CRM_UI","associationTypeId":194,"fromObjectTypeId":"0-48","toObjectTypeId":"0-1","fromObjectId":301,"toObjectId":5001,"associationRemoved":false,"isPrimaryAssociation":false},{"eventId":5007,"subscriptionId":33,"portalId":62515,"appId":1160452,"occurredAt":1790000400000,"subscriptionType":"object.propertyChange","attemptNumber":0,"objectId":301,"objectTypeId":"0-48","propertyName":"hubspot_owner_id","propertyValue":"rep-ava","changeSource":"CRM_UI"},{"eventId":5008,"subscriptionId":34,"portalId":62515,"appId":1160452,"occurredAt":1790000500000,"subscriptionType":"object.creation","attemptNumber":0,"objectId":302,"objectTypeId":"0-49","changeFlag":"CREATED","changeSource":"EMAIL"},{"eventId":5009,"subscriptionId":35,"portalId":62515,"appId":1160452,"occurredAt":1790000500000,"subscriptionType":"object.propertyChange","attemptNumber":0,"objectId":302,"objectTypeId":"0-49","propertyName":"hs_email_direction","propertyValue":"INCOMING_EMAIL","changeSource":"EMAIL"},{"eventId":5010,"subscriptionId":36,"portalId":62515,"appId":1160452,"occurredAt":1790000500000,"subscriptionType":"object.associationChange","attemptNumber":0,"changeSource":"EMAIL","associationTypeId":198,"fromObjectTypeId":"0-49","toObjectTypeId":"0-1","fromObjectId":302,"toObjectId":5001,"associationRemoved":false,"isPrimaryAssociation":false},{"eventId":5011,"subscriptionId":22,"portalId":62515,"appId":1160452,"occurredAt":1790090000000,"subscriptionType":"deal.propertyChange","attemptNumber":0,"objectId":88,"propertyName":"dealstage","propertyValue":"closedwon","changeSource":"CRM"}]"#;

#[tokio::test]
async fn deals_and_engagements_reach_their_contact_once_associated() {
    let app = hubspot_app().await;
    deliver(&app, DELIVERY).await;
    let first = deliver(&app, DEAL).await;
    // The deal's creation and amount are kept; its name is not read.
    assert_eq!(
        (first["accepted"].as_u64(), first["derived"].as_u64()),
        (Some(2), Some(0)),
        "{first}"
    );
    assert!(
        first["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("property dealname of a deal is not read"),
        "{first}"
    );
    let lead = json(app.get("/api/v1/leads/5001").await).await;
    assert_eq!(lead["timeline"].as_array().unwrap().len(), 4, "{lead}");

    let later = deliver(&app, LATER).await;
    // Opportunity, won, and the call's touch; the incoming e-mail is none.
    assert_eq!(
        (later["accepted"].as_u64(), later["derived"].as_u64()),
        (Some(8), Some(3)),
        "{later}"
    );
    let lead = json(app.get("/api/v1/leads/5001").await).await;
    let state = &lead["state"];
    assert_eq!(state["touches"], 1, "{lead}");
    assert_eq!(state["last_touched_at"], "2026-09-21T14:20:00Z", "{lead}");
    assert_eq!(
        state["opportunities"].as_array().unwrap().len(),
        1,
        "{lead}"
    );
    assert_eq!(state["won"].as_array().unwrap().len(), 1, "{lead}");
    let text = lead.to_string();
    for what in ["opportunity.created", "deal.won", "lead.touched"] {
        assert!(text.contains(what), "{what} in {lead}");
    }
    assert!(text.contains("2500000") || text.contains("25000"), "{lead}");

    // HubSpot sends both again: nothing new, nothing derived.
    for body in [DEAL, LATER] {
        let again = deliver(&app, body).await;
        assert_eq!(
            (again["accepted"].as_u64(), again["derived"].as_u64()),
            (Some(0), Some(0)),
            "{again}"
        );
    }
    let lead = json(app.get("/api/v1/leads/5001").await).await;
    assert_eq!(lead["state"]["touches"], 1, "{lead}");
    assert_eq!(lead["state"]["won"].as_array().unwrap().len(), 1, "{lead}");
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

/// A Salesforce Outbound Message of the recorded shape: a converted lead,
/// its call task, and the opportunity it became, won.
const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000abcdEAA</OrganizationId>
   <ActionId>04k5e000000AAAAAA2</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/59.0/00D5e000000abcd</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/59.0/00D5e000000abcd</PartnerUrl>
   <Notification>
    <Id>04l5e00000AAA01</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5e00000LEAD1</sf:Id>
     <sf:CreatedDate>2026-10-12T17:14:00.000Z</sf:CreatedDate>
     <sf:IsConverted>true</sf:IsConverted>
     <sf:ConvertedDate>2026-10-20T09:00:00.000Z</sf:ConvertedDate>
     <sf:ConvertedOpportunityId>0065e00000OPP01</sf:ConvertedOpportunityId>
     <sf:LastModifiedDate>2026-10-20T09:00:00.000Z</sf:LastModifiedDate>
     <sf:OwnerId>0055e000000OWN1</sf:OwnerId>
     <sf:Status>Qualified</sf:Status>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA02</Id>
    <sObject xsi:type="sf:Task" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00T5e00000TASK1</sf:Id>
     <sf:CompletedDateTime>2026-10-12T17:40:00.000Z</sf:CompletedDateTime>
     <sf:TaskSubtype>Call</sf:TaskSubtype>
     <sf:WhoId>00Q5e00000LEAD1</sf:WhoId>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5e00000AAA03</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065e00000OPP01</sf:Id>
     <sf:Amount>48000.0</sf:Amount>
     <sf:CreatedDate>2026-10-20T09:00:00.000Z</sf:CreatedDate>
     <sf:CurrencyIsoCode>EUR</sf:CurrencyIsoCode>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:IsWon>true</sf:IsWon>
     <sf:LastModifiedDate>2026-11-30T16:30:00.000Z</sf:LastModifiedDate>
     <sf:StageName>Closed Won</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#;

async fn salesforce_app() -> App {
    spawn_app_with(handshake_server::Settings {
        salesforce_org: Some("00D5e000000abcd".into()),
        ..handshake_server::Settings::default()
    })
    .await
}

async fn outbound(app: &App, body: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/hooks/salesforce/default", app.base))
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"\"")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_salesforce_outbound_message_is_stored_and_acknowledged() {
    let app = salesforce_app().await;
    for _ in 0..2 {
        let r = outbound(&app, MESSAGE).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/xml")
        );
        let ack = r.text().await.unwrap();
        assert!(ack.contains("<Ack>true</Ack>"), "{ack}");
    }
    // Sent twice, stored once: creation, update, conversion, the call, and
    // the opportunity it became, won.
    let lead = json(app.get("/api/v1/leads/00Q5e00000LEAD1").await).await;
    let types: Vec<&str> = lead["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "lead.created",
            "lead.touched",
            "lead.stage_changed",
            "opportunity.created",
            "lead.updated",
            "deal.won"
        ],
        "{lead}"
    );
    assert_eq!(lead["state"]["stage"], "sql");
    assert_eq!(lead["state"]["won"].as_array().unwrap().len(), 1, "{lead}");
    assert!(lead["state"]["won"].to_string().contains("EUR"), "{lead}");
    assert_eq!(lead["state"]["owner"], "0055e000000OWN1");
}

#[tokio::test]
async fn other_organisations_and_other_bodies_are_refused() {
    let app = salesforce_app().await;
    let other = MESSAGE.replace("00D5e000000abcdEAA", "00D5e000000zzzzEAA");
    let r = outbound(&app, &other).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(r).await["code"], "wrong_organization");
    let r = outbound(&app, "<html>hello</html>").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(r).await["code"], "invalid_xml");
    assert_eq!(
        app.get("/api/v1/leads/00Q5e00000LEAD1").await.status(),
        StatusCode::NOT_FOUND
    );
    let r = outbound(&spawn_app().await, MESSAGE).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(r).await["code"], "not_configured");
}

/// Change Data Capture as a relay posts it, with a Handshake token.
#[tokio::test]
async fn salesforce_change_events_from_a_relay() {
    let app = spawn_app().await;
    let body = r#"[
      {"schema":"IeRuaY6cbI_HsV8Rv1Mc5g","payload":{"ChangeEventHeader":{"entityName":"Lead","recordIds":["00Q5e00000LEAD9"],"changeType":"CREATE","transactionKey":"0002a3c4-1","sequenceNumber":1,"commitTimestamp":1791000000000,"changedFields":[]},"CreatedDate":"2026-10-03T04:00:00.000Z","LeadSource":"Web","OwnerId":"0055e000000OWN1"},"event":{"replayId":"1001"}},
      {"ChangeEventHeader":{"entityName":"Lead","recordIds":["00Q5e00000LEAD9"],"changeType":"UPDATE","transactionKey":"0002a3c4-2","sequenceNumber":1,"commitTimestamp":1791000600000,"changedFields":["OwnerId","LastModifiedDate"]},"OwnerId":"0055e000000OWN2"},
      {"ChangeEventHeader":{"entityName":"Task","recordIds":["00T5e00000TASK9"],"changeType":"CREATE","transactionKey":"0002a3c4-4","sequenceNumber":1,"commitTimestamp":1791000900000,"changedFields":[]},"WhoId":"00Q5e00000LEAD9","TaskSubtype":"Call"}
    ]"#;
    let post = |token: Option<&str>| {
        let mut r = app
            .client
            .post(format!("{}/api/v1/hooks/salesforce-cdc", app.base))
            .body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let first = json(post(Some(&app.token)).await.unwrap()).await;
    assert_eq!(
        (first["accepted"].as_u64(), first["duplicates"].as_u64()),
        (Some(3), Some(0)),
        "{first}"
    );
    let again = json(post(Some(&app.token)).await.unwrap()).await;
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(3)),
        "{again}"
    );
    assert_eq!(post(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let lead = json(app.get("/api/v1/leads/00Q5e00000LEAD9").await).await;
    assert_eq!(lead["state"]["owner"], "0055e000000OWN2", "{lead}");
    assert_eq!(lead["state"]["touches"], 1, "{lead}");
}

/// A portal's custom lifecycle stage, sent by its internal id, is the
/// agreement stage the server's stage map names.
#[tokio::test]
async fn a_custom_stage_is_read_through_the_stage_map() {
    let file = std::env::temp_dir().join(format!("hubspot-secret-map-{}", std::process::id()));
    std::fs::write(&file, SECRET).unwrap();
    let app = spawn_app_with(handshake_server::Settings {
        hubspot_secret: Some(SecretSource::File(file)),
        hubspot_stages: handshake_core::hubspot::StageMap::parse("1234567=sql").unwrap(),
        ..handshake_server::Settings::default()
    })
    .await;
    let body = r#"[{"eventId":5001,"occurredAt":1790000000000,"subscriptionType":"contact.creation","objectId":7},{"eventId":5002,"occurredAt":1790000060000,"subscriptionType":"contact.propertyChange","objectId":7,"propertyName":"lifecyclestage","propertyValue":"1234567"}]"#;
    let uri = format!("{}/api/v1/hooks/hubspot/default", app.base);
    let t = now_ms();
    let sig = sign_v3(SECRET.as_bytes(), "POST", &uri, body.as_bytes(), &t);
    assert_eq!(
        post(&app, body, &t, Some(&sig)).await.status(),
        StatusCode::OK
    );
    let lead = json(app.get("/api/v1/leads/7").await).await;
    assert_eq!(lead["state"]["stage"], "sql", "{lead}");
}
