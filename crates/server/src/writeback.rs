//! Clocks written back to the CRM: whenever the live engine publishes a new
//! evaluation (at most once per [`WriteBackSettings::every`]), each HubSpot
//! contact's and Salesforce Lead's clock that matters now (its guarantee,
//! due instant, state and breach; see `handshake_core::writeback`) is sent
//! to the CRM's API if it changed since it was last sent, in batches
//! (HubSpot 100 contacts per call, paced under its rate limit and waiting
//! out a 429's `Retry-After`; Salesforce 200 Leads per sObject Collections
//! call). What was sent is noted in the store, so a restart or another
//! server sends only what changed. Tokens are read from their file or
//! variable at each round and never logged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use handshake_core::alerts::channel::SecretSource;
use handshake_core::writeback::{Crm, Record, hubspot_batch, records, salesforce_batch};
use handshake_store::{Store, Workspace};
use serde_json::Value;
use tokio::sync::watch;

use crate::live::Snapshot;

/// The Salesforce REST API version written to.
pub const SALESFORCE_API: &str = "v60.0";
/// HubSpot's public API.
pub const HUBSPOT_API: &str = "https://api.hubapi.com";
/// Pause between two calls to HubSpot: ten a second, within its limit of
/// 100 per 10 seconds for a private app.
const HUBSPOT_PACE: Duration = Duration::from_millis(100);
/// How often one batch is tried after a 429 before the round gives up (the
/// next round sends it again).
const RATE_LIMITED_TRIES: u32 = 5;
/// The longest `Retry-After` honoured; longer ones wait for the next round.
const MAX_RETRY_AFTER: u64 = 60;

/// One CRM's API and the token that opens it.
#[derive(Clone, Debug)]
pub struct CrmTarget {
    /// The API's base URL: `https://api.hubapi.com` for HubSpot, the org's
    /// instance (`https://acme.my.salesforce.com`) for Salesforce.
    pub base: String,
    /// Where the token is: a HubSpot private app's access token, a
    /// Salesforce OAuth access token.
    pub token: SecretSource,
}

/// Where clocks are written back; neither CRM set means no write-back.
#[derive(Clone, Debug)]
pub struct WriteBackSettings {
    /// HubSpot contacts (leads whose ids are digits).
    pub hubspot: Option<CrmTarget>,
    /// Salesforce Leads (ids starting `00Q`).
    pub salesforce: Option<CrmTarget>,
    /// The least time between two rounds.
    pub every: Duration,
}

impl Default for WriteBackSettings {
    fn default() -> WriteBackSettings {
        WriteBackSettings {
            hubspot: None,
            salesforce: None,
            every: Duration::from_secs(10),
        }
    }
}

impl WriteBackSettings {
    /// Whether any CRM is written to.
    pub fn enabled(&self) -> bool {
        self.hubspot.is_some() || self.salesforce.is_some()
    }

    fn target(&self, crm: Crm) -> Option<&CrmTarget> {
        match crm {
            Crm::HubSpot => self.hubspot.as_ref(),
            Crm::Salesforce => self.salesforce.as_ref(),
        }
    }
}

type Published = watch::Receiver<Option<Result<Option<Arc<Snapshot>>, String>>>;

/// Writes `ws`'s clocks back for as long as its engine publishes.
pub(crate) async fn run(
    store: Store,
    ws: Workspace,
    mut published: Published,
    settings: Arc<WriteBackSettings>,
) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "write-back cannot start an HTTP client");
            return;
        }
    };
    // What each lead was last told, by CRM; read from the store at first use.
    let mut told: HashMap<Crm, HashMap<String, String>> = HashMap::new();
    loop {
        if published.changed().await.is_err() {
            return;
        }
        let snapshot = match &*published.borrow_and_update() {
            Some(Ok(Some(s))) => Arc::clone(s),
            _ => continue,
        };
        let wanted = records(&snapshot.evaluation);
        for crm in [Crm::HubSpot, Crm::Salesforce] {
            let Some(target) = settings.target(crm) else {
                continue;
            };
            if let Err(e) = round(&store, &ws, &client, crm, target, &wanted, &mut told).await {
                tracing::warn!(workspace = ws.as_str(), crm = crm.as_str(), error = %e, "write-back round stopped; the next one sends the rest");
            }
        }
        tokio::time::sleep(settings.every).await;
    }
}

/// Sends the records of `crm` that changed since they were last told.
async fn round(
    store: &Store,
    ws: &Workspace,
    client: &reqwest::Client,
    crm: Crm,
    target: &CrmTarget,
    wanted: &[Record],
    told: &mut HashMap<Crm, HashMap<String, String>>,
) -> Result<(), String> {
    if let std::collections::hash_map::Entry::Vacant(slot) = told.entry(crm) {
        let stored = store
            .written_back(ws, crm.as_str())
            .await
            .map_err(|e| e.to_string())?;
        slot.insert(stored);
    }
    let known = told.entry(crm).or_default();
    let changed: Vec<&Record> = wanted
        .iter()
        .filter(|r| r.crm == crm && known.get(&r.lead) != Some(&r.text()))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let token = crate::deliver::read_secret(&target.token).map_err(|e| e.to_string())?;
    let token = String::from_utf8(token).map_err(|_| "the token is not text".to_string())?;
    let base = target.base.trim_end_matches('/');
    for chunk in changed.chunks(crm.batch_size()) {
        let sent = match crm {
            Crm::HubSpot => {
                let body = hubspot_batch(chunk);
                let url = format!("{base}/crm/v3/objects/contacts/batch/update");
                let failed = send_hubspot(client, &url, &token, &body).await?;
                tokio::time::sleep(HUBSPOT_PACE).await;
                chunk
                    .iter()
                    .filter(|r| !failed.contains(&r.lead))
                    .copied()
                    .collect::<Vec<_>>()
            }
            Crm::Salesforce => {
                let body = salesforce_batch(chunk);
                let url = format!("{base}/services/data/{SALESFORCE_API}/composite/sobjects");
                let ok = send_salesforce(client, &url, &token, &body).await?;
                chunk
                    .iter()
                    .zip(ok.iter().copied().chain(std::iter::repeat(false)))
                    .filter(|(_, ok)| *ok)
                    .map(|(r, _)| *r)
                    .collect()
            }
        };
        let notes: Vec<(&str, String)> = sent.iter().map(|r| (r.lead.as_str(), r.text())).collect();
        store
            .note_written_back(ws, crm.as_str(), &notes, jiff::Timestamp::now().as_second())
            .await
            .map_err(|e| e.to_string())?;
        for (lead, text) in notes {
            known.insert(lead.to_string(), text);
        }
        crate::metrics::written_back(crm.as_str(), sent.len(), chunk.len() - sent.len());
    }
    Ok(())
}

/// Posts one HubSpot batch, waiting out 429s; the contact ids HubSpot
/// named in its errors (a 207), which are not noted as told.
async fn send_hubspot(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Vec<String>, String> {
    for _ in 0..RATE_LIMITED_TRIES {
        let answer = client
            .post(url)
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("HubSpot did not answer: {e}"))?;
        let status = answer.status();
        if status.as_u16() == 429 {
            let wait = answer
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(10);
            if wait > MAX_RETRY_AFTER {
                return Err(format!("HubSpot asks to wait {wait} s (rate limit)"));
            }
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let text = answer.text().await.unwrap_or_default();
        if status.as_u16() == 207 {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let failed = v["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|e| e["context"]["ids"].as_array().cloned().unwrap_or_default())
                .filter_map(|id| id.as_str().map(str::to_string))
                .collect();
            return Ok(failed);
        }
        if !status.is_success() {
            return Err(refused("HubSpot", status, &text));
        }
        return Ok(Vec::new());
    }
    Err(format!(
        "HubSpot kept answering 429 after {RATE_LIMITED_TRIES} tries"
    ))
}

/// A CRM's refusal in words: its status and the start of its answer (which
/// never holds the token: that is only sent, not echoed).
fn refused(crm: &str, status: reqwest::StatusCode, answer: &str) -> String {
    format!(
        "{crm} answered {status}: {}",
        answer.chars().take(300).collect::<String>()
    )
}

/// Sends one Salesforce collection; whether each record (in order) was updated.
async fn send_salesforce(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Vec<bool>, String> {
    let answer = client
        .patch(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("Salesforce did not answer: {e}"))?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(refused("Salesforce", status, &text));
    }
    let results: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| format!("Salesforce's answer is not the results array: {e}"))?;
    Ok(results.iter().map(|r| r["success"] == true).collect())
}
