//! The report as typed values: what the API answers, what `handshake report
//! --format json` prints, and what the table, Markdown and CSV renderings
//! read. Each figure is computed here once. With the `openapi` feature the
//! types describe themselves, so the API's document is generated from the
//! very types its handlers return.

use serde::Serialize;

use super::report::Range;
use super::shown::{self, GoalStatus};
use super::{Actual, Evaluation, GoalResult, PeriodKey};
use crate::agreement::{Agreement, Period, Target};

/// One figure of a goal: a count, an amount of money, a rate (a fraction
/// from 0 to 1) or a duration (`"4 business hours"` as a target, business
/// seconds as an actual).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    /// A count.
    Count(u64),
    /// An amount with its currency; never two currencies added together.
    Money {
        /// A decimal with the currency's ISO 4217 minor digits, e.g. "12500.00" (USD), "5000" (JPY), "1.500" (BHD).
        amount: String,
        /// ISO 4217 code.
        currency: String,
    },
    /// Business seconds (a duration actual); fractional for the median of
    /// an even count.
    Seconds(f64),
    /// A fraction from 0 to 1.
    Number(f64),
    /// A duration target as written in the agreement, e.g. "4 business hours".
    Text(String),
}

/// The schema says what a reader can tell apart: a number (count, seconds or
/// rate: the goal's metric says which), a string (a duration target) or an
/// amount of money. (`anyOf`: an integer is a number too.)
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Figure {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
        let money = ObjectBuilder::new()
            .property(
                "amount",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(
                        "A decimal with the currency's minor digits, e.g. \"12500.00\".",
                    )),
            )
            .property(
                "currency",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("ISO 4217 code.")),
            )
            .required("amount")
            .required("currency");
        AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number).description(Some(
                "A count, business seconds (a duration actual) or a fraction from 0 to 1 (a rate).",
            )))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("A duration target as written, e.g. \"4 business hours\".")),
            )
            .item(money)
            .description(Some("A goal's target or actual."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Figure {}

impl Figure {
    fn target(t: &Target) -> Figure {
        match t {
            Target::Count(n) => Figure::Count(*n),
            Target::Money(m) => Figure::Money {
                amount: m.amount_text(),
                currency: m.currency.clone(),
            },
            Target::Rate(bp) => Figure::Number(f64::from(*bp) / 10_000.0),
            Target::Duration(d) => Figure::Text(d.to_string()),
        }
    }

    fn actual(a: &Actual) -> Option<Figure> {
        match a {
            Actual::Count(n) => Some(Figure::Count(*n)),
            Actual::Money(m) => Some(Figure::Money {
                amount: m.amount_text(),
                currency: m.currency.clone(),
            }),
            Actual::Rate { .. } => a.value().map(Figure::Number),
            Actual::Duration { median, .. } => median.map(Figure::Seconds),
        }
    }
}

/// The agreement a report judged by.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportAgreement {
    /// Its name.
    pub name: String,
    /// The stored version; absent for a draft.
    pub version: Option<i64>,
}

/// A guarantee's clocks that started in the report's range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuaranteeLine {
    /// The guarantee's id.
    pub id: String,
    /// Clocks started in the range.
    pub clocks: usize,
    /// Stopped in time.
    pub met: usize,
    /// Stopped after the due instant.
    pub met_late: usize,
    /// Still running past the due instant.
    pub breached: usize,
    /// Running (paused and at-risk ones included).
    pub running: usize,
    /// Running and paused.
    pub paused: usize,
    /// Running past the warning point.
    pub at_risk: usize,
    /// Open clocks started by an export's snapshot for which no event that
    /// could stop them has arrived from any source (a contacts export
    /// without its activities): neither met nor breached, but "not
    /// measurable from this data".
    pub not_measurable: usize,
    /// Met in time among the decided clocks, 0 to 1; null with none decided.
    pub compliance: Option<f64>,
}

/// What a clock that cannot be judged from the data reads as, everywhere.
pub const NOT_MEASURABLE: &str = "not measurable from this data";

impl GuaranteeLine {
    /// The share in time, as shown: a percentage, or
    /// [`NOT_MEASURABLE`] when no clock was decided and some cannot be.
    pub fn compliance_text(&self) -> String {
        match self.compliance {
            None if self.not_measurable > 0 => NOT_MEASURABLE.to_string(),
            c => super::percent(c),
        }
    }
}

/// A goal in one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalLine {
    /// The goal's id.
    pub id: String,
    /// The party that owes it.
    pub owner: String,
    /// `2027-01`, `2027-Q1` or `2027`.
    pub period: String,
    /// What was promised.
    pub target: Figure,
    /// What was delivered; null with nothing to measure.
    pub actual: Option<Figure>,
    /// For a rate, the count it divides (met, accepted, converted); null
    /// otherwise.
    pub numerator: Option<u64>,
    /// For a rate, the count it divides by (judged, decided, the cohort);
    /// for a median, the cases it is the median of; null otherwise.
    pub denominator: Option<u64>,
    /// Whether the actual meets the target; null with nothing to measure.
    pub attained: Option<bool>,
    /// Whether the period has ended.
    pub closed: bool,
    /// attained or missed (closed), on_track or behind (open), or
    /// nothing_to_measure.
    pub status: GoalStatus,
    /// The stored agreement version that judged the period (the one in force
    /// at its start); null in a draft's report.
    pub version: Option<u32>,
    /// Published figures to read the actual against (the speed studies,
    /// for a median first touch); empty for other goals. Not this
    /// workspace's data: other companies, clock time.
    pub outside_figures: Vec<super::OutsideFigure>,
    /// The target as people read it, e.g. `2,400,000 USD` (not in the JSON).
    #[serde(skip)]
    pub target_text: String,
    /// The actual as people read it beside the target, e.g. `1.8 business
    /// hours` (not in the JSON).
    #[serde(skip)]
    pub actual_text: String,
}

impl GoalLine {
    /// The line of goal period `r` under agreement `a`.
    pub fn new(a: &Agreement, r: &GoalResult) -> GoalLine {
        GoalLine {
            id: r.id.clone(),
            owner: r.owner.clone(),
            period: r.period.to_string(),
            target: Figure::target(&r.target),
            actual: Figure::actual(&r.actual),
            numerator: r.actual.counts().0,
            denominator: r.actual.counts().1,
            attained: r.attained,
            closed: r.closed,
            status: GoalStatus::of(r.attained, r.closed),
            version: Some(r.version),
            outside_figures: a
                .goals
                .iter()
                .find(|g| g.id.as_str() == r.id)
                .map(|g| super::outside_figures(&g.metric))
                .unwrap_or_default(),
            target_text: shown::target_text(&r.target),
            actual_text: shown::actual_text(a, &r.actual, &r.target),
        }
    }
}

/// A goal missed in consecutive closed periods.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreakLine {
    /// The goal's id.
    pub goal: String,
    /// Closed periods missed in a row, up to the latest.
    pub missed_in_a_row: u32,
}

/// How many leads a rejection reason covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    /// The reason as sent.
    pub reason: String,
    /// Leads rejected for it.
    pub count: usize,
}

/// Lead quality of one source.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceLine {
    /// The lead source.
    pub source: String,
    /// Leads.
    pub leads: usize,
    /// Of them, MQLs.
    pub mqls: usize,
    /// Accepted by sales.
    pub accepted: usize,
    /// Rejected by sales.
    pub rejected: usize,
    /// Accepted among decided, 0 to 1; null with none decided.
    pub acceptance: Option<f64>,
    /// SQLs.
    pub sqls: usize,
    /// MQL to SQL: of the leads that reached MQL, the share that reached
    /// SQL afterwards, 0 to 1; null without MQLs.
    pub conversion: Option<f64>,
    /// Deals won.
    pub won: usize,
    /// Why sales rejected them.
    pub rejection_reasons: Vec<ReasonCount>,
}

/// The MQLs of one grade: how many, and how sales took them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeLine {
    /// The grade's id, e.g. `high`.
    pub grade: String,
    /// MQLs handed over in the range with a score in the grade's band.
    pub mqls: usize,
    /// Accepted by sales (the first decision after the MQL).
    pub accepted: usize,
    /// Rejected by sales.
    pub rejected: usize,
    /// Accepted among decided, 0 to 1; null with none decided.
    pub acceptance: Option<f64>,
    /// Reached SQL after the MQL.
    pub converted: usize,
    /// converted / mqls, 0 to 1; null without MQLs.
    pub conversion: Option<f64>,
}

/// Where the CRM's hand-overs and the shared scoring model disagree.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringLine {
    /// Leads handed over as MQL while scoring under the threshold.
    pub handed_below_threshold: Vec<String>,
    /// Leads at or over the threshold never handed over.
    pub above_threshold_not_handed: Vec<String>,
}

/// The engine's verdict over a range (docs/report.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// The agreement that judged.
    pub agreement: ReportAgreement,
    /// The instant of the evaluation, RFC 3339.
    pub as_of: String,
    /// First instant of the range (inclusive), RFC 3339.
    pub from: String,
    /// End of the range (exclusive), RFC 3339.
    pub to: String,
    /// The period asked for, when one was.
    pub period: Option<String>,
    /// Every guarantee's clocks started in the range.
    pub guarantees: Vec<GuaranteeLine>,
    /// Every goal period the range holds.
    pub goals: Vec<GoalLine>,
    /// Goals missed in consecutive periods.
    pub streaks: Vec<StreakLine>,
    /// Consequences the agreement's terms trigger, in words.
    pub consequences: Vec<String>,
    /// The cancellation term, in words, when it is met.
    pub cancellation: Option<String>,
    /// Diagnostics in plain words.
    pub findings: Vec<String>,
    /// Lead quality by source, of the range's leads.
    pub sources: Vec<SourceLine>,
    /// The range's MQLs by grade (their score at hand-over); empty when the
    /// agreement grades no scores.
    pub grades: Vec<GradeLine>,
    /// Scoring disagreements, when the agreement has a scoring model.
    pub scoring: Option<ScoringLine>,
    /// Requests between the teams per party: sent, around the agreed
    /// channels, fees owed, request clocks kept.
    pub requests: Vec<super::RequestPartyLine>,
    /// Each lead guarantee's clocks started in the range, per lead owner:
    /// kept in time, breached, median business time to the touch.
    pub owners: Vec<super::OwnerLine>,
    /// Events evaluated.
    pub events: usize,
    /// Of them, inferred from snapshot exports.
    pub inferred_events: usize,
}

/// The findings of the period asked for; for a `--from/--to` range, those
/// of every month it touches, each headed by its month when there are several.
fn findings(e: &Evaluation, a: &Agreement, range: &Range, first: PeriodKey) -> Vec<String> {
    let tz = &a.time_zone.tz;
    let mut months = vec![first];
    if range.period.is_none() {
        while let Some(next) = months
            .last()
            .map(|m| m.next())
            .filter(|m| m.start(tz) < range.to)
        {
            months.push(next);
        }
    }
    let several = months.len() > 1;
    months
        .into_iter()
        .flat_map(|m| {
            e.findings(a, m).into_iter().map(move |f| {
                if several {
                    format!("{m}: {}", f.text)
                } else {
                    f.text
                }
            })
        })
        .collect()
}

impl Report {
    /// The report of evaluation `e` under agreement `a` (stored as `version`,
    /// or `None` for a draft) over `range`.
    pub fn new(e: &Evaluation, a: &Agreement, range: Range, version: Option<i64>) -> Report {
        let (from, to) = (range.from.as_second(), range.to.as_second());
        let standing = e.standing(a, from, to);
        let quality = e.quality(a, &range);
        let period = range
            .period
            .unwrap_or_else(|| PeriodKey::containing(Period::Month, range.from, &a.time_zone.tz));
        Report {
            agreement: ReportAgreement {
                name: a.name.clone(),
                version,
            },
            as_of: e.as_of.to_string(),
            from: range.from.to_string(),
            to: range.to.to_string(),
            period: range.period.map(|p| p.to_string()),
            guarantees: e
                .guarantee_summaries(a, from, to)
                .into_iter()
                .map(|s| GuaranteeLine {
                    id: s.id,
                    clocks: s.clocks,
                    met: s.met,
                    met_late: s.met_late,
                    breached: s.breached,
                    running: s.running,
                    paused: s.paused,
                    at_risk: s.at_risk,
                    not_measurable: s.not_measurable,
                    compliance: s.compliance,
                })
                .collect(),
            goals: e
                .goals
                .iter()
                .filter(|r| range.holds(r, a))
                .map(|r| GoalLine {
                    version: version.and(Some(r.version)),
                    ..GoalLine::new(a, r)
                })
                .collect(),
            streaks: standing
                .streaks
                .iter()
                .map(|s| StreakLine {
                    goal: s.goal.clone(),
                    missed_in_a_row: s.missed_in_a_row,
                })
                .collect(),
            consequences: standing.consequences,
            cancellation: standing.cancellation,
            findings: findings(e, a, &range, period),
            sources: quality
                .sources
                .iter()
                .map(|q| SourceLine {
                    source: q.source.clone(),
                    leads: q.leads,
                    mqls: q.mqls,
                    accepted: q.accepted,
                    rejected: q.rejected,
                    acceptance: q.acceptance(),
                    sqls: q.sqls,
                    conversion: q.conversion(),
                    won: q.won,
                    rejection_reasons: q
                        .rejection_reasons
                        .iter()
                        .map(|(reason, count)| ReasonCount {
                            reason: reason.clone(),
                            count: *count,
                        })
                        .collect(),
                })
                .collect(),
            grades: quality
                .grades
                .iter()
                .map(|g| GradeLine {
                    grade: g.grade.clone(),
                    mqls: g.mqls,
                    accepted: g.accepted,
                    rejected: g.rejected,
                    acceptance: g.acceptance(),
                    converted: g.converted,
                    conversion: g.conversion(),
                })
                .collect(),
            scoring: quality.scoring.as_ref().map(|d| ScoringLine {
                handed_below_threshold: d.handed_below_threshold.clone(),
                above_threshold_not_handed: d.above_threshold_not_handed.clone(),
            }),
            requests: super::requests::party_lines(e, a, from, to),
            owners: super::owner_lines(e, a, from, to),
            events: e.events,
            inferred_events: e.inferred_events,
        }
    }
}

/// One clock as the API lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockLine {
    /// The guarantee's id.
    pub guarantee: String,
    /// The lead (or request) the clock runs for.
    pub lead: String,
    /// The lead's name where the CRM gave one, else its company; absent
    /// when it gave neither (and for requests).
    pub name: Option<String>,
    /// Its owner (the lead's latest owner up to the clock's stop).
    pub owner: Option<String>,
    /// The lead's segment at the start.
    pub segment: Option<String>,
    /// running, met, met_late, breached or not_measurable.
    pub state: String,
    /// Running and paused now.
    pub paused: bool,
    /// Running past the warning point.
    pub at_risk: bool,
    /// When it started, RFC 3339.
    pub start: Option<String>,
    /// When it is (or was) due, RFC 3339; absent for a clock with no due instant yet.
    pub due: Option<String>,
    /// When it stopped, RFC 3339.
    pub stop: Option<String>,
    /// Business seconds used so far (or until the stop).
    pub business_seconds_used: i64,
    /// Business seconds promised by the version that judged the clock (the
    /// one that gave `due`).
    pub business_seconds_promised: i64,
    /// The extension asked for on it, if any.
    pub extension: Option<ExtensionLine>,
    /// The stored agreement version that judged it: the one in force at its start.
    pub version: u32,
}

/// An extension asked for on a clock, as the API lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionLine {
    /// asked, granted, refused or asked_too_late (after the rule's
    /// ask_within: refused by the rules).
    pub state: String,
    /// When it was asked for, RFC 3339.
    pub asked_at: Option<String>,
    /// The due time asked for, RFC 3339 (`due` is the one in force).
    pub until: Option<String>,
}

impl ClockLine {
    /// The line of clock `c`.
    pub fn new(c: &super::Clock) -> ClockLine {
        let ts = |s: i64| jiff::Timestamp::from_second(s).map(|t| t.to_string()).ok();
        let v = &c.view;
        ClockLine {
            guarantee: c.guarantee.clone(),
            lead: c.subject.clone(),
            name: c.name.clone(),
            owner: c.owner.clone(),
            segment: c.segment.clone(),
            state: v.state.as_str().to_string(),
            paused: v.paused,
            at_risk: v.at_risk,
            start: ts(v.start),
            due: v.due.and_then(ts),
            stop: v.stop.and_then(ts),
            business_seconds_used: v.used,
            business_seconds_promised: v.promised,
            extension: v.extension.as_ref().map(|x| ExtensionLine {
                state: x.state.as_str().to_string(),
                asked_at: ts(x.asked_at),
                until: ts(x.until),
            }),
            version: c.version,
        }
    }
}
