//! `POST /api/v1/hooks/salesforce/{workspace}`: Salesforce Outbound
//! Messages, from the one organisation the server is set up for
//! (`--salesforce-org-id`), acknowledged once stored.
//!
//! `POST /api/v1/hooks/salesforce-cdc`: Salesforce Change Data Capture
//! events posted by a relay with a Handshake token.
//!
//! `POST /api/v1/hooks/hubspot/{workspace}`: HubSpot's webhook deliveries
//! (contacts, deals, calls, e-mails and meetings), accepted only with a
//! valid v3 signature from the app's client secret
//! (`serve --hubspot-secret-file`), stored at once and answered fast; the
//! live engine takes them from the store like any other events. HubSpot
//! sends no token, so the path names the workspace and the signature proves
//! the sender.
//!
//! Deals, opportunities and engagements come in pieces (a deal's amount in
//! one notification, its contact in another): each piece is kept as a note
//! on its object, and the object's lead events are derived again from all
//! of its notes whenever one arrives ([`handshake_core::crm_objects`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use handshake_core::crm_objects::{Note, derive};
use handshake_core::hubspot::{Told, delivery_events, verify_v3};
use handshake_store::{Inserted, Workspace};
use serde::Serialize;

use crate::{ApiError, AppState, metrics};

/// The largest delivery, in bytes (HubSpot sends at most 100 notifications).
pub const MAX_HOOK_BYTES: usize = 1024 * 1024;

/// What came of a delivery.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HookAnswer {
    /// Lead events stored, and notes on deals and engagements kept.
    accepted: usize,
    /// Events and notes already stored (the CRM sent them again).
    duplicates: usize,
    /// Lead events made or brought up to date from the notes on deals and
    /// engagements (0 while an object is not yet associated with a contact).
    derived: usize,
    /// Notifications that carry no event Handshake reads, each with its
    /// position in the array (from 1) and why.
    skipped: Vec<SkippedDoc>,
}

/// The SOAP envelope acknowledging an Outbound Message
/// (`<notificationsResponse><Ack>true</Ack></notificationsResponse>`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used: the answer is the constant text.
pub(crate) struct SoapAck(String);

/// One notification without an event.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SkippedDoc {
    /// Its position in the delivery, from 1.
    index: usize,
    /// Why.
    reason: String,
}

/// The URI HubSpot signed: the server's public address when it is set, else
/// the one the request came to.
fn signed_uri(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    if let Some(base) = &state.settings.public_url {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = header("x-forwarded-proto").unwrap_or("http");
    let host = header("host").unwrap_or("localhost");
    format!("{scheme}://{host}{path}")
}

/// Takes one HubSpot webhook delivery.
#[utoipa::path(post, path = "/api/v1/hooks/hubspot/{workspace}", tag = "events",
    params(("workspace" = String, Path, description = "The workspace the events go to")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "HubSpot's JSON array of notifications, as raw bytes (they are signed as sent)"),
    responses(
        (status = 200, description = "Stored; notifications without an event listed", body = HookAnswer),
        (status = 400, description = "Not a JSON array of notifications (code invalid_json), or no such workspace name (code invalid_workspace)", body = crate::error::ErrorBody),
        (status = 401, description = "The X-HubSpot-Signature-v3 is missing, stale (over 5 minutes) or wrong (code invalid_signature)", body = crate::error::ErrorBody),
        (status = 404, description = "No HubSpot app is set up on this server (code not_configured)", body = crate::error::ErrorBody),
        (status = 413, description = "Over 1 MiB (code payload_too_large)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable; HubSpot sends it again", body = crate::error::ErrorBody),
    ))]
pub(crate) async fn hubspot(
    State(state): State<AppState>,
    Path(workspace): Path<String>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<HookAnswer>, ApiError> {
    let Some(source) = &state.settings.hubspot_secret else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_configured",
            "no HubSpot app is set up on this server; start it with --hubspot-secret-file FILE (the app's client secret)",
        ));
    };
    let body = body.map_err(|r| read_error(&r))?;
    let secret = crate::deliver::read_secret(source).map_err(|e| {
        tracing::error!(error = %e, "the HubSpot client secret cannot be read");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "secret_unavailable",
            "the server cannot read its HubSpot client secret; HubSpot sends the delivery again",
        )
    })?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verify_v3(
        &secret,
        method.as_str(),
        &signed_uri(&state, &headers, &uri),
        &body,
        header("x-hubspot-request-timestamp"),
        header("x-hubspot-signature-v3"),
        jiff::Timestamp::now(),
    )
    .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", e.to_string()))?;
    let ws = Workspace::new(&workspace)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_workspace", e.to_string()))?;
    let told = delivery_events(&body, &state.settings.hubspot_stages)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))?;
    store_hooked(&state, &ws, told).await.map(Json)
}

/// Takes one Salesforce Outbound Message (SOAP), from the organisation set
/// with `--salesforce-org-id`, and acknowledges it once its events are stored.
#[utoipa::path(post, path = "/api/v1/hooks/salesforce/{workspace}", tag = "events",
    params(("workspace" = String, Path, description = "The workspace the events go to")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The SOAP envelope of notifications, as raw bytes (Salesforce sends text/xml)"),
    responses(
        (status = 200, description = "Stored: the acknowledgement Salesforce expects (<Ack>true</Ack>)", body = SoapAck, content_type = "text/xml"),
        (status = 400, description = "Not an Outbound Message (code invalid_xml), or no such workspace name (code invalid_workspace)", body = crate::error::ErrorBody),
        (status = 403, description = "Sent by another organisation (code wrong_organization)", body = crate::error::ErrorBody),
        (status = 404, description = "No Salesforce organisation is set up on this server (code not_configured)", body = crate::error::ErrorBody),
        (status = 413, description = "Over 1 MiB (code payload_too_large)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable; Salesforce sends it again", body = crate::error::ErrorBody),
    ))]
pub(crate) async fn salesforce(
    State(state): State<AppState>,
    Path(workspace): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<([(axum::http::HeaderName, &'static str); 1], &'static str), ApiError> {
    use handshake_core::salesforce::{ACK, outbound_events, same_organization};
    let Some(org) = &state.settings.salesforce_org else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_configured",
            "no Salesforce organisation is set up on this server; start it with --salesforce-org-id 00D...",
        ));
    };
    let body = body.map_err(|r| read_error(&r))?;
    let text = String::from_utf8_lossy(&body);
    let read = outbound_events(&text)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_xml", e.to_string()))?;
    if !same_organization(&read.organization, org) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_organization",
            format!(
                "the message comes from organisation {}, not the one this server takes ({org})",
                read.organization
            ),
        ));
    }
    let ws = Workspace::new(&workspace)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_workspace", e.to_string()))?;
    for s in &read.told.skipped {
        tracing::debug!(index = s.index, reason = %s.reason, "Salesforce notification without an event");
    }
    store_hooked(&state, &ws, read.told).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        ACK,
    ))
}

fn read_error(r: &BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {MAX_HOOK_BYTES} bytes"),
        )
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", r.body_text())
    }
}

/// Takes Salesforce Change Data Capture events as a relay posts them (the
/// relay subscribes to `LeadChangeEvent` and `TaskChangeEvent` and sends
/// each event's JSON here with a Handshake token).
#[utoipa::path(post, path = "/api/v1/hooks/salesforce-cdc", tag = "events",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "One change event's JSON, or an array of them: each the event's payload (with its ChangeEventHeader), or the whole message with the payload inside"),
    responses(
        (status = 200, description = "Stored; events without anything Handshake reads listed", body = HookAnswer),
        (status = 400, description = "Not change event JSON (code invalid_json)", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 413, description = "Over 1 MiB (code payload_too_large)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable; the relay sends it again", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn salesforce_cdc(
    State(state): State<AppState>,
    crate::auth::Authed(ws): crate::auth::Authed,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<HookAnswer>, ApiError> {
    let body = body.map_err(|r| read_error(&r))?;
    let told = handshake_core::salesforce::cdc_events(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))?;
    store_hooked(&state, &ws, told).await.map(Json)
}

/// Stores a hook's events and notes, derives the lead events of the objects
/// its notes are about, and says what came of them.
async fn store_hooked(
    state: &AppState,
    ws: &Workspace,
    told: Told,
) -> Result<HookAnswer, ApiError> {
    let outcome = insert(state, ws, &told.events).await?;
    let mut accepted = outcome.iter().filter(|o| **o == Inserted::Accepted).count();
    let mut duplicates = outcome.len() - accepted;
    let mut derived = 0;
    if !told.notes.is_empty() {
        let new = state
            .store
            .add_crm_notes(ws, &told.notes)
            .await
            .map_err(|e| ApiError::store(&e))?;
        let added = new.iter().filter(|n| **n).count();
        accepted += added;
        duplicates += new.len() - added;
        let mut objects: Vec<String> = told.notes.iter().map(Note::key).collect();
        objects.sort_unstable();
        objects.dedup();
        let notes = state
            .store
            .crm_notes(ws, &objects)
            .await
            .map_err(|e| ApiError::store(&e))?;
        let mut events = Vec::new();
        for object in notes.chunk_by(|a, b| a.key() == b.key()) {
            match derive(object, &state.settings.deal_terms) {
                Ok(made) => events.extend(made),
                // The note stays kept; a later one may make it readable.
                Err(e) => tracing::warn!(error = %e, "a CRM object's notes make no event"),
            }
        }
        let made = insert(state, ws, &events).await?;
        derived = made.iter().filter(|o| **o == Inserted::Accepted).count();
    }
    Ok(HookAnswer {
        accepted,
        duplicates,
        derived,
        skipped: told
            .skipped
            .into_iter()
            .map(|s| SkippedDoc {
                index: s.index,
                reason: s.reason,
            })
            .collect(),
    })
}

/// Stores a hook's events, wakes the live engine, and counts them as the
/// events endpoints do.
async fn insert(
    state: &AppState,
    ws: &Workspace,
    events: &[handshake_core::event::Event],
) -> Result<Vec<Inserted>, ApiError> {
    let outcome = state
        .store
        .insert_events(ws, events)
        .await
        .map_err(|e| ApiError::store(&e))?;
    state.engines.touch(&state.store, ws);
    for (e, o) in events.iter().zip(&outcome) {
        if *o == Inserted::Conflict {
            tracing::info!(event = %e.id, "told before with other values; kept as it was");
        }
        match o {
            Inserted::Accepted => metrics::event("accepted", ""),
            Inserted::Duplicate => metrics::event("duplicate", ""),
            Inserted::Conflict => metrics::event("rejected", "conflict"),
        }
    }
    Ok(outcome)
}
