//! [`AppState`]: what every handler shares: the store, a cache of verified
//! tokens so argon2 runs once per token, not once per request, the pages'
//! sessions and the evaluations the pages read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use handshake_store::{Store, TokenInfo};

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) verified: Arc<RwLock<HashMap<String, TokenInfo>>>,
    pub(crate) sessions: Arc<crate::web::session::Sessions>,
    pub(crate) snapshots: Arc<crate::web::snapshot::Snapshots>,
}

impl AppState {
    /// State over a connected store.
    pub fn new(store: Store) -> AppState {
        crate::metrics::install();
        AppState {
            store,
            verified: Arc::new(RwLock::new(HashMap::new())),
            sessions: Arc::default(),
            snapshots: Arc::default(),
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
