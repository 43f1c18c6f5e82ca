//! API tokens in the store: create, verify, list, revoke. Nothing here is
//! cached: every check reads the token's row (one primary-key lookup), so a
//! revocation holds on every server sharing the database at the next request.

use std::sync::LazyLock;

use crate::StoreError;
use crate::secrets::{Check, NewToken, TokenSecret, check, fast_hash, verify_legacy};
use crate::store::{Store, Workspace, from_nanos, now_nanos, on_pool};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenRole {
    /// Everything, including managing the workspace's tokens.
    Admin,
    /// Everything but managing tokens: send events, read reports, sign in.
    Member,
}

impl TokenRole {
    /// `admin` or `member`, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Admin => "admin",
            TokenRole::Member => "member",
        }
    }

    /// Parses `admin` or `member`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the two roles.
    pub fn parse(text: &str) -> Result<TokenRole, StoreError> {
        match text {
            "admin" => Ok(TokenRole::Admin),
            "member" => Ok(TokenRole::Member),
            other => Err(StoreError::Invalid(format!(
                "role {other:?} is not known; expected admin or member"
            ))),
        }
    }
}

/// A token's public facts (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its public id.
    pub id: String,
    /// The workspace it acts in.
    pub workspace: Workspace,
    /// Its name, e.g. "hubspot-webhook".
    pub name: String,
    /// What it may do.
    pub role: TokenRole,
    /// When it was made.
    pub created_at: jiff::Timestamp,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<jiff::Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<jiff::Timestamp>,
}

impl TokenInfo {
    /// Whether it works at `now`: not revoked and not expired.
    pub fn active(&self, now: jiff::Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// Legacy argon2 checks take 19 MiB each: one at a time, whatever the load.
static LEGACY: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| tokio::sync::Semaphore::new(1));

type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

const COLUMNS: &str = "id, workspace, name, secret_hash, role, created_at, expires_at, revoked_at";

fn info(row: TokenRow) -> Result<(TokenInfo, String), StoreError> {
    let (id, workspace, name, hash, role, created, expires, revoked) = row;
    Ok((
        TokenInfo {
            id,
            workspace: Workspace(workspace),
            name,
            role: TokenRole::parse(&role)
                .map_err(|e| StoreError::Corrupt(format!("stored token: {e}")))?,
            created_at: from_nanos(created),
            expires_at: expires.map(from_nanos),
            revoked_at: revoked.map(from_nanos),
        },
        hash,
    ))
}

impl Store {
    /// Creates an API token for the workspace; the secret is returned once
    /// and stored only hashed.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Invalid`] without randomness.
    pub async fn create_token(
        &self,
        ws: &Workspace,
        name: &str,
        role: TokenRole,
        expires_at: Option<jiff::Timestamp>,
    ) -> Result<TokenSecret, StoreError> {
        let new = NewToken::generate()?;
        let expires = expires_at.map(crate::rows::nanos);
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO tokens (id, workspace, name, secret_hash, created_at, role, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&new.token.id).bind(ws.as_str()).bind(name).bind(&new.hash).bind(now_nanos()).bind(role.as_str()).bind(expires)
                .execute(pool).await?;
        });
        Ok(new.token)
    }

    async fn token_row(&self, id: &str) -> Result<Option<(TokenInfo, String)>, StoreError> {
        // Built from constant column names only; the id is bound.
        let sql = format!("SELECT {COLUMNS} FROM tokens WHERE id = $1");
        let row: Option<TokenRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?);
        row.map(info).transpose()
    }

    /// The token's facts when `token` is valid at `now` (its secret matches,
    /// it is not revoked and not expired), else `None`. Takes as long for an
    /// id that does not exist as for a wrong secret.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn verify_token(
        &self,
        token: &TokenSecret,
        now: jiff::Timestamp,
    ) -> Result<Option<TokenInfo>, StoreError> {
        let row = self.token_row(&token.id).await?;
        let ok = match check(&token.secret, row.as_ref().map(|(_, h)| h.as_str())) {
            Check::Done(ok) => ok,
            Check::Legacy => {
                let Some((_, hash)) = row.as_ref() else {
                    return Ok(None);
                };
                let _one = LEGACY
                    .acquire()
                    .await
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                let (secret, hash) = (token.secret.clone(), hash.clone());
                let ok = tokio::task::spawn_blocking(move || verify_legacy(&secret, &hash))
                    .await
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                if ok {
                    // Upgrade to the fast hash so the next check costs nothing.
                    on_pool!(self, pool => {
                        sqlx::query("UPDATE tokens SET secret_hash = $1 WHERE id = $2")
                            .bind(fast_hash(&token.secret)).bind(&token.id).execute(pool).await?;
                    });
                }
                ok
            }
        };
        Ok(row
            .map(|(info, _)| info)
            .filter(|info| ok && info.active(now)))
    }

    /// The token with this id when it works at `now` (for sessions opened
    /// with it: they end when it is revoked or expires).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn active_token(
        &self,
        id: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<TokenInfo>, StoreError> {
        Ok(self
            .token_row(id)
            .await?
            .map(|(info, _)| info)
            .filter(|info| info.active(now)))
    }

    /// Every token of the workspace, revoked and expired ones included, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list_tokens(&self, ws: &Workspace) -> Result<Vec<TokenInfo>, StoreError> {
        // Built from constant column names only; the workspace is bound.
        let sql =
            format!("SELECT {COLUMNS} FROM tokens WHERE workspace = $1 ORDER BY created_at, id");
        let rows: Vec<TokenRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(ws.as_str()).fetch_all(pool).await?);
        rows.into_iter().map(|r| info(r).map(|(i, _)| i)).collect()
    }

    /// Revokes the workspace's token `id` at `now`; `false` when the
    /// workspace has no such token. Revoking twice keeps the first instant.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn revoke_token(
        &self,
        ws: &Workspace,
        id: &str,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => sqlx::query("UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE workspace = $2 AND id = $3")
            .bind(crate::rows::nanos(now)).bind(ws.as_str()).bind(id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}
