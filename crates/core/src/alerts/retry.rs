//! When a failed delivery is tried again: exponential backoff with jitter
//! (30 s, 1 min, 2 min, ... at most an hour apart, each spread ±20% so
//! receivers that come back are not hit by every server at once), until 24
//! hours after the notification was due; then it is failed and shown.

/// The first wait, in seconds.
pub const FIRST_WAIT: i64 = 30;
/// The longest wait between two attempts, in seconds.
pub const LONGEST_WAIT: i64 = 3_600;
/// How long after its due instant a notification is still tried, in seconds.
pub const GIVE_UP_AFTER: i64 = 24 * 3_600;

/// When to try a delivery again after its `attempts`-th failure at `now`,
/// for a notification due at `due`; `None` once that would be more than
/// [`GIVE_UP_AFTER`] past `due`. `jitter` (0 to 1000) spreads the wait
/// from 80% to 120%; the caller draws it at random.
///
/// # Example
/// ```
/// use handshake_core::alerts::retry::next_attempt;
/// // The first failure waits 30 s (jitter 500 is the middle: no spread).
/// assert_eq!(next_attempt(1, 1_000, 1_000, 500), Some(1_030));
/// // The fourth waits 4 minutes.
/// assert_eq!(next_attempt(4, 1_000, 2_000, 500), Some(2_240));
/// // A day after it was due, no more.
/// assert_eq!(next_attempt(30, 0, 86_000, 500), None);
/// ```
pub fn next_attempt(attempts: u32, due: i64, now: i64, jitter: u32) -> Option<i64> {
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = (FIRST_WAIT << doublings).min(LONGEST_WAIT);
    let spread = i64::from(jitter.min(1_000)) - 500; // -500 ..= 500
    let wait = wait + wait * spread * 2 / 5_000; // ±20%
    let at = now + wait.max(1);
    (at <= due + GIVE_UP_AFTER).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_spread_by_a_fifth() {
        let waits: Vec<i64> = (1..=10)
            .map(|n| next_attempt(n, 0, 0, 500).unwrap())
            .collect();
        assert_eq!(
            waits,
            vec![30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600, 3_600]
        );
        assert_eq!(next_attempt(1, 0, 0, 0), Some(24));
        assert_eq!(next_attempt(1, 0, 0, 1_000), Some(36));
        assert_eq!(next_attempt(9, 0, 0, 0), Some(2_880));
    }

    #[test]
    fn a_day_after_it_was_due_it_is_failed() {
        assert_eq!(
            next_attempt(12, 0, GIVE_UP_AFTER - 3_600, 500),
            Some(GIVE_UP_AFTER)
        );
        assert_eq!(next_attempt(12, 0, GIVE_UP_AFTER - 3_599, 500), None);
    }
}
