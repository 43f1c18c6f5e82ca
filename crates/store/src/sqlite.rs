//! Bulk event insertion into SQLite: multi-row `INSERT ... ON CONFLICT DO
//! NOTHING RETURNING id` in chunks, all in one transaction.

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::rows::{COLUMNS, Row};
use crate::{StoreError, Workspace};

/// Rows per statement: 27 parameters each, under SQLite's limit of 32,766.
const CHUNK: usize = 1_000;

/// Inserts `rows`; returns the stored fingerprints of the ids that were already there.
pub(crate) async fn insert(
    pool: &SqlitePool,
    ws: &Workspace,
    rows: &[Row],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut inserted: HashSet<String> = HashSet::with_capacity(rows.len());
    let head = format!("INSERT INTO events (workspace, {}) ", COLUMNS.join(", "));
    for chunk in rows.chunks(CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(&head);
        q.push_values(chunk, |mut b, r| {
            b.push_bind(ws.as_str())
                .push_bind(&r.id)
                .push_bind(&r.subject)
                .push_bind(r.kind)
                .push_bind(r.occurred_at)
                .push_bind(r.received_at)
                .push_bind(r.fingerprint)
                .push_bind(r.inferred)
                .push_bind(&r.stage)
                .push_bind(&r.owner)
                .push_bind(&r.channel)
                .push_bind(&r.actor)
                .push_bind(r.automated)
                .push_bind(&r.reason)
                .push_bind(&r.activity)
                .push_bind(r.amount_minor)
                .push_bind(&r.currency)
                .push_bind(&r.source)
                .push_bind(&r.segment)
                .push_bind(&r.persona)
                .push_bind(r.score)
                .push_bind(&r.email)
                .push_bind(&r.company)
                .push_bind(&r.extra)
                .push_bind(&r.req_from)
                .push_bind(&r.req_to)
                .push_bind(&r.req_kind);
        });
        q.push(" ON CONFLICT (workspace, id) DO NOTHING RETURNING id");
        let ids: Vec<String> = q.build_query_scalar().fetch_all(&mut *tx).await?;
        inserted.extend(ids);
    }
    let existing: Vec<&str> = rows
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !inserted.contains(*id))
        .collect();
    let mut stored = HashMap::with_capacity(existing.len());
    for chunk in existing.chunks(CHUNK) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT id, fingerprint FROM events WHERE workspace = ");
        q.push_bind(ws.as_str()).push(" AND id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let found: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *tx).await?;
        stored.extend(found);
    }
    tx.commit().await?;
    Ok(stored)
}
