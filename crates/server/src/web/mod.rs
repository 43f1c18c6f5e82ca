//! The dashboard: server-rendered pages over the same engine as the API.
//! Templates are compiled into the binary (askama) and the one stylesheet is
//! served by it, so the pages work offline. Every page needs sign-in
//! ([`session`]); every form carries the session's CSRF token.

mod agreement;
mod breaches;
mod chart;
mod clock_list;
mod drill;
mod lead;
mod login;
mod markdown;
mod notifications;
mod owners;
mod planner;
mod quality;
mod queue;
mod requests;
mod scorecard;
pub(crate) mod session;
mod whatif;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use handshake_core::agreement::Period;
use handshake_core::engine::PeriodKey;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::AppState;
use crate::live::Snapshot;
use session::Session;

/// The page routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(scorecard::page))
        .route("/queue", get(queue::page))
        .route("/breaches", get(breaches::page))
        .route("/goals/{goal}/{period}", get(drill::page))
        .route("/leads", get(lead::find))
        .route("/leads/{id}", get(lead::page))
        .route("/agreement", get(agreement::page))
        .route("/whatif", get(whatif::form).post(whatif::compare))
        .route("/planner", get(planner::form).post(planner::plan))
        .route("/quality", get(quality::page))
        .route("/requests", get(requests::page))
        .route("/notifications", get(notifications::page))
        .route(
            "/notifications/retry",
            axum::routing::post(notifications::retry),
        )
        .route("/login", get(login::form).post(login::sign_in))
        .route("/logout", axum::routing::post(login::sign_out))
        .route("/assets/app.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
        .into_response()
}

/// One entry of the navigation.
pub(crate) struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page's frame shows.
pub(crate) struct Layout {
    pub title: String,
    pub nav: Vec<Nav>,
    pub csrf: String,
    pub who: String,
    pub freshness: String,
    /// Seconds between automatic reloads; 0 for none.
    pub refresh: u32,
}

const PAGES: [(&str, &str); 9] = [
    ("/", "Scorecard"),
    ("/queue", "At risk"),
    ("/breaches", "Breaches"),
    ("/quality", "Lead quality"),
    ("/requests", "Requests"),
    ("/agreement", "Agreement"),
    ("/whatif", "What-if"),
    ("/planner", "Planner"),
    ("/notifications", "Notifications"),
];

impl Layout {
    /// The frame for a page at `current`, titled `title`.
    pub(crate) fn new(session: &Session, current: &str, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            nav: PAGES
                .iter()
                .map(|(href, label)| Nav {
                    href,
                    label,
                    current: *href == current,
                })
                .collect(),
            csrf: session.csrf.clone(),
            who: format!("{} · {}", session.ws.as_str(), session.name),
            freshness: String::new(),
            refresh: 0,
        }
    }

    /// Stamps the page with how fresh its data is.
    pub(crate) fn fresh(mut self, snap: &Snapshot) -> Layout {
        let e = &snap.evaluation;
        let tz = &snap.agreement().time_zone.tz;
        self.freshness = format!(
            "Data as of {} · {} event{} · agreement version {}{}",
            when(e.as_of, tz),
            e.events,
            if e.events == 1 { "" } else { "s" },
            snap.version,
            if e.inferred_events > 0 {
                format!(
                    " · {} events inferred from CRM snapshots",
                    e.inferred_events
                )
            } else {
                String::new()
            }
        );
        self
    }
}

/// Renders a template as an HTML response (a 500 page if it fails).
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The page could not be drawn; the error is in the server's log.",
            )
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// A page that says what went wrong, with `status`.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = ErrorPage { title, message }
        .render()
        .unwrap_or_else(|_| message.to_string());
    (status, Html(body)).into_response()
}

#[derive(Template)]
#[template(path = "empty.html")]
struct EmptyPage {
    layout: Layout,
    message: String,
}

/// The page shown when the workspace has no agreement yet.
pub(crate) fn no_agreement(session: &Session, current: &str, title: &str) -> Response {
    render(&EmptyPage {
        layout: Layout::new(session, current, title),
        message: format!(
            "Workspace \"{}\" has no agreement yet. Apply one and send events:",
            session.ws.as_str()
        ),
    })
}

/// The workspace's evaluation, or the page to show instead.
pub(crate) async fn snapshot(
    state: &AppState,
    session: &Session,
    current: &str,
    title: &str,
) -> Result<Arc<Snapshot>, Response> {
    match state.engines.get(&state.store, &session.ws).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(no_agreement(session, current, title)),
        Err(e) => Err(store_down(&e, "The data")),
    }
}

/// An instant in the agreement's zone, to the minute.
pub(crate) fn when(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// An instant in whole seconds, in the agreement's zone.
pub(crate) fn when_secs(s: Option<i64>, tz: &TimeZone) -> String {
    s.and_then(|s| Timestamp::from_second(s).ok())
        .map_or_else(|| "—".to_string(), |t| when(t, tz))
}

/// The time on a guarantee's clock as people say it: `2 business days 4 h`,
/// or `3 days` for a promise in calendar time.
pub(crate) fn spoken(a: &handshake_core::Agreement, guarantee: &str, seconds: i64) -> String {
    handshake_core::engine::spoken_clock(a, guarantee, seconds)
}

/// The workspace's live state, the period a page's `?period=` names (a
/// week like 2026-W49, a month like 2026-11, a quarter like 2026-Q4 or a year; without one, the
/// month holding the evaluation's instant) and that period's report, the
/// numbers `handshake report` and the API give; otherwise the page to show
/// instead: no agreement yet, the store down, or a 400 saying what a
/// period looks like.
pub(crate) async fn period_report(
    state: &AppState,
    session: &Session,
    (current, title): (&str, &str),
    period: Option<&str>,
) -> Result<(Arc<Snapshot>, PeriodKey, handshake_core::engine::Report), Response> {
    let snap = snapshot(state, session, current, title).await?;
    let (as_of, tz) = (snap.evaluation.as_of, &snap.agreement().time_zone.tz);
    let key = match period.filter(|p| !p.is_empty()) {
        None => PeriodKey::containing(Period::Month, as_of, tz),
        Some(p) => PeriodKey::parse(p).ok_or_else(|| {
            error_page(
                StatusCode::BAD_REQUEST,
                "No such period",
                &format!("\"{p}\" is not a period; expected {}.", PeriodKey::EXPECTED),
            )
        })?,
    };
    let a = snap.agreement();
    let range = handshake_core::engine::report::Range::period(key, a);
    let report =
        handshake_core::engine::Report::new(&snap.evaluation, a, range, Some(snap.version));
    Ok((snap, key, report))
}

/// The workspace's people directory, or the page saying the store is down.
pub(crate) async fn people(
    state: &AppState,
    session: &Session,
) -> Result<Vec<handshake_core::alerts::people::Person>, Response> {
    state
        .store
        .people(&session.ws)
        .await
        .map_err(|e| store_down(&e, "The people directory"))
}

/// The page shown when the store fails: the error goes to the log, not the page.
pub(crate) fn store_down(e: &impl std::fmt::Display, what: &str) -> Response {
    tracing::error!(error = %e, "reading {what} failed");
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "The store is not answering",
        &format!("{what} could not be read; try again in a moment."),
    )
}

/// `text` made safe inside a URL path or query value (RFC 3986 unreserved kept; `/` kept when asked).
pub(crate) fn encode(text: &str, keep_slash: bool) -> String {
    use handshake_core::lead::encode_url_part;
    if keep_slash {
        text.split('/')
            .map(encode_url_part)
            .collect::<Vec<_>>()
            .join("/")
    } else {
        encode_url_part(text)
    }
}

/// `path` with the given query pairs, each value encoded; no `?` without any.
pub(crate) fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value, false)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Too many full replays run already: a 503 saying `what` is being worked
/// out, to try again in a few seconds (with Retry-After).
pub(crate) fn busy(what: &str) -> Response {
    let mut page = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Busy",
        &format!("{what} are being evaluated; try again in a few seconds."),
    );
    page.headers_mut()
        .insert(axum::http::header::RETRY_AFTER, 5.into());
    page
}

/// A form's CSRF token did not match: refuse.
pub(crate) fn forbidden() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The form was not sent from this session (its CSRF token does not match). Reload the page and send it again.",
    )
}
