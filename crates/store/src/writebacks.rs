//! What each lead's CRM record was last told by the write-back, per
//! workspace and CRM, so that every server sharing the database pushes
//! only what changed since, and a restart does not push everything again.

use std::collections::HashMap;

use crate::StoreError;
use crate::store::{Store, Workspace, on_pool};

impl Store {
    /// What each lead of `crm` (`hubspot`, `salesforce`) was last told: its
    /// record's text as sent, by lead.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn written_back(
        &self,
        ws: &Workspace,
        crm: &str,
    ) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT lead, body FROM writebacks WHERE workspace = $1 AND crm = $2",
        )
        .bind(ws.as_str())
        .bind(crm)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().collect())
    }

    /// Notes that these leads of `crm` were told these records at `now`
    /// (unix seconds), in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn note_written_back(
        &self,
        ws: &Workspace,
        crm: &str,
        told: &[(&str, String)],
        now: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO writebacks (workspace, crm, lead, body, pushed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace, crm, lead) DO UPDATE SET body = excluded.body, pushed_at = excluded.pushed_at";
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (lead, body) in told {
                sqlx::query(sql)
                    .bind(ws.as_str())
                    .bind(crm)
                    .bind(*lead)
                    .bind(body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
