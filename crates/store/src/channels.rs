//! Alert channels in the store, per workspace, so every server delivers to
//! the same places. The signing secret is never stored: only where to read
//! it (`file:PATH` or `env:VARIABLE`). Each channel's rate limit and
//! health (failures in a row, suspension) live here too, so every server
//! sends within one limit and skips one suspended channel.

use handshake_core::alerts::pacing::{granted, window_start};
use handshake_core::alerts::{Channel, ChannelName, ChannelTarget, SecretSource};

use crate::StoreError;
use crate::store::{Store, Workspace, on_pool};

type Row = (String, String, String, Option<String>, Option<String>);
/// name, per_minute, failures, failing_since, suspended_at.
type HealthRow = (String, Option<i64>, i64, Option<i64>, Option<i64>);

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

    /// Sets a channel's rate limit (sends per minute; `None` for none);
    /// whether the workspace has the channel.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn set_channel_pace(
        &self,
        ws: &Workspace,
        name: &ChannelName,
        per_minute: Option<i64>,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => sqlx::query("UPDATE channels SET per_minute = $3 WHERE workspace = $1 AND name = $2")
            .bind(ws.as_str()).bind(name.as_str()).bind(per_minute).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// How many of `want` sends to a channel may go at `now` under its rate
    /// limit (all of them without one), counted with every other server's
    /// in the current one-minute window.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn take_sends(
        &self,
        workspace: &str,
        channel: &str,
        want: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let window = window_start(now);
        let _turn = self.write_turn().await;
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "UPDATE channels SET window_used = (CASE WHEN window_start = $3 THEN window_used ELSE 0 END) + $4, window_start = $3 WHERE workspace = $1 AND name = $2 AND per_minute IS NOT NULL RETURNING per_minute, window_used",
        ).bind(workspace).bind(channel).bind(window).bind(want).fetch_optional(pool).await?);
        Ok(row.map_or(want, |(limit, used)| granted(limit, used, want)))
    }

    /// Every channel's rate limit and health, by name.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn channel_health(&self, ws: &Workspace) -> Result<Vec<ChannelHealth>, StoreError> {
        let rows: Vec<HealthRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT name, per_minute, failures, failing_since, suspended_at FROM channels WHERE workspace = $1 ORDER BY name",
        ).bind(ws.as_str()).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(
                |(name, per_minute, failures, failing_since, suspended_at)| ChannelHealth {
                    name,
                    per_minute,
                    failures,
                    failing_since,
                    suspended_at,
                },
            )
            .collect())
    }

    /// Resumes a suspended channel (its waiting notifications are tried at
    /// once) and forgets its failures; whether the workspace has it.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn resume_channel(
        &self,
        ws: &Workspace,
        name: &ChannelName,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let n = on_pool!(self, pool => sqlx::query("UPDATE channels SET suspended_at = NULL, failures = 0, failing_since = NULL WHERE workspace = $1 AND name = $2")
            .bind(ws.as_str()).bind(name.as_str()).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}

/// A channel's rate limit and health.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelHealth {
    /// The channel's name.
    pub name: String,
    /// Its rate limit, sends per minute.
    pub per_minute: Option<i64>,
    /// Attempts refused since the last accepted one.
    pub failures: i64,
    /// When the first of those was (unix seconds).
    pub failing_since: Option<i64>,
    /// When it was suspended for failing (unix seconds).
    pub suspended_at: Option<i64>,
}
