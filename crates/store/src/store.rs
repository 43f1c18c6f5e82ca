//! [`Store`]: one interface over the two back ends. Queries that read the
//! same on both are written once (SQLite accepts `$1` placeholders); bulk
//! event insertion has one implementation per back end (`sqlite.rs`,
//! `postgres.rs`), each a single transaction per batch.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use handshake_core::event::Event;
use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::rows::{COLUMNS, Row};
use crate::{StoreError, migrate};

/// A workspace (tenant): every row belongs to exactly one, and every query names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Workspace(pub(crate) String);

impl Workspace {
    /// A workspace name: 1 to 64 lowercase letters, digits, `-` or `_`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] saying what would be right.
    pub fn new(name: &str) -> Result<Workspace, StoreError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok {
            Ok(Workspace(name.to_string()))
        } else {
            Err(StoreError::Invalid(format!(
                "workspace {name:?} is not valid; expected 1 to 64 lowercase letters, digits, - or _"
            )))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What became of one event handed to [`Store::insert_events`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// New: stored.
    Accepted,
    /// Already stored with the same body: nothing done.
    Duplicate,
    /// Already stored with a different body under the same id: refused.
    Conflict,
}

/// What became of one event handed to [`Store::insert_versions`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Versioned {
    /// New: stored under its own id.
    Accepted,
    /// Its id was stored before with other values: stored as version N of
    /// it (`ID~N`, see `EventId::version`), which replaces the earlier ones.
    Corrected(u32),
    /// The latest version of its id already says the same: nothing done.
    Duplicate,
    /// It cannot be stored as a new version (its id would grow too long).
    Refused(String),
}

/// A position in a workspace's event cursor: "the events after this one".
/// Positions are ordered; [`Cursor::START`] comes before every event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// The storing transaction's id (PostgreSQL); 0 on SQLite.
    pub tx: i64,
    /// The event's number within the cursor.
    pub seq: i64,
}

impl Cursor {
    /// Before every event.
    pub const START: Cursor = Cursor { tx: 0, seq: 0 };

    fn from_pg(tx: &str, seq: i64) -> Result<Cursor, StoreError> {
        let tx = tx
            .parse::<i64>()
            .map_err(|_| StoreError::Corrupt(format!("transaction id {tx:?} is out of range")))?;
        Ok(Cursor { tx, seq })
    }
}

/// One stored version of an agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementVersion {
    /// 1, 2, 3, ... per workspace.
    pub version: i64,
    /// The agreement's name at that version.
    pub name: String,
    /// The file as applied.
    pub source: String,
    /// When it was applied.
    pub created_at: jiff::Timestamp,
}

/// The database: SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub enum Store {
    /// An SQLite file (WAL, synchronous=FULL), and the lock that makes this
    /// process's writes take turns (SQLite has one writer; waiting here is
    /// cheaper than SQLite's busy retries).
    Sqlite(SqlitePool, std::sync::Arc<tokio::sync::Mutex<()>>),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

/// Runs the same code on whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool, _) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Store {
    /// This process's turn to write, on SQLite (one writer: waiting here is
    /// cheaper than SQLite's busy retries); nothing to wait for on PostgreSQL.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self {
            Store::Sqlite(_, writer) => Some(writer.lock().await),
            Store::Postgres(_) => None,
        }
    }
}

/// The longest wait for a connection from the pool, or for SQLite's write lock.
pub const WAIT: Duration = Duration::from_secs(5);
/// The longest a PostgreSQL statement may run; a full replay of a large
/// workspace is one streamed statement, so this is generous, while waits for
/// a lock are held to [`WAIT`].
pub const STATEMENT: Duration = Duration::from_secs(120);

pub(crate) fn now_nanos() -> i64 {
    crate::rows::nanos(jiff::Timestamp::now())
}

pub(crate) fn from_nanos(n: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_nanosecond(i128::from(n)).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Decodes one `events` row (columns in [`crate::rows::COLUMNS`] order).
macro_rules! decode_row {
    ($r:expr) => {{
        let r = $r;
        (|| -> Result<Row, sqlx::Error> {
            Ok(Row {
                id: r.try_get(0)?,
                subject: r.try_get(1)?,
                kind: r.try_get(2)?,
                occurred_at: r.try_get(3)?,
                received_at: r.try_get(4)?,
                fingerprint: r.try_get(5)?,
                inferred: r.try_get(6)?,
                stage: r.try_get(7)?,
                owner: r.try_get(8)?,
                channel: r.try_get(9)?,
                actor: r.try_get(10)?,
                automated: r.try_get(11)?,
                reason: r.try_get(12)?,
                activity: r.try_get(13)?,
                amount_minor: r.try_get(14)?,
                currency: r.try_get(15)?,
                source: r.try_get(16)?,
                segment: r.try_get(17)?,
                persona: r.try_get(18)?,
                score: r.try_get(19)?,
                email: r.try_get(20)?,
                company: r.try_get(21)?,
                extra: r.try_get(22)?,
                req_from: r.try_get(23)?,
                req_to: r.try_get(24)?,
                req_kind: r.try_get(25)?,
                until_at: r.try_get(26)?,
                seq: 0,
            })
        })()
    }};
}

/// The column [`Store::events_where_in`] matches against.
#[derive(Clone, Copy)]
enum Key {
    Id,
    Subject,
}

/// Rows in subject order, grouped into one subject's events at a time.
#[derive(Default)]
pub(crate) struct Grouper {
    subject: String,
    events: Vec<Event>,
}

impl Grouper {
    /// Adds a row; hands the previous subject's events to `f` when this one
    /// starts another.
    pub(crate) fn push(
        &mut self,
        row: Row,
        f: &mut dyn FnMut(String, Vec<Event>),
    ) -> Result<(), StoreError> {
        if row.subject != self.subject {
            self.finish(f);
            self.subject.clone_from(&row.subject);
        }
        self.events.push(row.into_event()?);
        Ok(())
    }

    /// Hands over the last subject's events.
    pub(crate) fn finish(&mut self, f: &mut dyn FnMut(String, Vec<Event>)) {
        if !self.events.is_empty() {
            f(
                std::mem::take(&mut self.subject),
                std::mem::take(&mut self.events),
            );
        }
    }
}

/// The file of an SQLite pool, unless it is in memory.
fn on_disk(pool: &SqlitePool) -> Option<std::path::PathBuf> {
    let name = pool.connect_options().get_filename().to_path_buf();
    let text = name.to_string_lossy();
    (!text.is_empty() && !text.contains(":memory:") && name.exists()).then_some(name)
}

/// Creates the SQLite file readable by its owner only (0600) when it does
/// not exist yet: it holds the leads' personal data and token hashes.
/// SQLite gives its -wal and -shm files the same permissions.
fn private_file(path: &std::path::Path) -> Result<(), StoreError> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    match open.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Invalid(format!(
            "cannot create the database file {}: {e}{}",
            path.display(),
            match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => format!(
                    "; the directory {} does not exist: create it first",
                    dir.display()
                ),
                _ => String::new(),
            }
        ))),
    }
}

impl Store {
    /// Connects and brings the schema up to date. A file path
    /// (`handshake.db`, `./data/x.db`) or `sqlite://FILE` (created if
    /// missing), `sqlite::memory:`, or `postgres://...`.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`] for other URLs; [`StoreError::Invalid`]
    /// for a file that cannot be created (its directory missing, say);
    /// [`StoreError::Database`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        // A plain path is an SQLite file, as people write it.
        let path = !url.is_empty()
            && !url.contains("://")
            && !["sqlite:", "postgres:", "postgresql:"]
                .iter()
                .any(|s| url.starts_with(s));
        let store = if url.starts_with("sqlite:") || path {
            let options = if path {
                SqliteConnectOptions::new().filename(url)
            } else {
                SqliteConnectOptions::from_str(url)?
            };
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(WAIT)
                .foreign_keys(true);
            if !url.contains(":memory:") {
                private_file(options.get_filename())?;
            }
            // An in-memory database lives in one connection.
            let max = if url.contains(":memory:") { 1 } else { 4 };
            Store::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(max)
                    .acquire_timeout(WAIT)
                    .connect_with(options)
                    .await?,
                std::sync::Arc::default(),
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // A stalled database costs a request at most WAIT for a
            // connection or a lock, never the whole stall.
            let statement = format!("{}ms", STATEMENT.as_millis());
            let lock = format!("{}ms", WAIT.as_millis());
            let options = PgConnectOptions::from_str(url)?.options([
                ("statement_timeout", statement.as_str()),
                ("lock_timeout", lock.as_str()),
            ]);
            Store::Postgres(
                PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(WAIT)
                    .connect_with(options)
                    .await?,
            )
        } else {
            let shown = url.split('@').next_back().unwrap_or(url);
            return Err(StoreError::UnsupportedUrl {
                url: shown.to_string(),
            });
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Which back end: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(..) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        /// Applies the migrations of `$list` not yet in the ledger, in one transaction.
        macro_rules! apply {
            ($pool:expr, $list:expr, $lock:expr) => {{
                let mut tx = $pool.begin().await?;
                if let Some(lock) = $lock {
                    // Replicas starting together take turns.
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                sqlx::query(migrate::LEDGER).execute(&mut *tx).await?;
                for (version, sql) in $list {
                    let done: Option<i64> = sqlx::query_scalar(
                        "SELECT version FROM schema_migrations WHERE version = $1",
                    )
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if done.is_none() {
                        for statement in migrate::statements(sql) {
                            sqlx::query(sqlx::AssertSqlSafe(statement))
                                .execute(&mut *tx)
                                .await?;
                        }
                        sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                            .bind(version)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
            }};
        }
        match self {
            Store::Sqlite(pool, _) => apply!(pool, migrate::SQLITE, None::<&'static str>),
            Store::Postgres(pool) => apply!(
                pool,
                migrate::POSTGRES,
                Some("SELECT pg_advisory_xact_lock(7262001)")
            ),
        }
        Ok(())
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => { sqlx::query("SELECT 1").execute(pool).await?; });
        Ok(())
    }

    /// Whether the database takes a write now (for `/readyz`): one small
    /// committed write, so a locked, read-only or full database is not ready.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the write fails or times out.
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        let sql = "INSERT INTO readiness (id, checked_at) VALUES (1, $1) \
                   ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
        on_pool!(self, pool => { sqlx::query(sql).bind(now_nanos()).execute(pool).await?; });
        Ok(())
    }

    /// Stores a batch of events in one transaction: each is accepted, a
    /// duplicate (same id, same body: nothing done) or a conflict (same id,
    /// different body: refused). The answer has one entry per input, in order.
    ///
    /// # Errors
    /// [`StoreError::Database`]; then nothing of the batch is stored.
    pub async fn insert_events(
        &self,
        ws: &Workspace,
        events: &[Event],
    ) -> Result<Vec<Inserted>, StoreError> {
        // The first occurrence of each id goes to the database; repeats inside
        // the batch are compared with whatever body ends up stored.
        let mut first: HashMap<&str, &Event> = HashMap::with_capacity(events.len());
        let mut rows = Vec::with_capacity(events.len());
        let received = now_nanos();
        for e in events {
            if !first.contains_key(e.id.as_str()) {
                rows.push(Row::from_event(e, received));
                first.insert(e.id.as_str(), e);
            }
        }
        // The fingerprints of the ids that were stored before this batch.
        let before: HashMap<String, i64> = match self {
            Store::Sqlite(pool, writer) => {
                let _turn = writer.lock().await;
                crate::sqlite::insert(pool, ws, &mut rows).await?
            }
            Store::Postgres(pool) => crate::postgres::insert(pool, ws, &rows).await?,
        };
        // A fingerprint that differs proves a conflict; one that matches is
        // only a hint (64 bits can collide), so those bodies are read back
        // and compared whole.
        let same_hint: Vec<&str> = events
            .iter()
            .filter(|e| before.get(e.id.as_str()) == Some(&e.fingerprint()))
            .map(|e| e.id.as_str())
            .collect::<std::collections::HashSet<&str>>()
            .into_iter()
            .collect();
        let stored = self.events_by_id(ws, &same_hint).await?;
        let mut seen: std::collections::HashSet<&str> =
            std::collections::HashSet::with_capacity(events.len());
        let outcome = events
            .iter()
            .map(|e| {
                let id = e.id.as_str();
                let first_time = seen.insert(id);
                if first_time && !before.contains_key(id) {
                    return Inserted::Accepted;
                }
                let body = if before.contains_key(id) {
                    stored.get(id)
                } else {
                    first.get(id).copied()
                };
                match body {
                    Some(b) if b.canonical_json() == e.canonical_json() => Inserted::Duplicate,
                    _ => Inserted::Conflict,
                }
            })
            .collect();
        Ok(outcome)
    }

    /// Stores a batch of events from a source that may correct what it said
    /// before (a CRM export imported again): an event whose id was stored
    /// with other values is stored as the next version of it (`ID~2`,
    /// `ID~3`, ...), which the engine takes instead of the earlier ones,
    /// all kept; one that says what the latest version says is a duplicate.
    /// So importing the same export twice creates nothing, a corrected
    /// date is taken, and a date corrected back is taken again.
    ///
    /// # Errors
    /// [`StoreError::Database`]; what earlier rounds stored stays stored.
    pub async fn insert_versions(
        &self,
        ws: &Workspace,
        events: &[Event],
    ) -> Result<Vec<Versioned>, StoreError> {
        use handshake_core::event::EventId;
        let mut out: Vec<Option<Versioned>> = vec![None; events.len()];
        // (position in `events`, version tried, the event under that version's id)
        let mut todo: Vec<(usize, u32, Event)> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (i, e.id.version().1, e.clone()))
            .collect();
        while !todo.is_empty() {
            let batch: Vec<Event> = todo.iter().map(|t| t.2.clone()).collect();
            let result = self.insert_events(ws, &batch).await?;
            let next = |e: &Event, n: u32| EventId::corrected(events_base(e), n + 1);
            // A duplicate of an earlier version is one only if no later
            // version says otherwise.
            let later: Vec<String> = todo
                .iter()
                .zip(&result)
                .filter(|(_, r)| **r == Inserted::Duplicate)
                .filter_map(|((_, n, e), _)| next(e, *n).ok().map(|id| id.to_string()))
                .collect();
            let refs: Vec<&str> = later.iter().map(String::as_str).collect();
            let existing = self.events_by_id(ws, &refs).await?;
            let mut again = Vec::new();
            for ((i, n, e), r) in todo.into_iter().zip(result) {
                let moves_on = match r {
                    Inserted::Accepted => {
                        out[i] = Some(if n == 1 {
                            Versioned::Accepted
                        } else {
                            Versioned::Corrected(n)
                        });
                        false
                    }
                    Inserted::Duplicate => match next(&e, n) {
                        Ok(id) if existing.contains_key(id.as_str()) => true,
                        _ => {
                            out[i] = Some(Versioned::Duplicate);
                            false
                        }
                    },
                    Inserted::Conflict => true,
                };
                if moves_on {
                    match next(&e, n) {
                        Ok(id) => again.push((i, n + 1, Event { id, ..e })),
                        Err(why) => out[i] = Some(Versioned::Refused(why)),
                    }
                }
            }
            todo = again;
        }
        Ok(out
            .into_iter()
            .map(|o| o.unwrap_or(Versioned::Duplicate))
            .collect())
    }

    /// The stored events with these ids, by id.
    async fn events_by_id(
        &self,
        ws: &Workspace,
        ids: &[&str],
    ) -> Result<HashMap<String, Event>, StoreError> {
        let events = self.events_where_in(ws, Key::Id, ids).await?;
        Ok(events.into_iter().map(|e| (e.id.to_string(), e)).collect())
    }

    /// The events of `ws` whose `key` column is one of `values` (bound, in
    /// chunks of 500), by subject then evaluation order.
    async fn events_where_in(
        &self,
        ws: &Workspace,
        key: Key,
        values: &[&str],
    ) -> Result<Vec<Event>, StoreError> {
        let column = match key {
            Key::Id => "id",
            Key::Subject => "subject",
        };
        let mut out = Vec::with_capacity(values.len());
        for chunk in values.chunks(500) {
            // Built from constant column names only; values are bound.
            let head = format!(
                "SELECT {} FROM events WHERE workspace = ",
                crate::rows::COLUMNS.join(", ")
            );
            let rows = on_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new(head);
                q.push_bind(ws.as_str()).push(format!(" AND {column} IN ("));
                let mut list = q.separated(", ");
                for v in chunk {
                    list.push_bind(*v);
                }
                q.push(") ORDER BY subject, occurred_at, id");
                let fetched = q.build().fetch_all(pool).await?;
                fetched.iter().map(|r| decode_row!(r)).collect::<Result<Vec<Row>, sqlx::Error>>()?
            });
            for row in rows {
                out.push(row.into_event()?);
            }
        }
        Ok(out)
    }

    /// A lead's (or request's) events, in evaluation order (occurred_at, id).
    pub async fn timeline(&self, ws: &Workspace, subject: &str) -> Result<Vec<Event>, StoreError> {
        // Built from constant column names only; values are bound.
        let sql = format!(
            "SELECT {} FROM events WHERE workspace = $1 AND subject = $2 ORDER BY occurred_at, id",
            crate::rows::COLUMNS.join(", ")
        );
        let rows = on_pool!(self, pool => {
            let fetched = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(ws.as_str()).bind(subject).fetch_all(pool).await?;
            fetched.iter().map(|r| decode_row!(r)).collect::<Result<Vec<Row>, sqlx::Error>>()?
        });
        rows.into_iter().map(Row::into_event).collect()
    }

    /// Every event of the workspace, by subject then evaluation order.
    pub async fn all_events(&self, ws: &Workspace) -> Result<Vec<Event>, StoreError> {
        // Built from constant column names only; values are bound.
        // Read in the table's own order (a sequential scan of the workspace's
        // rows, where the subject index would cost one lookup per row), then sort.
        let sql = format!(
            "SELECT {} FROM events WHERE workspace = $1",
            crate::rows::COLUMNS.join(", ")
        );
        // Streamed and decoded row by row: holding every raw row at once and
        // then freeing them together leaves the allocator with millions of
        // free fragments that a later request pays to sort out.
        let mut rows: Vec<Row> = Vec::new();
        if let Store::Sqlite(pool, _) = self
            && let Some(path) = on_disk(pool)
        {
            let workspace = ws.as_str().to_string();
            rows = tokio::task::spawn_blocking(move || crate::bulk::read_all(&path, &workspace))
                .await
                .map_err(|e| StoreError::Invalid(format!("reading the events stopped: {e}")))??;
        } else {
            on_pool!(self, pool => {
                let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(ws.as_str()).fetch(pool);
                while let Some(r) = futures_util::TryStreamExt::try_next(&mut stream).await? {
                    rows.push(decode_row!(&r)?);
                }
            });
        }
        rows.sort_unstable_by(|a, b| {
            (a.subject.as_str(), a.occurred_at, a.id.as_str()).cmp(&(
                b.subject.as_str(),
                b.occurred_at,
                b.id.as_str(),
            ))
        });
        rows.into_iter().map(Row::into_event).collect()
    }

    /// The cursor's end: the position of the latest event the workspace
    /// holds now ([`Cursor::START`] when none).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn cursor_end(&self, ws: &Workspace) -> Result<Cursor, StoreError> {
        match self {
            Store::Sqlite(pool, _) => {
                let n: Option<i64> =
                    sqlx::query_scalar("SELECT last_seq FROM event_counters WHERE workspace = $1")
                        .bind(ws.as_str())
                        .fetch_optional(pool)
                        .await?;
                Ok(Cursor {
                    tx: 0,
                    seq: n.unwrap_or(0),
                })
            }
            Store::Postgres(pool) => {
                let row: Option<(String, i64)> = sqlx::query_as(
                    "SELECT tx::text, seq FROM events WHERE workspace = $1 ORDER BY tx DESC, seq DESC LIMIT 1",
                )
                .bind(ws.as_str())
                .fetch_optional(pool)
                .await?;
                row.map_or(Ok(Cursor::START), |(tx, seq)| Cursor::from_pg(&tx, seq))
            }
        }
    }

    /// Up to `limit` events stored after cursor position `after`, with their
    /// positions, in cursor order. Reading on from the last position returned
    /// never skips an event: on SQLite a batch's positions are handed out
    /// while it holds the write lock, so a batch that commits later has
    /// higher ones; on PostgreSQL only events of transactions older than
    /// every one still running are read, in (transaction, sequence) order,
    /// so one that commits late sorts after everything read before it.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer decodes.
    pub async fn events_after(
        &self,
        ws: &Workspace,
        after: Cursor,
        limit: u32,
    ) -> Result<Vec<(Cursor, Event)>, StoreError> {
        let columns = crate::rows::COLUMNS.join(", ");
        let rows: Vec<(Row, Cursor)> = match self {
            Store::Sqlite(pool, _) => {
                // Built from constant column names only; values are bound.
                let sql = format!(
                    "SELECT {columns}, seq FROM events WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                );
                let fetched = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(ws.as_str())
                    .bind(after.seq)
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await?;
                fetched
                    .iter()
                    .map(|r| {
                        Ok((
                            decode_row!(r)?,
                            Cursor {
                                tx: 0,
                                seq: r.try_get(COLUMNS.len())?,
                            },
                        ))
                    })
                    .collect::<Result<_, sqlx::Error>>()?
            }
            Store::Postgres(pool) => {
                // Built from constant column names only; values are bound.
                let sql = format!(
                    "SELECT {columns}, tx::text, seq FROM events WHERE workspace = $1 \
                     AND (tx, seq) > ($2::text::xid8, $3) \
                     AND tx < pg_snapshot_xmin(pg_current_snapshot()) \
                     ORDER BY tx, seq LIMIT $4"
                );
                let fetched = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(ws.as_str())
                    .bind(after.tx.to_string())
                    .bind(after.seq)
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await?;
                let mut out = Vec::with_capacity(fetched.len());
                for r in &fetched {
                    // After the columns: the transaction, then the sequence.
                    let tx: String = r.try_get(COLUMNS.len())?;
                    out.push((
                        decode_row!(r)?,
                        Cursor::from_pg(&tx, r.try_get(COLUMNS.len() + 1)?)?,
                    ));
                }
                out
            }
        };
        rows.into_iter()
            .map(|(r, at)| r.into_event().map(|e| (at, e)))
            .collect()
    }

    /// The events of each of `subjects`, by subject, each in evaluation
    /// order (occurred_at, id); a subject with no event is absent.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer decodes.
    pub async fn timelines(
        &self,
        ws: &Workspace,
        subjects: &[&str],
    ) -> Result<HashMap<String, Vec<Event>>, StoreError> {
        let mut out: HashMap<String, Vec<Event>> = HashMap::with_capacity(subjects.len());
        for event in self.events_where_in(ws, Key::Subject, subjects).await? {
            out.entry(event.subject.as_str().to_string())
                .or_default()
                .push(event);
        }
        Ok(out)
    }

    /// Hands every event of the workspace to `f`, one subject (lead or
    /// request) at a time with its events in evaluation order, on a blocking
    /// thread, and returns `state` after the last: the way to replay a
    /// workspace without holding every event (only one subject's at once).
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer decodes.
    pub async fn fold_subjects<S, F>(&self, ws: &Workspace, state: S, f: F) -> Result<S, StoreError>
    where
        S: Send + 'static,
        F: FnMut(&mut S, String, Vec<Event>) + Send + 'static,
    {
        let stopped = |e: tokio::task::JoinError| {
            StoreError::Invalid(format!("reading the events stopped: {e}"))
        };
        let mut apply = {
            let mut f = f;
            move |state: &mut S, subject: String, events: Vec<Event>| f(state, subject, events)
        };
        if let Store::Sqlite(pool, _) = self
            && let Some(path) = on_disk(pool)
        {
            let workspace = ws.as_str().to_string();
            return tokio::task::spawn_blocking(move || {
                let mut state = state;
                crate::bulk::each_subject(&path, &workspace, &mut |subject, events| {
                    apply(&mut state, subject, events);
                })?;
                Ok(state)
            })
            .await
            .map_err(stopped)?;
        }
        // Rows streamed from the database; subjects folded on a blocking
        // thread as they complete, a few in flight at most.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, Vec<Event>)>(64);
        let folder = tokio::task::spawn_blocking(move || {
            let mut state = state;
            while let Some((subject, events)) = rx.blocking_recv() {
                apply(&mut state, subject, events);
            }
            state
        });
        // Built from constant column names only; values are bound.
        let sql = format!(
            "SELECT {} FROM events WHERE workspace = $1 ORDER BY subject, occurred_at, id",
            crate::rows::COLUMNS.join(", ")
        );
        let read: Result<(), StoreError> = async {
            let mut group = Grouper::default();
            let mut ready: Vec<(String, Vec<Event>)> = Vec::new();
            on_pool!(self, pool => {
                let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(ws.as_str()).fetch(pool);
                while let Some(r) = futures_util::TryStreamExt::try_next(&mut stream).await? {
                    group.push(decode_row!(&r)?, &mut |s, e| ready.push((s, e)))?;
                    for done in ready.drain(..) {
                        if tx.send(done).await.is_err() {
                            return Err(StoreError::Invalid("the fold stopped".into()));
                        }
                    }
                }
            });
            group.finish(&mut |s, e| ready.push((s, e)));
            for done in ready {
                if tx.send(done).await.is_err() {
                    return Err(StoreError::Invalid("the fold stopped".into()));
                }
            }
            Ok(())
        }
        .await;
        drop(tx);
        let state = folder.await.map_err(stopped)?;
        read.map(|()| state)
    }

    /// How many events the workspace holds.
    pub async fn count_events(&self, ws: &Workspace) -> Result<i64, StoreError> {
        let n: i64 = on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE workspace = $1").bind(ws.as_str()).fetch_one(pool).await?);
        Ok(n)
    }

    /// Stores a new agreement version (the caller has checked it) and returns its number.
    pub async fn add_agreement(
        &self,
        ws: &Workspace,
        name: &str,
        source: &str,
    ) -> Result<i64, StoreError> {
        let sql = "INSERT INTO agreements (workspace, version, name, source, created_at) \
                   SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM agreements WHERE workspace = $1 RETURNING version";
        for _attempt in 0..5 {
            let result: Result<i64, sqlx::Error> = on_pool!(self, pool => {
                let v: Result<i32, sqlx::Error> = sqlx::query_scalar(sql).bind(ws.as_str()).bind(name).bind(source).bind(now_nanos()).fetch_one(pool).await;
                v.map(i64::from)
            });
            match result {
                Ok(v) => return Ok(v),
                // Two writers raced for the same number: take the next one.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Invalid(
            "could not number the new agreement version; try again".into(),
        ))
    }

    /// The latest agreement version's number, or `None` when none is applied.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn latest_version(&self, ws: &Workspace) -> Result<Option<i64>, StoreError> {
        let v: Option<i32> = on_pool!(self, pool => sqlx::query_scalar("SELECT MAX(version) FROM agreements WHERE workspace = $1").bind(ws.as_str()).fetch_one(pool).await?);
        Ok(v.map(i64::from))
    }

    /// Every agreement version of the workspace, oldest first.
    pub async fn agreements(&self, ws: &Workspace) -> Result<Vec<AgreementVersion>, StoreError> {
        let rows: Vec<(i32, String, String, i64)> = on_pool!(self, pool => sqlx::query_as("SELECT version, name, source, created_at FROM agreements WHERE workspace = $1 ORDER BY version").bind(ws.as_str()).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(version, name, source, created)| AgreementVersion {
                version: i64::from(version),
                name,
                source,
                created_at: from_nanos(created),
            })
            .collect())
    }

    /// Every applied version, checked again into an agreement and paired with
    /// the instant it was applied (from when it is in force), oldest first, and
    /// the latest version's number; `None` when none is applied.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a stored version no longer checks.
    pub async fn agreement_history(
        &self,
        ws: &Workspace,
    ) -> Result<Option<(Vec<(jiff::Timestamp, handshake_core::Agreement)>, i64)>, StoreError> {
        let stored = self.agreements(ws).await?;
        let Some(latest) = stored.last().map(|v| v.version) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(stored.len());
        for v in stored {
            let agreement = handshake_core::check(&format!("version {}", v.version), &v.source)
                .agreement
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "stored agreement version {} no longer checks",
                        v.version
                    ))
                })?;
            out.push((v.created_at, agreement));
        }
        Ok(Some((out, latest)))
    }

    /// The agreement in force (the latest version, checked), or `None`
    /// when none is applied.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the stored version no longer checks.
    pub async fn latest_agreement(
        &self,
        ws: &Workspace,
    ) -> Result<Option<handshake_core::Agreement>, StoreError> {
        let Some(latest) = self.latest_version(ws).await? else {
            return Ok(None);
        };
        let Some(v) = self.agreement(ws, latest).await? else {
            return Ok(None);
        };
        handshake_core::check(&format!("version {}", v.version), &v.source)
            .agreement
            .map(Some)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "stored agreement version {} no longer checks",
                    v.version
                ))
            })
    }

    /// One agreement version, or `None`.
    pub async fn agreement(
        &self,
        ws: &Workspace,
        version: i64,
    ) -> Result<Option<AgreementVersion>, StoreError> {
        let version = i32::try_from(version)
            .map_err(|_| StoreError::Invalid(format!("version {version} is out of range")))?;
        let row: Option<(i32, String, String, i64)> = on_pool!(self, pool => sqlx::query_as("SELECT version, name, source, created_at FROM agreements WHERE workspace = $1 AND version = $2").bind(ws.as_str()).bind(version).fetch_optional(pool).await?);
        Ok(
            row.map(|(version, name, source, created)| AgreementVersion {
                version: i64::from(version),
                name,
                source,
                created_at: from_nanos(created),
            }),
        )
    }
}

/// The id an event's versions share (`BASE` of `BASE~N`).
fn events_base(e: &Event) -> &str {
    e.id.version().0
}
