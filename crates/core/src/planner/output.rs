//! A plan as JSON, as a table and as CSV rows.

use serde::Serialize;

use super::{Pace, Plan};

/// Rounded to cents (or hundredths of a lead).
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A rate or an amount measured from history, with how many cases it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasuredOut {
    /// The measured value; null with nothing to measure.
    pub value: Option<f64>,
    /// How many cases it rests on.
    pub sample: usize,
    /// Whether that is too few to trust.
    pub small_sample: bool,
}

/// One step of a sales cycle: a share of deals closing after so many days.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleOut {
    /// Fraction of deals, 0 to 1.
    pub share: f64,
    /// Days from opportunity to close.
    pub days: u32,
}

/// The history a plan took its rates from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryOut {
    /// Leads that became MQLs.
    pub lead_to_mql: MeasuredOut,
    /// MQLs that became SQLs.
    pub mql_to_sql: MeasuredOut,
    /// SQLs that became opportunities.
    pub sql_to_opportunity: MeasuredOut,
    /// Opportunities won.
    pub opportunity_to_won: MeasuredOut,
    /// Average won deal.
    pub deal_size: MeasuredOut,
    /// The currency of the amounts.
    pub currency: Option<String>,
    /// The measured sales cycle.
    pub cycle: Vec<CycleOut>,
    /// Deals the cycle rests on.
    pub cycle_sample: usize,
    /// The conversion cohorts entered their stage before this instant (RFC
    /// 3339): one sales cycle before the window's end, so each has finished.
    pub cohorts_before: String,
    /// That sales cycle in days (0 when none is known).
    pub maturity_days: u32,
}

impl HistoryOut {
    /// The history `h`, each value with its sample size.
    pub fn new(h: &super::history::History) -> HistoryOut {
        let m = |x: &super::history::Measured| MeasuredOut {
            value: x.value,
            sample: x.sample,
            small_sample: x.sample < super::history::SMALL_SAMPLE,
        };
        HistoryOut {
            lead_to_mql: m(&h.lead_to_mql),
            mql_to_sql: m(&h.mql_to_sql),
            sql_to_opportunity: m(&h.sql_to_opportunity),
            opportunity_to_won: m(&h.opportunity_to_won),
            deal_size: m(&h.deal_size),
            currency: h.currency.clone(),
            cycle: h
                .cycle
                .iter()
                .map(|c| CycleOut {
                    share: c.share,
                    days: c.days,
                })
                .collect(),
            cycle_sample: h.cycle_sample,
            cohorts_before: h.cohorts_before.to_string(),
            maturity_days: h.maturity_days,
        }
    }
}

/// The revenue goal.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalOut {
    /// The amount.
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
}

/// One month of the plan: what must arrive in it, and what closes in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthOut {
    /// `2027-01`.
    pub month: String,
    /// A month before the horizon, where leads must arrive for the first deals.
    pub before_horizon: bool,
    /// Leads that must arrive.
    pub leads: u64,
    /// MQLs that must arrive.
    pub mqls: u64,
    /// SQLs that must arrive.
    pub sqls: u64,
    /// Opportunities that must open.
    pub opportunities: u64,
    /// Deals that close.
    pub deals: u64,
    /// Revenue that closes.
    pub revenue: f64,
    /// MQLs before rounding up.
    pub exact_mqls: f64,
    /// Leads before rounding up.
    pub exact_leads: f64,
}

/// Sums over every month.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalsOut {
    /// Leads.
    pub leads: u64,
    /// MQLs.
    pub mqls: u64,
    /// SQLs.
    pub sqls: u64,
    /// Opportunities.
    pub opportunities: u64,
    /// Deals.
    pub deals: u64,
    /// Revenue.
    pub revenue: f64,
}

/// Where revenue stands against the plan so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaceOut {
    /// Revenue projected for the horizon.
    pub projected_revenue: f64,
    /// The goal.
    pub goal: f64,
    /// Whether the projection reaches the goal.
    pub on_pace: bool,
    /// MQLs short of the plan so far.
    pub mql_gap: u64,
    /// The months from the current one whose MQLs can still close inside
    /// the horizon; empty when none can.
    pub months_that_can_contribute: Vec<String>,
    /// MQLs to add in each of those months to close the gap; null when no
    /// month can contribute any more.
    pub mql_gap_per_remaining_month: Option<u64>,
    /// The pace in words, as the table prints it.
    pub advice: String,
}

/// A plan: the months, totals and notes (docs/planner.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanOut {
    /// The revenue goal.
    pub goal: GoalOut,
    /// The first month of the horizon.
    pub start: String,
    /// Months in the horizon.
    pub months_in_horizon: u32,
    /// Every month, those before the horizon first.
    pub months: Vec<MonthOut>,
    /// Sums over every month.
    pub totals: TotalsOut,
    /// What the plan assumed or rounded, in words.
    pub notes: Vec<String>,
    /// Revenue against the plan so far, when asked.
    pub pace: Option<PaceOut>,
    /// The history the rates came from, when asked (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryOut>,
}

impl PlanOut {
    /// The plan `p`, with its pace when given.
    pub fn new(p: &Plan, pace: Option<&Pace>) -> PlanOut {
        let sum = |f: fn(&super::MonthPlan) -> u64| p.months.iter().map(f).sum::<u64>();
        PlanOut {
            goal: GoalOut {
                amount: p.input.goal,
                currency: p.input.currency.clone(),
            },
            start: p.input.start.to_string(),
            months_in_horizon: p.input.months,
            months: p
                .months
                .iter()
                .map(|m| MonthOut {
                    month: m.month.to_string(),
                    before_horizon: m.before_horizon,
                    leads: m.leads,
                    mqls: m.mqls,
                    sqls: m.sqls,
                    opportunities: m.opportunities,
                    deals: m.deals,
                    revenue: cents(m.revenue),
                    exact_mqls: cents(m.exact_mqls),
                    exact_leads: cents(m.exact_leads),
                })
                .collect(),
            totals: TotalsOut {
                leads: sum(|m| m.leads),
                mqls: sum(|m| m.mqls),
                sqls: sum(|m| m.sqls),
                opportunities: sum(|m| m.opportunities),
                deals: sum(|m| m.deals),
                revenue: cents(p.months.iter().map(|m| m.revenue).sum::<f64>()),
            },
            notes: p.notes.clone(),
            pace: pace.map(|x| PaceOut {
                projected_revenue: cents(x.projected_revenue),
                goal: x.goal,
                on_pace: x.on_pace(),
                mql_gap: x.mql_gap,
                months_that_can_contribute: x
                    .months_that_can_contribute
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                mql_gap_per_remaining_month: x.mql_gap_per_remaining_month,
                advice: x.advice(&p.input.currency),
            }),
            history: None,
        }
    }
}

/// Header and rows, one per month.
pub fn rows(p: &Plan) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "month",
        "leads",
        "mqls",
        "sqls",
        "opportunities",
        "deals",
        "revenue",
    ];
    let rows = p
        .months
        .iter()
        .map(|m| {
            vec![
                format!("{}{}", m.month, if m.before_horizon { " *" } else { "" }),
                m.leads.to_string(),
                m.mqls.to_string(),
                m.sqls.to_string(),
                m.opportunities.to_string(),
                m.deals.to_string(),
                format!("{:.0}", m.revenue),
            ]
        })
        .collect();
    (head, rows)
}

/// The plan as an aligned table with its notes.
pub fn to_table(p: &Plan, pace: Option<&Pace>) -> String {
    let (head, rows) = rows(p);
    let mut widths: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.len());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            + "\n"
    };
    let mut out = format!(
        "Plan for {:.0} {} over {} months from {} (leads, MQLs, SQLs and opportunities by the month they must arrive; deals and revenue by the month they close)\n\n",
        p.input.goal, p.input.currency, p.input.months, p.input.start
    );
    out += &line(head.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out += &line(r);
    }
    if p.months.iter().any(|m| m.before_horizon) {
        out += "\n* before the horizon\n";
    }
    for n in &p.notes {
        out += &format!("- {n}\n");
    }
    if let Some(x) = pace {
        out += &format!("\nPace: {}\n", x.advice(&p.input.currency));
    }
    out
}
