//! The notification outbox: notifications exist once per (workspace, key),
//! however many servers decide to send them; workers on any server claim
//! the due ones for a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one
//! atomic statement on SQLite), so two never deliver the same one at once
//! and one that dies mid-delivery leaves it to be claimed again when the
//! lease ends. Each keeps its delivery id across retries. The notifications
//! of a suspended channel are not claimed: they wait, shown, until it is
//! resumed.

use handshake_core::alerts::message::Notice;
use handshake_core::alerts::pacing::SuspendRule;

use crate::StoreError;
use crate::secrets::random_hex;
use crate::store::{Store, Workspace, on_pool};

/// A notification to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotification {
    /// What it is about, unique in the workspace: e.g.
    /// `clock:enterprise-first-touch:L-1:1800000000:step-1`.
    pub key: String,
    /// The channel it goes to.
    pub channel: String,
    /// Its `Handshake-Event` kind.
    pub kind: String,
    /// The JSON body, as sent.
    pub body: String,
    /// The instant it should be sent (unix seconds).
    pub due_at: i64,
    /// The lead or request it is about, for its timeline.
    pub subject: Option<String>,
    /// What it says to whom, in one line, for its timeline.
    pub summary: Option<String>,
}

impl From<Notice> for NewNotification {
    fn from(n: Notice) -> NewNotification {
        NewNotification {
            key: n.key,
            channel: n.channel,
            kind: n.kind,
            body: n.body,
            due_at: n.due_at,
            subject: Some(n.subject),
            summary: Some(n.summary),
        }
    }
}

/// Where a notification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationState {
    /// Not delivered yet: waiting for its instant or its next attempt.
    Pending,
    /// A receiver accepted it.
    Delivered,
    /// Given up on (tried for a day, or refused for good); shown, not retried.
    Failed,
}

impl NotificationState {
    fn as_str(self) -> &'static str {
        match self {
            NotificationState::Pending => "pending",
            NotificationState::Delivered => "delivered",
            NotificationState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<NotificationState, StoreError> {
        match text {
            "pending" => Ok(NotificationState::Pending),
            "delivered" => Ok(NotificationState::Delivered),
            "failed" => Ok(NotificationState::Failed),
            other => Err(StoreError::Corrupt(format!("notification state {other:?}"))),
        }
    }
}

/// A stored notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// Its workspace.
    pub workspace: String,
    /// What it is about.
    pub key: String,
    /// Its delivery id: the same on every attempt.
    pub delivery_id: String,
    /// The channel it goes to.
    pub channel: String,
    /// Its kind.
    pub kind: String,
    /// The JSON body.
    pub body: String,
    /// When it was due (unix seconds).
    pub due_at: i64,
    /// Where it stands.
    pub state: NotificationState,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it may be tried next (unix seconds).
    pub next_attempt_at: i64,
    /// The last answer's HTTP status, if one came.
    pub last_status: Option<i64>,
    /// The last answer's body, or why no answer came.
    pub last_answer: Option<String>,
    /// When a receiver accepted it.
    pub delivered_at: Option<i64>,
    /// The lead or request it is about.
    pub subject: Option<String>,
    /// What it says to whom, in one line.
    pub summary: Option<String>,
}

/// What an attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (a 2xx answer).
    Delivered {
        /// The status.
        status: i64,
        /// The start of the answer.
        answer: String,
    },
    /// Not accepted; try again at `at`.
    Retry {
        /// The status, when the receiver answered.
        status: Option<i64>,
        /// The answer or why none came.
        answer: String,
        /// The next attempt (unix seconds).
        at: i64,
    },
    /// Not attempted: the channel's rate limit is used up; tried at `at`
    /// (the next window) without counting as an attempt.
    Deferred {
        /// When it may go (unix seconds).
        at: i64,
    },
    /// Not accepted, and no more attempts.
    Failed {
        /// The status, when the receiver answered.
        status: Option<i64>,
        /// The answer or why none came.
        answer: String,
    },
}

/// The columns a [`Row`] reads, as a literal for `concat!` (sqlx takes only
/// static SQL text).
macro_rules! columns {
    () => {
        "workspace, key, delivery_id, channel, kind, body, due_at, state, attempts, next_attempt_at, last_status, last_answer, delivered_at, subject, summary"
    };
}

/// The due pending rows no claim holds, of channels not suspended.
macro_rules! due {
    () => {
        "FROM notifications WHERE state = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) AND NOT EXISTS (SELECT 1 FROM channels c WHERE c.workspace = notifications.workspace AND c.name = notifications.channel AND c.suspended_at IS NOT NULL)"
    };
}

/// The due rows a claim takes, oldest first.
macro_rules! pick {
    () => {
        concat!(
            "SELECT workspace, key ",
            due!(),
            " ORDER BY next_attempt_at LIMIT $3"
        )
    };
}

/// What one claim's attempts came to for one channel: its health moves
/// with them (refusals in a row suspend it; one acceptance clears them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelTally<'a> {
    /// The workspace.
    pub workspace: &'a str,
    /// The channel's name.
    pub channel: &'a str,
    /// Attempts the receiver accepted.
    pub accepted: i64,
    /// Attempts the receiver refused or that did not reach it.
    pub refused: i64,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn decode(r: Row) -> Result<Notification, StoreError> {
    Ok(Notification {
        workspace: r.0,
        key: r.1,
        delivery_id: r.2,
        channel: r.3,
        kind: r.4,
        body: r.5,
        due_at: r.6,
        state: NotificationState::parse(&r.7)?,
        attempts: r.8,
        next_attempt_at: r.9,
        last_status: r.10,
        last_answer: r.11,
        delivered_at: r.12,
        subject: r.13,
        summary: r.14,
    })
}

impl Store {
    /// Adds notifications at `now`; a key the workspace has already is left
    /// as it is (a notification exists once). How many were new.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Invalid`] without randomness
    /// for delivery ids.
    pub async fn enqueue_notifications(
        &self,
        ws: &Workspace,
        list: &[NewNotification],
        now: i64,
    ) -> Result<u64, StoreError> {
        self.enqueue(ws, list, now, None).await
    }

    /// Adds the notifications of the alert steps that fell up to `up_to`
    /// (unix seconds) and moves the workspace's alert mark there, in one
    /// transaction: the decision and what it decided are stored together
    /// (the mark never moves back). How many notifications were new.
    ///
    /// # Errors
    /// As [`Store::enqueue_notifications`].
    pub async fn enqueue_alerts(
        &self,
        ws: &Workspace,
        list: &[NewNotification],
        now: i64,
        up_to: i64,
    ) -> Result<u64, StoreError> {
        self.enqueue(ws, list, now, Some(up_to)).await
    }

    /// How far the workspace's alert steps are in the outbox (unix
    /// seconds); `None` before the first look.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn alerts_up_to(&self, ws: &Workspace) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "SELECT up_to FROM alert_marks WHERE workspace = $1",
        ).bind(ws.as_str()).fetch_optional(pool).await?))
    }

    async fn enqueue(
        &self,
        ws: &Workspace,
        list: &[NewNotification],
        now: i64,
        up_to: Option<i64>,
    ) -> Result<u64, StoreError> {
        let sql = "INSERT INTO notifications (workspace, key, delivery_id, channel, kind, body, due_at, state, attempts, next_attempt_at, created_at, subject, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $7, $8, $9, $10) ON CONFLICT (workspace, key) DO NOTHING";
        let mark = "INSERT INTO alert_marks (workspace, up_to) VALUES ($1, $2) ON CONFLICT (workspace) DO UPDATE SET up_to = CASE WHEN excluded.up_to > alert_marks.up_to THEN excluded.up_to ELSE alert_marks.up_to END";
        let mut added = 0;
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Some(t) = up_to {
                sqlx::query(mark).bind(ws.as_str()).bind(t).execute(&mut *tx).await?;
            }
            for n in list {
                added += sqlx::query(sql)
                    .bind(ws.as_str())
                    .bind(&n.key)
                    .bind(random_hex(16)?)
                    .bind(&n.channel)
                    .bind(&n.kind)
                    .bind(&n.body)
                    .bind(n.due_at)
                    .bind(now)
                    .bind(&n.subject)
                    .bind(&n.summary)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(added)
    }

    /// The pending notifications of every workspace: how many, and the
    /// earliest instant one of them was due (unix seconds), for the
    /// outbox's depth and age.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn outbox_depth(&self) -> Result<(i64, Option<i64>), StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*), MIN(due_at) FROM notifications WHERE state = 'pending'",
        ).fetch_one(pool).await?))
    }

    /// Claims up to `limit` pending notifications due at `now`, of every
    /// workspace, for `lease` seconds: no other claim gets them until the
    /// lease ends or their outcome is recorded.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer reads.
    pub async fn claim_notifications(
        &self,
        now: i64,
        lease: i64,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        // A read first, taking no write lock: an idle outbox (the usual
        // case, looked at every second) never queues behind writers.
        let due: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            concat!("SELECT CAST(1 AS BIGINT) ", due!(), " LIMIT 1"),
        ).bind(now).fetch_optional(pool).await?);
        if due.is_none() {
            return Ok(Vec::new());
        }
        // PostgreSQL skips the rows another server's claim holds; SQLite
        // runs the statement alone.
        let sql = match self {
            Store::Sqlite(..) => concat!(
                "UPDATE notifications SET claimed_until = $1 + $2 WHERE (workspace, key) IN (",
                pick!(),
                ") RETURNING ",
                columns!()
            ),
            Store::Postgres(_) => concat!(
                "UPDATE notifications SET claimed_until = $1 + $2 WHERE (workspace, key) IN (",
                pick!(),
                " FOR UPDATE SKIP LOCKED) RETURNING ",
                columns!()
            ),
        };
        let _turn = self.write_turn().await;
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(now)
            .bind(lease)
            .bind(limit)
            .fetch_all(pool)
            .await?);
        let mut out: Vec<Notification> = rows.into_iter().map(decode).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| {
            (a.next_attempt_at, &a.workspace, &a.key).cmp(&(
                b.next_attempt_at,
                &b.workspace,
                &b.key,
            ))
        });
        Ok(out)
    }

    /// Records an attempt's outcome at `now` and releases the claim.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn record_delivery(
        &self,
        workspace: &str,
        key: &str,
        outcome: &Outcome,
        now: i64,
    ) -> Result<(), StoreError> {
        self.record_deliveries(
            &[(workspace, key, outcome)],
            &[],
            SuspendRule::default(),
            now,
        )
        .await
    }

    /// [`Store::record_delivery`] for several at once, in one transaction
    /// (a worker's whole claim): one write turn, not one per notification.
    /// Each channel's health moves with its `tallies`: a channel with an
    /// accepted attempt has its failures cleared; one with only refusals
    /// counts them, and is suspended once `rule` says so.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn record_deliveries(
        &self,
        list: &[(&str, &str, &Outcome)],
        tallies: &[ChannelTally<'_>],
        rule: SuspendRule,
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE notifications SET state = $3, attempts = attempts + 1, last_status = $4, last_answer = $5, next_attempt_at = $6, delivered_at = $7, claimed_until = NULL WHERE workspace = $1 AND key = $2";
        let deferred = "UPDATE notifications SET next_attempt_at = $3, claimed_until = NULL WHERE workspace = $1 AND key = $2";
        let healthy = "UPDATE channels SET failures = 0, failing_since = NULL WHERE workspace = $1 AND name = $2 AND failures > 0";
        // `SuspendRule::suspends` on the counts after this claim's refusals.
        let failing = "UPDATE channels SET failures = failures + $3, failing_since = COALESCE(failing_since, $4), suspended_at = CASE WHEN suspended_at IS NULL AND failures + $3 >= $5 AND $4 - COALESCE(failing_since, $4) >= $6 THEN $4 ELSE suspended_at END WHERE workspace = $1 AND name = $2";
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (workspace, key, outcome) in list {
                if let Outcome::Deferred { at } = outcome {
                    sqlx::query(deferred).bind(*workspace).bind(*key).bind(*at).execute(&mut *tx).await?;
                    continue;
                }
                let (state, status, answer, next, delivered) = match outcome {
                    Outcome::Delivered { status, answer } => (
                        NotificationState::Delivered,
                        Some(*status),
                        answer.as_str(),
                        now,
                        Some(now),
                    ),
                    Outcome::Retry { status, answer, at } => {
                        (NotificationState::Pending, *status, answer.as_str(), *at, None)
                    }
                    Outcome::Failed { status, answer } => {
                        (NotificationState::Failed, *status, answer.as_str(), now, None)
                    }
                    Outcome::Deferred { .. } => continue,
                };
                sqlx::query(sql)
                    .bind(*workspace)
                    .bind(*key)
                    .bind(state.as_str())
                    .bind(status)
                    .bind(answer)
                    .bind(next)
                    .bind(delivered)
                    .execute(&mut *tx)
                    .await?;
            }
            for t in tallies {
                if t.accepted > 0 {
                    sqlx::query(healthy).bind(t.workspace).bind(t.channel).execute(&mut *tx).await?;
                } else if t.refused > 0 {
                    sqlx::query(failing)
                        .bind(t.workspace)
                        .bind(t.channel)
                        .bind(t.refused)
                        .bind(now)
                        .bind(rule.failures)
                        .bind(rule.failing_for)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Tries a failed (or waiting) notification again at `now`, under its
    /// delivery id: once more, and on the usual schedule while it is within
    /// a day of its due instant. Whether the workspace has one by that key
    /// that is not delivered.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn retry_notification(
        &self,
        ws: &Workspace,
        key: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let n = on_pool!(self, pool => sqlx::query(
            "UPDATE notifications SET state = 'pending', next_attempt_at = $3, claimed_until = NULL WHERE workspace = $1 AND key = $2 AND state <> 'delivered'",
        ).bind(ws.as_str()).bind(key).bind(now).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// The workspace's notifications, the most recently due first.
    ///
    /// # Errors
    /// As [`Store::claim_notifications`].
    pub async fn notifications(
        &self,
        ws: &Workspace,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM notifications WHERE workspace = $1 ORDER BY due_at DESC, key LIMIT $2"
        )).bind(ws.as_str()).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(decode).collect()
    }

    /// The notifications about one lead or request, in the order they fell
    /// due (at most `limit`, the latest), for its timeline.
    ///
    /// # Errors
    /// As [`Store::claim_notifications`].
    pub async fn notifications_about(
        &self,
        ws: &Workspace,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM notifications WHERE workspace = $1 AND subject = $2 ORDER BY due_at DESC, key LIMIT $3"
        )).bind(ws.as_str()).bind(subject).bind(limit).fetch_all(pool).await?);
        let mut list: Vec<Notification> = rows.into_iter().map(decode).collect::<Result<_, _>>()?;
        list.reverse();
        Ok(list)
    }
}
