//! Business-time arithmetic speed: `add` and `elapsed` on a realistic office
//! calendar (New York, split shift, ten years of US holidays), the index build,
//! and a raw loop over the same inputs as the floor nothing can beat.
//!
//! Run: `cargo bench -p handshake-calendar --bench business_time`

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use handshake_calendar::{Calendar, CalendarDef, time_zone};

fn main() {
    divan::main();
}

const N: usize = 100_000;
/// 2026-01-01T00:00:00Z and ten years later.
const FROM: i64 = 1_767_225_600;
const TEN_YEARS: i64 = 3_652 * 86_400;

fn us_holidays() -> String {
    let mut list = Vec::new();
    for year in 2026..2036 {
        for md in [
            "01-01", "01-19", "02-16", "05-25", "06-19", "07-03", "09-07", "10-12", "11-11",
            "11-26", "11-27", "12-25",
        ] {
            list.push(format!("{year}-{md}"));
        }
        list.push(format!("{year}-12-24@09:00-12:00"));
    }
    list.join("|")
}

fn def() -> CalendarDef {
    CalendarDef {
        time_zone: time_zone("America/New_York").expect("bundled zone"),
        hours: "mon-fri 09:00-12:00,13:00-17:00"
            .parse()
            .expect("valid hours"),
        holidays: us_holidays().parse().expect("valid holidays"),
        day_length: None,
    }
}

fn calendar() -> Calendar {
    Calendar::with_span(def(), FROM, FROM + TEN_YEARS + 60 * 86_400)
}

/// Deterministic pseudo-random inputs (xorshift), so runs compare.
fn inputs() -> Vec<(i64, i64)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..N)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let start = FROM + (x % (TEN_YEARS as u64 - 30 * 86_400)) as i64;
            let amount = ((x >> 32) % (40 * 3600)) as i64;
            (start, amount)
        })
        .collect()
}

#[divan::bench]
fn add(bencher: Bencher) {
    let cal = calendar();
    let inputs = inputs();
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut acc = 0i64;
        for &(s, d) in &inputs {
            acc = acc.wrapping_add(cal.add_seconds(black_box(s), black_box(d)).unwrap_or(0));
        }
        acc
    });
}

#[divan::bench]
fn elapsed(bencher: Bencher) {
    let cal = calendar();
    let inputs = inputs();
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut acc = 0i64;
        for &(s, d) in &inputs {
            // A wall-clock span of up to ~20 days after the start.
            acc = acc.wrapping_add(cal.elapsed_seconds(black_box(s), black_box(s + d * 12)));
        }
        acc
    });
}

/// The floor: reading the same inputs and adding them up, no calendar at all.
#[divan::bench]
fn raw_loop(bencher: Bencher) {
    let inputs = inputs();
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut acc = 0i64;
        for &(s, d) in &inputs {
            acc = acc.wrapping_add(black_box(s) ^ black_box(d));
        }
        acc
    });
}

/// Building the index for ten years.
#[divan::bench]
fn build_ten_years(bencher: Bencher) {
    let def = def();
    bencher.bench(|| Calendar::with_span(black_box(def.clone()), FROM, FROM + TEN_YEARS));
}
