//! What CRMs told of their deals, opportunities and engagements, one note
//! per fact ([`handshake_core::crm_objects`]): kept once per notification
//! (a delivery sent again adds nothing) and read back per object, so any
//! server derives the same lead events from them.

use handshake_core::crm_objects::Note;
use jiff::Timestamp;

use crate::StoreError;
use crate::store::{Store, Workspace, on_pool};

impl Store {
    /// Keeps these notes; a note already kept (same object and id) is left
    /// as it was. Returns, per note, whether it was new.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn add_crm_notes(
        &self,
        ws: &Workspace,
        notes: &[Note],
    ) -> Result<Vec<bool>, StoreError> {
        let sql = "INSERT INTO crm_notes (workspace, object, note, occurred_at, fact) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace, object, note) DO NOTHING";
        let _turn = self.write_turn().await;
        let mut new = Vec::with_capacity(notes.len());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for n in notes {
                let done = sqlx::query(sql)
                    .bind(ws.as_str())
                    .bind(n.key())
                    .bind(&n.id)
                    .bind(n.at.as_millisecond())
                    .bind(n.fact_text())
                    .execute(&mut *tx)
                    .await?;
                new.push(done.rows_affected() == 1);
            }
            tx.commit().await?;
        });
        Ok(new)
    }

    /// Every note kept on these objects (keys as [`Note::key`] gives them),
    /// by object.
    ///
    /// # Errors
    /// [`StoreError::Database`], or [`StoreError::Corrupt`] for a row that
    /// is not a note.
    pub async fn crm_notes(
        &self,
        ws: &Workspace,
        objects: &[String],
    ) -> Result<Vec<Note>, StoreError> {
        let mut out = Vec::new();
        for chunk in objects.chunks(500) {
            let rows: Vec<(String, String, i64, String)> = on_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT object, note, occurred_at, fact FROM crm_notes WHERE workspace = ",
                );
                q.push_bind(ws.as_str()).push(" AND object IN (");
                let mut list = q.separated(", ");
                for o in chunk {
                    list.push_bind(o.as_str());
                }
                q.push(") ORDER BY object, occurred_at, note");
                q.build_query_as().fetch_all(pool).await?
            });
            for (object, note, at, fact) in rows {
                let at = Timestamp::from_millisecond(at)
                    .map_err(|e| StoreError::Corrupt(format!("crm note {object}/{note}: {e}")))?;
                out.push(Note::from_parts(&object, &note, at, &fact).map_err(StoreError::Corrupt)?);
            }
        }
        Ok(out)
    }
}
