//! A clock's state at an instant: due (in the guarantee's business calendar,
//! pauses excluded), business time used, and met, met late, breached or
//! running (paused and at risk are kinds of running).

use handshake_calendar::Calendar;

use super::fold::ClockRecord;

/// Where a clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockState {
    /// Stopped at or before due.
    Met,
    /// Stopped after due.
    MetLate,
    /// Still open, and as_of is after due.
    Breached,
    /// Still open, due not yet passed.
    Running,
    /// Open, started by an event read off an export's snapshot (inferred),
    /// and no event of a kind that could stop it has arrived from any source
    /// (say a contacts export without its activities): whether it was met
    /// cannot be told from this data, so it is neither met nor breached.
    NotMeasurable,
}

impl ClockState {
    /// `met`, `met_late`, `breached`, `running`, `not_measurable`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Met => "met",
            ClockState::MetLate => "met_late",
            ClockState::Breached => "breached",
            ClockState::Running => "running",
            ClockState::NotMeasurable => "not_measurable",
        }
    }
}

/// A clock seen at `as_of`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockView {
    /// Met, met late, breached or running.
    pub state: ClockState,
    /// Running and paused now.
    pub paused: bool,
    /// Running and past the guarantee's warning point.
    pub at_risk: bool,
    /// When it started (whole seconds since the epoch).
    pub start: i64,
    /// When it is (or was) due; `None` while paused with time left.
    pub due: Option<i64>,
    /// When it stopped.
    pub stop: Option<i64>,
    /// Business seconds counted so far (to the stop, or to as_of), pauses excluded.
    pub used: i64,
    /// Business seconds promised by the version that judges the clock: what
    /// is left (or overdue) is `promised - used`, from the same version as `due`
    /// (an extension granted included).
    pub promised: i64,
    /// The extension asked for on it, and what became of it (boxed: few
    /// clocks have one, and every clock carries the field).
    pub extension: Option<Box<super::extension::Extension>>,
}

impl ClockView {
    /// Business seconds left before due (negative: overdue by that much),
    /// by the promise of the version that judged the clock.
    pub fn left(&self) -> i64 {
        self.promised - self.used
    }
}

/// The state of `c` at `as_of`, for a promise of `duration` business seconds
/// in `calendar`, at risk from `warn_at` percent.
pub(crate) fn view(
    c: &ClockRecord,
    as_of: i64,
    calendar: &Calendar,
    duration: i64,
    warn_at: Option<u8>,
) -> ClockView {
    let end = c.stop.unwrap_or(as_of).max(c.start);
    // Business time used: [start, end) minus the paused stretches.
    let mut used = calendar.elapsed_seconds(c.start, end);
    for &(p0, p1) in &c.pauses {
        let (a, b) = (p0.min(end), p1.unwrap_or(end).min(end));
        used -= calendar.elapsed_seconds(a, b);
    }
    let duration = c.promised(duration);
    let due = when_used(c, calendar, duration);
    let paused = c.stop.is_none() && c.pauses.last().is_some_and(|p| p.1.is_none());
    let state = match (c.stop, due) {
        (Some(stop), Some(due)) if stop <= due => ClockState::Met,
        (Some(_), Some(_)) => ClockState::MetLate,
        (Some(_), None) => ClockState::Met,
        (None, Some(due)) if as_of > due => ClockState::Breached,
        (None, _) => ClockState::Running,
    };
    let at_risk = state == ClockState::Running
        && warn_at.is_some_and(|w| used * 100 >= duration * i64::from(w));
    ClockView {
        state,
        paused: paused && state == ClockState::Running,
        at_risk,
        start: c.start,
        due,
        stop: c.stop,
        used,
        promised: duration,
        extension: c.extension.clone(),
    }
}

/// The instant at which `c` will have used `amount` business seconds,
/// pauses excluded (its stop aside: the instant it would reach that,
/// had it kept running); `None` while an open-ended pause comes first.
/// The due instant is `when_used(c, calendar, promised)`; an alert step at
/// `p` percent falls at `when_used(c, calendar, promised * p / 100)`.
pub(crate) fn when_used(c: &ClockRecord, calendar: &Calendar, amount: i64) -> Option<i64> {
    // Walk the running stretches until the amount is used up.
    let mut remaining = amount;
    let mut run_start = c.start;
    for &(p0, p1) in &c.pauses {
        let stretch = calendar.elapsed_seconds(run_start, p0);
        if stretch >= remaining {
            return calendar.add_seconds(run_start, remaining);
        }
        remaining -= stretch;
        run_start = p1?;
    }
    calendar.add_seconds(run_start, remaining)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    fn clock(start: &str, stop: Option<&str>, pauses: &[(&str, Option<&str>)]) -> ClockRecord {
        ClockRecord {
            guarantee: 0,
            start: t(start),
            stop: stop.map(t),
            pauses: pauses.iter().map(|(a, b)| (t(a), b.map(t))).collect(),
            owner: None,
            segment: None,
            inferred: false,
            extension: None,
        }
    }

    #[test]
    fn met_late_breached_running_at_risk() {
        let cal = Calendar::from_spec("America/New_York", "mon-fri 09:00-17:00", "").unwrap();
        let hour = 3600;
        // Friday 16:30 start, 1 business hour: due Monday 09:30.
        let c = clock(
            "2026-11-20T16:30:00-05:00",
            Some("2026-11-23T09:15:00-05:00"),
            &[],
        );
        let v = view(&c, t("2026-11-24T00:00:00Z"), &cal, hour, Some(75));
        assert_eq!(
            (v.state, v.due, v.used),
            (
                ClockState::Met,
                Some(t("2026-11-23T09:30:00-05:00")),
                45 * 60
            )
        );
        let c = clock(
            "2026-11-20T16:30:00-05:00",
            Some("2026-11-23T09:31:00-05:00"),
            &[],
        );
        assert_eq!(
            view(&c, t("2026-11-24T00:00:00Z"), &cal, hour, None).state,
            ClockState::MetLate
        );
        let open = clock("2026-11-20T16:30:00-05:00", None, &[]);
        assert_eq!(
            view(&open, t("2026-11-23T09:31:00-05:00"), &cal, hour, None).state,
            ClockState::Breached
        );
        // Exactly at due it is still running, and past 75% at risk.
        let v = view(&open, t("2026-11-23T09:30:00-05:00"), &cal, hour, Some(75));
        assert_eq!((v.state, v.at_risk), (ClockState::Running, true));
        let v = view(&open, t("2026-11-20T16:40:00-05:00"), &cal, hour, Some(75));
        assert_eq!((v.state, v.at_risk), (ClockState::Running, false));
    }

    #[test]
    fn pauses_push_the_due_time_out() {
        let cal = Calendar::from_spec("UTC", "24x7", "").unwrap();
        // 2 hours promised; paused for 3 hours after the first 30 minutes.
        let c = clock(
            "2026-11-02T10:00:00Z",
            None,
            &[("2026-11-02T10:30:00Z", Some("2026-11-02T13:30:00Z"))],
        );
        let v = view(&c, t("2026-11-02T14:00:00Z"), &cal, 7200, None);
        assert_eq!(
            (v.due, v.used, v.state),
            (Some(t("2026-11-02T15:00:00Z")), 3600, ClockState::Running)
        );
        // Still paused: no due time, not breached however late.
        let c = clock(
            "2026-11-02T10:00:00Z",
            None,
            &[("2026-11-02T10:30:00Z", None)],
        );
        let v = view(&c, t("2026-12-01T00:00:00Z"), &cal, 7200, None);
        assert_eq!(
            (v.due, v.state, v.paused, v.used),
            (None, ClockState::Running, true, 1800)
        );
    }
}
