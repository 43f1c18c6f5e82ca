//! The engine over HTTP: `GET /api/v1/scorecard`, `GET /api/v1/clocks` (the
//! queue of open clocks by due) and `POST /api/v1/whatif` (a draft beside the
//! active agreement). Each answers from the workspace's agreement versions
//! and events: at `as_of` when one is given (a full replay; a few at once,
//! beyond that 503 `busy`); otherwise from the live engine's evaluation
//! (see `live`), never behind an event this server accepted.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handshake_core::agreement::{Agreement, Period};
use handshake_core::engine::report::Range;
use handshake_core::engine::{
    ClockFilter, ClockLine, ClockState, PeriodKey, QueueStanding, Report, queue_standing, teams,
};
use handshake_store::Workspace;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::auth::Authed;
use crate::draft::{Unjudged, check_draft, judge_draft};
use crate::live::Snapshot;
use crate::routes::query::Params;
use crate::{ApiError, AppState};

/// Which period, at which instant.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScorecardQuery {
    /// `2027-W05`, `2027-01`, `2027-Q1` or `2027`; default the month holding `as_of`.
    #[param(
        pattern = r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
        example = "2027-01"
    )]
    period: Option<String>,
    /// RFC 3339 (years 1900 to 2200); default now.
    #[param(format = DateTime, example = "2027-04-01T00:00:00Z")]
    as_of: Option<String>,
}

/// Which clocks, and which page of them.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClocksQuery {
    /// Which clocks; default `open` (running and breached).
    #[param(inline)]
    state: Option<StateFilter>,
    /// Only this owner's clocks (an owner with no clock is an error naming those with clocks).
    #[param(min_length = 1)]
    owner: Option<String>,
    /// Only this guarantee's clocks (an id the agreement does not have is an error naming those it has).
    #[param(min_length = 1)]
    guarantee: Option<String>,
    /// Only the clocks of this manager's team: the manager and everyone the people directory says reports to them (an owner id no one reports to is an error naming the managers).
    #[param(min_length = 1)]
    team: Option<String>,
    /// RFC 3339 (years 1900 to 2200); default now.
    #[param(format = DateTime, example = "2027-04-01T00:00:00Z")]
    as_of: Option<String>,
    /// Clocks per page, 1 to 1000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `next` of the previous page; absent for the first page.
    #[param(min_length = 1)]
    cursor: Option<String>,
}

/// Which clocks a list holds.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StateFilter {
    /// Running and breached.
    Open,
    /// What the queue holds, what someone can still act on: running, and
    /// breached but late by no more than the agreement's `[queue]
    /// keep_breached`.
    Queue,
    /// Breached, and later than the queue keeps: in the breaches list only.
    BreachedLongAgo,
    /// Running (paused and at-risk ones included).
    Running,
    /// Running past the warning point.
    AtRisk,
    /// Running and paused.
    Paused,
    /// Past due and not stopped.
    Breached,
    /// Stopped in time.
    Met,
    /// Stopped after the due instant.
    MetLate,
    /// Open, started by an export's snapshot, with no event in the data
    /// that could stop it: neither met nor breached.
    NotMeasurable,
    /// Every clock.
    All,
}

impl StateFilter {
    fn holds(self, a: &handshake_core::Agreement, c: &handshake_core::engine::Clock) -> bool {
        let v = &c.view;
        match self {
            StateFilter::Open => matches!(v.state, ClockState::Running | ClockState::Breached),
            StateFilter::Queue => queue_standing(a, c).is_some_and(QueueStanding::in_queue),
            StateFilter::BreachedLongAgo => {
                queue_standing(a, c) == Some(QueueStanding::BreachedLongAgo)
            }
            StateFilter::Running => v.state == ClockState::Running,
            StateFilter::AtRisk => v.at_risk,
            StateFilter::Paused => v.paused,
            StateFilter::Breached => v.state == ClockState::Breached,
            StateFilter::Met => v.state == ClockState::Met,
            StateFilter::MetLate => v.state == ClockState::MetLate,
            StateFilter::NotMeasurable => v.state == ClockState::NotMeasurable,
            StateFilter::All => true,
        }
    }
}

/// A page of clocks, ordered by due (then start, guarantee and lead).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ClocksPage {
    /// The instant of the evaluation, RFC 3339.
    as_of: String,
    /// This page's clocks.
    clocks: Vec<ClockLine>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

/// A draft beside the active agreement, on the same events.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WhatIf {
    /// The active agreement's report.
    active: Report,
    /// The draft's report (its `agreement.version` is absent).
    draft: Report,
}

/// One error in a draft agreement.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DraftError {
    /// Line, from 1.
    line: usize,
    /// Column, from 1.
    column: usize,
    /// What is wrong.
    message: String,
    /// What would be right.
    expected: Option<String>,
}

/// A draft refused: every error at once (code `invalid_agreement`, with
/// `errors`), or a bad parameter (another code, without `errors`).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DraftErrors {
    /// `invalid_agreement`, or a parameter's code such as `invalid_period`.
    code: &'static str,
    /// How many errors, or what is wrong.
    message: String,
    /// With `invalid_agreement`: each error with its place.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<DraftError>>,
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
            state
                .engines
                .at(&state.store, ws, at)
                .await
                .map_err(|_| ApiError::busy())?
        }
        None => state.engines.current(&state.store, ws).await,
    };
    found
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(no_agreement)
}

pub(crate) fn no_agreement() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_agreement",
        "no agreement applied in this workspace; apply one with `handshake apply FILE`",
    )
}

pub(crate) fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// Reads `as_of`: RFC 3339 in the years 1900 to 2200, as documented. An
/// instant millennia away would make the evaluation judge every period up
/// to it (tens of thousands of months per goal): refused, not computed.
pub(crate) fn parse_instant(t: &str) -> Result<Timestamp, ApiError> {
    let expected = "expected RFC 3339 such as 2027-04-01T00:00:00Z, in the years 1900 to 2200";
    let at: Timestamp = t.parse().map_err(|_| {
        bad(
            "invalid_instant",
            format!("as_of {t:?} is not an instant; {expected}"),
        )
    })?;
    let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
    if !(1900..=2200).contains(&year) {
        return Err(bad(
            "invalid_instant",
            format!("as_of {t:?} is in the year {year}; {expected}"),
        ));
    }
    Ok(at)
}

fn range(period: Option<&str>, a: &Agreement, at: Timestamp) -> Result<Range, ApiError> {
    let key = match period {
        Some(p) => PeriodKey::parse(p).ok_or_else(|| {
            bad(
                "invalid_period",
                format!(
                    "period {p:?} is not a period; expected {}",
                    PeriodKey::EXPECTED
                ),
            )
        })?,
        None => PeriodKey::containing(Period::Month, at, &a.time_zone.tz),
    };
    Ok(Range::period(key, a))
}

/// The scorecard: guarantees, goals, streaks, consequences and findings for a period.
#[utoipa::path(get, path = "/api/v1/scorecard", tag = "engine", params(ScorecardQuery),
    responses(
        (status = 200, description = "The report (docs/report.md)", body = Report),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad period, as_of or parameter (codes invalid_period, invalid_instant, invalid_parameter)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable (code store_unavailable), or with `as_of` two replays run already (code busy, with Retry-After)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn scorecard(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Params(q): Params<ScorecardQuery>,
) -> Result<Json<Report>, ApiError> {
    let snap = evaluation(&state, &ws, q.as_of.as_deref()).await?;
    let agreement = snap.agreement();
    let range = range(q.period.as_deref(), agreement, snap.evaluation.as_of)?;
    Ok(Json(Report::new(
        &snap.evaluation,
        agreement,
        range,
        Some(snap.version),
    )))
}

/// A clock's place in the order of a list: (due, start, guarantee, lead).
type Place = (i64, i64, String, String);

fn place(c: &handshake_core::engine::Clock) -> Place {
    (
        c.view.due.unwrap_or(i64::MAX),
        c.view.start,
        c.guarantee.clone(),
        c.subject.clone(),
    )
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// The cursor after `p`: opaque to clients, `due.start.guarantee.lead` with
/// the texts in hex.
fn cursor(p: &Place) -> String {
    format!("{}.{}.{}.{}", p.0, p.1, hex(&p.2), hex(&p.3))
}

fn parse_cursor(text: &str) -> Option<Place> {
    let mut parts = text.split('.');
    let place = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        unhex(parts.next()?)?,
        unhex(parts.next()?)?,
    );
    parts.next().is_none().then_some(place)
}

/// The clocks, open ones by default, ordered by due: the queue of leads
/// about to breach, a page at a time.
#[utoipa::path(get, path = "/api/v1/clocks", tag = "engine", params(ClocksQuery),
    responses(
        (status = 200, description = "A page of clocks; follow `next` for more", body = ClocksPage),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 422, description = "Bad parameter (codes invalid_parameter, invalid_instant, invalid_cursor, unknown_guarantee, unknown_owner, unknown_team)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable (code store_unavailable), or with `as_of` two replays run already (code busy, with Retry-After)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn clocks(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Params(q): Params<ClocksQuery>,
) -> Result<Json<ClocksPage>, ApiError> {
    let wanted = q.state.unwrap_or(StateFilter::Open);
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad(
            "invalid_parameter",
            format!("limit {limit} is out of range; expected 1 to 1000"),
        ));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| {
            bad(
                "invalid_cursor",
                "the cursor is not one this server gave; pass the `next` of the previous page as it was".into(),
            )
        })?),
    };
    let snap = evaluation(&state, &ws, q.as_of.as_deref()).await?;
    let eval = &snap.evaluation;
    if let Some(g) = &q.guarantee {
        let ids: Vec<&str> = snap
            .agreement()
            .guarantees
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        if !ids.contains(&g.as_str()) {
            return Err(bad(
                "unknown_guarantee",
                format!(
                    "the agreement has no guarantee {g:?}; expected one of {}",
                    ids.join(", ")
                ),
            ));
        }
    }
    if let Some(o) = &q.owner
        && !eval.clocks.iter().any(|c| c.owner.as_ref() == Some(o))
    {
        let mut owners: Vec<&str> = eval
            .clocks
            .iter()
            .filter_map(|c| c.owner.as_deref())
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let shown = owners
            .iter()
            .take(50)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(bad(
            "unknown_owner",
            format!("no clock has owner {o:?}; owners with clocks: {shown}"),
        ));
    }
    let people = match &q.team {
        None => Vec::new(),
        Some(t) => {
            let people = state
                .store
                .people(&ws)
                .await
                .map_err(|e| ApiError::store(&e))?;
            let teams = teams(&people);
            if !teams.iter().any(|(m, _)| m == t) {
                let mut managers: Vec<&str> = teams.iter().map(|(m, _)| m.as_str()).collect();
                managers.sort_unstable();
                managers.truncate(50);
                return Err(bad(
                    "unknown_team",
                    format!(
                        "no one in the people directory reports to {t:?}; managers with a team: {}",
                        if managers.is_empty() {
                            "none".to_string()
                        } else {
                            managers.join(", ")
                        }
                    ),
                ));
            }
            people
        }
    };
    let a = snap.agreement();
    let filter = ClockFilter {
        owner: q.owner.clone().map(Some),
        team: q.team.clone(),
        guarantee: q.guarantee.clone(),
        standing: None,
    };
    let mut list: Vec<(Place, &handshake_core::engine::Clock)> = eval
        .clocks
        .iter()
        .filter(|c| wanted.holds(a, c) && filter.holds(&people, c, None))
        .map(|c| (place(c), c))
        .filter(|(p, _)| after.as_ref().is_none_or(|a| p > a))
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    let limit = limit as usize;
    let next = (list.len() > limit).then(|| cursor(&list[limit - 1].0));
    let clocks = list
        .iter()
        .take(limit)
        .map(|(_, c)| ClockLine::new(c))
        .collect();
    Ok(Json(ClocksPage {
        as_of: eval.as_of.to_string(),
        clocks,
        next,
    }))
}

/// What if: a draft agreement (TOML body) evaluated on the same events, beside the active one.
#[utoipa::path(post, path = "/api/v1/whatif", tag = "engine", params(ScorecardQuery),
    request_body(content = Vec<u8>, description = "The draft agreement: TOML text, sent as raw bytes (any content type is read the same)", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Both reports", body = WhatIf),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 404, description = "No agreement applied (code no_agreement)", body = crate::error::ErrorBody),
        (status = 413, description = "The draft is over 1 MiB", body = crate::error::ErrorBody),
        (status = 422, description = "The draft has errors (code invalid_agreement), or a bad parameter", body = DraftErrors),
        (status = 503, description = "The store is unavailable (code store_unavailable), or two replays run already (code busy, with Retry-After)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn whatif(
    State(state): State<AppState>,
    Authed(ws): Authed,
    Params(q): Params<ScorecardQuery>,
    body: Bytes,
) -> Result<Json<WhatIf>, Response> {
    let text = String::from_utf8_lossy(&body).into_owned();
    let draft = match check_draft(&text) {
        Ok(d) => d,
        Err(found) => {
            let errors: Vec<DraftError> = found
                .iter()
                .map(|e| DraftError {
                    line: e.line,
                    column: e.column,
                    message: e.message.clone(),
                    expected: e.expected.clone(),
                })
                .collect();
            let answer = DraftErrors {
                code: "invalid_agreement",
                message: format!("the draft has {} errors", errors.len()),
                errors: Some(errors),
            };
            return Err((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response());
        }
    };
    let at = match q.as_of.as_deref() {
        Some(text) => parse_instant(text).map_err(IntoResponse::into_response)?,
        None => Timestamp::now(),
    };
    let judged = judge_draft(&state, &ws, draft, at)
        .await
        .map_err(|e| match e {
            Unjudged::Busy => ApiError::busy(),
            Unjudged::NoAgreement => no_agreement(),
            Unjudged::Store(e) => ApiError::store(&e),
        })
        .map_err(IntoResponse::into_response)?;
    let snap = &judged.active;
    let current = snap.agreement();
    let range = range(q.period.as_deref(), current, at).map_err(IntoResponse::into_response)?;
    Ok(Json(WhatIf {
        active: Report::new(&snap.evaluation, current, range, Some(snap.version)),
        draft: Report::new(&judged.drafted, &judged.draft, range, None),
    }))
}
