//! When a failed delivery is tried again: exponential backoff with jitter
//! (by default 30 s, 1 min, 2 min, ... at most an hour apart, each spread
//! ±20% so receivers that come back are not hit by every server at once),
//! until 24 hours after the notification was due; then it is failed and
//! shown.

/// The schedule of attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait, in seconds.
    pub first_wait: i64,
    /// The longest wait between two attempts, in seconds.
    pub longest_wait: i64,
    /// How long after its due instant a notification is still tried, in seconds.
    pub give_up_after: i64,
}

impl Default for RetryPolicy {
    /// 30 s doubling to at most an hour, for a day.
    fn default() -> RetryPolicy {
        RetryPolicy {
            first_wait: 30,
            longest_wait: 3_600,
            give_up_after: 24 * 3_600,
        }
    }
}

impl RetryPolicy {
    /// When to try a delivery again after its `attempts`-th failure at
    /// `now`, for a notification due at `due`; `None` once that would be
    /// more than `give_up_after` past `due`. `jitter` (0 to 1000) spreads
    /// the wait from 80% to 120%; the caller draws it at random.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::retry::RetryPolicy;
    /// let p = RetryPolicy::default();
    /// // The first failure waits 30 s (jitter 500 is the middle: no spread).
    /// assert_eq!(p.next_attempt(1, 1_000, 1_000, 500), Some(1_030));
    /// // The fourth waits 4 minutes.
    /// assert_eq!(p.next_attempt(4, 1_000, 2_000, 500), Some(2_240));
    /// // A day after it was due, no more.
    /// assert_eq!(p.next_attempt(30, 0, 86_000, 500), None);
    /// ```
    pub fn next_attempt(&self, attempts: u32, due: i64, now: i64, jitter: u32) -> Option<i64> {
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self
            .first_wait
            .saturating_mul(1_i64 << doublings)
            .min(self.longest_wait);
        let spread = i64::from(jitter.min(1_000)) - 500; // -500 ..= 500
        let wait = wait + wait * spread * 2 / 5_000; // ±20%
        let at = now + wait.max(1);
        (at <= due + self.give_up_after).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_spread_by_a_fifth() {
        let p = RetryPolicy::default();
        let waits: Vec<i64> = (1..=10)
            .map(|n| p.next_attempt(n, 0, 0, 500).unwrap())
            .collect();
        assert_eq!(
            waits,
            vec![30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600, 3_600]
        );
        assert_eq!(p.next_attempt(1, 0, 0, 0), Some(24));
        assert_eq!(p.next_attempt(1, 0, 0, 1_000), Some(36));
        assert_eq!(p.next_attempt(9, 0, 0, 0), Some(2_880));
    }

    #[test]
    fn a_day_after_it_was_due_it_is_failed() {
        let p = RetryPolicy::default();
        let day = p.give_up_after;
        assert_eq!(p.next_attempt(12, 0, day - 3_600, 500), Some(day));
        assert_eq!(p.next_attempt(12, 0, day - 3_599, 500), None);
    }
}
