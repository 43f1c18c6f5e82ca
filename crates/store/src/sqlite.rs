//! Bulk event insertion into SQLite: multi-row `INSERT ... ON CONFLICT DO
//! NOTHING RETURNING id` in chunks, all in one transaction.

use std::collections::{HashMap, HashSet};

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::rows::{COLUMNS, Row};
use crate::{StoreError, Workspace};

/// Rows per statement: 28 parameters each, under SQLite's limit of 32,766.
const CHUNK: usize = 1_000;

/// Inserts `rows`; returns the stored fingerprints of the ids that were already there.
pub(crate) async fn insert(
    pool: &SqlitePool,
    ws: &Workspace,
    rows: &mut [Row],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let n = i64::try_from(rows.len()).map_err(|_| StoreError::Invalid("batch too large".into()))?;
    let last: i64 = sqlx::query_scalar(crate::rows::RESERVE)
        .bind(ws.as_str())
        .bind(n)
        .fetch_one(&mut *tx)
        .await?;
    crate::rows::number(rows, last);
    let rows: &[Row] = rows;
    let mut inserted: HashSet<String> = HashSet::with_capacity(rows.len());
    // Each kind of event fills only some columns: bind just those (the rest
    // default to NULL), grouping the rows by the set of columns they use.
    let mut groups: HashMap<Vec<usize>, Vec<&Row>> = HashMap::new();
    for r in rows {
        groups.entry(used_columns(r)).or_default().push(r);
    }
    for (columns, group) in &groups {
        let names: Vec<&str> = columns.iter().map(|&c| COLUMNS[c]).collect();
        let head = format!("INSERT INTO events (workspace, seq, {}) ", names.join(", "));
        let per_statement = (32_000 / (columns.len() + 2)).min(CHUNK);
        for chunk in group.chunks(per_statement) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(&head);
            q.push_values(chunk, |mut b, r| {
                b.push_bind(ws.as_str());
                b.push_bind(r.seq);
                for &c in columns {
                    bind_column(&mut b, r, c);
                }
            });
            q.push(" ON CONFLICT (workspace, id) DO NOTHING RETURNING id");
            let ids: Vec<String> = q.build_query_scalar().fetch_all(&mut *tx).await?;
            inserted.extend(ids);
        }
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

/// The columns (indexes into [`COLUMNS`]) a row fills: the always-present
/// ones and its non-null optional ones.
fn used_columns(r: &Row) -> Vec<usize> {
    let optional = [
        r.stage.is_some(),
        r.owner.is_some(),
        r.channel.is_some(),
        r.actor.is_some(),
        r.automated.is_some(),
        r.reason.is_some(),
        r.activity.is_some(),
        r.amount_minor.is_some(),
        r.currency.is_some(),
        r.source.is_some(),
        r.segment.is_some(),
        r.persona.is_some(),
        r.score.is_some(),
        r.email.is_some(),
        r.company.is_some(),
        r.extra.is_some(),
        r.req_from.is_some(),
        r.req_to.is_some(),
        r.req_kind.is_some(),
        r.until_at.is_some(),
    ];
    (0..7)
        .chain(
            optional
                .iter()
                .enumerate()
                .filter(|(_, used)| **used)
                .map(|(i, _)| i + 7),
        )
        .collect()
}

fn bind_column(b: &mut Separated<'_, Sqlite, &'static str>, r: &Row, column: usize) {
    match column {
        0 => b.push_bind(&r.id),
        1 => b.push_bind(&r.subject),
        2 => b.push_bind(r.kind),
        3 => b.push_bind(r.occurred_at),
        4 => b.push_bind(r.received_at),
        5 => b.push_bind(r.fingerprint),
        6 => b.push_bind(r.inferred),
        7 => b.push_bind(&r.stage),
        8 => b.push_bind(&r.owner),
        9 => b.push_bind(&r.channel),
        10 => b.push_bind(&r.actor),
        11 => b.push_bind(r.automated),
        12 => b.push_bind(&r.reason),
        13 => b.push_bind(&r.activity),
        14 => b.push_bind(r.amount_minor),
        15 => b.push_bind(&r.currency),
        16 => b.push_bind(&r.source),
        17 => b.push_bind(&r.segment),
        18 => b.push_bind(&r.persona),
        19 => b.push_bind(r.score),
        20 => b.push_bind(&r.email),
        21 => b.push_bind(&r.company),
        22 => b.push_bind(&r.extra),
        23 => b.push_bind(&r.req_from),
        24 => b.push_bind(&r.req_to),
        25 => b.push_bind(&r.req_kind),
        _ => b.push_bind(r.until_at),
    };
}
