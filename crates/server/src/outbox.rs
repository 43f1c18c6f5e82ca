//! The delivery worker: every server runs one. It claims the outbox's due
//! notifications for a lease (so no two servers send one at once, and a
//! server killed mid-delivery leaves them to another), sends each to its
//! channel with its stable delivery id, and records the outcome: accepted,
//! tried again later by the retry policy, or failed and kept to show. A
//! channel's rate limit holds back what is over it (to the next minute, not
//! counted as an attempt); refusals in a row suspend a channel (see
//! [`SuspendRule`]).

use std::collections::HashMap;
use std::time::Duration;

use handshake_core::alerts::pacing::{SuspendRule, window_start};
use handshake_core::alerts::retry::RetryPolicy;
use handshake_core::alerts::{Channel, ChannelName};
use handshake_store::{ChannelHealth, ChannelTally, Notification, Outcome, Store, Workspace};
use tokio::sync::watch;

use crate::deliver;

/// How the worker runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliverySettings {
    /// How often it looks for due notifications.
    pub poll: Duration,
    /// How long a claim holds before another server may take it.
    pub lease: Duration,
    /// When a refused delivery is tried again, and for how long.
    pub retry: RetryPolicy,
    /// The most notifications one look claims.
    pub batch: i64,
    /// When a channel that keeps refusing is suspended.
    pub suspend: SuspendRule,
}

impl Default for DeliverySettings {
    /// Every second, 60-second leases, 128 at a time, the default retries
    /// and suspension rule.
    fn default() -> DeliverySettings {
        DeliverySettings {
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            batch: 128,
            suspend: SuspendRule::default(),
        }
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn jitter() -> u32 {
    let mut b = [0_u8; 2];
    // Without randomness the middle of the spread: retries still happen.
    if getrandom::fill(&mut b).is_err() {
        return 500;
    }
    u32::from(u16::from_le_bytes(b)) % 1_001
}

/// Runs until `stop` turns true.
pub(crate) async fn run(store: Store, settings: DeliverySettings, mut stop: watch::Receiver<bool>) {
    let client = reqwest::Client::new();
    let mut depth_read = 0;
    loop {
        let lease = i64::try_from(settings.lease.as_secs()).unwrap_or(60);
        let mut full = false;
        match store
            .claim_notifications(now(), lease, settings.batch)
            .await
        {
            Ok(claimed) => {
                // A full batch: more may be due, so look again at once.
                full = claimed.len() as i64 >= settings.batch;
                // Each channel read once per claim, not once per notification.
                let mut channels: HashMap<(String, String), Found> = HashMap::new();
                // And each workspace's channel limits and health: reads, so
                // a channel without a limit or failures costs no write.
                let mut health: HashMap<(String, String), ChannelHealth> = HashMap::new();
                for n in &claimed {
                    let at = (n.workspace.clone(), n.channel.clone());
                    if let std::collections::hash_map::Entry::Vacant(slot) = channels.entry(at) {
                        slot.insert(read_channel(&store, &n.workspace, &n.channel).await);
                        if !health.keys().any(|(ws, _)| ws == &n.workspace)
                            && let Ok(ws) = Workspace::new(&n.workspace)
                            && let Ok(list) = store.channel_health(&ws).await
                        {
                            health.extend(
                                list.into_iter()
                                    .map(|h| ((n.workspace.clone(), h.name.clone()), h)),
                            );
                        }
                    }
                }
                let (go, held) = pace(&store, claimed, &channels, &health).await;
                let mut sending = tokio::task::JoinSet::new();
                for n in go {
                    let client = client.clone();
                    let channel = channels
                        .get(&(n.workspace.clone(), n.channel.clone()))
                        .cloned()
                        .unwrap_or(Ok(None));
                    sending.spawn(async move {
                        let (outcome, reached) = deliver_one(channel, &client, settings, &n).await;
                        (n, outcome, reached)
                    });
                }
                let mut done = Vec::new();
                while let Some(result) = sending.join_next().await {
                    if let Ok(one) = result {
                        done.push(one);
                    }
                }
                let mut tallies: Vec<ChannelTally<'_>> = Vec::new();
                for (n, _, reached) in &done {
                    let Some(accepted) = reached else { continue };
                    // An acceptance changes nothing for a channel without failures.
                    let failing = health
                        .get(&(n.workspace.clone(), n.channel.clone()))
                        .is_none_or(|h| h.failures > 0);
                    if *accepted && !failing {
                        continue;
                    }
                    let at = tallies
                        .iter()
                        .position(|t| t.workspace == n.workspace && t.channel == n.channel);
                    let t = match at {
                        Some(i) => &mut tallies[i],
                        None => {
                            tallies.push(ChannelTally {
                                workspace: &n.workspace,
                                channel: &n.channel,
                                accepted: 0,
                                refused: 0,
                            });
                            let last = tallies.len() - 1;
                            &mut tallies[last]
                        }
                    };
                    if *accepted {
                        t.accepted += 1;
                    } else {
                        t.refused += 1;
                    }
                }
                let list: Vec<(&str, &str, &Outcome)> = done
                    .iter()
                    .map(|(n, o, _)| (n.workspace.as_str(), n.key.as_str(), o))
                    .chain(
                        held.iter()
                            .map(|(n, o)| (n.workspace.as_str(), n.key.as_str(), o)),
                    )
                    .collect();
                if let Err(e) = store
                    .record_deliveries(&list, &tallies, settings.suspend, now())
                    .await
                {
                    // The claims run out and the notifications are sent again
                    // under the same delivery ids: at least once, never lost.
                    tracing::warn!(error = %e, "recording {} deliveries failed", list.len());
                }
            }
            Err(e) => tracing::warn!(error = %e, "claiming due notifications failed"),
        }
        // Depth and age at most once a second: a count of the pending rows
        // after every full claim would cost more than the claims.
        if now() > depth_read
            && let Ok((depth, oldest)) = store.outbox_depth().await
        {
            depth_read = now();
            metrics::gauge!("handshake_outbox_pending").set(depth as f64);
            let age = oldest.map_or(0, |t| (now() - t).max(0));
            metrics::gauge!("handshake_outbox_oldest_pending_seconds").set(age as f64);
        }
        if full {
            if *stop.borrow() {
                return;
            }
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(settings.poll) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A notification's channel as the store has it (a read failure in words).
type Found = Result<Option<Channel>, String>;

/// Splits a claim into what may be sent now and what each channel's rate
/// limit holds to its next window (in claim order: the oldest go first).
async fn pace(
    store: &Store,
    claimed: Vec<Notification>,
    channels: &HashMap<(String, String), Found>,
    health: &HashMap<(String, String), ChannelHealth>,
) -> (Vec<Notification>, Vec<(Notification, Outcome)>) {
    let now = now();
    let mut left: HashMap<(String, String), i64> = HashMap::new();
    for ((ws, name), found) in channels {
        let limited = health
            .get(&(ws.clone(), name.clone()))
            .is_none_or(|h| h.per_minute.is_some());
        if !matches!(found, Ok(Some(_))) || !limited {
            continue;
        }
        let want = claimed
            .iter()
            .filter(|n| &n.workspace == ws && &n.channel == name)
            .count() as i64;
        // A failed count sends all: the limit is a courtesy to the
        // receiver, never a reason to hold an alert back for good.
        let granted = match store.take_sends(ws, name, want, now).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, channel = name.as_str(), "reading the channel's rate limit failed; sending without it");
                want
            }
        };
        left.insert((ws.clone(), name.clone()), granted);
    }
    let (mut go, mut held) = (Vec::new(), Vec::new());
    for n in claimed {
        match left.get_mut(&(n.workspace.clone(), n.channel.clone())) {
            Some(0) => {
                metrics::counter!("handshake_deliveries_total", "channel" => n.channel.clone(), "outcome" => "deferred")
                    .increment(1);
                held.push((
                    n,
                    Outcome::Deferred {
                        at: window_start(now) + 60,
                    },
                ));
            }
            Some(k) => {
                *k -= 1;
                go.push(n);
            }
            None => go.push(n),
        }
    }
    (go, held)
}

async fn read_channel(store: &Store, workspace: &str, channel: &str) -> Found {
    match (Workspace::new(workspace), ChannelName::parse(channel)) {
        (Ok(ws), Ok(name)) => store.channel(&ws, &name).await.map_err(|e| e.to_string()),
        _ => Ok(None),
    }
}

/// Sends one claimed notification to its channel; what came of it
/// (recorded by the caller), and whether the channel's receiver accepted
/// it (`None` when it was not tried on the receiver at all).
async fn deliver_one(
    channel: Found,
    client: &reqwest::Client,
    settings: DeliverySettings,
    n: &Notification,
) -> (Outcome, Option<bool>) {
    let attempts = u32::try_from(n.attempts + 1).unwrap_or(u32::MAX);
    let again = |status: Option<i64>, answer: String| match settings.retry.next_attempt(
        attempts,
        n.due_at,
        now(),
        jitter(),
    ) {
        Some(at) => Outcome::Retry { status, answer, at },
        None => Outcome::Failed { status, answer },
    };
    let (outcome, reached) = match channel {
        // Kept and tried again (for as long as any retry): the agreement
        // may name a channel before `handshake channel add` sets it up.
        Ok(None) => (
            again(
                None,
                format!(
                    "workspace \"{}\" has no channel \"{}\" (yet): add it with `handshake channel add {}`",
                    n.workspace, n.channel, n.channel
                ),
            ),
            None,
        ),
        Err(e) => (
            again(None, format!("reading the channel failed: {e}")),
            None,
        ),
        Ok(Some(c)) => {
            let sent = deliver::send_raw(
                client,
                &c,
                &n.kind,
                &n.delivery_id,
                n.body.clone().into_bytes(),
                now(),
            )
            .await;
            match sent {
                Ok(a) if a.accepted() => (
                    Outcome::Delivered {
                        status: i64::from(a.status),
                        answer: a.body,
                    },
                    Some(true),
                ),
                Ok(a) => (again(Some(i64::from(a.status)), a.body), Some(false)),
                // This notification's fault (no address), not the channel's.
                Err(deliver::DeliveryError::Undeliverable(why)) => (
                    Outcome::Failed {
                        status: None,
                        answer: why,
                    },
                    None,
                ),
                Err(e) => (again(None, e.to_string()), Some(false)),
            }
        }
    };
    let label = match &outcome {
        Outcome::Delivered { .. } => "delivered",
        Outcome::Retry { .. } => "retry",
        Outcome::Failed { .. } => "failed",
        Outcome::Deferred { .. } => "deferred",
    };
    metrics::counter!("handshake_deliveries_total", "channel" => n.channel.clone(), "outcome" => label)
        .increment(1);
    if n.attempts == 0 {
        // How late the first attempt came against the instant it was due.
        let late = (jiff::Timestamp::now().as_millisecond() - n.due_at * 1000).max(0);
        metrics::histogram!("handshake_notification_lateness_seconds", "kind" => n.kind.clone())
            .record(late as f64 / 1000.0);
    }
    (outcome, reached)
}
