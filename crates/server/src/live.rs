//! The live engine: per workspace, a follower task keeps a [`Live`] state
//! current and publishes its evaluation as a [`Snapshot`] that every page and
//! API call reads without waiting.
//!
//! The follower reads the store's cursor ("the events after N"), so events
//! stored by any server sharing the database count here too; for each new
//! event it re-reads that lead's events and re-folds that lead alone. Time
//! moves without events: the live state knows the next instant at which a
//! clock falls due or at risk, a pause ends or a period closes
//! ([`Live::next_change`]), and the evaluation is assembled again when that
//! instant passes (and every [`REFRESH`] while anyone reads, for the
//! business time left), never a re-fold of every lead. A new agreement
//! version is built beside the state that keeps serving, then swapped in.
//!
//! Questions about another instant (`as_of` in the past, what-if) are full
//! replays: at most [`REPLAYS`] run at once, and beyond that the caller gets
//! [`Busy`] rather than a queue that could starve live traffic.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use handshake_core::Agreement;
use handshake_core::engine::{Evaluation, GoalResult, GoalRow, Live, PeriodKey};
use handshake_store::{Cursor, Store, StoreError, Workspace};
use jiff::Timestamp;
use tokio::sync::{Notify, Semaphore, watch};

/// How often a follower looks for events stored by other servers.
pub(crate) const POLL: Duration = Duration::from_millis(200);
/// How old the published evaluation may grow while someone reads, when no
/// state changes: only the business time used and left move meanwhile.
pub(crate) const REFRESH: Duration = Duration::from_secs(15);
/// How long after the last read a follower keeps re-assembling for time alone.
const IDLE_AFTER: i64 = 30;
/// Full replays at once (past `as_of`, what-if).
pub(crate) const REPLAYS: usize = 2;
/// Events read per cursor page.
const PAGE: u32 = 5_000;
/// How long an API read waits for what the store held when it came to count.
const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// One workspace's evaluation at an instant.
pub(crate) struct Snapshot {
    /// Every applied version with the instant it took force, oldest first.
    pub versions: Vec<(Timestamp, Agreement)>,
    /// The latest version's number.
    pub version: i64,
    /// The evaluation at `evaluation.as_of`.
    pub evaluation: Evaluation,
    /// The cursor position of the latest event it counts (the start for a
    /// replay, which counts everything stored when it read).
    cursor: Cursor,
}

impl Snapshot {
    /// A snapshot made by a full replay, outside the live engine.
    pub(crate) fn replayed(
        versions: Vec<(Timestamp, Agreement)>,
        version: i64,
        evaluation: Evaluation,
    ) -> Snapshot {
        Snapshot {
            versions,
            version,
            evaluation,
            cursor: Cursor::START,
        }
    }

    /// The agreement in force now.
    pub fn agreement(&self) -> &Agreement {
        // Snapshots are made only from a non-empty history.
        &self.versions[self.versions.len() - 1].1
    }
}

/// Too many full replays at once: retry after a moment.
#[derive(Debug)]
pub(crate) struct Busy;

/// What a read gets: the snapshot, nothing (no agreement), or a failure.
pub(crate) type Found = Result<Option<Arc<Snapshot>>, StoreError>;

/// One workspace's follower and what it publishes.
struct Engine {
    /// `None` until the first pass; then `Some(None)` without an agreement.
    published: watch::Sender<Option<Result<Option<Arc<Snapshot>>, String>>>,
    /// The last read, in seconds since the epoch.
    last_read: AtomicI64,
    wake: Notify,
}

/// Every workspace's live engine, and the gate of full replays.
pub(crate) struct Engines {
    engines: Mutex<HashMap<String, Arc<Engine>>>,
    replays: Arc<Semaphore>,
    /// The dashboard's public address, for the links in alerts.
    public_url: Option<Arc<str>>,
    /// Where each engine's clocks are written back, if anywhere.
    writeback: Option<Arc<crate::writeback::WriteBackSettings>>,
}

impl Default for Engines {
    fn default() -> Engines {
        Engines::new(None, None)
    }
}

impl Engines {
    /// No engine yet; alerts link to the lead pages under `public_url`,
    /// and each engine's clocks are written back as `writeback` says.
    pub(crate) fn new(
        public_url: Option<String>,
        writeback: Option<Arc<crate::writeback::WriteBackSettings>>,
    ) -> Engines {
        Engines {
            engines: Mutex::default(),
            replays: Arc::new(Semaphore::new(REPLAYS)),
            public_url: public_url.map(Arc::from),
            writeback,
        }
    }
}

fn now_secs() -> i64 {
    Timestamp::now().as_second()
}

impl Engines {
    /// The workspace's engine, its follower started on first use.
    fn engine(&self, store: &Store, ws: &Workspace) -> Arc<Engine> {
        let mut map = match self.engines.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(e) = map.get(ws.as_str()) {
            return Arc::clone(e);
        }
        let engine = Arc::new(Engine {
            published: watch::channel(None).0,
            last_read: AtomicI64::new(now_secs()),
            wake: Notify::new(),
        });
        map.insert(ws.as_str().to_string(), Arc::clone(&engine));
        tokio::spawn(follow(
            store.clone(),
            ws.clone(),
            Arc::clone(&engine),
            self.public_url.clone(),
        ));
        if let Some(settings) = &self.writeback {
            tokio::spawn(crate::writeback::run(
                store.clone(),
                ws.clone(),
                engine.published.subscribe(),
                Arc::clone(settings),
            ));
        }
        engine
    }

    /// Starts following `ws` now, so the first read does not wait.
    pub(crate) fn start(&self, store: &Store, ws: &Workspace) {
        self.engine(store, ws);
    }

    /// Events were stored in `ws` by this server: the follower looks now.
    pub(crate) fn touch(&self, store: &Store, ws: &Workspace) {
        self.engine(store, ws).wake.notify_one();
    }

    /// The published evaluation, without waiting for events (pages stamp
    /// how fresh it is): only the very first is waited for, and a workspace
    /// that seems to have no agreement is asked again.
    pub(crate) async fn get(&self, store: &Store, ws: &Workspace) -> Found {
        let e = self.engine(store, ws);
        e.last_read.store(now_secs(), Ordering::Relaxed);
        match wait_for(&e, None, None).await? {
            Some(s) => Ok(Some(s)),
            None => self.current(store, ws).await,
        }
    }

    /// The published evaluation once it counts every event and agreement
    /// version the store held when asked (waiting at most a few seconds),
    /// for the API: what a client stored, through any server, counts.
    pub(crate) async fn current(&self, store: &Store, ws: &Workspace) -> Found {
        let e = self.engine(store, ws);
        e.last_read.store(now_secs(), Ordering::Relaxed);
        let target = Target {
            cursor: store.cursor_end(ws).await?,
            version: store.latest_version(ws).await?,
        };
        e.wake.notify_one();
        wait_for(&e, Some(target), Some(READ_YOUR_WRITES)).await
    }

    /// A permit for one full replay, or [`Busy`] when [`REPLAYS`] run already.
    pub(crate) fn replay_permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Busy> {
        Arc::clone(&self.replays)
            .try_acquire_owned()
            .map_err(|_| Busy)
    }

    /// Goal `goal`'s number in `period` at `at` and the rows behind it (the
    /// drill-down), by a full replay under a replay permit, so the list
    /// and its count come from one reading of the store.
    pub(crate) async fn goal_rows(
        &self,
        store: &Store,
        ws: &Workspace,
        at: Timestamp,
        goal: String,
        period: PeriodKey,
    ) -> Result<Result<Option<Drilled>, StoreError>, Busy> {
        let _permit = self.replay_permit()?;
        Ok(replayed(store, ws, at, move |mut live, _| {
            let found = live.goal_rows(at, &goal, period);
            Drilled {
                versions: live.versions().to_vec(),
                found,
            }
        })
        .await)
    }

    /// A full replay of the workspace at `at` (under a replay permit).
    pub(crate) async fn at(
        &self,
        store: &Store,
        ws: &Workspace,
        at: Timestamp,
    ) -> Result<Result<Option<Arc<Snapshot>>, StoreError>, Busy> {
        let _permit = self.replay_permit()?;
        Ok(replay(store, ws, at).await)
    }
}

/// What a published snapshot must count.
#[derive(Clone, Copy)]
struct Target {
    cursor: Cursor,
    version: Option<i64>,
}

/// Waits until a snapshot counting `target` is published (or `limit`
/// passes; then the latest one is the answer).
async fn wait_for(e: &Engine, target: Option<Target>, limit: Option<Duration>) -> Found {
    let mut rx = e.published.subscribe();
    let ready = |v: &Option<Result<Option<Arc<Snapshot>>, String>>| match (v, target) {
        (None, _) => false,
        (Some(Ok(Some(s))), Some(t)) => {
            s.cursor >= t.cursor && t.version.is_none_or(|v| s.version >= v)
        }
        (Some(Ok(None)), Some(t)) => t.version.is_none(),
        (Some(_), _) => true,
    };
    let caught_up = match limit {
        Some(l) => tokio::time::timeout(l, rx.wait_for(ready))
            .await
            .is_ok_and(|r| r.is_ok()),
        None => false,
    };
    if !caught_up {
        if limit.is_some() {
            tracing::warn!("the live engine is behind; answering with its latest evaluation");
        }
        // The first snapshot may still be missing: wait for it.
        let _ = rx.wait_for(Option::is_some).await;
    }
    let latest = rx.borrow().clone();
    match latest {
        Some(Ok(s)) => Ok(s),
        Some(Err(message)) => Err(StoreError::Invalid(message)),
        None => Err(StoreError::Invalid("the live engine stopped".into())),
    }
}

/// The workspace's history of versions and its latest number.
type History = (Vec<(Timestamp, Agreement)>, i64);

/// A full replay at `at`: every event read once, subject by subject, and
/// folded as it comes (only facts held), then evaluated.
pub(crate) async fn replay(store: &Store, ws: &Workspace, at: Timestamp) -> Found {
    replayed(store, ws, at, move |mut live, version| {
        let evaluation = live.evaluation(at);
        Arc::new(Snapshot::replayed(
            live.versions().to_vec(),
            version,
            evaluation,
        ))
    })
    .await
}

/// Every event read once at `at`, subject by subject (only facts held),
/// then `then` on the live state and the latest version's number, off the
/// async threads; `None` without an agreement.
async fn replayed<T: Send + 'static>(
    store: &Store,
    ws: &Workspace,
    at: Timestamp,
    then: impl FnOnce(Live, i64) -> T + Send + 'static,
) -> Result<Option<T>, StoreError> {
    let Some((versions, version)) = store.agreement_history(ws).await? else {
        return Ok(None);
    };
    let live = store
        .fold_subjects(ws, Live::at(versions, at), |live, subject, events| {
            live.set_subject(&subject, events);
        })
        .await?;
    let out = tokio::task::spawn_blocking(move || then(live, version))
        .await
        .map_err(|e| StoreError::Invalid(format!("the evaluation stopped: {e}")))?;
    Ok(Some(out))
}

/// A goal's number in one period and what it counted, by a full replay.
pub(crate) struct Drilled {
    /// Every applied version with the instant it took force, oldest first.
    versions: Vec<(Timestamp, Agreement)>,
    /// The goal's result and rows; `None` when no version has that goal
    /// period (an unknown goal, or a period before the data or after now).
    pub found: Option<(GoalResult, Vec<GoalRow>)>,
}

impl Drilled {
    /// The agreement in force now.
    pub(crate) fn agreement(&self) -> &Agreement {
        // Made only by a replay, which needs a non-empty history.
        &self.versions[self.versions.len() - 1].1
    }
}

/// A live state with its cursor and the history it was built for.
struct Followed {
    live: Arc<Mutex<Live>>,
    cursor: Cursor,
    version: i64,
    /// When the published evaluation stops holding without an event.
    next_change: Timestamp,
}

/// Builds the live state from every stored event.
async fn build(store: &Store, ws: &Workspace, history: History) -> Result<Followed, StoreError> {
    let (versions, version) = history;
    // The cursor first: events stored while the rest is read are read again
    // after, and re-folding a lead is idempotent.
    let cursor = store.cursor_end(ws).await?;
    // Streamed subject by subject: only one lead's events are held at once.
    let live = store
        .fold_subjects(ws, Live::new(versions), |live, subject, events| {
            live.set_subject(&subject, events);
        })
        .await?;
    Ok(Followed {
        live: Arc::new(Mutex::new(live)),
        cursor,
        version,
        next_change: Timestamp::MIN,
    })
}

/// Applies the events stored after the cursor; whether any were.
async fn catch_up(store: &Store, ws: &Workspace, f: &mut Followed) -> Result<bool, StoreError> {
    let mut any = false;
    loop {
        let page = store.events_after(ws, f.cursor, PAGE).await?;
        let Some(&(last, _)) = page.last() else {
            return Ok(any);
        };
        any = true;
        let mut touched: Vec<&str> = page.iter().map(|(_, e)| e.subject.as_str()).collect();
        touched.sort_unstable();
        touched.dedup();
        let timelines = store.timelines(ws, &touched).await?;
        let live = Arc::clone(&f.live);
        tokio::task::spawn_blocking(move || {
            let mut live = live
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (subject, events) in timelines {
                live.set_subject(&subject, events);
            }
        })
        .await
        .map_err(|e| StoreError::Invalid(format!("applying events stopped: {e}")))?;
        f.cursor = last;
    }
}

/// The evaluation now, as a snapshot, and when it stops holding.
async fn assemble(f: &Followed) -> Result<(Snapshot, Timestamp), StoreError> {
    let (live, version, cursor) = (Arc::clone(&f.live), f.version, f.cursor);
    tokio::task::spawn_blocking(move || {
        let mut live = live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Timestamp::now();
        let (evaluation, next) = live.evaluation_and_next_change(now);
        let snapshot = Snapshot {
            versions: live.versions().to_vec(),
            version,
            evaluation,
            cursor,
        };
        (snapshot, next)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("the evaluation stopped: {e}")))
}

/// The follower: builds, then keeps the published evaluation current and
/// tells the alert steps that fall ([`crate::alerting`]).
async fn follow(store: Store, ws: Workspace, engine: Arc<Engine>, public_url: Option<Arc<str>>) {
    let mut state: Option<Followed> = None;
    let mut alerting = crate::alerting::Alerting::default();
    loop {
        let done = match pass(&store, &ws, &engine, &mut state).await {
            Ok(()) => match &state {
                Some(f) => {
                    crate::alerting::look(
                        &store,
                        &ws,
                        &f.live,
                        &mut alerting,
                        public_url.as_deref(),
                    )
                    .await
                }
                None => Ok(()),
            },
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(error = %e, workspace = ws.as_str(), "the live engine could not catch up; retrying in a second");
                // Only the first pass has nothing better to show than the error.
                if engine.published.borrow().is_none() {
                    engine.published.send_replace(Some(Err(e.to_string())));
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        tokio::select! {
            () = engine.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// One pass: a new version rebuilds, new events are applied, and the
/// evaluation is re-published when anything changed or time moved on.
async fn pass(
    store: &Store,
    ws: &Workspace,
    engine: &Engine,
    state: &mut Option<Followed>,
) -> Result<(), StoreError> {
    let latest_version = store.latest_version(ws).await?;
    let Some(latest_version) = latest_version else {
        *state = None;
        engine.published.send_replace(Some(Ok(None)));
        return Ok(());
    };
    let mut changed = false;
    if state.as_ref().is_none_or(|f| f.version != latest_version) {
        // Built beside the state that keeps serving, then swapped in.
        if let Some(history) = store.agreement_history(ws).await? {
            *state = Some(build(store, ws, history).await?);
            changed = true;
        }
    }
    let Some(f) = state.as_mut() else {
        return Ok(());
    };
    changed |= catch_up(store, ws, f).await?;
    let published = engine.published.borrow().clone();
    let stale = match &published {
        Some(Ok(Some(s))) => {
            let now = Timestamp::now();
            now >= f.next_change
                || (now.as_second() - s.evaluation.as_of.as_second() >= REFRESH.as_secs() as i64
                    && now_secs() - engine.last_read.load(Ordering::Relaxed) <= IDLE_AFTER)
        }
        _ => true,
    };
    if changed || stale {
        let (snapshot, next_change) = assemble(f).await?;
        f.next_change = next_change;
        engine
            .published
            .send_replace(Some(Ok(Some(Arc::new(snapshot)))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_replay_beyond_the_few_allowed_is_refused_with_retry_after() {
        let engines = Engines::default();
        let held: Vec<_> = (0..REPLAYS)
            .map(|_| engines.replay_permit().expect("a free permit"))
            .collect();
        assert!(
            engines.replay_permit().is_err(),
            "a third replay must wait its turn"
        );
        let answer = crate::ApiError::busy().into_response();
        assert_eq!(answer.status(), 503);
        assert_eq!(answer.headers()["retry-after"], "5");
        // A finished replay frees its place.
        drop(held);
        assert!(engines.replay_permit().is_ok());
    }
}
