//! `POST /api/v1/plan`: the funnel planner over HTTP, for the dashboard.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use handshake_core::planner::history;
use handshake_core::planner::spec::PlanSpec;
use handshake_core::planner::{output, plan as make_plan};
use jiff::Timestamp;
use serde_json::Value;

use crate::auth::Authed;
use crate::{ApiError, AppState};

const KEYS: [&str; 14] = [
    "goal",
    "horizon",
    "weights",
    "deal_size",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_won",
    "marketing_share",
    "cycle",
    "pipeline",
    "from_history",
    "window_months",
    "as_of",
];

fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// A plan: JSON with the planner's inputs as strings or numbers (see docs/planner.md).
#[utoipa::path(post, path = "/api/v1/plan", tag = "planner",
    request_body(content = Object, description = "{goal: \"2000000 USD\", horizon: \"2027\", deal_size: 20000, lead_to_mql: \"20%\", mql_to_sql: \"50%\", sql_to_opportunity: \"50%\", opportunity_to_won: \"25%\", marketing_share: \"50%\", cycle: \"30%:30,70%:60\", weights: [1,1,2], pipeline: \"2027-01:50000\", from_history: false, window_months: 6, as_of: RFC 3339}", content_type = "application/json"),
    responses(
        (status = 200, description = "The plan: months, totals, notes (and history when asked)", body = Object),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 422, description = "Bad input, named (codes invalid_json, unknown_field, invalid_plan)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn plan(
    State(state): State<AppState>,
    Authed(ws): Authed,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        bad(
            "invalid_json",
            format!("the body is not JSON ({e}); expected an object of planner inputs"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(bad(
            "invalid_json",
            "expected a JSON object of planner inputs".into(),
        ));
    };
    if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(
            "unknown_field",
            format!(
                "\"{k}\" is not a planner input; expected one of {}",
                KEYS.join(", ")
            ),
        ));
    }
    let text = |key: &str| -> Option<String> {
        map.get(key).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        })
    };
    let spec = PlanSpec {
        goal: text("goal"),
        horizon: text("horizon"),
        weights: text("weights"),
        deal_size: text("deal_size"),
        lead_to_mql: text("lead_to_mql"),
        mql_to_sql: text("mql_to_sql"),
        sql_to_opportunity: text("sql_to_opportunity"),
        opportunity_to_won: text("opportunity_to_won"),
        marketing_share: text("marketing_share"),
        cycle: text("cycle"),
        pipeline: text("pipeline"),
    };
    let history = if map
        .get("from_history")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        let as_of: Timestamp = match text("as_of") {
            Some(t) => t.parse().map_err(|_| {
                bad(
                    "invalid_plan",
                    format!("as_of {t:?} is not an instant; expected RFC 3339"),
                )
            })?,
            None => Timestamp::now(),
        };
        let months = map
            .get("window_months")
            .and_then(Value::as_i64)
            .unwrap_or(6)
            .clamp(1, 120);
        let from = as_of
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_sub(jiff::Span::new().months(months))
            .map_err(|e| bad("invalid_plan", e.to_string()))?
            .timestamp();
        let events = state
            .store
            .all_events(&ws)
            .await
            .map_err(|e| ApiError::store(&e))?;
        Some(history::from_events(&events, from, as_of))
    } else {
        None
    };
    let input = spec
        .resolve(history.as_ref())
        .map_err(|e| bad("invalid_plan", e.to_string()))?;
    let p = make_plan(&input).map_err(|e| bad("invalid_plan", e.to_string()))?;
    let mut json = output::to_json(&p, None);
    if let Some(h) = &history {
        json["history"] = output::history_json(h);
    }
    Ok(Json(json))
}
