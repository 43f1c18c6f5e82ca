//! The prefix-sum index over a calendar's open time in UTC.
//!
//! [`Rules`] say which local intervals are open on each local day; building an
//! [`Index`] for a UTC stretch turns them into sorted, disjoint UTC intervals
//! with the open seconds before each, plus one bucket per day pointing at the
//! first interval still open at that day's start. Every query is then a bucket
//! jump, a short scan and arithmetic: no time-zone work on the hot path.

use std::collections::{BTreeMap, BTreeSet};

use jiff::tz::TimeZone;

use crate::civil::{DAY, days_of, weekday_of};
use crate::zone::offset_segments;
use crate::{Holidays, LocalInterval, WeeklyHours};

/// The largest UTC offset magnitude jiff allows (25:59:59), rounded up.
const MAX_OFFSET: i64 = 26 * 3600;

/// A calendar's rules on plain integers: local seconds and day numbers.
#[derive(Clone, Debug)]
pub(crate) struct Rules {
    tz: TimeZone,
    week: [Vec<(i64, i64)>; 7],
    closed: BTreeSet<i64>,
    partial: BTreeMap<i64, Vec<(i64, i64)>>,
    /// UTC second after which nothing is ever open again; `None` when the
    /// weekly hours keep opening for ever.
    open_bound: Option<i64>,
}

fn secs(list: &[LocalInterval]) -> Vec<(i64, i64)> {
    list.iter()
        .map(|iv| (i64::from(iv.start()), i64::from(iv.end())))
        .collect()
}

impl Rules {
    pub(crate) fn new(tz: TimeZone, hours: &WeeklyHours, holidays: &Holidays) -> Rules {
        let week = std::array::from_fn(|i| secs(hours.by_index(i)));
        let closed = holidays.closed().map(days_of).collect();
        let partial: BTreeMap<i64, Vec<(i64, i64)>> = holidays
            .partial()
            .map(|(d, list)| (days_of(d), secs(list)))
            .collect();
        let open_bound = if hours.is_never_open() {
            let last_day = partial
                .keys()
                .next_back()
                .copied()
                .unwrap_or(i64::MIN / 4 / DAY);
            Some(last_day * DAY + 2 * DAY + MAX_OFFSET)
        } else {
            None
        };
        Rules {
            tz,
            week,
            closed,
            partial,
            open_bound,
        }
    }

    pub(crate) fn open_bound(&self) -> Option<i64> {
        self.open_bound
    }

    fn day_intervals(&self, day: i64) -> &[(i64, i64)] {
        if let Some(list) = self.partial.get(&day) {
            list
        } else if self.closed.contains(&day) {
            &[]
        } else {
            &self.week[weekday_of(day)]
        }
    }

    /// The open UTC intervals within `[lo, hi)`: sorted, disjoint, not adjacent.
    fn open_intervals(&self, lo: i64, hi: i64) -> Vec<(i64, i64)> {
        let first_day = lo.div_euclid(DAY) - 4;
        let last_day = hi.div_euclid(DAY) + 3;
        let segments = offset_segments(
            &self.tz,
            first_day * DAY - 2 * DAY,
            last_day * DAY + 4 * DAY,
        );
        let mut pieces = Vec::with_capacity(((last_day - first_day) as usize).saturating_mul(2));
        for day in first_day..=last_day {
            let base = day * DAY;
            for &(start, end) in self.day_intervals(day) {
                let (a, b) = (base + start, base + end);
                let mut k = segments
                    .partition_point(|s| s.0 <= a - MAX_OFFSET)
                    .saturating_sub(1);
                while k < segments.len() && segments[k].0 < b + MAX_OFFSET {
                    let (u0, offset) = segments[k];
                    let u1 = segments.get(k + 1).map_or(i64::MAX, |s| s.0);
                    let (ps, pe) = (u0.max(a - offset), u1.min(b - offset));
                    let (ps, pe) = (ps.max(lo), pe.min(hi));
                    if ps < pe {
                        pieces.push((ps, pe));
                    }
                    k += 1;
                }
            }
        }
        pieces.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(pieces.len());
        for (s, e) in pieces {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }
}

/// Sorted disjoint open intervals of `[lo, hi)` with prefix sums and day buckets.
#[derive(Clone, Debug)]
pub(crate) struct Index {
    lo: i64,
    hi: i64,
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `cum[i]`: open seconds in `[lo, starts[i])`; `cum[n]`: the total.
    cum: Vec<i64>,
    /// `buckets[k]`: the first interval with `end > lo + k * DAY`.
    buckets: Vec<u32>,
}

impl Index {
    /// Indexes the open time of `rules` within `[lo, hi)` (`lo < hi`).
    pub(crate) fn build(rules: &Rules, lo: i64, hi: i64) -> Index {
        let intervals = rules.open_intervals(lo, hi);
        let n = intervals.len();
        let mut starts = Vec::with_capacity(n);
        let mut ends = Vec::with_capacity(n);
        let mut cum = Vec::with_capacity(n + 1);
        let mut total = 0;
        for &(s, e) in &intervals {
            starts.push(s);
            ends.push(e);
            cum.push(total);
            total += e - s;
        }
        cum.push(total);
        let bucket_count = (hi - lo) / DAY + 1;
        let mut buckets = Vec::with_capacity(bucket_count as usize);
        let mut i = 0usize;
        for k in 0..bucket_count {
            let at = lo + k * DAY;
            while i < n && ends[i] <= at {
                i += 1;
            }
            // An index holds far fewer than 2^32 intervals (one per open stretch per day).
            buckets.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Index {
            lo,
            hi,
            starts,
            ends,
            cum,
            buckets,
        }
    }

    pub(crate) fn lo(&self) -> i64 {
        self.lo
    }

    pub(crate) fn hi(&self) -> i64 {
        self.hi
    }

    /// Total open seconds in `[lo, hi)`.
    pub(crate) fn total(&self) -> i64 {
        self.cum[self.starts.len()]
    }

    /// The first interval whose end is after `t` (`n` when none); `t` in `[lo, hi]`.
    #[inline]
    fn locate(&self, t: i64) -> usize {
        let k = ((t - self.lo) / DAY) as usize;
        let mut i = self.buckets[k.min(self.buckets.len() - 1)] as usize;
        while i < self.ends.len() && self.ends[i] <= t {
            i += 1;
        }
        i
    }

    /// Open seconds in `[lo, t)`, for `t` clamped into `[lo, hi]`.
    #[inline]
    pub(crate) fn open_before(&self, t: i64) -> i64 {
        let t = t.clamp(self.lo, self.hi);
        let i = self.locate(t);
        if i == self.starts.len() {
            return self.total();
        }
        self.cum[i] + (t - self.starts[i]).max(0)
    }

    /// Whether `t` (in `[lo, hi)`) is open.
    #[inline]
    pub(crate) fn is_open(&self, t: i64) -> bool {
        let i = self.locate(t);
        i < self.starts.len() && self.starts[i] <= t
    }

    /// The first open instant at or after `t` within `[t, hi)`.
    pub(crate) fn next_open(&self, t: i64) -> Option<i64> {
        let i = self.locate(t.max(self.lo));
        (i < self.starts.len()).then(|| self.starts[i].max(t))
    }

    /// `add` within the index: `Ok(T)` when `d > 0` seconds of open time
    /// after `s` (in `[lo, hi]`) are used up before `hi`, else `Err(open
    /// seconds available in [s, hi))`.
    #[inline]
    pub(crate) fn add_within(&self, s: i64, d: i64) -> Result<i64, i64> {
        let before = self.open_before(s);
        let target = before + d;
        let n = self.starts.len();
        if target > self.cum[n] {
            return Err(self.cum[n] - before);
        }
        // Gallop from the interval holding s to the first i with cum[i + 1] >= target.
        let first = self.locate(s.clamp(self.lo, self.hi));
        let mut lo = first;
        let mut step = 1;
        let mut hi = first;
        while hi < n && self.cum[hi + 1] < target {
            lo = hi + 1;
            hi = (hi + step).min(n - 1);
            step *= 2;
        }
        let i = lo + self.cum[lo + 1..=hi + 1].partition_point(|&c| c < target);
        Ok(self.starts[i] + (target - self.cum[i]))
    }
}
