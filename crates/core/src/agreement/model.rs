//! The agreement as typed values: what the checker produces and the engine
//! reads. Every reference between parts (a goal's owner, a guarantee's
//! calendar) has been resolved by the time a value of these types exists.

use std::fmt;

use handshake_calendar::{BusinessDuration, Calendar};
use jiff::civil::Date;
use jiff::tz::TimeZone;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) String);

        impl $name {
            /// The id as written in the file.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A party (team) of the agreement: `marketing`, `sales`, ...
    PartyId
);
id_type!(
    /// A lifecycle stage: `lead`, `mql`, `sql`, ...
    StageId
);
id_type!(
    /// A buyer persona.
    PersonaId
);
id_type!(
    /// A reason sales may give for rejecting a lead.
    ReasonId
);
id_type!(
    /// A segment (tier) of leads for a multi-level SLA.
    SegmentId
);
id_type!(
    /// A named business calendar.
    CalendarId
);
id_type!(
    /// A goal.
    GoalId
);
id_type!(
    /// A guarantee.
    GuaranteeId
);

/// A whole agreement between the parties, as one version of the file says it.
#[derive(Clone, Debug)]
pub struct Agreement {
    /// Its title.
    pub name: String,
    /// What it is for, in a sentence or two.
    pub summary: String,
    /// When it is in force.
    pub effective: Effective,
    /// The zone periods (months, quarters) are bounded in.
    pub time_zone: Zone,
    /// How often the parties review it.
    pub review: Option<Review>,
    /// The teams bound by it, in file order.
    pub parties: Vec<Party>,
    /// The common language: lifecycle stages with their written definitions.
    pub stages: Vec<Stage>,
    /// Buyer personas.
    pub personas: Vec<Persona>,
    /// The ideal customer profile, in words.
    pub ideal_customer_profile: Option<String>,
    /// Reasons sales may give when rejecting a lead.
    pub rejection_reasons: Vec<RejectionReason>,
    /// The shared lead-scoring model.
    pub scoring: Option<Scoring>,
    /// Segments (tiers) for a multi-level SLA.
    pub segments: Vec<Segment>,
    /// Business calendars.
    pub calendars: Vec<NamedCalendar>,
    /// Goals: volume, quality and speed targets per period.
    pub goals: Vec<Goal>,
    /// Guarantees: response-time and cadence promises in business time.
    pub guarantees: Vec<Guarantee>,
    /// What happens when a goal or guarantee is missed.
    pub consequences: Vec<Consequence>,
    /// When the agreement may be ended.
    pub cancellation: Option<Cancellation>,
    /// Digests: who hears what at a set hour.
    pub digests: Vec<Digest>,
    /// What the queue shows: how long a breached clock stays in it.
    pub queue: QueueRules,
    /// Always-open twins (same id and zone) of the calendars named by
    /// guarantees that promise calendar time: what their clocks count in.
    pub around_the_clock: Vec<NamedCalendar>,
}

impl Agreement {
    /// The party with this id.
    pub fn party(&self, id: &PartyId) -> Option<&Party> {
        self.parties.iter().find(|p| &p.id == id)
    }

    /// The calendar with this id.
    pub fn calendar(&self, id: &CalendarId) -> Option<&NamedCalendar> {
        self.calendars.iter().find(|c| &c.id == id)
    }

    /// The calendar a guarantee's clocks count in: its named calendar, or,
    /// for a promise in calendar time (`3 calendar days`), an always-open
    /// calendar in that calendar's zone, where every second counts.
    pub fn clock_calendar(&self, g: &Guarantee) -> Option<&NamedCalendar> {
        if g.within.is_calendar_time() {
            self.around_the_clock.iter().find(|c| c.id == g.calendar)
        } else {
            self.calendar(&g.calendar)
        }
    }

    /// A guarantee's calendar and the business seconds it promises in it
    /// (`N business days` resolved with that calendar's day length); `None`
    /// when its calendar is missing (a checked agreement always has it).
    pub fn promise(&self, g: &Guarantee) -> Option<(&NamedCalendar, i64)> {
        let cal = self.clock_calendar(g)?;
        Some((
            cal,
            g.within.resolve(cal.calendar.day_length()).as_seconds(),
        ))
    }

    /// How long a business day is for this guarantee's promise, in
    /// seconds: its calendar's day length (the first calendar's, or 8
    /// hours, for a guarantee this version does not have), so that business
    /// time reads in the days of the calendar it runs in.
    pub fn business_day(&self, guarantee: &str) -> i64 {
        self.day_length_of(guarantee).as_seconds()
    }

    fn day_length_of(&self, guarantee: &str) -> handshake_calendar::BusinessDuration {
        self.guarantees
            .iter()
            .find(|g| g.id.as_str() == guarantee)
            .and_then(|g| self.clock_calendar(g))
            .map_or_else(|| self.default_day_length(), |c| c.calendar.day_length())
    }

    /// What a business day is where no guarantee's calendar says: the
    /// first calendar's day length, or 8 hours without one (`N business
    /// days` of a goal target, business time of a guarantee a version
    /// lacks).
    pub fn default_day_length(&self) -> handshake_calendar::BusinessDuration {
        self.calendars
            .first()
            .map_or(handshake_calendar::BusinessDuration::from_hours(8), |c| {
                c.calendar.day_length()
            })
    }

    /// How late (in business seconds of this guarantee's calendar) a
    /// breached clock may be and still stand in the queue; a clock later
    /// than that is in the breaches list only.
    pub fn queue_keeps_breached(&self, guarantee: &str) -> i64 {
        self.queue
            .keep_breached
            .resolve(self.day_length_of(guarantee))
            .as_seconds()
    }

    /// The segment with this id.
    pub fn segment(&self, id: &SegmentId) -> Option<&Segment> {
        self.segments.iter().find(|s| &s.id == id)
    }
}

/// `[queue]`: what the at-risk queue holds, so that it lists what someone
/// can still act on and not every breach since the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueRules {
    /// A breached clock stays in the queue until it is this late (business
    /// time of its guarantee's calendar); later, it is in the breaches list.
    pub keep_breached: DurationSpec,
}

impl QueueRules {
    /// Five business days: a week of work to catch up on a breach.
    pub const DEFAULT_KEEP_BREACHED_DAYS: u32 = 5;
}

impl Default for QueueRules {
    fn default() -> QueueRules {
        QueueRules {
            keep_breached: DurationSpec::BusinessDays(QueueRules::DEFAULT_KEEP_BREACHED_DAYS),
        }
    }
}

/// An IANA time zone with the name it was given by.
#[derive(Clone, Debug)]
pub struct Zone {
    /// The IANA name, e.g. `America/New_York`.
    pub name: String,
    /// The zone itself.
    pub tz: TimeZone,
}

/// When the agreement is in force: from a date, until a date (inclusive) or open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effective {
    /// First day in force.
    pub from: Date,
    /// Last day in force; `None` when it runs until cancelled.
    pub to: Option<Date>,
}

/// A reporting or review period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// An ISO week: Monday to Sunday, in the agreement's time zone.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

impl Period {
    /// `week`, `month`, `quarter`, `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// `weekly`, `monthly`, `quarterly`, `yearly`.
    pub fn adverb(self) -> &'static str {
        match self {
            Period::Week => "weekly",
            Period::Month => "monthly",
            Period::Quarter => "quarterly",
            Period::Year => "yearly",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Period> {
        match text {
            "week" | "weekly" => Some(Period::Week),
            "month" | "monthly" => Some(Period::Month),
            "quarter" | "quarterly" => Some(Period::Quarter),
            "year" | "yearly" | "annual" => Some(Period::Year),
            _ => None,
        }
    }
}

/// How often the parties sit down to review the agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// The cadence.
    pub every: Period,
}

/// A person to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Job title or role in the agreement.
    pub role: Option<String>,
}

/// A team bound by the agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// Its id, e.g. `marketing`.
    pub id: PartyId,
    /// Its display name (defaults to the id, capitalised).
    pub name: String,
    /// What it contributes to meeting the goals.
    pub role: Option<String>,
    /// Its points of contact; the first is the main one.
    pub contacts: Vec<Contact>,
    /// What it needs from the other parties.
    pub needs: Vec<String>,
}

/// A lifecycle stage with its agreed definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Its id, e.g. `mql`.
    pub id: StageId,
    /// What a lead must be to be in this stage, in words both sides signed.
    pub definition: String,
}

/// A buyer persona.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persona {
    /// Its id, e.g. `it-director`.
    pub id: PersonaId,
    /// Who they are.
    pub description: String,
}

/// A reason for rejecting a lead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectionReason {
    /// Its id, e.g. `no-budget`.
    pub id: ReasonId,
    /// What it means.
    pub description: String,
}

/// The shared lead-scoring model: rules add points; at the threshold a lead is an MQL.
#[derive(Clone, Debug, PartialEq)]
pub struct Scoring {
    /// Score at which a lead becomes marketing-qualified.
    pub mql_threshold: i64,
    /// The rules, each adding (or removing) points.
    pub rules: Vec<ScoringRule>,
    /// Quality grades by score band, highest first.
    pub grades: Vec<Grade>,
}

/// One scoring rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoringRule {
    /// What the lead must have or do.
    pub when: Matcher,
    /// Points added (negative to subtract).
    pub points: i64,
}

/// A quality grade: leads scoring at least `min_score` (and below the next grade up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// Its id, e.g. `high`.
    pub id: String,
    /// The lowest score in the band.
    pub min_score: i64,
}

/// A test on a lead: an attribute's value, or something the lead did.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// The attribute equals one of the values.
    Attribute {
        /// The attribute, e.g. `persona`.
        attribute: String,
        /// The accepted values.
        values: Vec<String>,
    },
    /// A numeric attribute is at least this much.
    AtLeast {
        /// The attribute, e.g. `employees`.
        attribute: String,
        /// The lowest accepted value.
        min: f64,
    },
    /// The lead did this (a `lead.activity` of this kind).
    Activity(String),
}

/// A segment (tier): the leads a matcher selects.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Its id, e.g. `enterprise`.
    pub id: SegmentId,
    /// Which leads belong to it.
    pub when: Matcher,
    /// What it is, in words.
    pub description: Option<String>,
}

/// A named calendar, indexed for business-time arithmetic.
#[derive(Clone, Debug)]
pub struct NamedCalendar {
    /// Its id, e.g. `new-york`.
    pub id: CalendarId,
    /// The zone's name as written.
    pub time_zone: String,
    /// The calendar.
    pub calendar: Calendar,
    /// The names of its public holidays, by date (empty for hand-listed dates).
    pub holiday_names: std::collections::BTreeMap<jiff::civil::Date, String>,
    /// Where its public holidays came from, when it names a country.
    pub public_holidays: Option<PublicHolidaySource>,
}

impl NamedCalendar {
    /// Its always-open twin: the same id and zone, every second open (what
    /// a promise in calendar time counts in).
    pub fn around_the_clock(&self) -> NamedCalendar {
        let def = handshake_calendar::CalendarDef {
            time_zone: self.calendar.def().time_zone.clone(),
            hours: handshake_calendar::WeeklyHours::always(),
            holidays: handshake_calendar::Holidays::default(),
            day_length: None,
        };
        let (from, to) = self.calendar.span();
        NamedCalendar {
            id: self.id.clone(),
            time_zone: self.time_zone.clone(),
            calendar: Calendar::with_span(def, from, to),
            holiday_names: std::collections::BTreeMap::new(),
            public_holidays: None,
        }
    }
}

/// `holidays = { country = "US", subdivision = "NY", years = "2026-2030" }`:
/// the public holidays a calendar takes from the data compiled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicHolidaySource {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// The region's code, upper case, if one was named.
    pub subdivision: Option<String>,
    /// The years, first and last included.
    pub years: std::ops::RangeInclusive<i16>,
}

impl std::fmt::Display for PublicHolidaySource {
    /// `US-NY 2026-2030`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.country)?;
        if let Some(sub) = &self.subdivision {
            write!(f, "-{sub}")?;
        }
        match (self.years.start(), self.years.end()) {
            (a, b) if a == b => write!(f, " {a}"),
            (a, b) => write!(f, " {a}-{b}"),
        }
    }
}

/// What a goal measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Leads that reached a stage in the period (`mqls`, `sqls`, `sals`, `leads`, `customers`).
    Reached(StageId),
    /// Opportunities created.
    Opportunities,
    /// Sum of the amounts of opportunities created.
    PipelineValue,
    /// Sum of the amounts of deals won.
    RevenueWon,
    /// Share of guarantee clocks met in time (all guarantees, or the named ones).
    FollowUpRate,
    /// Share of handed-over leads that sales accepted.
    AcceptanceRate,
    /// Of the leads that reached `from` in the period, the share that reached `to`.
    Conversion {
        /// The cohort's stage.
        from: StageId,
        /// The stage they should reach.
        to: StageId,
    },
    /// Median business time from becoming an MQL to the first touch.
    MedianFirstTouch,
}

impl Metric {
    /// The kind of number its target is.
    pub fn unit(&self) -> Unit {
        match self {
            Metric::Reached(_) | Metric::Opportunities => Unit::Count,
            Metric::PipelineValue | Metric::RevenueWon => Unit::Money,
            Metric::FollowUpRate | Metric::AcceptanceRate | Metric::Conversion { .. } => Unit::Rate,
            Metric::MedianFirstTouch => Unit::Duration,
        }
    }
}

/// The kind of number a metric is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A whole count.
    Count,
    /// An amount of money.
    Money,
    /// A fraction from 0 to 1.
    Rate,
    /// A business duration.
    Duration,
}

/// A goal's target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// At least (or at most) this many.
    Count(u64),
    /// An amount in its currency's minor units (the one money type).
    Money(crate::event::Money),
    /// A rate in basis points (9000 = 90%).
    Rate(u32),
    /// A business duration.
    Duration(DurationSpec),
}

impl Target {
    /// The target as a plain number on the scale of [`Actual::value`](crate::engine::Actual::value):
    /// counts as counts, money in major units, rates as fractions; `None` for a duration.
    pub fn value(&self) -> Option<f64> {
        match self {
            Target::Count(n) => Some(*n as f64),
            Target::Money(m) => Some(m.major()),
            Target::Rate(bp) => Some(f64::from(*bp) / 10_000.0),
            Target::Duration(_) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Count(n) => write!(f, "{n}"),
            Target::Money(m) => f.write_str(&m.grouped()),
            Target::Rate(bp) => {
                if bp % 100 == 0 {
                    write!(f, "{}%", bp / 100)
                } else {
                    write!(f, "{}.{:02}%", bp / 100, bp % 100)
                }
            }
            Target::Duration(d) => write!(f, "{d}"),
        }
    }
}

/// Which way a target points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Attained when the actual is at least the target.
    AtLeast,
    /// Attained when the actual is at most the target.
    AtMost,
}

/// Which leads a goal counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only leads in this segment.
    pub segment: Option<SegmentId>,
    /// Only leads from this source.
    pub source: Option<String>,
    /// Only leads of this persona.
    pub persona: Option<PersonaId>,
}

/// A goal: a party's target per period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    /// Its id.
    pub id: GoalId,
    /// The party that owes it.
    pub owner: PartyId,
    /// What is measured.
    pub metric: Metric,
    /// The target.
    pub target: Target,
    /// At least or at most.
    pub direction: Direction,
    /// The period it is judged over.
    pub per: Period,
    /// Which leads count.
    pub filters: Filters,
    /// For follow-up rates: the guarantees counted (all when empty).
    pub guarantees: Vec<GuaranteeId>,
    /// Free words on the goal.
    pub description: Option<String>,
}

/// A duration as the agreement writes it, resolved against a calendar when used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationSpec {
    /// Business seconds (`90 minutes`, `4 business hours`).
    Business(BusinessDuration),
    /// Business days: multiples of the calendar's day length (`2 business days`).
    BusinessDays(u32),
    /// Calendar time (`48 calendar hours`): every second of the clock
    /// counts, nights, weekends and holidays included.
    CalendarTime(BusinessDuration),
    /// Calendar days (`3 calendar days`): 24 hours each, nights, weekends
    /// and holidays included.
    CalendarDays(u32),
}

impl DurationSpec {
    /// Seconds in a calendar day.
    const DAY: i64 = 86_400;

    /// The business time, given the calendar's day length; calendar time is
    /// its own seconds whatever the day length (it is counted in a calendar
    /// that is always open, see [`Agreement::clock_calendar`]).
    pub fn resolve(self, day_length: BusinessDuration) -> BusinessDuration {
        let days = |n: u32, day: BusinessDuration| day.checked_mul(i64::from(n)).unwrap_or(day);
        match self {
            DurationSpec::Business(d) | DurationSpec::CalendarTime(d) => d,
            DurationSpec::BusinessDays(n) => days(n, day_length),
            DurationSpec::CalendarDays(n) => {
                // 86,400 is a valid (positive, small) number of seconds.
                let day = BusinessDuration::from_seconds(Self::DAY).unwrap_or(day_length);
                days(n, day)
            }
        }
    }

    /// Whether this is calendar time (`3 calendar days`) rather than
    /// business time.
    pub fn is_calendar_time(self) -> bool {
        matches!(
            self,
            DurationSpec::CalendarTime(_) | DurationSpec::CalendarDays(_)
        )
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_calendar_time() {
            "calendar"
        } else {
            "business"
        };
        let plural = |n: i64, unit: &str| {
            if n == 1 {
                format!("1 {kind} {unit}")
            } else {
                format!("{n} {kind} {unit}s")
            }
        };
        match *self {
            DurationSpec::BusinessDays(n) | DurationSpec::CalendarDays(n) => {
                f.write_str(&plural(i64::from(n), "day"))
            }
            DurationSpec::Business(d) | DurationSpec::CalendarTime(d) => {
                let s = d.as_seconds();
                if s % 3600 == 0 {
                    f.write_str(&plural(s / 3600, "hour"))
                } else if s % 60 == 0 {
                    f.write_str(&plural(s / 60, "minute"))
                } else {
                    f.write_str(&plural(s, "second"))
                }
            }
        }
    }
}

/// What a guarantee is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Leads and their lifecycle.
    Lead,
    /// Requests between the teams.
    Request,
}

/// A touch channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// A phone call.
    Call,
    /// An e-mail written by a person.
    Email,
    /// A meeting.
    Meeting,
    /// A social-network message.
    Social,
    /// Anything else.
    Other,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [
        Channel::Call,
        Channel::Email,
        Channel::Meeting,
        Channel::Social,
        Channel::Other,
    ];

    /// `call`, `email`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Email => "email",
            Channel::Meeting => "meeting",
            Channel::Social => "social",
            Channel::Other => "other",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// An event condition that starts, stops or pauses a clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The lead was created.
    Created,
    /// The lead's stage became this one.
    StageIs(StageId),
    /// The lead was assigned to an owner.
    Assigned,
    /// The lead was touched, on any channel or only these.
    Touched(Vec<Channel>),
    /// Sales accepted the lead.
    Accepted,
    /// Sales rejected the lead (with any reason, or only these).
    Rejected(Vec<ReasonId>),
    /// The lead was recycled to marketing.
    Recycled,
    /// An opportunity was created.
    OpportunityCreated,
    /// The deal was won.
    Won,
    /// The deal was lost.
    Lost,
    /// A request was opened (on any channel, or only these).
    RequestOpened(Vec<String>),
    /// A request took this step (`request_acknowledged`,
    /// `request_feedback_given`, ...).
    Request(crate::event::RequestStep),
}

impl Condition {
    /// Whether the condition is about requests rather than leads.
    pub fn subject(&self) -> Subject {
        match self {
            Condition::RequestOpened(_) | Condition::Request(_) => Subject::Request,
            _ => Subject::Lead,
        }
    }
}

/// A pause: the clock stops counting from one condition until another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pause {
    /// What pauses the clock.
    pub from: Condition,
    /// What resumes it.
    pub until: Condition,
}

/// A cadence promise: at least so many touches within the guarantee's duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cadence {
    /// The least number of touches.
    pub touches: u32,
}

/// A guarantee: a promise in business time.
#[derive(Clone, Debug)]
pub struct Guarantee {
    /// Its id.
    pub id: GuaranteeId,
    /// The party that owes it.
    pub owner: PartyId,
    /// Leads or requests.
    pub subject: Subject,
    /// Only leads in this segment (all when `None`).
    pub segment: Option<SegmentId>,
    /// What starts the clock.
    pub starts: Condition,
    /// What stops it (the first of them).
    pub stops: Vec<Condition>,
    /// What pauses it.
    pub pauses: Vec<Pause>,
    /// The promised duration.
    pub within: DurationSpec,
    /// The business calendar the duration is counted in.
    pub calendar: CalendarId,
    /// The share of the duration after which a clock is at risk, in percent.
    pub warn_at: Option<u8>,
    /// The party told when the clock is at risk or breached.
    pub escalate_to: Option<PartyId>,
    /// A cadence promise instead of a single response.
    pub cadence: Option<Cadence>,
    /// How its owner may ask for more time (request guarantees).
    pub extension: Option<ExtensionRule>,
    /// What each request it clocks costs the requesting party (request
    /// guarantees, e.g. an escalation channel's).
    pub fee: Option<Fee>,
    /// Who is told what as a running clock uses up its time, in the order
    /// of their points.
    pub alerts: Vec<AlertStep>,
    /// Free words on the guarantee.
    pub description: Option<String>,
}

/// `extension = { ask_within = "1 business day", up_to = "3 calendar days" }`:
/// a request's clock may be extended once the other side grants it, if the
/// extension was asked for within `ask_within` of the clock's start; the
/// new due time is the one asked for, at most `up_to` after the old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtensionRule {
    /// How soon after the start an extension must be asked for (business
    /// time of the guarantee's calendar, or calendar time).
    pub ask_within: DurationSpec,
    /// The longest extension granted, counted from the old due time.
    pub up_to: DurationSpec,
}

/// `fee = "250 USD"` or `fee = "at least 250 USD"`: what each request a
/// guarantee clocks costs the party that sent it. A minimum fee is what
/// Handshake can count for sure; the final charge may be higher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    /// The amount per request.
    pub amount: crate::event::Money,
    /// Whether the amount is a minimum ("at least").
    pub minimum: bool,
}

impl fmt::Display for Fee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minimum {
            f.write_str("at least ")?;
        }
        write!(f, "{}", self.amount)
    }
}

/// One step of a guarantee's escalation ladder: once a running clock has
/// used `at` percent of its promise, `tell` is told through each of `via`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertStep {
    /// The share of the promised business time used, in percent (100 is
    /// the due instant; more is after it), 1 to 1000.
    pub at: u16,
    /// Who is told.
    pub tell: Recipient,
    /// The workspace's channels it goes through, by name.
    pub via: Vec<crate::alerts::ChannelName>,
    /// Whether the message asks the CRM to reassign the lead (a field a
    /// CRM workflow can act on).
    pub reassign: bool,
}

/// Who an alert step tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// The clock's owner: the person the lead is assigned to.
    Owner,
    /// The owner's manager, as the people directory says.
    Manager,
    /// A party, through its contact.
    Party(PartyId),
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recipient::Owner => f.write_str("owner"),
            Recipient::Manager => f.write_str("manager"),
            Recipient::Party(p) => f.write_str(&p.0),
        }
    }
}

/// When a consequence fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A goal is missed for so many consecutive periods.
    GoalMissed {
        /// The goal (any goal when `None`).
        goal: Option<GoalId>,
        /// Consecutive missed periods, at least 1.
        periods: u32,
    },
    /// A guarantee's clock is breached.
    GuaranteeBreached {
        /// The guarantee (any guarantee when `None`).
        guarantee: Option<GuaranteeId>,
    },
}

/// What happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Raise it to the party's contact.
    Escalate,
    /// Tell the party.
    Notify,
    /// Put it on the agenda of the next review.
    Review,
}

impl Action {
    /// `escalate`, `notify`, `review`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Escalate => "escalate",
            Action::Notify => "notify",
            Action::Review => "review",
        }
    }
}

/// A consequence of missing a goal or breaching a guarantee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consequence {
    /// When it fires.
    pub when: Trigger,
    /// What happens.
    pub action: Action,
    /// To whom.
    pub to: PartyId,
    /// Free words.
    pub note: Option<String>,
    /// The channels the party's contact is told through when a period's
    /// close brings it about (goal_missed only); told no one when empty.
    pub via: Vec<crate::alerts::ChannelName>,
}

/// Who a digest goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestFor {
    /// Every active person of the directory: their leads due, their breaches.
    Owners,
    /// A party's main contact: the scorecard in brief.
    Party(PartyId),
}

/// A digest: who hears what, when, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// Who.
    pub to: DigestFor,
    /// When, in each recipient's zone.
    pub every: crate::alerts::digest::Every,
    /// Where.
    pub via: Vec<crate::alerts::ChannelName>,
}

/// Cancellation terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancellation {
    /// The agreement may be ended after goals are missed this many consecutive periods.
    pub after_consecutive_missed_periods: u32,
    /// Which goals count (all when empty).
    pub goals: Vec<GoalId>,
    /// Notice to give, in calendar days.
    pub notice_days: Option<u32>,
    /// The channels every party's contact is told through when a period's
    /// close meets the term; told no one when empty.
    pub via: Vec<crate::alerts::ChannelName>,
}
