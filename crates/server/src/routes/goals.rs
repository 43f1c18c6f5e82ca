//! `GET /api/v1/goals/{goal}/{period}`: the leads, opportunities, deals or
//! clocks behind a goal's number in one period (the drill-down), with the
//! number itself, a page at a time. The same rows and columns as the
//! dashboard's list and its CSV; the count of all rows always equals the
//! number (a count, a rate's denominator, a median's cases).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use handshake_core::engine::{GoalLine, PeriodKey};
use jiff::Timestamp;
use serde::Deserialize;

use super::engine::{bad, no_agreement, parse_instant};
use crate::auth::Authed;
use crate::drill::{DrillFilter, GoalRows};
use crate::routes::query::Params;
use crate::{ApiError, AppState};

/// Rows on one page of the API's list.
pub(crate) const PAGE_ROWS: usize = 500;

/// Which rows, which page, at which instant.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RowsQuery {
    /// Only this owner's rows; `(no owner)` for rows of no owner.
    #[param(min_length = 1)]
    owner: Option<String>,
    /// `yes`: only rows in a rate's numerator; `no`: only the others.
    counted: Option<String>,
    /// The page, from 1 (500 rows each); default 1.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// RFC 3339 (years 1900 to 2200); default now.
    #[param(format = DateTime, example = "2027-04-01T00:00:00Z")]
    as_of: Option<String>,
}

/// The rows behind a goal's number in a period.
#[utoipa::path(get, path = "/api/v1/goals/{goal}/{period}", tag = "engine",
    params(
        ("goal" = String, Path, description = "The goal's id in the agreement"),
        ("period" = String, Path, description = "2027-W05, 2027-01, 2027-Q1 or 2027: the goal's own kind of period"),
        RowsQuery,
    ),
    responses(
        (status = 200, description = "The goal's line and the page of rows", body = GoalRows),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement (code no_agreement), or no such goal period (code no_goal_period, naming the goals)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad period, instant or parameter (codes invalid_period, invalid_instant, invalid_parameter)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable (code store_unavailable), or two replays run already (code busy, with Retry-After)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn rows(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Path((goal, period)): Path<(String, String)>,
    Params(q): Params<RowsQuery>,
) -> Result<Json<GoalRows>, ApiError> {
    let key = PeriodKey::parse(&period).ok_or_else(|| {
        bad(
            "invalid_period",
            format!(
                "period {period:?} is not a period; expected {}",
                PeriodKey::EXPECTED
            ),
        )
    })?;
    let filter = DrillFilter::parse(q.owner.as_deref(), q.counted.as_deref())
        .map_err(|m| bad("invalid_parameter", m))?;
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(bad(
            "invalid_parameter",
            "page 0 is not a page; pages count from 1".into(),
        ));
    }
    let at = match q.as_of.as_deref() {
        Some(t) => parse_instant(t)?,
        None => Timestamp::now(),
    };
    let drilled = state
        .engines
        .goal_rows(&state.store, &ws, at, goal.clone(), key)
        .await
        .map_err(|_| ApiError::busy())?
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(no_agreement)?;
    let a = drilled.agreement();
    let Some((result, rows)) = &drilled.found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_goal_period",
            crate::drill::no_goal_period(a, &goal, &period),
        ));
    };
    let kept = filter.kept(rows);
    let crm = state.settings.crm_record_url.as_ref();
    Ok(Json(GoalRows::page(
        GoalLine::new(a, result),
        rows,
        &kept,
        crm,
        page,
        PAGE_ROWS,
    )))
}
