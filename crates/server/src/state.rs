//! [`AppState`]: what every handler shares: the store, the counters of
//! failed sign-ins, the live engines the pages and the API read, and the
//! server's settings. Sessions live in the store.

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
    /// How the outbox's notifications are delivered.
    pub delivery: crate::outbox::DeliverySettings,
    /// The dashboard's address as people reach it (e.g.
    /// `https://handshake.example.com`), for the links in alerts; without
    /// it alerts carry no link.
    pub public_url: Option<String>,
    /// Where a lead's CRM record opens (a URL with `{id}`): drill-down lists
    /// link each lead to it; without it they carry no CRM link.
    pub crm_record_url: Option<handshake_core::lead::RecordUrl>,
    /// Where the HubSpot app's client secret is (a file or a variable), for
    /// the v3 signatures of its webhook deliveries; without it the HubSpot
    /// endpoint answers 404.
    pub hubspot_secret: Option<handshake_core::alerts::channel::SecretSource>,
    /// The portal's custom lifecycle stages (HubSpot's internal value, the
    /// agreement's stage), for its webhook deliveries.
    pub hubspot_stages: handshake_core::hubspot::StageMap,
    /// How CRM deals and opportunities read: which stages are won and lost,
    /// and the currency of amounts that name none.
    pub deal_terms: handshake_core::crm_objects::DealTerms,
    /// The Salesforce organisation (`00D...`) whose Outbound Messages are
    /// taken; without it that endpoint answers 404.
    pub salesforce_org: Option<String>,
    /// The CRMs each lead's clock is written back to (none by default).
    pub writeback: crate::writeback::WriteBackSettings,
}

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) guard: Arc<crate::guard::Guard>,
    pub(crate) engines: Arc<crate::live::Engines>,
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
            engines: Arc::new(crate::live::Engines::new(
                settings
                    .public_url
                    .as_deref()
                    .map(|u| u.trim_end_matches('/').to_string()),
                settings
                    .writeback
                    .enabled()
                    .then(|| Arc::new(settings.writeback.clone())),
            )),
            settings,
        }
    }

    /// Starts following `ws` (building its live state) in the background, so
    /// the first page asked for does not wait for every event to be read.
    /// Call inside the runtime.
    pub fn warm(&self, ws: handshake_store::Workspace) {
        self.engines.start(&self.store, &ws);
    }
}
