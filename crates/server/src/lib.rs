//! The Handshake HTTP server: a function of a listener, a store and a
//! shutdown signal. It takes lead events in (one, or a batch as NDJSON),
//! answers what it knows about a lead, serves the dashboard's pages, and
//! reports its health and metrics.
//!
//! Handlers are thin: they authenticate, parse with `handshake-core`, store
//! with `handshake-store`, and answer JSON with a stable error code.

mod alerting;
mod auth;
pub mod deliver;
mod demo;
mod draft;
pub mod drill;
mod error;
mod guard;
mod layers;
mod listen;
mod live;
mod metrics;
mod openapi;
mod outbox;
mod routes;
pub mod setup;
mod state;
mod web;
mod writeback;

use std::future::Future;

use tokio::net::TcpListener;

pub use demo::{DemoLoadError, DemoLoaded, load_demo};
pub use error::ApiError;
pub use listen::Limits;
pub use outbox::DeliverySettings;
pub use routes::events::{MAX_BATCH_BYTES, MAX_BATCH_LINES, MAX_EVENT_BYTES};
pub use state::{AppState, Settings};
pub use writeback::{CrmTarget, HUBSPOT_API, SALESFORCE_API, WriteBackSettings};

/// Serves the API on `listener` until `shutdown` completes, then finishes
/// the requests in flight, within the state's [`Limits`].
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.settings.limits;
    // The outbox's deliveries run beside the listener and stop with it.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(outbox::run(
        state.store.clone(),
        state.settings.delivery,
        stopped,
    ));
    let served = listen::run(listener, routes::router(state), limits, shutdown).await;
    let _ = stop.send(true);
    let _ = worker.await;
    served
}

/// The OpenAPI document of the API, as JSON.
pub fn openapi_json() -> String {
    openapi::document()
}
