//! The engine over HTTP: `GET /api/v1/scorecard`, `GET /api/v1/clocks` (the
//! queue of open clocks by due) and `POST /api/v1/whatif` (a draft beside the
//! active agreement). Each answers from the workspace's agreement versions
//! and events: at `as_of` when one is given; otherwise from the server's
//! latest evaluation, at most 30 seconds old and never behind an event the
//! server accepted (the one the dashboard reads, see `web::snapshot`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use handshake_core::agreement::{Agreement, Period};
use handshake_core::engine::report::{Range, to_json};
use handshake_core::engine::{ClockState, PeriodKey};
use handshake_store::Workspace;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

use crate::auth::Authed;
use crate::draft::{check_draft, evaluate_draft};
use crate::web::snapshot::Snapshot;
use crate::{ApiError, AppState};

/// Which period, at which instant.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct ScorecardQuery {
    /// `2027-01`, `2027-Q1` or `2027`; default the month holding `as_of`.
    period: Option<String>,
    /// RFC 3339; default now.
    as_of: Option<String>,
}

/// Which clocks.
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct ClocksQuery {
    /// `open` (default: running and breached), `running`, `at_risk`, `paused`, `breached`, `met`, `met_late` or `all`.
    state: Option<String>,
    /// Only this owner's clocks.
    owner: Option<String>,
    /// Only this guarantee's clocks.
    guarantee: Option<String>,
    /// RFC 3339; default now.
    as_of: Option<String>,
}

/// The evaluation to answer from: at `as_of` when given, else the latest.
async fn evaluation(
    state: &AppState,
    ws: &Workspace,
    as_of: Option<&str>,
) -> Result<Arc<Snapshot>, ApiError> {
    let found = match as_of {
        Some(text) => {
            let at = parse_instant(text)?;
            state.snapshots.at(&state.store, ws, at).await
        }
        None => state.snapshots.current(&state.store, ws).await,
    };
    found.map_err(|e| ApiError::store(&e))?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_agreement",
            "no agreement applied in this workspace; apply one with `handshake apply FILE`",
        )
    })
}

fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn parse_instant(t: &str) -> Result<Timestamp, ApiError> {
    t.parse().map_err(|_| {
        bad(
            "invalid_instant",
            format!(
                "as_of {t:?} is not an instant; expected RFC 3339 such as 2027-04-01T00:00:00Z"
            ),
        )
    })
}

fn range(period: Option<&str>, a: &Agreement, at: Timestamp) -> Result<Range, ApiError> {
    let key = match period {
        Some(p) => PeriodKey::parse(p).ok_or_else(|| {
            bad(
                "invalid_period",
                format!("period {p:?} is not a period; expected 2027-01, 2027-Q1 or 2027"),
            )
        })?,
        None => PeriodKey::containing(Period::Month, at, &a.time_zone.tz),
    };
    Ok(Range::period(key, a))
}

/// The scorecard: guarantees, goals, streaks, consequences and findings for a period.
#[utoipa::path(get, path = "/api/v1/scorecard", tag = "engine", params(ScorecardQuery),
    responses(
        (status = 200, description = "The report JSON documented in docs/report.md", body = Object),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad period or as_of (codes invalid_period, invalid_instant)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn scorecard(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(q): Query<ScorecardQuery>,
) -> Result<Json<Value>, ApiError> {
    let snap = evaluation(&state, &ws, q.as_of.as_deref()).await?;
    let agreement = snap.agreement();
    let range = range(q.period.as_deref(), agreement, snap.evaluation.as_of)?;
    Ok(Json(to_json(
        &snap.evaluation,
        agreement,
        range,
        Some(snap.version),
    )))
}

/// The clocks, open ones by default, ordered by due: the queue of leads about to breach.
#[utoipa::path(get, path = "/api/v1/clocks", tag = "engine", params(ClocksQuery),
    responses(
        (status = 200, description = "{clocks: [{guarantee, lead, owner, segment, state, paused, at_risk, start, due, business_seconds_used}]}", body = Object),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad state or as_of (codes invalid_state, invalid_instant)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn clocks(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(q): Query<ClocksQuery>,
) -> Result<Json<Value>, ApiError> {
    let wanted = q.state.as_deref().unwrap_or("open");
    const STATES: [&str; 8] = [
        "open", "running", "at_risk", "paused", "breached", "met", "met_late", "all",
    ];
    if !STATES.contains(&wanted) {
        return Err(bad(
            "invalid_state",
            format!(
                "state {wanted:?} is unknown; expected one of {}",
                STATES.join(", ")
            ),
        ));
    }
    let snap = evaluation(&state, &ws, q.as_of.as_deref()).await?;
    let eval = &snap.evaluation;
    let at = eval.as_of;
    let mut list: Vec<&handshake_core::engine::Clock> = eval
        .clocks
        .iter()
        .filter(|c| {
            let v = &c.view;
            match wanted {
                "open" => matches!(v.state, ClockState::Running | ClockState::Breached),
                "running" => v.state == ClockState::Running,
                "at_risk" => v.at_risk,
                "paused" => v.paused,
                "breached" => v.state == ClockState::Breached,
                "met" => v.state == ClockState::Met,
                "met_late" => v.state == ClockState::MetLate,
                _ => true,
            }
        })
        .filter(|c| q.owner.as_ref().is_none_or(|o| c.owner.as_ref() == Some(o)))
        .filter(|c| q.guarantee.as_ref().is_none_or(|g| &c.guarantee == g))
        .collect();
    list.sort_by_key(|c| (c.view.due.unwrap_or(i64::MAX), c.view.start));
    let ts = |s: i64| Timestamp::from_second(s).map(|t| t.to_string()).ok();
    let clocks: Vec<Value> = list
        .iter()
        .map(|c| {
            json!({
                "guarantee": c.guarantee, "lead": c.subject, "owner": c.owner, "segment": c.segment,
                "state": c.view.state.as_str(), "paused": c.view.paused, "at_risk": c.view.at_risk,
                "start": ts(c.view.start), "due": c.view.due.and_then(ts), "stop": c.view.stop.and_then(ts),
                "business_seconds_used": c.view.used,
            })
        })
        .collect();
    Ok(Json(json!({ "as_of": at.to_string(), "clocks": clocks })))
}

/// What if: a draft agreement (TOML body) evaluated on the same events, beside the active one.
#[utoipa::path(post, path = "/api/v1/whatif", tag = "engine", params(ScorecardQuery),
    request_body(content = String, description = "The draft agreement (TOML)", content_type = "application/toml"),
    responses(
        (status = 200, description = "{active: report, draft: report}", body = Object),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 422, description = "The draft has errors (code invalid_agreement, with `errors`: [{line, column, message, expected}])", body = Object),
    ),
    security(("bearer" = [])))]
pub(crate) async fn whatif(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Query(q): Query<ScorecardQuery>,
    body: Bytes,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let to_pair = |e: ApiError| {
        (
            e.status,
            Json(json!({ "code": e.code, "message": e.message })),
        )
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let draft = match check_draft(&text) {
        Ok(d) => d,
        Err(found) => {
            let errors: Vec<Value> = found
                .iter()
                .map(|e| json!({ "line": e.line, "column": e.column, "message": e.message, "expected": e.expected }))
                .collect();
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(
                    json!({ "code": "invalid_agreement", "message": format!("the draft has {} errors", errors.len()), "errors": errors }),
                ),
            ));
        }
    };
    let snap = evaluation(&state, &ws, q.as_of.as_deref())
        .await
        .map_err(to_pair)?;
    let current = snap.agreement();
    let at = snap.evaluation.as_of;
    let range = range(q.period.as_deref(), current, at).map_err(to_pair)?;
    let (draft, drafted) = evaluate_draft(draft, &snap).await.map_err(|e| {
        to_pair(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the evaluation stopped: {e}"),
        ))
    })?;
    Ok(Json(json!({
        "active": to_json(&snap.evaluation, current, range, Some(snap.version)),
        "draft": to_json(&drafted, &draft, range, None),
    })))
}
