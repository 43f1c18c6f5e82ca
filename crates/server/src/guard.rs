//! Failed sign-ins cost the guesser, not the server: failures are counted
//! per client address and per token id (GCRA buckets from `governor`), and
//! a client or id over its allowance is refused with 429 before any work.
//! Successful requests are never counted. Memory is bounded: only keys that
//! failed are tracked, and idle ones are dropped.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failures allowed in a burst from one client address.
const CLIENT_BURST: u32 = 20;
/// Failures allowed in a burst for one token id (someone who knows an id
/// may not try its secrets faster than this).
const TOKEN_BURST: u32 = 10;
/// After a burst, one more failure is allowed every this long.
const REFILL: Duration = Duration::from_secs(3);
/// Blocked keys kept before the expired ones are swept.
const SWEEP_AT: usize = 10_000;

struct Keyed<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    blocked: Mutex<HashMap<K, Instant>>,
    failures: AtomicU64,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(burst: u32) -> Keyed<K> {
        // Both are non-zero constants; `MIN` is never reached.
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(REFILL)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Keyed {
            limiter: RateLimiter::keyed(quota),
            blocked: Mutex::new(HashMap::new()),
            failures: AtomicU64::new(0),
        }
    }

    /// How long `key` must still wait, if it is blocked.
    fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let blocked = self.blocked.lock().ok()?;
        blocked
            .get(key)
            .and_then(|until| until.checked_duration_since(now))
    }

    fn failed(&self, key: &K, now: Instant) {
        if let Err(not_until) = self.limiter.check_key(key) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            if let Ok(mut blocked) = self.blocked.lock() {
                if blocked.len() >= SWEEP_AT {
                    blocked.retain(|_, until| *until > now);
                }
                blocked.insert(key.clone(), now + wait.max(Duration::from_secs(1)));
            }
        }
        if self.failures.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

/// The failure counters of one server.
pub(crate) struct Guard {
    clients: Keyed<IpAddr>,
    tokens: Keyed<String>,
}

impl Default for Guard {
    fn default() -> Guard {
        Guard {
            clients: Keyed::new(CLIENT_BURST),
            tokens: Keyed::new(TOKEN_BURST),
        }
    }
}

impl Guard {
    /// `Some(wait)` when this client, or this token id, failed too often and
    /// must wait before trying again.
    pub(crate) fn refused(&self, client: IpAddr, token_id: Option<&str>) -> Option<Duration> {
        let now = Instant::now();
        let by_client = self.clients.wait(&client, now);
        let by_token = token_id.and_then(|id| self.tokens.wait(&id.to_string(), now));
        by_client.max(by_token)
    }

    /// Counts one failed attempt by `client` with `token_id`.
    pub(crate) fn failed(&self, client: IpAddr, token_id: Option<&str>) {
        let now = Instant::now();
        self.clients.failed(&client, now);
        if let Some(id) = token_id {
            self.tokens.failed(&id.to_string(), now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_after_its_burst_of_failures_and_others_are_not() {
        let g = Guard::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..CLIENT_BURST {
            assert!(g.refused(a, None).is_none());
            g.failed(a, None);
        }
        assert!(g.refused(a, None).is_none(), "the burst itself is allowed");
        g.failed(a, None);
        let wait = g.refused(a, None).expect("over the burst");
        assert!(wait <= REFILL + Duration::from_secs(1));
        assert!(g.refused(b, None).is_none());
    }

    #[test]
    fn a_token_id_is_refused_after_its_burst_whatever_the_client() {
        let g = Guard::default();
        for i in 0..=TOKEN_BURST {
            let client = IpAddr::from([10, 0, 1, u8::try_from(i).unwrap()]);
            g.failed(client, Some("abcdef012345"));
        }
        let fresh: IpAddr = "10.9.9.9".parse().unwrap();
        assert!(g.refused(fresh, Some("abcdef012345")).is_some());
        assert!(g.refused(fresh, Some("000000000000")).is_none());
    }
}
