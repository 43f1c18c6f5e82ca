//! Alert channels in the store, per workspace, so every server delivers to
//! the same places. The signing secret is never stored: only where to read
//! it (`file:PATH` or `env:VARIABLE`).

use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};

use crate::StoreError;
use crate::store::{Store, Workspace, on_pool};

type Row = (String, String, String, Option<String>, Option<String>);

fn decode((name, kind, url, secret, sender): Row) -> Result<Channel, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("channel {name:?}: {what}"));
    let target = match kind.as_str() {
        "webhook" => ChannelTarget::Webhook {
            url,
            secret: secret
                .as_deref()
                .ok_or_else(|| corrupt("a webhook without a secret source"))
                .and_then(|s| SecretSource::from_stored(s).map_err(|e| corrupt(&e.to_string())))?,
        },
        "slack" => ChannelTarget::Slack { url },
        "log" => ChannelTarget::Log,
        "email" => ChannelTarget::Email {
            smtp: url,
            from: sender.ok_or_else(|| corrupt("an e-mail channel without a sender"))?,
            secret: secret
                .as_deref()
                .map(SecretSource::from_stored)
                .transpose()
                .map_err(|e| corrupt(&e.to_string()))?,
        },
        other => return Err(corrupt(&format!("kind {other:?}"))),
    };
    Ok(Channel {
        name: ChannelName::parse(&name).map_err(|e| corrupt(&e.to_string()))?,
        target,
    })
}

impl Store {
    /// Adds a channel to the workspace at `now` (unix seconds).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the workspace has a channel of that
    /// name already; [`StoreError::Database`].
    pub async fn add_channel(
        &self,
        ws: &Workspace,
        channel: &Channel,
        now: i64,
    ) -> Result<(), StoreError> {
        let (secret, sender) = match &channel.target {
            ChannelTarget::Webhook { secret, .. } => (Some(secret.stored()), None),
            ChannelTarget::Email { from, secret, .. } => (
                secret.as_ref().map(SecretSource::stored),
                Some(from.as_str()),
            ),
            ChannelTarget::Slack { .. } | ChannelTarget::Log => (None, None),
        };
        let added = on_pool!(self, pool => sqlx::query(
            "INSERT INTO channels (workspace, name, kind, url, secret_source, created_at, sender) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace, name) DO NOTHING",
        )
        .bind(ws.as_str())
        .bind(channel.name.as_str())
        .bind(channel.target.kind())
        .bind(channel.target.url())
        .bind(secret)
        .bind(now)
        .bind(sender)
        .execute(pool)
        .await?
        .rows_affected());
        if added == 0 {
            return Err(StoreError::Invalid(format!(
                "workspace \"{}\" has a channel named \"{}\" already; remove it first or pick another name",
                ws.as_str(),
                channel.name
            )));
        }
        Ok(())
    }

    /// The workspace's channels, by name.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer reads.
    pub async fn channels(&self, ws: &Workspace) -> Result<Vec<Channel>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT name, kind, url, secret_source, sender FROM channels WHERE workspace = $1 ORDER BY name",
        ).bind(ws.as_str()).fetch_all(pool).await?);
        rows.into_iter().map(decode).collect()
    }

    /// One channel by name.
    ///
    /// # Errors
    /// As [`Store::channels`].
    pub async fn channel(
        &self,
        ws: &Workspace,
        name: &ChannelName,
    ) -> Result<Option<Channel>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT name, kind, url, secret_source, sender FROM channels WHERE workspace = $1 AND name = $2",
        ).bind(ws.as_str()).bind(name.as_str()).fetch_optional(pool).await?);
        row.map(decode).transpose()
    }

    /// Removes a channel; whether there was one.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn remove_channel(
        &self,
        ws: &Workspace,
        name: &ChannelName,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => sqlx::query("DELETE FROM channels WHERE workspace = $1 AND name = $2")
            .bind(ws.as_str()).bind(name.as_str()).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}
