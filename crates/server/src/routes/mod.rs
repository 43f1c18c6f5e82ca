//! The router: which path goes to which handler, and the layers around them.

pub(crate) mod channels;
pub(crate) mod docs;
pub(crate) mod engine;
pub(crate) mod events;
pub(crate) mod goals;
pub(crate) mod health;
pub(crate) mod hooks;
pub(crate) mod leads;
pub(crate) mod people;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod tokens;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;

pub(crate) fn router(state: AppState) -> Router {
    let body_timeout = state.settings.limits.body_timeout;
    let router = Router::new()
        .route(
            "/api/v1/events",
            post(events::one).layer(DefaultBodyLimit::max(events::MAX_EVENT_BYTES)),
        )
        .route(
            "/api/v1/events/batch",
            post(events::batch).layer(DefaultBodyLimit::max(events::MAX_BATCH_BYTES)),
        )
        .route(
            "/api/v1/hooks/hubspot/{workspace}",
            post(hooks::hubspot).layer(DefaultBodyLimit::max(hooks::MAX_HOOK_BYTES)),
        )
        .route(
            "/api/v1/hooks/salesforce-cdc",
            post(hooks::salesforce_cdc).layer(DefaultBodyLimit::max(hooks::MAX_HOOK_BYTES)),
        )
        .route(
            "/api/v1/hooks/salesforce/{workspace}",
            post(hooks::salesforce).layer(DefaultBodyLimit::max(hooks::MAX_HOOK_BYTES)),
        )
        .route("/api/v1/leads/{id}", get(leads::lead))
        .route("/api/v1/scorecard", get(engine::scorecard))
        .route("/api/v1/clocks", get(engine::clocks))
        .route("/api/v1/goals/{goal}/{period}", get(goals::rows))
        .route(
            "/api/v1/whatif",
            post(engine::whatif).layer(DefaultBodyLimit::max(1024 * 1024)),
        )
        .route("/api/v1/plan", post(plan::plan))
        .route("/api/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/api/v1/tokens/{id}", delete(tokens::revoke))
        .route("/api/v1/people", get(people::list))
        .route(
            "/api/v1/people/import",
            post(people::import).layer(DefaultBodyLimit::max(people::MAX_CSV_BYTES)),
        )
        .route(
            "/api/v1/people/{owner_id}",
            axum::routing::put(people::put)
                .delete(people::remove)
                .layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/channels",
            get(channels::list)
                .post(channels::add)
                .layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route("/api/v1/channels/{name}", delete(channels::remove))
        .route("/api/v1/channels/{name}/test", post(channels::test))
        .route("/api/v1/channels/{name}/resume", post(channels::resume))
        .route("/api/v1/openapi.json", get(docs::openapi))
        .route("/api/v1/docs", get(docs::page))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::render))
        .merge(crate::web::router())
        .fallback(health::not_found)
        .method_not_allowed_fallback(health::method_not_allowed)
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(TraceLayer::new_for_http())
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(axum::middleware::from_fn(crate::layers::known_methods));
    crate::layers::security_headers()
        .into_iter()
        .fold(router, axum::Router::layer)
        .with_state(state)
}
