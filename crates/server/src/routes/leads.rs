//! `GET /api/v1/leads/{id}`: a lead's current state and its timeline.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use handshake_core::lead::LeadState;
use serde::Serialize;

use crate::auth::Authed;
use crate::{ApiError, AppState};

/// A lead: its state as of its latest event, and every event in evaluation order.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LeadAnswer {
    /// The lead id.
    id: String,
    /// Its current state.
    state: StateDoc,
    /// Its events, ordered by (occurred_at, id), each in canonical form.
    #[schema(value_type = Vec<Object>)]
    timeline: Vec<serde_json::Value>,
}

/// A lead's current state.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StateDoc {
    stage: Option<String>,
    owner: Option<String>,
    source: Option<String>,
    segment: Option<String>,
    persona: Option<String>,
    score: Option<i64>,
    company: Option<String>,
    /// RFC 3339.
    created_at: Option<String>,
    touches: u32,
    /// RFC 3339.
    last_touched_at: Option<String>,
    accepted: bool,
    rejected_reason: Option<String>,
    /// Amounts like "12500.00 USD".
    opportunities: Vec<String>,
    /// Amounts like "12500.00 USD".
    won: Vec<String>,
    lost: bool,
}

impl From<LeadState> for StateDoc {
    fn from(s: LeadState) -> StateDoc {
        StateDoc {
            stage: s.stage,
            owner: s.owner,
            source: s.source,
            segment: s.segment,
            persona: s.persona,
            score: s.score,
            company: s.company,
            created_at: s.created_at.map(|t| t.to_string()),
            touches: s.touches,
            last_touched_at: s.last_touched_at.map(|t| t.to_string()),
            accepted: s.accepted,
            rejected_reason: s.rejected_reason,
            opportunities: s.opportunities.iter().map(ToString::to_string).collect(),
            won: s.won.iter().map(ToString::to_string).collect(),
            lost: s.lost,
        }
    }
}

/// One lead's state and timeline.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads",
    params(("id" = String, Path, description = "The lead id as the CRM gives it")),
    responses(
        (status = 200, description = "The lead", body = LeadAnswer),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No event names this lead in the token's workspace (code not_found)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable (code store_unavailable)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn lead(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Path(id): Path<String>,
) -> Result<Json<LeadAnswer>, ApiError> {
    let events = state
        .store
        .timeline(&ws, &id)
        .await
        .map_err(|e| ApiError::store(&e))?;
    if events.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no events for lead \"{id}\" in this workspace"),
        ));
    }
    let timeline = events
        .iter()
        .map(|e| serde_json::from_str(&e.canonical_json()).unwrap_or(serde_json::Value::Null))
        .collect();
    Ok(Json(LeadAnswer {
        id,
        state: LeadState::fold(&events).into(),
        timeline,
    }))
}
