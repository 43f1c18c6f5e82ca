//! Schema migrations, run at start: numbered SQL files per back end, applied
//! once each, in order, inside a transaction. On PostgreSQL an advisory lock
//! keeps replicas that start together from racing.

/// SQLite migrations: (version, SQL).
pub(crate) const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_tokens_and_readiness.sql"),
    ),
    (
        3,
        include_str!("../migrations/sqlite/0003_cursor_and_sessions.sql"),
    ),
    (4, include_str!("../migrations/sqlite/0004_channels.sql")),
    (5, include_str!("../migrations/sqlite/0005_outbox.sql")),
    (6, include_str!("../migrations/sqlite/0006_people.sql")),
    (7, include_str!("../migrations/sqlite/0007_alert_marks.sql")),
    (
        8,
        include_str!("../migrations/sqlite/0008_email_channels.sql"),
    ),
    (
        9,
        include_str!("../migrations/sqlite/0009_delivery_limits.sql"),
    ),
    (
        10,
        include_str!("../migrations/sqlite/0010_notification_subjects.sql"),
    ),
    (11, include_str!("../migrations/sqlite/0011_writebacks.sql")),
    (12, include_str!("../migrations/sqlite/0012_crm_notes.sql")),
    (
        13,
        include_str!("../migrations/sqlite/0013_request_steps.sql"),
    ),
];

/// PostgreSQL migrations: (version, SQL).
pub(crate) const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../migrations/postgres/0002_tokens_and_readiness.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_cursor_and_sessions.sql"),
    ),
    (
        4,
        include_str!("../migrations/postgres/0004_cursor_by_transaction.sql"),
    ),
    (5, include_str!("../migrations/postgres/0005_channels.sql")),
    (6, include_str!("../migrations/postgres/0006_outbox.sql")),
    (7, include_str!("../migrations/postgres/0007_people.sql")),
    (
        8,
        include_str!("../migrations/postgres/0008_alert_marks.sql"),
    ),
    (
        9,
        include_str!("../migrations/postgres/0009_email_channels.sql"),
    ),
    (
        10,
        include_str!("../migrations/postgres/0010_delivery_limits.sql"),
    ),
    (
        11,
        include_str!("../migrations/postgres/0011_notification_subjects.sql"),
    ),
    (
        12,
        include_str!("../migrations/postgres/0012_writebacks.sql"),
    ),
    (
        13,
        include_str!("../migrations/postgres/0013_crm_notes.sql"),
    ),
    (
        14,
        include_str!("../migrations/postgres/0014_request_steps.sql"),
    ),
];

/// The table that records which migrations ran.
pub(crate) const LEDGER: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY)";

/// Splits a migration file into statements: `--` comment lines dropped, then
/// split at `;` (the migrations keep semicolons out of statements).
pub(crate) fn statements(sql: &str) -> Vec<String> {
    let code: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    code.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
