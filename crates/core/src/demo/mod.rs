//! A realistic demo company, generated: Northwind Cloud's twelve months of
//! leads under the example agreement, so a new user sees the agreement working
//! in one command (`handshake demo`, `handshake serve --demo`).
//!
//! Pure and deterministic: the same [`DemoSpec`] (seed, lead count, instant)
//! gives the same agreement text and the same events. The instant is passed
//! in, never read from a clock. What it holds, on purpose:
//! - seven sources with their own volume and quality (a referral is nearly
//!   always good, paid social often outside the ideal customer profile);
//! - two segments: enterprise leads in New York hours, mid-market and SMB in
//!   Berlin hours, each office with its holidays;
//! - eight reps with habits: a fast one (`rep-ava`), a slow one
//!   (`rep-carlos`), one who ignores SMB leads (`rep-hugo`), and steady ones;
//! - rejections with reasons (a few off the agreed list), recycled leads and
//!   re-MQLs, accepted leads worked by a cadence, SQLs, opportunities and
//!   deals on a sales cycle of weeks to months, escalated requests;
//! - enterprise volume that drops for the three months before the current
//!   one, so the `enterprise-mqls` goal misses three periods in a row.
//!
//! The goals of the example agreement are sized for the default 12,000 leads.

mod holidays;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::agreement::{Agreement, Channel, check};
use crate::event::{Attributes, Event, EventId, EventKind, Money, RequestStep, SubjectId};
use handshake_calendar::Calendar;

/// The example agreement the demo applies (its dates are moved to the demo's year).
pub const EXAMPLE_AGREEMENT: &str = include_str!("../../../../examples/agreement.toml");

/// The leads a demo has unless told otherwise: the volume the example goals are sized for.
pub const DEFAULT_LEADS: usize = 12_000;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSpec {
    /// Any number; the same seed gives the same company.
    pub seed: u64,
    /// How many leads over the twelve months.
    pub leads: usize,
    /// The demo's "now": its twelve months end here, nothing happens after it.
    pub as_of: Timestamp,
}

/// A generated company: the agreement it runs under and its events.
#[derive(Clone, Debug)]
pub struct Demo {
    /// The agreement's TOML, effective from the first demo month.
    pub agreement_text: String,
    /// The same agreement, checked.
    pub agreement: Agreement,
    /// Every event up to `as_of`, by lead.
    pub events: Vec<Event>,
    /// How many leads and requests the events are about.
    pub leads: usize,
    /// The first instant of the demo's twelve months.
    pub from: Timestamp,
}

/// Why a demo could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The example agreement no longer has the lines the demo rewrites.
    #[error("the example agreement has no {0}; the demo rewrites it to move the dates")]
    Template(&'static str),
    /// The rewritten agreement does not check (a bug in the demo).
    #[error("the demo agreement does not check: {0}")]
    Agreement(String),
    /// The instant is outside what the demo supports.
    #[error("as_of {0} is out of range for a demo (expected a year from 1900 to 2400)")]
    OutOfRange(Timestamp),
}

/// Generates the demo company.
///
/// # Errors
/// [`DemoError`] when `as_of` is out of range or the example agreement
/// lost the lines the demo rewrites.
///
/// # Example
/// ```
/// use handshake_core::demo::{DemoSpec, generate};
/// let spec = DemoSpec { seed: 7, leads: 300, as_of: "2026-11-22T12:00:00Z".parse()? };
/// let demo = generate(&spec)?;
/// assert_eq!(demo.agreement.effective.from.to_string(), "2025-12-01");
/// assert!(demo.events.len() > 1_000);
/// // Deterministic for a seed.
/// assert_eq!(generate(&spec)?.events, demo.events);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate(spec: &DemoSpec) -> Result<Demo, DemoError> {
    // The example agreement's zone, from the bundled database (no I/O).
    let ny = handshake_calendar::time_zone("America/New_York")
        .map_err(|_| DemoError::Template("America/New_York zone"))?;
    let now = spec.as_of.to_zoned(ny.clone());
    if !(1900..=2400).contains(&now.year()) {
        return Err(DemoError::OutOfRange(spec.as_of));
    }
    let first_month = now
        .date()
        .first_of_month()
        .checked_sub(11.months())
        .map_err(|_| DemoError::OutOfRange(spec.as_of))?;
    let agreement_text = agreement_text(first_month, now.year())?;
    let outcome = check("demo agreement", &agreement_text);
    let agreement = outcome.agreement.ok_or_else(|| {
        DemoError::Agreement(
            outcome
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let calendar = |id: &str| {
        agreement
            .calendars
            .iter()
            .find(|c| c.id.as_str() == id)
            .map(|c| c.calendar.clone())
            .ok_or(DemoError::Template("calendar new-york or berlin"))
    };
    let offices = Offices {
        new_york: calendar("new-york")?,
        berlin: calendar("berlin")?,
    };
    let months = months(first_month, &ny, spec.as_of)?;
    let limit = spec.as_of.as_second();
    let mut out = Out {
        events: Vec::with_capacity(spec.leads * 9),
        limit,
    };
    let total: f64 = months.iter().map(|m| m.weight).sum();
    for i in 0..spec.leads {
        // Spread leads over the months by their weights, evenly by index.
        let position = (i as f64 + 0.5) / spec.leads as f64 * total;
        let mut acc = 0.0;
        let mut month = &months[months.len() - 1];
        for m in &months {
            acc += m.weight;
            if position < acc {
                month = m;
                break;
            }
        }
        let mut rng = Rng::new(spec.seed, i as u64);
        lead(&mut out, &mut rng, &offices, month, i + 1);
    }
    let mut requests = 0;
    for (n, m) in months.iter().enumerate() {
        let mut rng = Rng::new(spec.seed ^ 0x5EED, n as u64);
        for _ in 0..(3 + rng.below(4)) {
            requests += 1;
            request(&mut out, &mut rng, &offices.new_york, m, requests);
        }
    }
    Ok(Demo {
        agreement_text,
        agreement,
        events: out.events,
        leads: spec.leads + requests,
        from: months[0].start_ts(),
    })
}

/// The example agreement, effective from `from` for two years, with each
/// office's holidays for the years the demo spans.
fn agreement_text(from: Date, to_year: i16) -> Result<String, DemoError> {
    let mut text = String::with_capacity(EXAMPLE_AGREEMENT.len() + 1024);
    let until = from
        .checked_add(2.years())
        .and_then(|d| d.checked_sub(1.day()))
        .unwrap_or(from);
    let mut effective = false;
    for line in EXAMPLE_AGREEMENT.lines() {
        if line.starts_with("effective = ") {
            text.push_str(&format!(
                "effective = {{ from = \"{from}\", to = \"{until}\" }}\n"
            ));
            effective = true;
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    if !effective {
        return Err(DemoError::Template("`effective = ` line"));
    }
    let years: Vec<i16> = (from.year()..=to_year.saturating_add(1)).collect();
    let lists = [
        years
            .iter()
            .flat_map(|y| holidays::new_york(*y))
            .collect::<Vec<_>>(),
        years
            .iter()
            .flat_map(|y| holidays::berlin(*y))
            .collect::<Vec<_>>(),
    ];
    let mut at = 0;
    for list in lists {
        let start = text[at..]
            .find("holidays = [")
            .map(|p| p + at)
            .ok_or(DemoError::Template(
                "`holidays = [` for new-york and berlin",
            ))?;
        let end = text[start..]
            .find(']')
            .map(|p| p + start + 1)
            .ok_or(DemoError::Template("`]` closing a holidays list"))?;
        let items: Vec<String> = list.iter().map(|d| format!("\"{d}\"")).collect();
        let lines: Vec<String> = items.chunks(6).map(|c| c.join(", ")).collect();
        let replacement = format!("holidays = [{}]", lines.join(",\n            "));
        text.replace_range(start..end, &replacement);
        at = start + replacement.len();
    }
    Ok(text)
}

/// One month of the demo and its share of the leads.
struct Month {
    start: jiff::Zoned,
    /// Seconds from the month's start to its end (or to as_of).
    length: i64,
    weight: f64,
    /// One of the three months before the current one: enterprise volume dips.
    dip: bool,
}

impl Month {
    fn start_ts(&self) -> Timestamp {
        self.start.timestamp()
    }
}

fn months(first: Date, zone: &TimeZone, as_of: Timestamp) -> Result<Vec<Month>, DemoError> {
    let range = || DemoError::OutOfRange(as_of);
    let mut out = Vec::with_capacity(12);
    for n in 0..12_i32 {
        let day = first.checked_add(n.months()).map_err(|_| range())?;
        let start = day.to_zoned(zone.clone()).map_err(|_| range())?;
        let next = day
            .checked_add(1.month())
            .and_then(|d| d.to_zoned(zone.clone()))
            .map_err(|_| range())?;
        let end = next.timestamp().min(as_of);
        let full = next.timestamp().as_second() - start.timestamp().as_second();
        let length = (end.as_second() - start.timestamp().as_second()).max(0);
        let season = match day.month() {
            7 | 8 => 0.85,
            12 => 0.8,
            1 => 0.9,
            _ => 1.0,
        };
        out.push(Month {
            start,
            length,
            weight: season * length as f64 / full as f64,
            dip: (8..11).contains(&n),
        });
    }
    Ok(out)
}

/// The two offices' calendars.
struct Offices {
    new_york: Calendar,
    berlin: Calendar,
}

/// The events so far; those after as_of are left out.
struct Out {
    events: Vec<Event>,
    limit: i64,
}

impl Out {
    fn push(&mut self, subject: &str, seq: &mut u32, at: i64, kind: EventKind) {
        *seq += 1;
        if at > self.limit {
            return;
        }
        let Ok(occurred_at) = Timestamp::from_second(at) else {
            return;
        };
        self.events.push(Event {
            id: EventId(format!("{subject}-{seq:02}")),
            subject: SubjectId(subject.to_string()),
            occurred_at,
            inferred: false,
            kind,
        });
    }
}

/// A small deterministic generator (SplitMix64), one stream per lead so a
/// lead's events do not depend on the others.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [0, n) (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in [lo, hi].
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

/// A lead source and how its leads behave.
struct Source {
    name: &'static str,
    weight: f64,
    mql: f64,
    accept: f64,
    sql: f64,
    enterprise: f64,
    reasons: &'static [(&'static str, f64)],
    activity: Option<&'static str>,
}

const SOURCES: [Source; 7] = [
    Source {
        name: "email",
        weight: 14.0,
        mql: 0.50,
        accept: 0.70,
        sql: 0.35,
        enterprise: 0.30,
        reasons: &[
            ("no-budget", 4.0),
            ("not-icp", 2.0),
            ("no-contact", 2.0),
            ("other", 0.6),
        ],
        activity: None,
    },
    Source {
        name: "ebook",
        weight: 18.0,
        mql: 0.55,
        accept: 0.62,
        sql: 0.28,
        enterprise: 0.25,
        reasons: &[
            ("student", 4.0),
            ("no-budget", 2.0),
            ("not-icp", 2.0),
            ("other", 0.6),
        ],
        activity: Some("ebook_downloaded"),
    },
    Source {
        name: "webinar",
        weight: 16.0,
        mql: 0.75,
        accept: 0.86,
        sql: 0.45,
        enterprise: 0.40,
        reasons: &[("no-budget", 3.0), ("duplicate", 2.0), ("other", 0.4)],
        activity: Some("webinar_attended"),
    },
    Source {
        name: "paid-social",
        weight: 20.0,
        mql: 0.45,
        accept: 0.48,
        sql: 0.18,
        enterprise: 0.18,
        reasons: &[
            ("not-icp", 6.0),
            ("student", 3.0),
            ("no-contact", 2.0),
            ("other", 0.8),
        ],
        activity: None,
    },
    Source {
        name: "organic-search",
        weight: 14.0,
        mql: 0.60,
        accept: 0.80,
        sql: 0.40,
        enterprise: 0.30,
        reasons: &[("no-budget", 3.0), ("not-icp", 2.0), ("other", 0.4)],
        activity: Some("pricing_page_viewed"),
    },
    Source {
        name: "referral",
        weight: 6.0,
        mql: 0.90,
        accept: 0.93,
        sql: 0.60,
        enterprise: 0.50,
        reasons: &[("duplicate", 3.0), ("no-budget", 1.0)],
        activity: None,
    },
    Source {
        name: "free-trial",
        weight: 12.0,
        mql: 0.70,
        accept: 0.78,
        sql: 0.42,
        enterprise: 0.22,
        reasons: &[
            ("no-contact", 3.0),
            ("student", 2.0),
            ("no-budget", 1.0),
            ("other", 0.4),
        ],
        activity: Some("trial_started"),
    },
];

/// How a rep answers a new MQL.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Habit {
    Fast,
    Steady,
    Slow,
    IgnoresSmb,
}

const ENTERPRISE_REPS: [(&str, Habit); 4] = [
    ("rep-ava", Habit::Fast),
    ("rep-ben", Habit::Steady),
    ("rep-carlos", Habit::Slow),
    ("rep-dee", Habit::Steady),
];
const MID_MARKET_REPS: [(&str, Habit); 4] = [
    ("rep-emma", Habit::Fast),
    ("rep-felix", Habit::Steady),
    ("rep-greta", Habit::Steady),
    ("rep-hugo", Habit::IgnoresSmb),
];

/// The demo company's people directory: its eight reps (enterprise ones
/// in New York under Sam Lee, mid-market ones in Berlin under Priya
/// Raman) and the two managers, who are the sales contacts of the agreement.
pub fn people() -> Vec<crate::alerts::people::Person> {
    use crate::alerts::people::{Person, Presence};
    let person = |id: &str, name: &str, manager: Option<&str>, zone: &str| Person {
        owner_id: id.to_string(),
        name: name.to_string(),
        email: Some(format!(
            "{}@northwind.example",
            name.to_lowercase().replace(' ', ".")
        )),
        slack: None,
        party: "sales".to_string(),
        manager: manager.map(str::to_string),
        calendar: None,
        time_zone: Some(zone.to_string()),
        quiet_hours: None,
        presence: Presence::Active,
    };
    let names = [
        "Ava Chen",
        "Ben Okafor",
        "Carlos Ruiz",
        "Dee Walsh",
        "Emma Schulz",
        "Felix Braun",
        "Greta Nilsson",
        "Hugo Martin",
    ];
    let mut out = vec![
        person("mgr-sam", "Sam Lee", None, "America/New_York"),
        person("mgr-priya", "Priya Raman", None, "Europe/Berlin"),
    ];
    for ((id, _), name) in ENTERPRISE_REPS.iter().chain(&MID_MARKET_REPS).zip(names) {
        let (manager, zone) = if ENTERPRISE_REPS.iter().any(|(r, _)| r == id) {
            ("mgr-sam", "America/New_York")
        } else {
            ("mgr-priya", "Europe/Berlin")
        };
        out.push(person(id, name, Some(manager), zone));
    }
    out
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// A business day in both offices' calendars.
const BUSINESS_DAY: i64 = 8 * HOUR;

/// Business seconds from MQL to the first touch, or `None` when the rep never touches it.
fn first_touch_delay(habit: Habit, enterprise: bool, smb: bool, rng: &mut Rng) -> Option<i64> {
    let d = match (habit, enterprise) {
        (Habit::IgnoresSmb, _) if smb => return None,
        (Habit::Fast, true) => rng.between(4 * MINUTE, 40 * MINUTE),
        (Habit::Fast, false) => rng.between(10 * MINUTE, 2 * HOUR),
        (Habit::Steady, true) if rng.chance(0.78) => rng.between(10 * MINUTE, 55 * MINUTE),
        (Habit::Steady, true) => rng.between(HOUR, 4 * HOUR),
        (Habit::Slow, true) if rng.chance(0.3) => rng.between(20 * MINUTE, 58 * MINUTE),
        (Habit::Slow, true) => rng.between(70 * MINUTE, 10 * HOUR),
        _ if rng.chance(0.88) => rng.between(30 * MINUTE, 7 * HOUR),
        _ => rng.between(9 * HOUR, 3 * BUSINESS_DAY),
    };
    // Now and then anyone forgets a lead entirely.
    (!rng.chance(0.015)).then_some(d)
}

const FIRST: [&str; 16] = [
    "jo", "ana", "li", "sam", "noor", "max", "eva", "raj", "mia", "tom", "zoe", "ivan", "kim",
    "omar", "lea", "ben",
];
const LAST: [&str; 12] = [
    "smith", "garcia", "chen", "mueller", "khan", "rossi", "novak", "silva", "kim", "berg",
    "okafor", "dubois",
];
const COMPANY: [&str; 16] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Dunder",
    "Aperture",
];
const SUFFIX: [&str; 10] = [
    "Analytics",
    "Labs",
    "Systems",
    "Group",
    "Logistics",
    "Health",
    "Retail",
    "Bank",
    "Energy",
    "Media",
];

fn at(cal: &Calendar, from: i64, business_seconds: i64) -> i64 {
    cal.add_seconds(from, business_seconds)
        .unwrap_or(from + business_seconds)
}

fn channel(rng: &mut Rng) -> Channel {
    *rng.pick(&[
        (Channel::Call, 5.0),
        (Channel::Email, 4.0),
        (Channel::Meeting, 1.0),
    ])
}

/// One lead's life, from creation to a deal (or not).
fn lead(out: &mut Out, rng: &mut Rng, offices: &Offices, month: &Month, n: usize) {
    let id = format!("L-{n:06}");
    let mut seq = 0;
    let weights: Vec<(&Source, f64)> = SOURCES.iter().map(|s| (s, s.weight)).collect();
    let source = *rng.pick(&weights);
    let enterprise_share = if month.dip {
        source.enterprise * 0.4
    } else {
        source.enterprise
    };
    let enterprise = rng.chance(enterprise_share);
    let smb = !enterprise && rng.chance(0.35);
    let cal = if enterprise {
        &offices.new_york
    } else {
        &offices.berlin
    };
    let zone = &cal.def().time_zone;
    // Arrival: a random day of the month, mostly on weekdays in office hours.
    let day_offset = rng.below((month.length / DAY).max(1) as u64) as i64;
    let day = month.start.date().saturating_add(day_offset.days());
    let day = match day.weekday() {
        jiff::civil::Weekday::Saturday if rng.chance(0.75) => day.saturating_sub(1.day()),
        jiff::civil::Weekday::Sunday if rng.chance(0.75) => day.saturating_add(1.day()),
        _ => day,
    };
    let hour = rng.between(7, 18) as i8;
    let minute = rng.between(0, 59) as i8;
    let Ok(created) = day.at(hour, minute, 0, 0).to_zoned(zone.clone()) else {
        return;
    };
    let t0 = created
        .timestamp()
        .as_second()
        .max(month.start_ts().as_second());
    let persona = *rng.pick(&[
        ("data-leader", if enterprise { 3.0 } else { 2.0 }),
        ("it-director", 2.0),
        ("analyst", 3.0),
    ]);
    let employees = if enterprise {
        rng.between(1_000, 20_000)
    } else if smb {
        rng.between(20, 199)
    } else {
        rng.between(200, 999)
    };
    let (first, last) = (
        FIRST[rng.below(FIRST.len() as u64) as usize],
        LAST[rng.below(LAST.len() as u64) as usize],
    );
    let company = format!(
        "{} {}",
        COMPANY[rng.below(COMPANY.len() as u64) as usize],
        SUFFIX[rng.below(SUFFIX.len() as u64) as usize]
    );
    let mut score = match persona {
        "analyst" => -10,
        _ => 25,
    } + if employees >= 200 { 20 } else { 0 };
    let demo_requested = rng.chance(0.3);
    score += if demo_requested { 30 } else { 0 };
    // Webinar leads attended one; some others did too, and many looked at pricing.
    let webinar = source.name == "webinar" || rng.chance(0.2);
    score += if webinar { 15 } else { 0 };
    let pricing = source.name == "organic-search" || rng.chance(0.45);
    score += if pricing { 10 } else { 0 };
    let crm_score = (score + rng.between(-8, 12)).clamp(0, 100);
    let segment = if enterprise {
        "enterprise"
    } else if smb {
        "smb"
    } else {
        "mid-market"
    };
    out.push(
        &id,
        &mut seq,
        t0,
        EventKind::LeadCreated(Attributes {
            source: Some(source.name.to_string()),
            segment: Some(segment.to_string()),
            persona: Some(persona.to_string()),
            score: Some(crm_score),
            owner: None,
            email: Some(format!(
                "{first}.{last}@{}.example",
                company.to_lowercase().replace(' ', "-")
            )),
            company: Some(company),
            other: vec![("employees".to_string(), employees.to_string())],
        }),
    );
    let mut t = t0;
    let mut activities: Vec<&str> = source.activity.into_iter().collect();
    if webinar && source.name != "webinar" {
        activities.push("webinar_attended");
    }
    if pricing && source.name != "organic-search" {
        activities.push("pricing_page_viewed");
    }
    if demo_requested {
        activities.push("demo_requested");
    }
    for activity in activities {
        t += rng.between(MINUTE, 20 * HOUR);
        out.push(
            &id,
            &mut seq,
            t,
            EventKind::Activity {
                activity: activity.to_string(),
            },
        );
    }
    // Marketing hands the lead over (or not); the CRM's stage is the truth.
    // Mostly by the shared scoring model, but not always (the usual quarrel).
    let mql_chance = if score >= 60 {
        (source.mql * 1.5).min(0.97)
    } else {
        source.mql * 0.4
    };
    if !rng.chance(mql_chance) {
        return;
    }
    t = at(cal, t, rng.between(5 * MINUTE, 6 * HOUR));
    let reps = if enterprise {
        &ENTERPRISE_REPS
    } else {
        &MID_MARKET_REPS
    };
    let (rep, habit) = reps[rng.below(reps.len() as u64) as usize];
    for cycle in 0..2 {
        out.push(
            &id,
            &mut seq,
            t,
            EventKind::StageChanged {
                stage: "mql".to_string(),
            },
        );
        let routed = if rng.chance(0.05) {
            t + rng.between(2 * HOUR, 6 * HOUR)
        } else {
            t + rng.between(MINUTE, 10 * MINUTE)
        };
        if cycle == 0 {
            out.push(
                &id,
                &mut seq,
                routed,
                EventKind::Assigned {
                    owner: rep.to_string(),
                },
            );
        }
        if rng.chance(0.6) {
            out.push(
                &id,
                &mut seq,
                t + 2 * MINUTE,
                EventKind::Touched {
                    channel: Channel::Email,
                    by: Some("sequence-bot".to_string()),
                    automated: true,
                },
            );
        }
        let touched = first_touch_delay(habit, enterprise, smb, rng).map(|d| at(cal, t, d));
        let decided = match touched {
            Some(touch) => {
                out.push(
                    &id,
                    &mut seq,
                    touch.max(routed),
                    EventKind::Touched {
                        channel: channel(rng),
                        by: Some(rep.to_string()),
                        automated: false,
                    },
                );
                let accept = source.accept * if cycle == 1 { 0.8 } else { 1.0 };
                Some((
                    at(
                        cal,
                        touch.max(routed),
                        rng.between(30 * MINUTE, 2 * BUSINESS_DAY),
                    ),
                    rng.chance(accept),
                ))
            }
            None if rng.chance(0.96) => Some((
                at(cal, t, rng.between(10 * BUSINESS_DAY, 15 * BUSINESS_DAY)),
                false,
            )),
            None => None,
        };
        let Some((when, accepted)) = decided else {
            return;
        };
        if accepted {
            accepted_lead(out, rng, cal, &id, &mut seq, rep, when, enterprise, source);
            return;
        }
        let reason = if touched.is_none() {
            "no-contact"
        } else {
            *rng.pick(source.reasons)
        };
        out.push(
            &id,
            &mut seq,
            when,
            EventKind::Rejected {
                reason: reason.to_string(),
                by: Some(rep.to_string()),
            },
        );
        if cycle == 1 || !rng.chance(0.35) {
            return;
        }
        let recycled = when + rng.between(DAY, 4 * DAY);
        out.push(
            &id,
            &mut seq,
            recycled,
            EventKind::Recycled {
                reason: Some("nurture".to_string()),
            },
        );
        if !rng.chance(0.4) {
            return;
        }
        t = at(cal, recycled + rng.between(30 * DAY, 90 * DAY), 0);
    }
}

/// An accepted lead: the follow-up cadence, then SQL, opportunity and deal.
#[allow(clippy::too_many_arguments)]
fn accepted_lead(
    out: &mut Out,
    rng: &mut Rng,
    cal: &Calendar,
    id: &str,
    seq: &mut u32,
    rep: &str,
    when: i64,
    enterprise: bool,
    source: &Source,
) {
    out.push(
        id,
        seq,
        when,
        EventKind::Accepted {
            by: Some(rep.to_string()),
        },
    );
    let mut t = when;
    for _ in 0..rng.between(3, 7) {
        t = at(cal, t, rng.between(2 * HOUR, 3 * BUSINESS_DAY));
        out.push(
            id,
            seq,
            t,
            EventKind::Touched {
                channel: channel(rng),
                by: Some(rep.to_string()),
                automated: false,
            },
        );
    }
    if !rng.chance(source.sql) {
        return;
    }
    let sql = when + rng.between(2 * DAY, 15 * DAY);
    out.push(
        id,
        seq,
        sql,
        EventKind::StageChanged {
            stage: "sql".to_string(),
        },
    );
    if !rng.chance(0.65) {
        return;
    }
    let opened = at(cal, sql + rng.between(3 * DAY, 20 * DAY), 0);
    let dollars = if enterprise {
        rng.between(60, 320) * 500
    } else {
        rng.between(12, 90) * 500
    };
    let money = |d: i64| Money {
        minor: d * 100,
        currency: "USD".to_string(),
    };
    out.push(
        id,
        seq,
        opened,
        EventKind::OpportunityCreated {
            amount: money(dollars),
        },
    );
    let cycle = if enterprise {
        rng.between(45 * DAY, 150 * DAY)
    } else {
        rng.between(20 * DAY, 80 * DAY)
    };
    let closed = at(cal, opened + cycle, 0);
    if rng.chance(0.32) {
        let won = dollars * rng.between(85, 100) / 100;
        out.push(id, seq, closed, EventKind::DealWon { amount: money(won) });
    } else if rng.chance(0.5) {
        let reason = *rng.pick(&[("price", 3.0), ("competitor", 2.0), ("timing", 2.0)]);
        out.push(
            id,
            seq,
            closed,
            EventKind::DealLost {
                reason: Some(reason.to_string()),
            },
        );
    }
}

/// A request from sales to marketing through the escalation channel, the
/// request program or Slack (around the agreed channels), mostly
/// acknowledged in time; then, for some, the rest of the exchange: a
/// meeting and its recap, feedback asked of sales (with an extension asked
/// for, granted or refused, or asked too late), a cancellation. The year's
/// first three requests take every step between them (the first is
/// cancelled, the second has a meeting and an extension granted, the third
/// an extension refused), so the demo holds every kind of request event.
fn request(out: &mut Out, rng: &mut Rng, cal: &Calendar, month: &Month, n: usize) {
    let id = format!("R-{n:05}");
    let mut seq = 0;
    let opened = at(
        cal,
        month.start_ts().as_second() + rng.between(0, month.length.max(1)),
        rng.between(0, 2 * HOUR),
    );
    let channel = *rng.pick(&[("escalation", 5.0), ("program", 3.0), ("slack", 2.0)]);
    out.push(
        &id,
        &mut seq,
        opened,
        EventKind::RequestOpened {
            from: "sales".to_string(),
            to: "marketing".to_string(),
            channel: channel.to_string(),
            kind: Some(
                rng.pick(&[
                    ("campaign-assets", 2.0),
                    ("lead-list", 2.0),
                    ("event-support", 1.0),
                ])
                .to_string(),
            ),
        },
    );
    let step = |out: &mut Out, seq: &mut u32, when: i64, s: RequestStep| {
        out.push(&id, seq, when, EventKind::Request(s));
    };
    if rng.chance(0.08) || n == 1 {
        step(
            out,
            &mut seq,
            at(cal, opened, rng.between(HOUR, BUSINESS_DAY)),
            RequestStep::Cancelled,
        );
        return;
    }
    if !rng.chance(0.85) && n > 3 {
        return;
    }
    let ack = at(cal, opened, rng.between(20 * MINUTE, 5 * HOUR));
    step(out, &mut seq, ack, RequestStep::Acknowledged);
    let mut last = ack;
    if rng.chance(0.4) || n == 2 {
        let meeting = at(cal, ack, rng.between(HOUR, 2 * BUSINESS_DAY));
        step(out, &mut seq, meeting, RequestStep::MeetingHeld);
        let recap = at(cal, meeting, rng.between(HOUR, 12 * HOUR));
        step(out, &mut seq, recap, RequestStep::RecapSent);
        last = recap;
    }
    if rng.chance(0.5) || n <= 3 {
        let asked = at(cal, last, rng.between(HOUR, BUSINESS_DAY));
        step(out, &mut seq, asked, RequestStep::FeedbackRequested);
        let mut given = asked + rng.between(6 * HOUR, 4 * DAY);
        if rng.chance(0.3) || n <= 3 {
            // Within one business day, or (now and then) too late.
            let ask = at(cal, asked, rng.between(HOUR, 12 * HOUR));
            let until = asked + 5 * DAY;
            out.push(
                &id,
                &mut seq,
                ask,
                EventKind::ExtensionRequested {
                    until: Timestamp::from_second(until).unwrap_or(Timestamp::MAX),
                },
            );
            let answer = at(cal, ask, rng.between(HOUR, 4 * HOUR));
            if (rng.chance(0.75) || n == 2) && n != 3 {
                step(out, &mut seq, answer, RequestStep::ExtensionGranted);
                given = asked + rng.between(3 * DAY, 5 * DAY);
            } else {
                step(out, &mut seq, answer, RequestStep::ExtensionRefused);
            }
        }
        step(out, &mut seq, given, RequestStep::FeedbackGiven);
        last = last.max(given);
    }
    step(
        out,
        &mut seq,
        at(cal, last, rng.between(HOUR, 4 * BUSINESS_DAY)),
        RequestStep::Resolved,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate;

    fn spec(leads: usize) -> DemoSpec {
        DemoSpec {
            seed: 7,
            leads,
            as_of: "2026-11-22T15:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_company_and_another_seed_another() {
        let a = generate(&spec(500)).unwrap();
        let b = generate(&spec(500)).unwrap();
        assert_eq!(a.events, b.events);
        assert_eq!(a.agreement_text, b.agreement_text);
        let c = generate(&DemoSpec {
            seed: 8,
            ..spec(500)
        })
        .unwrap();
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn nothing_happens_after_as_of_and_ids_are_unique() {
        let d = generate(&spec(2_000)).unwrap();
        let limit = spec(0).as_of;
        assert!(d.events.iter().all(|e| e.occurred_at <= limit));
        assert!(d.events.iter().all(|e| e.occurred_at >= d.from));
        let mut ids: Vec<&str> = d.events.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn the_agreement_covers_the_twelve_months_with_their_holidays() {
        let d = generate(&spec(10)).unwrap();
        assert_eq!(d.agreement.effective.from.to_string(), "2025-12-01");
        assert!(
            d.agreement_text.contains("\"2026-11-26\""),
            "Thanksgiving 2026"
        );
        assert!(
            d.agreement_text.contains("\"2026-04-03\""),
            "Good Friday 2026"
        );
        assert!(d.agreement_text.contains("\"2025-12-24@09:00-12:00\""));
    }

    #[test]
    fn the_default_company_shows_what_the_demo_promises() {
        let s = spec(DEFAULT_LEADS);
        let d = generate(&s).unwrap();
        let eval = evaluate(&d.agreement, &d.events, s.as_of);
        // Every source and all eight reps appear (in the quality of the
        // two years up to now).
        let all = crate::engine::report::Range {
            from: s.as_of - jiff::SignedDuration::from_hours(2 * 366 * 24),
            to: s.as_of,
            period: None,
        };
        let quality = eval.quality(&d.agreement, &all);
        let sources: Vec<&str> = quality.sources.iter().map(|q| q.source.as_str()).collect();
        for src in SOURCES.iter().map(|s| s.name) {
            assert!(sources.contains(&src), "{src} missing from {sources:?}");
        }
        for rep in ENTERPRISE_REPS.iter().chain(&MID_MARKET_REPS).map(|r| r.0) {
            assert!(
                eval.clocks.iter().any(|c| c.owner.as_deref() == Some(rep)),
                "{rep}"
            );
        }
        // Enterprise volume misses three periods in a row.
        let streak = eval
            .streaks
            .iter()
            .find(|s| s.goal == "enterprise-mqls")
            .unwrap();
        assert!(streak.missed_in_a_row >= 3, "{:?}", eval.streaks);
        // Most goals are attained in an ordinary month.
        let met = eval
            .goals
            .iter()
            .filter(|g| g.attained == Some(true))
            .count();
        assert!(
            met * 3 >= eval.goals.len(),
            "only {met} of {} attained",
            eval.goals.len()
        );
        // The fast rep is faster than the slow one, and the one who ignores
        // SMB leads leaves them breached.
        let rate = |rep: &str| {
            let mine: Vec<_> = eval
                .clocks
                .iter()
                .filter(|c| {
                    c.owner.as_deref() == Some(rep) && c.guarantee == "enterprise-first-touch"
                })
                .collect();
            mine.iter()
                .filter(|c| c.view.state.as_str() == "met")
                .count() as f64
                / mine.len() as f64
        };
        assert!(
            rate("rep-ava") > 0.9 && rate("rep-carlos") < 0.5,
            "{} {}",
            rate("rep-ava"),
            rate("rep-carlos")
        );
        // Leads are recycled and come back as MQLs; some rejections carry an off-list reason.
        let rejected = quality.sources.iter().map(|q| q.rejected).sum::<usize>();
        assert!(rejected > 100);
        assert!(
            d.events
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Recycled { .. }))
        );
        assert!(
            d.events
                .iter()
                .any(|e| matches!(&e.kind, EventKind::DealWon { .. }))
        );
    }
}
