//! Persistence for Handshake: agreement versions, events and API tokens, in
//! SQLite (the embedded default: one file, nothing to install) or PostgreSQL
//! (several `handshake serve` replicas sharing one database), behind one
//! interface, [`Store`]. Both back ends pass the same conformance suite.
//!
//! The store is a thin shell: it decides nothing about events beyond
//! "new, duplicate or conflicting"; validation happens in `handshake-core`
//! before events get here, and evaluation happens there after they leave.
//!
//! # Example
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use handshake_store::{Store, Workspace};
//! let store = Store::connect("sqlite::memory:").await?;
//! let ws = Workspace::new("default")?;
//! let event = handshake_core::event::parse_event(
//!     r#"{"id":"e-1","type":"lead.created","lead_id":"L-1","occurred_at":"2026-10-01T14:03:00Z"}"#,
//! )?;
//! let outcome = store.insert_events(&ws, std::slice::from_ref(&event)).await?;
//! assert_eq!(outcome[0], handshake_store::Inserted::Accepted);
//! let again = store.insert_events(&ws, &[event]).await?;
//! assert_eq!(again[0], handshake_store::Inserted::Duplicate);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod bulk;
mod channels;
mod crm_notes;
mod error;
mod migrate;
mod outbox;
mod people;
mod postgres;
mod rows;
mod secrets;
mod sessions;
mod sqlite;
mod store;
mod tokens;
mod writebacks;

pub use channels::ChannelHealth;
pub use error::StoreError;
pub use outbox::{ChannelTally, NewNotification, Notification, NotificationState, Outcome};
pub use secrets::{NewToken, TokenSecret};
pub use sessions::{NewSession, SessionInfo};
pub use store::{AgreementVersion, Cursor, Inserted, STATEMENT, Store, Versioned, WAIT, Workspace};
pub use tokens::{TokenInfo, TokenRole};
