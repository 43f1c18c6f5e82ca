//! [`StoreError`]: what can go wrong talking to the database.

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one Handshake can use.
    #[error(
        "database URL {url:?} is not supported; expected a file path (e.g. handshake.db), sqlite://FILE or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl {
        /// The URL given (with any password removed).
        url: String,
    },
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row does not decode into a valid value (the database was changed outside Handshake).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A value given to the store is invalid.
    #[error("{0}")]
    Invalid(String),
}
