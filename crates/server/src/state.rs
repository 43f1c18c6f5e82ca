//! [`AppState`]: what every handler shares: the store, and a cache of
//! verified tokens so argon2 runs once per token, not once per request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use handshake_store::{Store, TokenInfo};

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) verified: Arc<RwLock<HashMap<String, TokenInfo>>>,
}

impl AppState {
    /// State over a connected store.
    pub fn new(store: Store) -> AppState {
        crate::metrics::install();
        AppState {
            store,
            verified: Arc::new(RwLock::new(HashMap::new())),
        }
    }
}
