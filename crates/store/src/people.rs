//! The people directory in the store, per workspace: added or replaced by
//! owner id (an import run twice changes nothing), listed, removed; and the
//! owners the workspace's events name, so those the directory lacks are
//! shown rather than dropped.

use handshake_core::alerts::people::{Person, Presence};
use handshake_core::alerts::quiet::QuietHours;

use crate::StoreError;
use crate::store::{Store, Workspace, on_pool};

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

fn decode(r: Row) -> Result<Person, StoreError> {
    Ok(Person {
        presence: Presence::parse(&r.8)
            .map_err(|e| StoreError::Corrupt(format!("person {:?}: {e}", r.0)))?,
        quiet_hours: r
            .9
            .as_deref()
            .map(QuietHours::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("person {:?}: {e}", r.0)))?,
        owner_id: r.0,
        name: r.1,
        email: r.2,
        slack: r.3,
        party: r.4,
        manager: r.5,
        calendar: r.6,
        time_zone: r.7,
    })
}

impl Store {
    /// Adds people, or replaces those whose owner id the workspace has;
    /// how many were new.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn put_people(&self, ws: &Workspace, people: &[Person]) -> Result<usize, StoreError> {
        let known: Vec<String> = self
            .people(ws)
            .await?
            .into_iter()
            .map(|p| p.owner_id)
            .collect();
        let sql = "INSERT INTO people (workspace, owner_id, name, email, slack, party, manager, calendar, time_zone, status, quiet_hours) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (workspace, owner_id) DO UPDATE SET name = excluded.name, email = excluded.email, slack = excluded.slack, party = excluded.party, manager = excluded.manager, calendar = excluded.calendar, time_zone = excluded.time_zone, status = excluded.status, quiet_hours = excluded.quiet_hours";
        let _turn = self.write_turn().await;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for p in people {
                sqlx::query(sql)
                    .bind(ws.as_str())
                    .bind(&p.owner_id)
                    .bind(&p.name)
                    .bind(&p.email)
                    .bind(&p.slack)
                    .bind(&p.party)
                    .bind(&p.manager)
                    .bind(&p.calendar)
                    .bind(&p.time_zone)
                    .bind(p.presence.as_str())
                    .bind(p.quiet_hours.map(|q| q.to_string()))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        let mut new: Vec<&str> = people
            .iter()
            .map(|p| p.owner_id.as_str())
            .filter(|id| !known.iter().any(|k| k == id))
            .collect();
        new.sort_unstable();
        new.dedup();
        Ok(new.len())
    }

    /// The workspace's people, by owner id.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for a row that no longer reads.
    pub async fn people(&self, ws: &Workspace) -> Result<Vec<Person>, StoreError> {
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT owner_id, name, email, slack, party, manager, calendar, time_zone, status, quiet_hours FROM people WHERE workspace = $1 ORDER BY owner_id",
        ).bind(ws.as_str()).fetch_all(pool).await?);
        rows.into_iter().map(decode).collect()
    }

    /// Removes a person; whether there was one.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn remove_person(&self, ws: &Workspace, owner_id: &str) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => sqlx::query("DELETE FROM people WHERE workspace = $1 AND owner_id = $2")
            .bind(ws.as_str()).bind(owner_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }

    /// Every owner id the workspace's events name (assignments and `owner`
    /// attributes), sorted.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn event_owners(&self, ws: &Workspace) -> Result<Vec<String>, StoreError> {
        let owners: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT owner FROM events WHERE workspace = $1 AND owner IS NOT NULL ORDER BY owner",
        ).bind(ws.as_str()).fetch_all(pool).await?);
        Ok(owners)
    }
}
