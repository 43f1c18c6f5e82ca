//! [`AppState`]: what every handler shares: the store, the counters of
//! failed sign-ins, the pages' sessions, the evaluations the pages read, and
//! the server's settings.

use std::sync::Arc;

use handshake_store::Store;

/// Settings a deployment chooses.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Mark cookies `Secure` on every response (set it when a TLS proxy sits
    /// in front). Without it they are `Secure` only on requests that came
    /// over HTTPS according to `X-Forwarded-Proto`.
    pub secure_cookies: bool,
    /// What connections and requests may hold.
    pub limits: crate::listen::Limits,
    /// Reverse proxies whose `X-Forwarded-For` names the client: for a
    /// request from one of them, failed sign-ins are counted against the
    /// address it forwarded for, not against the proxy (which would let one
    /// guesser lock everybody out). From anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) guard: Arc<crate::guard::Guard>,
    pub(crate) sessions: Arc<crate::web::session::Sessions>,
    pub(crate) snapshots: Arc<crate::web::snapshot::Snapshots>,
    pub(crate) settings: Settings,
}

impl AppState {
    /// State over a connected store, with default settings.
    pub fn new(store: Store) -> AppState {
        AppState::with_settings(store, Settings::default())
    }

    /// State over a connected store.
    pub fn with_settings(store: Store, settings: Settings) -> AppState {
        crate::metrics::install();
        AppState {
            store,
            guard: Arc::default(),
            sessions: Arc::default(),
            snapshots: Arc::default(),
            settings,
        }
    }

    /// Starts evaluating `ws` in the background, so the first page asked for
    /// does not wait for every event to be read. Call inside the runtime.
    pub fn warm(&self, ws: handshake_store::Workspace) {
        let state = self.clone();
        tokio::spawn(async move {
            if let Err(e) = state.snapshots.current(&state.store, &ws).await {
                tracing::warn!(error = %e, workspace = ws.as_str(), "warming the evaluation failed");
            }
        });
    }
}
