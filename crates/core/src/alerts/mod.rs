//! Alerts: who is who ([`people`]), where notifications go ([`channel`]: a signed JSON webhook or a
//! Slack incoming webhook, each with its secret kept outside the agreement
//! and the database) and how a receiver knows a delivery is ours
//! ([`signature`]), when a failed delivery is tried again ([`retry`]), and
//! when a person is not to be disturbed ([`quiet`]), and how fast a channel is
//! sent to and when one that keeps failing is suspended ([`pacing`]).
//! Pure: the server's delivery shell sends what this
//! module builds and checks.

pub mod channel;
pub mod closing;
pub mod digest;
pub mod message;
pub mod pacing;
pub mod people;
pub mod quiet;
pub mod retry;
pub mod signature;

pub use channel::{Channel, ChannelError, ChannelName, ChannelTarget, SecretSource};
pub use signature::{SignatureError, sign, verify};
