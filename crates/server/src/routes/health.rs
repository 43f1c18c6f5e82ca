//! `/healthz` (the process answers) and `/readyz` (the store answers too),
//! and the JSON 404 for paths that do not exist.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};

use crate::{ApiError, AppState};

/// The answer of `/healthz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    status: &'static str,
}

/// The answer of `/readyz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Ready {
    /// Always `ready`.
    status: &'static str,
    /// `sqlite` or `postgres`.
    store: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is alive", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// How long `/readyz` waits for the store's write before it says not ready.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: the store takes a write now.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready to take events: the store took a write", body = Ready),
    (status = 503, description = "The store does not take a write within 2 s (code store_unavailable)", body = crate::error::ErrorBody),
))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    match tokio::time::timeout(READY_WITHIN, state.store.check_writable()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(ApiError::store(&e)),
        Err(_) => return Err(ApiError::store(&"the store took no write within 2 s")),
    }
    Ok(Json(Ready {
        status: "ready",
        store: state.store.backend(),
    }))
}

pub(crate) async fn method_not_allowed(method: axum::http::Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{method} is not allowed on {}; the API is described at /api/v1/docs",
            uri.path()
        ),
    )
}

/// 404: a page for browsers (they ask for HTML), JSON with a stable code for everyone else.
pub(crate) async fn not_found(
    uri: Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let wants_html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html && !uri.path().starts_with("/api/") {
        return crate::web::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            &format!("There is no page at {}.", uri.path()),
        );
    }
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no such path {}; the API is described at /api/v1/docs",
            uri.path()
        ),
    )
    .into_response()
}
