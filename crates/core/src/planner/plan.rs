//! [`PlanInput`] validated into a [`Plan`] of months.

use std::fmt;

/// A calendar month, `2027-01`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// The year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// Parses `2027-01`.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((1000..=9000).contains(&year) && (1..=12).contains(&month) && m.len() == 2)
            .then_some(Month { year, month })
    }

    /// The month `n` months later (negative: earlier).
    pub fn plus(self, n: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u32,
        }
    }

    /// Months from `self` to `other`.
    pub fn until(self, other: Month) -> i32 {
        (other.year * 12 + other.month as i32) - (self.year * 12 + self.month as i32)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// Stage conversion rates, each a fraction in (0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// Lead to MQL.
    pub lead_to_mql: f64,
    /// MQL to SQL.
    pub mql_to_sql: f64,
    /// SQL to opportunity.
    pub sql_to_opportunity: f64,
    /// Opportunity to won.
    pub opportunity_to_won: f64,
}

/// One step of the sales cycle: this share of deals closes this many days after the MQL.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CycleStep {
    /// Share of deals, in (0, 1].
    pub share: f64,
    /// Days from MQL to won.
    pub days: u32,
}

/// What the planner is given.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    /// Revenue to win over the horizon, in whole currency units.
    pub goal: f64,
    /// Its currency.
    pub currency: String,
    /// First month of the horizon.
    pub start: Month,
    /// Months in the horizon (3 for a quarter, 12 for a year).
    pub months: u32,
    /// Relative weight of each month (seasonality); empty means even.
    pub weights: Vec<f64>,
    /// Average deal size.
    pub deal_size: f64,
    /// Stage conversion rates.
    pub rates: Rates,
    /// Share of revenue that comes from marketing-sourced leads, in (0, 1].
    pub marketing_share: f64,
    /// The sales cycle from MQL to won.
    pub cycle: Vec<CycleStep>,
    /// Open pipeline already expected to close, per month of the horizon (missing months: none).
    pub pipeline: Vec<(Month, f64)>,
}

/// Why a plan cannot be made: the input named and what would be right.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlanError {
    /// The input at fault.
    pub field: String,
    /// What is wrong and what would be right.
    pub message: String,
}

fn err(field: &str, message: impl Into<String>) -> PlanError {
    PlanError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// One month of the plan. Counts are rounded up; `exact` keeps the unrounded MQLs.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthPlan {
    /// The month.
    pub month: Month,
    /// Whether it lies before the horizon (MQLs needed for revenue early in it).
    pub before_horizon: bool,
    /// Leads that must arrive this month.
    pub leads: u64,
    /// MQLs that must arrive this month.
    pub mqls: u64,
    /// SQLs from this month's MQLs.
    pub sqls: u64,
    /// Opportunities from this month's MQLs.
    pub opportunities: u64,
    /// Deals to close this month (marketing-sourced).
    pub deals: u64,
    /// Revenue expected to close this month: marketing-sourced deals plus open pipeline.
    pub revenue: f64,
    /// The goal's installment for this month (0 before the horizon): all the
    /// revenue the plan needs to close in it, whatever its source.
    pub goal_revenue: f64,
    /// The unrounded MQLs.
    pub exact_mqls: f64,
    /// The unrounded leads.
    pub exact_leads: f64,
}

/// The plan: months from the earliest MQL month to the horizon's end.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The months, in order.
    pub months: Vec<MonthPlan>,
    /// Things worth saying: MQLs needed before the horizon, rounding that changed a figure.
    pub notes: Vec<String>,
    /// The input it was made from.
    pub input: PlanInput,
}

/// Given actuals so far, whether the plan is on pace.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    /// Revenue won so far in the horizon (every deal, whatever its source)
    /// plus the goal's installments of the months after the current one:
    /// the current month counts once, by what it has won.
    pub projected_revenue: f64,
    /// The goal.
    pub goal: f64,
    /// MQLs short so far (planned minus actual over the months passed; 0 when ahead).
    pub mql_gap: u64,
    /// The months from the current one whose MQLs can still close inside
    /// the horizon (a sales cycle later); empty when none can.
    pub months_that_can_contribute: Vec<Month>,
    /// MQLs to add in each of those months to close the gap; `None` when no
    /// month can contribute any more.
    pub mql_gap_per_remaining_month: Option<u64>,
}

impl Pace {
    /// Whether the projection reaches the goal (to the cent).
    pub fn on_pace(&self) -> bool {
        self.projected_revenue + 0.005 >= self.goal
    }

    /// The pace in words: the projection against the goal, and where MQLs
    /// short so far can still be made up.
    pub fn advice(&self, currency: &str) -> String {
        let verdict = if self.on_pace() { "on pace" } else { "behind" };
        let mut out = format!(
            "projected {:.0} of {:.0} {currency} ({verdict}: won so far plus the plan for the months after this one); MQLs short so far: {}",
            self.projected_revenue, self.goal, self.mql_gap
        );
        if self.mql_gap > 0 {
            out += &match (self.mql_gap_per_remaining_month, self.months_that_can_contribute.as_slice()) {
                (Some(n), [first, .., last]) => format!(
                    " (add {n} in each month from {first} to {last}, the months whose MQLs can still close inside the horizon)"
                ),
                (Some(n), [only]) => format!(
                    " (add {n} in {only}, the last month whose MQLs can still close inside the horizon)"
                ),
                _ => " (no month left can turn MQLs into revenue inside the horizon: a sales cycle is longer than what remains)".to_string(),
            };
        }
        out
    }
}

const DAYS_PER_MONTH: f64 = 30.44;

fn check_rate(field: &str, v: f64) -> Result<(), PlanError> {
    if v.is_finite() && v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(err(
            field,
            format!(
                "{v} is not a rate; expected a fraction above 0 and at most 1 (e.g. 0.25 for 25%)"
            ),
        ))
    }
}

/// Makes a plan.
///
/// # Errors
/// A [`PlanError`] naming the input: a zero or out-of-range rate, a share over 100%, a
/// negative goal or deal size, weights that do not match the months, a cycle longer
/// than the horizon.
///
/// # Example
/// ```
/// use handshake_core::planner::*;
/// let input = PlanInput {
///     goal: 2_000_000.0, currency: "USD".into(), start: Month::parse("2027-01").unwrap(), months: 12,
///     weights: vec![], deal_size: 20_000.0, marketing_share: 0.5,
///     rates: Rates { lead_to_mql: 0.2, mql_to_sql: 0.5, sql_to_opportunity: 0.5, opportunity_to_won: 0.25 },
///     cycle: vec![CycleStep { share: 1.0, days: 61 }], pipeline: vec![],
/// };
/// let p = plan(&input)?;
/// // $2M / 12 months × 50% marketing / $20,000 = 4.17 deals a month, so 66.7 MQLs two months earlier.
/// assert_eq!(p.months[0].month.to_string(), "2026-11");
/// assert_eq!((p.months[0].mqls, p.months[0].leads), (67, 334));
/// # Ok::<(), PlanError>(())
/// ```
pub fn plan(input: &PlanInput) -> Result<Plan, PlanError> {
    if !(input.goal.is_finite() && input.goal > 0.0) {
        return Err(err(
            "goal",
            format!(
                "{} is not a revenue goal; expected an amount above 0",
                input.goal
            ),
        ));
    }
    if !(input.deal_size.is_finite() && input.deal_size > 0.0) {
        return Err(err(
            "deal_size",
            format!(
                "{} is not a deal size; expected an amount above 0",
                input.deal_size
            ),
        ));
    }
    if input.months == 0 || input.months > 36 {
        return Err(err(
            "horizon",
            format!("{} months; expected 1 to 36", input.months),
        ));
    }
    if !(input.marketing_share.is_finite()
        && input.marketing_share > 0.0
        && input.marketing_share <= 1.0)
    {
        return Err(err(
            "marketing_share",
            format!(
                "{} is not a share; expected more than 0% and at most 100%",
                input.marketing_share
            ),
        ));
    }
    let r = input.rates;
    check_rate("rates.lead_to_mql", r.lead_to_mql)?;
    check_rate("rates.mql_to_sql", r.mql_to_sql)?;
    check_rate("rates.sql_to_opportunity", r.sql_to_opportunity)?;
    check_rate("rates.opportunity_to_won", r.opportunity_to_won)?;
    let weights: Vec<f64> = if input.weights.is_empty() {
        vec![1.0; input.months as usize]
    } else {
        input.weights.clone()
    };
    if weights.len() != input.months as usize {
        return Err(err(
            "weights",
            format!(
                "{} weights for {} months; expected one weight per month",
                weights.len(),
                input.months
            ),
        ));
    }
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().sum::<f64>() <= 0.0 {
        return Err(err("weights", "expected weights of 0 or more, not all 0"));
    }
    if input.cycle.is_empty() {
        return Err(err(
            "cycle",
            "no sales cycle; expected e.g. 90 days, or 30%:30,50%:60,20%:90",
        ));
    }
    let share_sum: f64 = input.cycle.iter().map(|c| c.share).sum();
    if input
        .cycle
        .iter()
        .any(|c| !(c.share.is_finite() && c.share > 0.0))
        || (share_sum - 1.0).abs() > 0.001
    {
        return Err(err(
            "cycle",
            format!(
                "the shares add up to {:.0}%; expected 100%",
                share_sum * 100.0
            ),
        ));
    }
    let lags: Vec<(f64, i32)> = input
        .cycle
        .iter()
        .map(|c| (c.share, (f64::from(c.days) / DAYS_PER_MONTH).round() as i32))
        .collect();
    let longest = lags.iter().map(|l| l.1).max().unwrap_or(0);
    if longest >= input.months as i32 {
        return Err(err(
            "cycle",
            format!(
                "a cycle of {longest} months is as long as the {}-month horizon or longer; plan over a longer horizon",
                input.months
            ),
        ));
    }
    for (m, amount) in &input.pipeline {
        let at = input.start.until(*m);
        if at < 0 || at >= input.months as i32 || !amount.is_finite() || *amount < 0.0 {
            return Err(err(
                "pipeline",
                format!(
                    "{m}: {amount}; expected a month inside the horizon and an amount of 0 or more"
                ),
            ));
        }
    }
    let total_weight: f64 = weights.iter().sum();
    let first = input.start.plus(-longest);
    let span = (longest + input.months as i32) as usize;
    let mut deals_exact = vec![0.0; span]; // by close month
    let mut revenue = vec![0.0; span];
    let mut goal_revenue = vec![0.0; span];
    let mut won_from_cohort = vec![0.0; span]; // by MQL month
    for (i, w) in weights.iter().enumerate() {
        let month = input.start.plus(i as i32);
        let pipeline: f64 = input
            .pipeline
            .iter()
            .filter(|(m, _)| *m == month)
            .map(|(_, a)| a)
            .sum();
        let installment = input.goal * w / total_weight;
        let needed = (installment - pipeline).max(0.0);
        let deals = needed * input.marketing_share / input.deal_size;
        let at = (longest + i as i32) as usize;
        goal_revenue[at] = installment;
        deals_exact[at] = deals;
        revenue[at] = deals * input.deal_size + pipeline;
        for (share, lag) in &lags {
            won_from_cohort[(at as i32 - lag) as usize] += deals * share;
        }
    }
    let mut months = Vec::with_capacity(span);
    let mut notes = Vec::new();
    for k in 0..span {
        let month = first.plus(k as i32);
        let won = won_from_cohort[k];
        let opportunities = won / r.opportunity_to_won;
        let sqls = opportunities / r.sql_to_opportunity;
        let mqls = sqls / r.mql_to_sql;
        let leads = mqls / r.lead_to_mql;
        let before = month < input.start;
        if before && mqls > 0.0 {
            notes.push(format!("{month} is before the horizon: its {} MQLs become revenue early in it, so they are needed the year (or quarter) before", mqls.ceil()));
        }
        months.push(MonthPlan {
            month,
            before_horizon: before,
            leads: up(leads),
            mqls: up(mqls),
            sqls: up(sqls),
            opportunities: up(opportunities),
            deals: up(deals_exact[k]),
            revenue: revenue[k],
            goal_revenue: goal_revenue[k],
            exact_mqls: mqls,
            exact_leads: leads,
        });
    }
    let exact: f64 = months.iter().map(|m| m.exact_mqls).sum();
    let rounded: u64 = months.iter().map(|m| m.mqls).sum();
    if (rounded as f64 - exact) >= 1.0 {
        notes.push(format!(
            "rounding each month up adds {} MQLs over the exact {:.1} (counts are whole leads)",
            (rounded as f64 - exact).floor(),
            exact
        ));
    }
    let exact_deals: f64 = deals_exact.iter().sum();
    let rounded_deals: u64 = months.iter().map(|m| m.deals).sum();
    if (rounded_deals as f64 - exact_deals) >= 1.0 {
        notes.push(format!(
            "deals per month are rounded up too: {rounded_deals} in all where {exact_deals:.1} would reach the goal exactly"
        ));
    }
    Ok(Plan {
        months,
        notes,
        input: input.clone(),
    })
}

/// Rounds a count up, ignoring float dust (4.0000000001 is 4).
fn up(x: f64) -> u64 {
    let r = (x - 1e-9).ceil();
    if r <= 0.0 { 0 } else { r as u64 }
}

impl Plan {
    /// Whether the plan is on pace given the revenue won so far in the
    /// horizon (every deal, marketing-sourced or not: the goal counts them
    /// all) and actual MQLs per month, at `now` (the current month).
    ///
    /// # Example
    /// ```
    /// use handshake_core::planner::*;
    /// let input = PlanInput {
    ///     goal: 300_000.0, currency: "USD".into(), start: Month::parse("2027-07").unwrap(), months: 3,
    ///     weights: vec![], deal_size: 10_000.0, marketing_share: 0.5,
    ///     rates: Rates { lead_to_mql: 0.5, mql_to_sql: 0.5, sql_to_opportunity: 0.5, opportunity_to_won: 0.5 },
    ///     cycle: vec![CycleStep { share: 1.0, days: 30 }], pipeline: vec![],
    /// };
    /// let p = plan(&input)?;
    /// // Mid-August, 150,000 won since July: September's 100,000 still to come.
    /// let pace = p.pace(150_000.0, &[], Month::parse("2027-08").unwrap());
    /// assert_eq!(pace.projected_revenue, 250_000.0);
    /// # Ok::<(), PlanError>(())
    /// ```
    pub fn pace(&self, revenue_won: f64, actual_mqls: &[(Month, u64)], now: Month) -> Pace {
        let planned_revenue_left: f64 = self
            .months
            .iter()
            .filter(|m| m.month > now)
            .map(|m| m.goal_revenue)
            .sum();
        let mut gap: i64 = 0;
        for m in self.months.iter().filter(|m| m.month < now) {
            let actual = actual_mqls
                .iter()
                .filter(|(am, _)| *am == m.month)
                .map(|(_, n)| *n)
                .sum::<u64>();
            gap += m.mqls as i64 - actual as i64;
        }
        let gap = gap.max(0) as u64;
        // The plan needs MQLs only in months whose deals close inside the
        // horizon: those are the months that can still contribute.
        let months_that_can_contribute: Vec<Month> = self
            .months
            .iter()
            .filter(|m| m.month >= now && m.exact_mqls > 0.0)
            .map(|m| m.month)
            .collect();
        let per_month = (!months_that_can_contribute.is_empty())
            .then(|| gap.div_ceil(months_that_can_contribute.len() as u64));
        Pace {
            projected_revenue: revenue_won + planned_revenue_left,
            goal: self.input.goal,
            mql_gap: gap,
            months_that_can_contribute,
            mql_gap_per_remaining_month: per_month,
        }
    }

    /// The plan as `[[goals]]` blocks for the agreement: what the plan
    /// needs. Marketing's MQL goal is the peak month's MQLs (an average over
    /// the ramp-up months would ask too few where the plan needs most);
    /// the revenue goal is the whole goal over the horizon's period (the
    /// `revenue_won` metric counts every deal, so it is not cut by the
    /// marketing share).
    pub fn goals_toml(&self) -> String {
        let peak = self
            .months
            .iter()
            .max_by_key(|m| (m.mqls, std::cmp::Reverse(m.month)))
            .map_or((0, self.input.start), |m| (m.mqls, m.month));
        let mut out = format!(
            "# From the plan: {:.0} {} over {} months from {}.\n# MQLs per month vary with the cycle and seasonality: {}.\n# The MQL goal is the peak month's ({}).\n",
            self.input.goal,
            self.input.currency,
            self.input.months,
            self.input.start,
            self.months
                .iter()
                .map(|m| format!("{} {}", m.month, m.mqls))
                .collect::<Vec<_>>()
                .join(", "),
            peak.1
        );
        out += &format!(
            "[[goals]]\nid = \"planned-mqls\"\nowner = \"marketing\"\nmetric = \"mqls\"\ntarget = {}\nper = \"month\"\n\n",
            peak.0
        );
        let r = self.input.rates;
        out += &format!(
            "[[goals]]\nid = \"planned-mql-to-sql\"\nowner = \"marketing\"\nmetric = \"conversion\"\nfrom = \"mql\"\nto = \"sql\"\ntarget = \"{:.0}%\"\nper = \"quarter\"\n\n",
            r.mql_to_sql * 100.0
        );
        let per = if self.input.months == 3 {
            "quarter"
        } else {
            "year"
        };
        out += &format!(
            "[[goals]]\nid = \"planned-revenue\"\nowner = \"sales\"\nmetric = \"revenue_won\"\ntarget = \"{:.0} {}\"\nper = \"{per}\"\n",
            self.input.goal, self.input.currency
        );
        out
    }
}
