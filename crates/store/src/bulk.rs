//! Reading every event of a workspace from an SQLite file at the speed of
//! SQLite itself: sqlx's driver hands rows over one at a time from its worker
//! thread (about 100,000 rows/s), which made a cold start or `handshake
//! report` several times slower than the `sqlite3` shell reading the same
//! rows. This reads them on a blocking thread through rusqlite, on a
//! read-only connection of its own (WAL lets it read beside the writer).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use crate::rows::{COLUMNS, Row};

fn failed(e: rusqlite::Error) -> StoreError {
    StoreError::Invalid(format!("reading the events failed: {e}"))
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed)?;
    conn.busy_timeout(crate::WAIT).map_err(failed)?;
    Ok(conn)
}

/// Every row of `workspace`, in the table's own order.
pub(crate) fn read_all(path: &Path, workspace: &str) -> Result<Vec<Row>, StoreError> {
    let conn = open(path)?;
    // Built from constant column names only; the workspace is bound.
    let sql = format!(
        "SELECT {} FROM events WHERE workspace = ?1",
        COLUMNS.join(", ")
    );
    let mut statement = conn.prepare(&sql).map_err(failed)?;
    let mut rows = statement.query([workspace]).map_err(failed)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(failed)? {
        out.push(decode(r)?);
    }
    Ok(out)
}

/// Every event of `workspace`, one subject at a time in evaluation order,
/// handed to `f` as each subject's rows end: nothing but one subject's
/// events is held at once.
pub(crate) fn each_subject(
    path: &Path,
    workspace: &str,
    f: &mut dyn FnMut(String, Vec<handshake_core::event::Event>),
) -> Result<(), StoreError> {
    let conn = open(path)?;
    // Built from constant column names only; the workspace is bound.
    let sql = format!(
        "SELECT {} FROM events WHERE workspace = ?1 ORDER BY subject, occurred_at, id",
        COLUMNS.join(", ")
    );
    let mut statement = conn.prepare(&sql).map_err(failed)?;
    let mut rows = statement.query([workspace]).map_err(failed)?;
    let mut group = crate::store::Grouper::default();
    while let Some(r) = rows.next().map_err(failed)? {
        group.push(decode(r)?, f)?;
    }
    group.finish(f);
    Ok(())
}

fn decode(r: &rusqlite::Row<'_>) -> Result<Row, StoreError> {
    Ok(Row {
        id: r.get(0).map_err(failed)?,
        subject: r.get(1).map_err(failed)?,
        kind: r.get(2).map_err(failed)?,
        occurred_at: r.get(3).map_err(failed)?,
        received_at: r.get(4).map_err(failed)?,
        fingerprint: r.get(5).map_err(failed)?,
        inferred: r.get(6).map_err(failed)?,
        stage: r.get(7).map_err(failed)?,
        owner: r.get(8).map_err(failed)?,
        channel: r.get(9).map_err(failed)?,
        actor: r.get(10).map_err(failed)?,
        automated: r.get(11).map_err(failed)?,
        reason: r.get(12).map_err(failed)?,
        activity: r.get(13).map_err(failed)?,
        amount_minor: r.get(14).map_err(failed)?,
        currency: r.get(15).map_err(failed)?,
        source: r.get(16).map_err(failed)?,
        segment: r.get(17).map_err(failed)?,
        persona: r.get(18).map_err(failed)?,
        score: r.get(19).map_err(failed)?,
        email: r.get(20).map_err(failed)?,
        company: r.get(21).map_err(failed)?,
        extra: r.get(22).map_err(failed)?,
        req_from: r.get(23).map_err(failed)?,
        req_to: r.get(24).map_err(failed)?,
        req_kind: r.get(25).map_err(failed)?,
        until_at: r.get(26).map_err(failed)?,
        seq: 0,
    })
}
