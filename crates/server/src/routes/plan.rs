//! `POST /api/v1/plan`: the funnel planner over HTTP, for the dashboard.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use handshake_core::planner::history;
use handshake_core::planner::output::{HistoryOut, PlanOut};
use handshake_core::planner::plan as make_plan;
use handshake_core::planner::spec::PlanSpec;
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

/// The planner's inputs (docs/planner.md): text as on the command line, or numbers.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct PlanRequest {
    /// The revenue goal with its currency.
    #[schema(example = "2000000 USD", pattern = r"^[0-9]+(\.[0-9]+)? [A-Z]{3}$")]
    goal: String,
    /// `2027`, `2027-Q1`, `2027-01`, or `2027-01..2027-06`.
    #[schema(example = "2027")]
    horizon: Option<TextOrNumber>,
    /// Seasonality weights per month of the horizon.
    #[schema(example = json!([1, 1, 2]))]
    weights: Option<Vec<f64>>,
    /// Average deal size.
    #[schema(example = 20000)]
    deal_size: Option<TextOrNumber>,
    /// Percentages, e.g. "20%".
    #[schema(example = "20%")]
    lead_to_mql: Option<String>,
    #[schema(example = "50%")]
    mql_to_sql: Option<String>,
    #[schema(example = "50%")]
    sql_to_opportunity: Option<String>,
    #[schema(example = "25%")]
    opportunity_to_won: Option<String>,
    /// The share of revenue that comes from marketing's leads.
    #[schema(example = "50%")]
    marketing_share: Option<String>,
    /// The sales cycle: days, or shares with days.
    #[schema(example = "30%:30,70%:60")]
    cycle: Option<TextOrNumber>,
    /// Open pipeline by expected close month.
    #[schema(example = "2027-01:50000")]
    pipeline: Option<String>,
    /// Take rates typed nowhere from the store's history.
    from_history: Option<bool>,
    /// Months of history, 1 to 120 (default 6).
    #[schema(minimum = 1, maximum = 120)]
    window_months: Option<i64>,
    /// The end of the history window, RFC 3339; default now.
    #[schema(format = DateTime)]
    as_of: Option<String>,
}

/// A planner input given as text or as a number (`"20000"` or `20000`).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum TextOrNumber {
    Text(String),
    Number(f64),
}

/// What JSON a planner input may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A string.
    Text,
    /// A string or a number.
    TextOrNumber,
    /// An array of numbers.
    Numbers,
    /// true or false.
    Flag,
    /// A whole number.
    Whole,
}

fn kind(key: &str) -> Kind {
    match key {
        "horizon" | "deal_size" | "cycle" => Kind::TextOrNumber,
        "weights" => Kind::Numbers,
        "from_history" => Kind::Flag,
        "window_months" => Kind::Whole,
        _ => Kind::Text,
    }
}

/// Whether `v` is of kind `k` (null stands for "not given").
fn fits(k: Kind, v: &Value) -> bool {
    match (k, v) {
        (_, Value::Null) | (Kind::Text | Kind::TextOrNumber, Value::String(_)) => true,
        (Kind::TextOrNumber, Value::Number(_)) | (Kind::Flag, Value::Bool(_)) => true,
        (Kind::Numbers, Value::Array(items)) => items.iter().all(Value::is_number),
        (Kind::Whole, Value::Number(n)) => n.is_i64(),
        _ => false,
    }
}

fn expected(k: Kind) -> &'static str {
    match k {
        Kind::Text => "a string",
        Kind::TextOrNumber => "a string or a number",
        Kind::Numbers => "an array of numbers, e.g. [1, 1, 2]",
        Kind::Flag => "true or false",
        Kind::Whole => "a whole number",
    }
}

/// A plan from the planner's inputs.
#[utoipa::path(post, path = "/api/v1/plan", tag = "planner",
    request_body(content = PlanRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The plan: months, totals, notes (and history when asked)", body = PlanOut),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 422, description = "Bad input, named (codes invalid_json, unknown_field, invalid_field, invalid_plan)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable (code store_unavailable)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn plan(
    State(state): State<AppState>,
    Authed(ws): Authed,
    body: Bytes,
) -> Result<Json<PlanOut>, ApiError> {
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
    if let Some((k, _)) = map.iter().find(|(k, v)| !fits(kind(k), v)) {
        return Err(bad(
            "invalid_field",
            format!("\"{k}\" is not valid; expected {}", expected(kind(k))),
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
    let months = map
        .get("window_months")
        .and_then(Value::as_i64)
        .unwrap_or(6);
    if !(1..=120).contains(&months) {
        return Err(bad(
            "invalid_field",
            format!("\"window_months\" is {months}; expected 1 to 120"),
        ));
    }
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
        let cycle = spec
            .cycle
            .as_deref()
            .map(handshake_core::planner::spec::parse_cycle)
            .transpose()
            .map_err(|e| bad("invalid_plan", e.to_string()))?;
        Some(history::from_events(&events, from, as_of, cycle.as_deref()))
    } else {
        None
    };
    let input = spec
        .resolve(history.as_ref())
        .map_err(|e| bad("invalid_plan", e.to_string()))?;
    let p = make_plan(&input).map_err(|e| bad("invalid_plan", e.to_string()))?;
    let mut answer = PlanOut::new(&p, None);
    answer.history = history.as_ref().map(HistoryOut::new);
    Ok(Json(answer))
}
