//! Bulk event insertion into PostgreSQL: one `INSERT ... SELECT FROM UNNEST`
//! per chunk with `ON CONFLICT DO NOTHING RETURNING id`, in one transaction.
//! The cursor's columns (`tx`, `seq`) fill themselves (migration 4).

use std::collections::{HashMap, HashSet};

use sqlx::PgPool;

use crate::rows::{COLUMNS, Row};
use crate::{StoreError, Workspace};

const CHUNK: usize = 10_000;

fn column<T: Clone>(rows: &[Row], f: impl Fn(&Row) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// Inserts `rows`; returns the stored fingerprints of the ids that were already there.
pub(crate) async fn insert(
    pool: &PgPool,
    ws: &Workspace,
    rows: &[Row],
) -> Result<HashMap<String, i64>, StoreError> {
    let types = [
        "text", "text", "int2", "int8", "int8", "int8", "bool", "text", "text", "text", "text",
        "bool", "text", "text", "int8", "text", "text", "text", "text", "int8", "text", "text",
        "text", "text", "text", "text", "int8",
    ];
    let unnest: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("${}::{t}[]", i + 2))
        .collect();
    // Built from constant column names and types only; values are bound.
    let sql = format!(
        "INSERT INTO events (workspace, {}) SELECT $1, * FROM UNNEST({}) ON CONFLICT (workspace, id) DO NOTHING RETURNING id",
        COLUMNS.join(", "),
        unnest.join(", ")
    );
    // The cursor's `tx` and `seq` come from the columns' defaults (the
    // transaction's id, a sequence): nothing here makes writers take turns.
    let mut tx = pool.begin().await?;
    let mut inserted: HashSet<String> = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(ws.as_str())
            .bind(column(chunk, |r| r.id.clone()))
            .bind(column(chunk, |r| r.subject.clone()))
            .bind(column(chunk, |r| r.kind))
            .bind(column(chunk, |r| r.occurred_at))
            .bind(column(chunk, |r| r.received_at))
            .bind(column(chunk, |r| r.fingerprint))
            .bind(column(chunk, |r| r.inferred))
            .bind(column(chunk, |r| r.stage.clone()))
            .bind(column(chunk, |r| r.owner.clone()))
            .bind(column(chunk, |r| r.channel.clone()))
            .bind(column(chunk, |r| r.actor.clone()))
            .bind(column(chunk, |r| r.automated))
            .bind(column(chunk, |r| r.reason.clone()))
            .bind(column(chunk, |r| r.activity.clone()))
            .bind(column(chunk, |r| r.amount_minor))
            .bind(column(chunk, |r| r.currency.clone()))
            .bind(column(chunk, |r| r.source.clone()))
            .bind(column(chunk, |r| r.segment.clone()))
            .bind(column(chunk, |r| r.persona.clone()))
            .bind(column(chunk, |r| r.score))
            .bind(column(chunk, |r| r.email.clone()))
            .bind(column(chunk, |r| r.company.clone()))
            .bind(column(chunk, |r| r.extra.clone()))
            .bind(column(chunk, |r| r.req_from.clone()))
            .bind(column(chunk, |r| r.req_to.clone()))
            .bind(column(chunk, |r| r.req_kind.clone()))
            .bind(column(chunk, |r| r.until_at))
            .fetch_all(&mut *tx)
            .await?;
        inserted.extend(ids);
    }
    let existing: Vec<String> = rows
        .iter()
        .filter(|r| !inserted.contains(&r.id))
        .map(|r| r.id.clone())
        .collect();
    let mut stored = HashMap::with_capacity(existing.len());
    if !existing.is_empty() {
        let found: Vec<(String, i64)> = sqlx::query_as(
            "SELECT id, fingerprint FROM events WHERE workspace = $1 AND id = ANY($2)",
        )
        .bind(ws.as_str())
        .bind(&existing)
        .fetch_all(&mut *tx)
        .await?;
        stored.extend(found);
    }
    tx.commit().await?;
    Ok(stored)
}
