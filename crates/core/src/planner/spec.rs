//! A plan as people write it (flags, a TOML file, a JSON body): text like
//! `2000000 USD`, `25%`, `30%:30,50%:60,20%:90`, parsed here into a
//! [`PlanInput`], with the history filling what was not given.

use super::history::History;
use super::{CycleStep, Month, PlanError, PlanInput, Rates};

/// Every input as text; `None` when not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanSpec {
    /// `2000000 USD`.
    pub goal: Option<String>,
    /// `2027` (a year) or `2027-Q1` (a quarter).
    pub horizon: Option<String>,
    /// `1,1,2` (one per month; default even).
    pub weights: Option<String>,
    /// `25000`.
    pub deal_size: Option<String>,
    /// `20%` or `0.2`.
    pub lead_to_mql: Option<String>,
    /// MQL to SQL.
    pub mql_to_sql: Option<String>,
    /// SQL to opportunity.
    pub sql_to_opportunity: Option<String>,
    /// Opportunity to won.
    pub opportunity_to_won: Option<String>,
    /// Share of revenue from marketing-sourced leads, `60%`.
    pub marketing_share: Option<String>,
    /// `90` (days) or `30%:30,50%:60,20%:90`.
    pub cycle: Option<String>,
    /// `2027-01:200000,2027-02:50000`.
    pub pipeline: Option<String>,
}

fn err(field: &str, message: impl Into<String>) -> PlanError {
    PlanError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// `25%`, `0.25` into 0.25.
pub fn parse_fraction(field: &str, text: &str) -> Result<f64, PlanError> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    value.ok().filter(|v| v.is_finite()).ok_or_else(|| {
        err(
            field,
            format!("\"{text}\" is not a rate; expected e.g. 25% or 0.25"),
        )
    })
}

fn parse_amount(field: &str, text: &str) -> Result<f64, PlanError> {
    text.trim()
        .replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            err(
                field,
                format!("\"{text}\" is not an amount; expected e.g. 25000"),
            )
        })
}

/// `2000000 USD` into (2000000, "USD").
pub fn parse_goal(text: &str) -> Result<(f64, String), PlanError> {
    let mut parts = text.split_whitespace();
    let (Some(amount), Some(currency), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(err(
            "goal",
            format!(
                "\"{text}\" is not a revenue goal; expected an amount and a currency, e.g. \"2000000 USD\""
            ),
        ));
    };
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(err(
            "goal",
            format!("\"{currency}\" is not a currency code; expected e.g. USD or EUR"),
        ));
    }
    Ok((parse_amount("goal", amount)?, currency.to_string()))
}

/// `2027` into (2027-01, 12), `2027-Q2` into (2027-04, 3).
pub fn parse_horizon(text: &str) -> Result<(Month, u32), PlanError> {
    let bad = || {
        err(
            "horizon",
            format!("\"{text}\" is not a horizon; expected a year (2027) or a quarter (2027-Q1)"),
        )
    };
    match text.trim().split_once("-Q") {
        Some((y, q)) => {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let q: u32 = q
                .parse()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(bad)?;
            Ok((
                Month {
                    year,
                    month: (q - 1) * 3 + 1,
                },
                3,
            ))
        }
        None => {
            let year: i32 = text
                .trim()
                .parse()
                .ok()
                .filter(|y| (1000..=9000).contains(y))
                .ok_or_else(bad)?;
            Ok((Month { year, month: 1 }, 12))
        }
    }
}

/// `90` or `30%:30,50%:60,20%:90`.
pub fn parse_cycle(text: &str) -> Result<Vec<CycleStep>, PlanError> {
    if let Ok(days) = text.trim().parse::<u32>() {
        return Ok(vec![CycleStep { share: 1.0, days }]);
    }
    text.split(',')
        .map(|part| {
            let (share, days) = part.split_once(':').ok_or_else(|| {
                err(
                    "cycle",
                    format!("\"{part}\" is not a cycle step; expected SHARE:DAYS such as 30%:30"),
                )
            })?;
            let days = days
                .trim()
                .parse::<u32>()
                .map_err(|_| err("cycle", format!("\"{days}\" is not a number of days")))?;
            Ok(CycleStep {
                share: parse_fraction("cycle", share)?,
                days,
            })
        })
        .collect()
}

fn parse_weights(text: &str) -> Result<Vec<f64>, PlanError> {
    text.split(',')
        .map(|w| parse_amount("weights", w))
        .collect()
}

fn parse_pipeline(text: &str) -> Result<Vec<(Month, f64)>, PlanError> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|part| {
            let (m, amount) = part.split_once(':').ok_or_else(|| {
                err(
                    "pipeline",
                    format!("\"{part}\" is not MONTH:AMOUNT such as 2027-01:50000"),
                )
            })?;
            let month = Month::parse(m.trim()).ok_or_else(|| {
                err(
                    "pipeline",
                    format!("\"{m}\" is not a month; expected e.g. 2027-01"),
                )
            })?;
            Ok((month, parse_amount("pipeline", amount)?))
        })
        .collect()
}

impl PlanSpec {
    /// The plan input: what was given, else what the history measured.
    ///
    /// # Errors
    /// A [`PlanError`] naming the input that does not parse or is missing (with the history
    /// that could have filled it, if any).
    pub fn resolve(&self, history: Option<&History>) -> Result<PlanInput, PlanError> {
        let missing = |field: &str, example: &str| {
            err(
                field,
                format!(
                    "not given; expected e.g. {example}{}",
                    if history.is_some() {
                        " (the history has no sample for it)"
                    } else {
                        ", or --from-history"
                    }
                ),
            )
        };
        let (goal, currency) = match &self.goal {
            Some(g) => parse_goal(g)?,
            None => return Err(missing("goal", "--goal \"2000000 USD\"")),
        };
        let (start, months) = parse_horizon(
            self.horizon
                .as_deref()
                .ok_or_else(|| missing("horizon", "--horizon 2027 or 2027-Q1"))?,
        )?;
        let rate = |field: &str,
                    given: &Option<String>,
                    measured: Option<f64>|
         -> Result<f64, PlanError> {
            match (given, measured) {
                (Some(t), _) => parse_fraction(field, t),
                (None, Some(v)) => Ok(v),
                (None, None) => Err(missing(field, "25%")),
            }
        };
        let h = history;
        let rates = Rates {
            lead_to_mql: rate(
                "rates.lead_to_mql",
                &self.lead_to_mql,
                h.and_then(|h| h.lead_to_mql.value),
            )?,
            mql_to_sql: rate(
                "rates.mql_to_sql",
                &self.mql_to_sql,
                h.and_then(|h| h.mql_to_sql.value),
            )?,
            sql_to_opportunity: rate(
                "rates.sql_to_opportunity",
                &self.sql_to_opportunity,
                h.and_then(|h| h.sql_to_opportunity.value),
            )?,
            opportunity_to_won: rate(
                "rates.opportunity_to_won",
                &self.opportunity_to_won,
                h.and_then(|h| h.opportunity_to_won.value),
            )?,
        };
        let deal_size = match (&self.deal_size, h.and_then(|h| h.deal_size.value)) {
            (Some(t), _) => parse_amount("deal_size", t)?,
            (None, Some(v)) => v,
            (None, None) => return Err(missing("deal_size", "--deal-size 25000")),
        };
        let cycle = match (&self.cycle, h.filter(|h| h.cycle_sample > 0)) {
            (Some(t), _) => parse_cycle(t)?,
            (None, Some(h)) => h.cycle.clone(),
            (None, None) => {
                return Err(missing(
                    "cycle",
                    "--cycle 90 or --cycle 30%:30,50%:60,20%:90",
                ));
            }
        };
        Ok(PlanInput {
            goal,
            currency,
            start,
            months,
            weights: self
                .weights
                .as_deref()
                .map(parse_weights)
                .transpose()?
                .unwrap_or_default(),
            deal_size,
            rates,
            marketing_share: self
                .marketing_share
                .as_deref()
                .map(|s| parse_fraction("marketing_share", s))
                .transpose()?
                .unwrap_or(1.0),
            cycle,
            pipeline: self
                .pipeline
                .as_deref()
                .map(parse_pipeline)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}
