//! `POST /api/v1/events` (one event) and `POST /api/v1/events/batch`
//! (NDJSON): parse each event, store the good ones in one transaction, and
//! say exactly which were refused and why. A bad line never costs the good ones.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use handshake_core::event::{
    Event, check_parties, count_lines, names_parties, parse_event, parse_ndjson,
    refuse_unknown_parties,
};
use handshake_store::Inserted;
use serde::Serialize;

use crate::auth::Authed;
use crate::{ApiError, AppState, metrics};

/// The largest single event body (and batch line), in bytes.
pub use handshake_core::event::MAX_EVENT_BYTES;
/// The largest batch body, in bytes.
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;
/// The most lines (events) in one batch.
pub const MAX_BATCH_LINES: usize = 20_000;

/// The answer to a single event.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OneAnswer {
    /// The event's id.
    id: String,
    /// `accepted` (new) or `duplicate` (already stored with the same body).
    status: &'static str,
}

/// The answer to a batch.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BatchAnswer {
    /// Events stored.
    accepted: usize,
    /// Events already stored with the same body.
    duplicates: usize,
    /// Lines refused, each with its line number (from 1), code and reason.
    rejected: Vec<RejectedLine>,
}

/// One refused line of a batch.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RejectedLine {
    /// Line number in the body, from 1.
    pub(crate) line: usize,
    /// Stable code, e.g. `missing_field` or `conflict`.
    pub(crate) code: &'static str,
    /// What is wrong and what would be right.
    message: String,
}

fn body_error(rejection: &BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit} bytes; send fewer events per request"),
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            rejection.body_text(),
        )
    }
}

fn conflict_message(e: &Event) -> String {
    format!(
        "event id \"{}\" is already stored with a different body; an event cannot change once stored (send the change as a new event with a new id)",
        e.id
    )
}

/// Accepts one event.
#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    request_body(content = crate::openapi::EventDoc, description = "One event as JSON", content_type = "application/json"),
    responses(
        (status = 201, description = "Stored", body = OneAnswer),
        (status = 200, description = "Already stored with the same body: nothing done", body = OneAnswer),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 409, description = "The id is stored with a different body (code conflict)", body = crate::error::ErrorBody),
        (status = 413, description = "Body larger than 64 KiB (code payload_too_large)", body = crate::error::ErrorBody),
        (status = 422, description = "Invalid event (codes invalid_json, not_an_object, missing_field, invalid_field, unknown_field, unknown_type, invalid_instant; unknown_party for a request naming a party the agreement does not have)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable; nothing stored (code store_unavailable)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn one(
    State(state): State<AppState>,
    Authed(ws): Authed,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<OneAnswer>), ApiError> {
    let body = body.map_err(|r| body_error(&r, MAX_EVENT_BYTES))?;
    let text = String::from_utf8_lossy(&body);
    let event = parse_event(&text).map_err(|e| {
        metrics::event("rejected", e.code.as_str());
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code.as_str(), e.message)
    })?;
    if names_parties(std::iter::once(&event))
        && let Some(a) = state
            .store
            .latest_agreement(&ws)
            .await
            .map_err(|e| ApiError::store(&e))?
    {
        check_parties(&event, &a).map_err(|e| {
            metrics::event("rejected", e.code.as_str());
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code.as_str(), e.message)
        })?;
    }
    let outcome = state
        .store
        .insert_events(&ws, std::slice::from_ref(&event))
        .await
        .map_err(|e| ApiError::store(&e))?;
    state.engines.touch(&state.store, &ws);
    let id = event.id.to_string();
    match outcome.first() {
        Some(Inserted::Accepted) => {
            metrics::event("accepted", "");
            Ok((
                StatusCode::CREATED,
                Json(OneAnswer {
                    id,
                    status: "accepted",
                }),
            ))
        }
        Some(Inserted::Duplicate) => {
            metrics::event("duplicate", "");
            Ok((
                StatusCode::OK,
                Json(OneAnswer {
                    id,
                    status: "duplicate",
                }),
            ))
        }
        _ => {
            metrics::event("rejected", "conflict");
            Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                conflict_message(&event),
            ))
        }
    }
}

/// Accepts a batch of events as NDJSON (one JSON object per line).
#[utoipa::path(post, path = "/api/v1/events/batch", tag = "events",
    request_body(content = Vec<u8>, description = "NDJSON, sent as raw bytes (any content type is read the same): one event per line, at most 20,000 lines and 16 MiB, each line at most 64 KiB; blank lines are skipped; a leading byte-order mark is ignored", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Every line accounted for: accepted, duplicate or rejected with its line number and reason", body = BatchAnswer),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 413, description = "Over 16 MiB (payload_too_large) or over 20,000 lines (too_many_lines); nothing stored", body = crate::error::ErrorBody),
        (status = 422, description = "No event in the body (code empty_batch)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable; nothing stored (code store_unavailable)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn batch(
    State(state): State<AppState>,
    Authed(ws): Authed,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BatchAnswer>, ApiError> {
    let body = body.map_err(|r| body_error(&r, MAX_BATCH_BYTES))?;
    let lines = count_lines(&body);
    if lines == 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_batch",
            "the body has no event; send one JSON object per line",
        ));
    }
    if lines > MAX_BATCH_LINES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_lines",
            format!(
                "the batch has more than {MAX_BATCH_LINES} events; split it into batches of at most {MAX_BATCH_LINES}"
            ),
        ));
    }
    let parsed = parse_ndjson(&body);
    let mut rejected: Vec<RejectedLine> = parsed
        .rejected
        .into_iter()
        .map(|(line, e)| RejectedLine {
            line,
            code: e.code.as_str(),
            message: e.message,
        })
        .collect();
    // Requests must name parties of the agreement in force.
    let agreement = if names_parties(parsed.events.iter().map(|(_, e)| e)) {
        state
            .store
            .latest_agreement(&ws)
            .await
            .map_err(|e| ApiError::store(&e))?
    } else {
        None
    };
    let (kept, refused) = refuse_unknown_parties(parsed.events, agreement.as_ref());
    rejected.extend(refused.into_iter().map(|(line, e)| RejectedLine {
        line,
        code: e.code.as_str(),
        message: e.message,
    }));
    let (lines, events): (Vec<usize>, Vec<Event>) = kept.into_iter().unzip();
    let outcome = state
        .store
        .insert_events(&ws, &events)
        .await
        .map_err(|e| ApiError::store(&e))?;
    state.engines.touch(&state.store, &ws);
    let (mut accepted, mut duplicates) = (0, 0);
    for ((event, line), result) in events.iter().zip(lines).zip(outcome) {
        match result {
            Inserted::Accepted => accepted += 1,
            Inserted::Duplicate => duplicates += 1,
            Inserted::Conflict => rejected.push(RejectedLine {
                line,
                code: "conflict",
                message: conflict_message(event),
            }),
        }
    }
    rejected.sort_by_key(|r| r.line);
    metrics::counter_batch(accepted, duplicates, &rejected);
    Ok(Json(BatchAnswer {
        accepted,
        duplicates,
        rejected,
    }))
}
