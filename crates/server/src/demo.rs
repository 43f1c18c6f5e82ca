//! Loading the demo company into a store: the shell around
//! [`handshake_core::demo::generate`], shared by `handshake demo`,
//! `handshake serve --demo`, the browser tests and the page benchmark.

use handshake_core::demo::{DemoSpec, generate};
use handshake_store::{Store, StoreError, Workspace};

/// What a demo load put into the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoLoaded {
    /// The agreement version the demo applied.
    pub version: i64,
    /// Events stored (new ones; a repeated load stores none).
    pub events: usize,
    /// Leads and requests they are about.
    pub subjects: usize,
}

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoLoadError {
    /// The generator refused (see its message).
    #[error(transparent)]
    Generate(#[from] handshake_core::demo::DemoError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Generates the demo for `spec`, applies its agreement and stores its
/// events in batches. Loading the same spec twice adds nothing but a new
/// agreement version: event ids are deterministic, so repeats are duplicates.
///
/// # Errors
/// [`DemoLoadError`].
pub async fn load_demo(
    store: &Store,
    ws: &Workspace,
    spec: &DemoSpec,
) -> Result<DemoLoaded, DemoLoadError> {
    let spec = *spec;
    let demo = tokio::task::spawn_blocking(move || generate(&spec))
        .await
        .map_err(|e| StoreError::Invalid(format!("the demo generator stopped: {e}")))??;
    let version = store
        .add_agreement(ws, &demo.agreement.name, &demo.agreement_text)
        .await?;
    // Its people, and its ladders' channels as log channels: the demo has
    // no Slack, so its alerts are written to the server's log.
    store
        .put_people(ws, &handshake_core::demo::people())
        .await?;
    let now = jiff::Timestamp::now().as_second();
    let have = store.channels(ws).await?;
    for name in ["sales-room", "ops"] {
        let name = handshake_core::alerts::ChannelName::parse(name)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if !have.iter().any(|c| c.name == name) {
            let channel = handshake_core::alerts::Channel {
                name,
                target: handshake_core::alerts::ChannelTarget::Log,
            };
            store.add_channel(ws, &channel, now).await?;
        }
    }
    // Its alerts start a day before its "now": a server shows at once
    // what the ladders told in the demo's last day, not its whole year.
    if store.alerts_up_to(ws).await?.is_none() {
        let day_before = spec.as_of.as_second() - 86_400;
        store.enqueue_alerts(ws, &[], now, day_before).await?;
    }
    let mut events = 0;
    for batch in demo.events.chunks(20_000) {
        let outcome = store.insert_events(ws, batch).await?;
        events += outcome
            .iter()
            .filter(|o| matches!(o, handshake_store::Inserted::Accepted))
            .count();
    }
    Ok(DemoLoaded {
        version,
        events,
        subjects: demo.leads,
    })
}
