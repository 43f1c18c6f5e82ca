//! Escalation ladders fired from the live state: after each pass, the
//! follower asks its [`Live`] which alert steps fell since it last looked
//! (a range of the index of step instants, not a scan of every clock),
//! addresses them through the people directory, and puts one notification
//! per channel in the outbox, moving the workspace's alert mark in the
//! same transaction. When a goal's period closed since, the consequences
//! and cancellation term that close brought about are told the same way,
//! and so are the digests whose hour came (from one evaluation per close
//! or hour). The outbox's unique keys make this safe to repeat: a
//! restart resumes from the stored mark, and several servers deciding the
//! same step store it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use handshake_core::alerts::message::{self, Links};
use handshake_core::alerts::people::Person;
use handshake_core::alerts::{closing, digest};
use handshake_core::engine::{AlertDue, Live, consequences_due, period_closes_between};
use handshake_store::{NewNotification, Store, StoreError, Workspace};
use jiff::Timestamp;

/// How far back each look reaches before the mark: a step that fell a
/// little before it for a clock whose events arrived late is still told.
pub(crate) const GRACE: i64 = 15 * 60;
/// How often the mark is stored when no step fell.
const MARK_EVERY: i64 = 60;

/// One workspace's alerting, kept across agreement versions.
#[derive(Default)]
pub(crate) struct Alerting {
    /// How far steps are in the outbox; `None` until read from the store.
    up_to: Option<i64>,
    /// The mark as last stored.
    stored: i64,
    /// Keys put in the outbox within the grace window, so a repeated look
    /// does not write them again.
    recent: HashMap<String, i64>,
    /// How far period closes and digest hours have been judged (unix
    /// seconds): each is evaluated once, not at every look of the grace window.
    closes_judged: i64,
    /// The people directory as last read, and when (digests need it to
    /// know whose hour it is; read at most once a minute).
    people: Option<(i64, Arc<Vec<Person>>)>,
}

/// How often the directory is read again for digests.
const PEOPLE_EVERY: i64 = 60;

/// Looks for the steps that fell since the last look and stores their
/// notifications. `base` is the dashboard's public address, for links.
pub(crate) async fn look(
    store: &Store,
    ws: &Workspace,
    live: &Arc<Mutex<Live>>,
    alerting: &mut Alerting,
    base: Option<&str>,
) -> Result<(), StoreError> {
    let now = Timestamp::now();
    let now_s = now.as_second();
    let up_to = match alerting.up_to {
        Some(t) => t,
        None => {
            // The first look ever starts now: history is not re-told.
            let t = store.alerts_up_to(ws).await?.unwrap_or(now_s);
            alerting.stored = t;
            alerting.up_to = Some(t);
            if t == now_s {
                store.enqueue_alerts(ws, &[], now_s, now_s).await?;
            }
            t
        }
    };
    let from = Timestamp::from_second(up_to - GRACE).unwrap_or(Timestamp::MIN);
    let closes_from = (up_to - GRACE).max(alerting.closes_judged);
    let directory = match &alerting.people {
        Some((read, p)) if now_s - read < PEOPLE_EVERY => Arc::clone(p),
        _ => {
            let p = Arc::new(store.people(ws).await?);
            alerting.people = Some((now_s, Arc::clone(&p)));
            p
        }
    };
    let live = Arc::clone(live);
    let (fell, closed, digests, versions) = tokio::task::spawn_blocking(move || {
        let mut live = live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fell = live.alerts_between(from, now);
        // A goal's period closed or a digest's hour came: one evaluation
        // now (once a close or hour, not once a look).
        let closing = live
            .versions()
            .iter()
            .any(|(_, a)| period_closes_between(a, closes_from, now_s));
        let current = live.versions().last().map(|(_, a)| a.clone());
        let digesting = current
            .as_ref()
            .is_some_and(|a| digest::due_between(a, &directory, closes_from, now_s));
        let (closed, digests) = if closing || digesting {
            let e = live.evaluation(now);
            let closed = consequences_due(live.versions(), &e, closes_from, now_s);
            let digests = current.as_ref().map_or_else(Vec::new, |a| {
                digest::digests_due(a, &directory, &e, closes_from, now_s)
            });
            (closed, digests)
        } else {
            (Vec::new(), Vec::new())
        };
        let versions = if fell.is_empty() && closed.is_empty() && digests.is_empty() {
            Vec::new()
        } else {
            live.versions().to_vec()
        };
        (fell, closed, digests, versions)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("looking for alerts stopped: {e}")))?;
    alerting.recent.retain(|_, t| *t > up_to - GRACE);
    let fresh: Vec<AlertDue> = fell
        .into_iter()
        .filter(|a| !alerting.recent.contains_key(&a.key()))
        .collect();
    if fresh.is_empty() && closed.is_empty() && digests.is_empty() {
        alerting.closes_judged = now_s;
        alerting.up_to = Some(now_s.max(up_to));
        if now_s - alerting.stored >= MARK_EVERY {
            store.enqueue_alerts(ws, &[], now_s, now_s).await?;
            alerting.stored = now_s;
        }
        return Ok(());
    }
    // Fresh for the messages: a person just added is addressed at once.
    let people = store.people(ws).await?;
    alerting.people = Some((now_s, Arc::new(people.clone())));
    let channels = store.channels(ws).await?;
    // The agreement version (numbered from 1) that judged a clock or period.
    let judged_by = |version: u32| {
        (version as usize)
            .checked_sub(1)
            .and_then(|i| versions.get(i))
            .map(|(_, a)| a)
    };
    let mut list = Vec::new();
    for alert in &fresh {
        let Some(agreement) = judged_by(alert.version) else {
            continue;
        };
        let notices = message::notices(
            agreement,
            &people,
            &channels,
            ws.as_str(),
            Links { base },
            std::slice::from_ref(alert),
        );
        list.extend(notices.into_iter().map(NewNotification::from));
    }
    for d in &closed {
        let Some(agreement) = judged_by(d.version) else {
            continue;
        };
        let notices = closing::notices(
            agreement,
            &people,
            &channels,
            ws.as_str(),
            Links { base },
            std::slice::from_ref(d),
        );
        list.extend(notices.into_iter().map(NewNotification::from));
    }
    if let Some((_, current)) = versions.last() {
        list.extend(
            digest::notices(current, &channels, ws.as_str(), Links { base }, &digests)
                .into_iter()
                .map(NewNotification::from),
        );
    }
    let added = store.enqueue_alerts(ws, &list, now_s, now_s).await?;
    tracing::info!(
        workspace = ws.as_str(),
        steps = fresh.len(),
        consequences = closed.len(),
        digests = digests.len(),
        notifications = added,
        "alert steps fell, periods closed or digests came due"
    );
    for a in fresh {
        alerting.recent.insert(a.key(), a.instant);
    }
    // Only once stored: a close or digest whose notifications failed to
    // store is judged again at the next look.
    alerting.closes_judged = now_s;
    alerting.stored = now_s;
    alerting.up_to = Some(now_s);
    Ok(())
}
