//! Alerts: who is who ([`people`]), where notifications go ([`channel`]: a signed JSON webhook or a
//! Slack incoming webhook, each with its secret kept outside the agreement
//! and the database) and how a receiver knows a delivery is ours
//! ([`signature`]), and when a failed delivery is tried again ([`retry`]).
//! Pure: the server's delivery shell sends what this
//! module builds and checks.

pub mod channel;
pub mod message;
pub mod people;
pub mod retry;
pub mod signature;

pub use channel::{Channel, ChannelError, ChannelName, ChannelTarget, SecretSource};
pub use signature::{SignatureError, sign, verify};
