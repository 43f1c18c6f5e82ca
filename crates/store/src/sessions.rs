//! Dashboard sessions in the store, so that a sign-in on one server is valid
//! on every server sharing the database, and a restart signs nobody out.
//! The cookie's value is a random secret kept only as its hash: a copy of
//! the database does not sign anyone in.
//!
//! (tower-sessions' sqlx store would be the usual choice; its releases link
//! sqlx 0.8, which cannot sit beside this crate's sqlx 0.9 in one build:
//! both bundle SQLite.)

use crate::StoreError;
use crate::secrets::{fast_hash, random_hex};
use crate::store::{Store, Workspace, on_pool};

/// A signed-in browser, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The workspace of the token that signed in.
    pub workspace: Workspace,
    /// The token's name, shown in the pages' header.
    pub name: String,
    /// The token's id: the session ends when that token is revoked or expires.
    pub token_id: String,
    /// The token every form of this session must carry.
    pub csrf: String,
}

/// A new session: the cookie value (given to the browser once, never
/// stored) and what it stands for.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie's value.
    pub cookie: String,
    /// The session.
    pub info: SessionInfo,
}

impl Store {
    /// Opens a session for `token_id` lasting until `expires_at` (whole
    /// seconds); expired sessions are swept at the same time.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] without a source of randomness; [`StoreError::Database`].
    pub async fn open_session(
        &self,
        ws: &Workspace,
        name: &str,
        token_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<NewSession, StoreError> {
        let cookie = random_hex(32)?;
        let csrf = random_hex(32)?;
        let hash = fast_hash(&cookie);
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?;
            sqlx::query("INSERT INTO sessions (id_hash, workspace, name, token_id, csrf, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&hash).bind(ws.as_str()).bind(name).bind(token_id).bind(&csrf).bind(expires_at)
                .execute(pool).await?;
        });
        Ok(NewSession {
            cookie,
            info: SessionInfo {
                workspace: ws.clone(),
                name: name.to_string(),
                token_id: token_id.to_string(),
                csrf,
            },
        })
    }

    /// The session a cookie value stands for, if it exists and has not
    /// expired at `now`.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a stored workspace that no longer parses.
    pub async fn session(&self, cookie: &str, now: i64) -> Result<Option<SessionInfo>, StoreError> {
        let hash = fast_hash(cookie);
        let row: Option<(String, String, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT workspace, name, token_id, csrf FROM sessions WHERE id_hash = $1 AND expires_at > $2",
        ).bind(&hash).bind(now).fetch_optional(pool).await?);
        row.map(|(ws, name, token_id, csrf)| {
            Ok(SessionInfo {
                workspace: Workspace::new(&ws)
                    .map_err(|_| StoreError::Corrupt(format!("session workspace {ws:?}")))?,
                name,
                token_id,
                csrf,
            })
        })
        .transpose()
    }

    /// Ends the session a cookie value stands for (nothing when there is none).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn close_session(&self, cookie: &str) -> Result<(), StoreError> {
        let hash = fast_hash(cookie);
        on_pool!(self, pool => { sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&hash).execute(pool).await?; });
        Ok(())
    }
}
