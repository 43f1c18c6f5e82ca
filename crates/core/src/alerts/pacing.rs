//! How fast a channel is sent to, and when one that keeps failing is
//! suspended. A channel may carry a rate limit (sends per minute, counted in
//! fixed one-minute windows by every server together: Slack takes about one
//! message a second per incoming webhook); notifications over the limit wait
//! for the next window without counting as attempts. A channel whose
//! receiver has refused every attempt for long enough is suspended: its
//! notifications wait, untried and shown, until someone resumes it, rather
//! than being retried into the void for a day each.

/// The rate limit a Slack channel gets when none is given: Slack's
/// documented one message per second per incoming webhook.
pub const SLACK_PER_MINUTE: i64 = 60;

/// The start (unix seconds) of the one-minute window `now` falls in.
///
/// # Example
/// ```
/// use handshake_core::alerts::pacing::window_start;
/// assert_eq!(window_start(1_800_000_059), 1_800_000_000 - 1_800_000_000 % 60);
/// assert_eq!(window_start(120), 120);
/// ```
pub fn window_start(now: i64) -> i64 {
    now - now.rem_euclid(60)
}

/// How many of `want` sends a limit of `per_minute` grants, when the
/// window's count stood at `used_after` once `want` was added to it (every
/// ask is counted, granted or not, so asks from several servers never
/// grant more than the limit together).
///
/// # Example
/// ```
/// use handshake_core::alerts::pacing::granted;
/// // 60 a minute, 50 used, 20 asked: 10 go now.
/// assert_eq!(granted(60, 70, 20), 10);
/// assert_eq!(granted(60, 20, 20), 20);
/// assert_eq!(granted(60, 200, 20), 0);
/// ```
pub fn granted(per_minute: i64, used_after: i64, want: i64) -> i64 {
    (per_minute - (used_after - want)).clamp(0, want.max(0))
}

/// When a channel is suspended: after `failures` refused attempts in a row
/// that span at least `failing_for` seconds with nothing accepted between.
/// Both, so a burst of notifications meeting one outage of a minute does not
/// suspend, and neither does one slow retry a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuspendRule {
    /// Refused attempts in a row.
    pub failures: i64,
    /// Seconds since the first of them.
    pub failing_for: i64,
}

impl Default for SuspendRule {
    /// Ten refused attempts over six hours.
    fn default() -> SuspendRule {
        SuspendRule {
            failures: 10,
            failing_for: 6 * 3_600,
        }
    }
}

impl SuspendRule {
    /// Whether a channel with `failures` refused attempts in a row, the
    /// first at `since`, is suspended at `now`.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::pacing::SuspendRule;
    /// let rule = SuspendRule::default();
    /// assert!(!rule.suspends(500, 0, 60)); // a burst in one bad minute
    /// assert!(!rule.suspends(3, 0, 7 * 3_600)); // few attempts, slowly
    /// assert!(rule.suspends(12, 0, 7 * 3_600));
    /// ```
    pub fn suspends(&self, failures: i64, since: i64, now: i64) -> bool {
        failures >= self.failures && now - since >= self.failing_for
    }
}
