//! The evaluation the pages read: one per workspace, kept in memory with
//! the events it was made from, and stamped with when it was computed. Pages never wait for a re-evaluation
//! once one exists: a stale one (older than [`MAX_AGE`] or behind new events)
//! is served as it is while a fresh one is computed in the background, so a
//! page costs a render, not a replay of every event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use handshake_core::Agreement;
use handshake_core::engine::{Evaluation, evaluate_versions};
use handshake_core::event::Event;
use handshake_store::{Store, StoreError, Workspace};
use jiff::Timestamp;

/// How old an evaluation may be before a page asks for a fresh one, in seconds.
pub(crate) const MAX_AGE: i64 = 30;

/// One workspace's evaluation at an instant.
pub(crate) struct Snapshot {
    /// Every applied version with the instant it took force, oldest first.
    pub versions: Vec<(Timestamp, Agreement)>,
    /// The latest version's number.
    pub version: i64,
    /// The evaluation at `evaluation.as_of`.
    pub evaluation: Evaluation,
    /// The events it was made from, by subject then evaluation order.
    pub events: Arc<Vec<Event>>,
}

impl Snapshot {
    /// The agreement in force now.
    pub fn agreement(&self) -> &Agreement {
        // `load` builds a snapshot only from a non-empty history.
        &self.versions[self.versions.len() - 1].1
    }
}

#[derive(Default)]
struct Entry {
    snapshot: Option<Arc<Snapshot>>,
    /// Events arrived after the snapshot was computed.
    dirty: bool,
    refreshing: bool,
}

/// Every workspace's latest evaluation.
#[derive(Default)]
pub(crate) struct Snapshots(Mutex<HashMap<String, Entry>>);

/// Evaluates the workspace now; `None` when no agreement is applied. The
/// events of `held` are reused when the store holds no more than they
/// (events are only ever added), so a refresh that only moves the clock
/// forward costs an evaluation, not a read of every event.
async fn load(
    store: &Store,
    ws: &Workspace,
    held: Option<Arc<Snapshot>>,
) -> Result<Option<Snapshot>, StoreError> {
    load_at(store, ws, held, None).await
}

/// [`load`] at `at` (default: now, read once the events are in).
pub(crate) async fn load_at(
    store: &Store,
    ws: &Workspace,
    held: Option<Arc<Snapshot>>,
    at: Option<Timestamp>,
) -> Result<Option<Snapshot>, StoreError> {
    let Some((versions, version)) = store.agreement_history(ws).await? else {
        return Ok(None);
    };
    let count = store.count_events(ws).await?;
    let events = match held {
        Some(h) if i64::try_from(h.events.len()).is_ok_and(|n| n == count) => Arc::clone(&h.events),
        _ => Arc::new(store.all_events(ws).await?),
    };
    let at = at.unwrap_or_else(Timestamp::now);
    let snapshot = tokio::task::spawn_blocking(move || {
        let evaluation = evaluate_versions(&versions, &events, at);
        Snapshot {
            versions,
            version,
            evaluation,
            events,
        }
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("the evaluation stopped: {e}")))?;
    Ok(Some(snapshot))
}

impl Snapshots {
    /// Marks the workspace's evaluation as behind its events.
    pub(crate) fn touch(&self, ws: &Workspace) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(ws.as_str().to_string()).or_default().dirty = true;
        }
    }

    /// The latest evaluation: computed now when there is none, else the one
    /// held (refreshed in the background when stale).
    pub(crate) async fn get(
        self: &Arc<Self>,
        store: &Store,
        ws: &Workspace,
    ) -> Result<Option<Arc<Snapshot>>, StoreError> {
        let (held, refresh) = {
            let mut map = self
                .0
                .lock()
                .map_err(|_| StoreError::Invalid("snapshot cache poisoned".into()))?;
            let entry = map.entry(ws.as_str().to_string()).or_default();
            let stale = entry.snapshot.as_ref().is_some_and(|s| {
                entry.dirty
                    || Timestamp::now().as_second() - s.evaluation.as_of.as_second() > MAX_AGE
            });
            let refresh = stale && !entry.refreshing;
            if refresh {
                entry.refreshing = true;
                entry.dirty = false;
            }
            (entry.snapshot.clone(), refresh)
        };
        match held {
            Some(s) => {
                if refresh {
                    let (me, store, ws) = (Arc::clone(self), store.clone(), ws.clone());
                    let held = Some(Arc::clone(&s));
                    // On a blocking thread of its own: reading and decoding
                    // every event takes seconds of CPU that must not hold up
                    // an async worker serving pages.
                    let handle = tokio::runtime::Handle::current();
                    tokio::task::spawn_blocking(move || {
                        let fresh = handle.block_on(load(&store, &ws, held));
                        me.put(&ws, fresh.ok().flatten().map(Arc::new));
                    });
                }
                Ok(Some(s))
            }
            None => {
                let fresh = load(store, ws, None).await?.map(Arc::new);
                if let Some(f) = &fresh {
                    self.keep(ws, Arc::clone(f));
                }
                Ok(fresh)
            }
        }
    }

    /// The latest evaluation if it is at most [`MAX_AGE`] old and no event
    /// arrived since; else a new one, computed now (and kept for the pages).
    /// For the API, whose callers expect what they sent to be counted.
    pub(crate) async fn current(
        self: &Arc<Self>,
        store: &Store,
        ws: &Workspace,
    ) -> Result<Option<Arc<Snapshot>>, StoreError> {
        let held = {
            let mut map = self
                .0
                .lock()
                .map_err(|_| StoreError::Invalid("snapshot cache poisoned".into()))?;
            let entry = map.entry(ws.as_str().to_string()).or_default();
            let fresh = entry.snapshot.as_ref().is_some_and(|s| {
                !entry.dirty
                    && Timestamp::now().as_second() - s.evaluation.as_of.as_second() <= MAX_AGE
            });
            if fresh {
                return Ok(entry.snapshot.clone());
            }
            // Events that arrive while this evaluation runs mark it stale again.
            entry.dirty = false;
            entry.snapshot.clone()
        };
        let fresh = load(store, ws, held).await?.map(Arc::new);
        if let Some(f) = &fresh {
            self.keep(ws, Arc::clone(f));
        }
        Ok(fresh)
    }

    /// The evaluation at `at`, sharing the held events when they are all there are.
    pub(crate) async fn at(
        &self,
        store: &Store,
        ws: &Workspace,
        at: Timestamp,
    ) -> Result<Option<Arc<Snapshot>>, StoreError> {
        let held = self
            .0
            .lock()
            .ok()
            .and_then(|map| map.get(ws.as_str()).and_then(|e| e.snapshot.clone()));
        Ok(load_at(store, ws, held, Some(at)).await?.map(Arc::new))
    }

    /// The end of a background refresh: keeps what it computed.
    fn put(&self, ws: &Workspace, fresh: Option<Arc<Snapshot>>) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(ws.as_str().to_string()).or_default().refreshing = false;
        }
        if let Some(f) = fresh {
            self.keep(ws, f);
        }
    }

    /// Keeps `fresh` unless a later evaluation is already held (two may run
    /// at once: a page's, a refresh, the API's).
    fn keep(&self, ws: &Workspace, fresh: Arc<Snapshot>) {
        let old = match self.0.lock() {
            Ok(mut map) => {
                let entry = map.entry(ws.as_str().to_string()).or_default();
                // Events are only ever added: more of them is newer data.
                let newer = entry.snapshot.as_ref().is_none_or(|held| {
                    (held.events.len(), held.evaluation.as_of)
                        <= (fresh.events.len(), fresh.evaluation.as_of)
                });
                if newer {
                    entry.snapshot.replace(fresh)
                } else {
                    Some(fresh)
                }
            }
            Err(_) => None,
        };
        // Whichever is dropped is freed here, outside the lock pages take.
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_core::event::parse_event;

    fn snapshot(events: usize, at: &str) -> Arc<Snapshot> {
        let text = include_str!("../../../../examples/agreement.toml");
        let agreement = handshake_core::check("example", text).agreement.unwrap();
        let at: Timestamp = at.parse().unwrap();
        let events: Vec<Event> = (0..events)
            .map(|i| {
                parse_event(&format!(
                    r#"{{"id":"e{i}","type":"lead.created","lead_id":"L{i}","occurred_at":"2027-01-05T10:00:00Z"}}"#
                ))
                .unwrap()
            })
            .collect();
        let versions = vec![(at, agreement)];
        let evaluation = evaluate_versions(&versions, &events, at);
        Arc::new(Snapshot {
            versions,
            version: 1,
            evaluation,
            events: Arc::new(events),
        })
    }

    fn held(s: &Snapshots, ws: &Workspace) -> (usize, Timestamp) {
        let map = s.0.lock().unwrap();
        let h = map[ws.as_str()].snapshot.as_ref().unwrap();
        (h.events.len(), h.evaluation.as_of)
    }

    #[test]
    fn an_evaluation_of_older_data_never_replaces_a_newer_one() {
        let (s, ws) = (Snapshots::default(), Workspace::new("w").unwrap());
        s.keep(&ws, snapshot(2, "2027-02-01T00:00:00Z"));
        // Finished later but read before the second event arrived: not kept.
        s.keep(&ws, snapshot(1, "2027-02-01T00:00:05Z"));
        assert_eq!(held(&s, &ws), (2, "2027-02-01T00:00:00Z".parse().unwrap()));
        // The same events, later: kept.
        s.keep(&ws, snapshot(2, "2027-02-01T00:00:30Z"));
        assert_eq!(held(&s, &ws).1, "2027-02-01T00:00:30Z".parse().unwrap());
        // More events: kept.
        s.keep(&ws, snapshot(3, "2027-02-01T00:00:10Z"));
        assert_eq!(held(&s, &ws).0, 3);
    }
}
