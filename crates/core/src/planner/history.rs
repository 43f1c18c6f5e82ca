//! Rates from history: conversion rates, deal size and the sales cycle,
//! counted by cohort from the events of a window, each with its sample size.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::CycleStep;
use crate::event::{Event, EventKind};

/// A measured rate and how many leads it rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// The value (a fraction for rates, an amount for the deal size); `None` with no sample.
    pub value: Option<f64>,
    /// The cohort's size.
    pub sample: usize,
}

/// What the history says, per cohort of the window.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Of the leads created in the window, the share that became MQLs.
    pub lead_to_mql: Measured,
    /// Of the leads that became MQLs in the window, the share that became SQLs after.
    pub mql_to_sql: Measured,
    /// Of the leads that became SQLs in the window, the share with an opportunity after.
    pub sql_to_opportunity: Measured,
    /// Of the opportunities created in the window, the share won after.
    pub opportunity_to_won: Measured,
    /// The mean won amount in the window (in `currency`).
    pub deal_size: Measured,
    /// The currency of the deal size (the most frequent among won deals).
    pub currency: Option<String>,
    /// Days from MQL to won, as whole months of lag with their shares.
    pub cycle: Vec<CycleStep>,
    /// Won deals the cycle rests on.
    pub cycle_sample: usize,
    /// The conversion cohorts are those that entered their stage before
    /// this instant: one sales cycle before the window's end, so each has
    /// had time to finish (an opportunity still open is not yet lost). The
    /// window's end when no cycle is known.
    pub cohorts_before: Timestamp,
    /// The sales cycle that sets `cohorts_before`, in days (the mean of the
    /// cycle given, else of the one measured); 0 when none is known.
    pub maturity_days: u32,
}

/// Samples smaller than this are too small to trust.
pub const SMALL_SAMPLE: usize = 30;

fn measured(hits: usize, of: usize) -> Measured {
    Measured {
        value: (of > 0).then(|| hits as f64 / of as f64),
        sample: of,
    }
}

/// Counts the history of `events` in the window `[from, to)`; events after
/// `to` are ignored. Conversion rates come only from cohorts old enough to
/// have finished: those that entered their stage at least one sales cycle
/// (`cycle` when given, else the one measured from the window's wins)
/// before `to`.
pub fn from_events(
    events: &[Event],
    from: Timestamp,
    to: Timestamp,
    cycle: Option<&[CycleStep]>,
) -> History {
    let mut leads: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in events
        .iter()
        .filter(|e| e.occurred_at < to && !e.kind.is_request())
    {
        leads.entry(e.subject.as_str()).or_default().push(e);
    }
    let inside = |t: Timestamp| t >= from && t < to;
    let mut wins: Vec<(i64, String)> = Vec::new();
    let mut lags: BTreeMap<u32, usize> = BTreeMap::new();
    for list in leads.values_mut() {
        list.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mql = list
            .iter()
            .find(|e| matches!(&e.kind, EventKind::StageChanged { stage } if stage.eq_ignore_ascii_case("mql")))
            .map(|e| e.occurred_at);
        for e in list.iter().filter(|e| inside(e.occurred_at)) {
            if let EventKind::DealWon { amount } = &e.kind {
                wins.push((amount.minor, amount.currency.clone()));
                if let Some(m) = mql.filter(|m| *m <= e.occurred_at) {
                    let days = (e.occurred_at.as_second() - m.as_second()) as f64 / 86_400.0;
                    let months = (days / 30.44).round().max(0.0) as u32;
                    *lags.entry(months).or_default() += 1;
                }
            }
        }
    }
    let cycle_sample: usize = lags.values().sum();
    let measured_cycle: Vec<CycleStep> = lags
        .iter()
        .map(|(months, n)| CycleStep {
            share: *n as f64 / cycle_sample as f64,
            days: (f64::from(*months) * 30.44).round() as u32,
        })
        .collect();
    let maturity_days = cycle
        .filter(|c| !c.is_empty())
        .unwrap_or(&measured_cycle)
        .iter()
        .map(|c| c.share * f64::from(c.days))
        .sum::<f64>()
        .ceil() as u32;
    let cohorts_before = to
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * i64::from(maturity_days),
        ))
        .unwrap_or(from);
    // A cohort member entered its stage inside the window and at least one
    // cycle before its end.
    let cohort = |t: Timestamp| t >= from && t < cohorts_before;
    let (mut created, mut created_mql) = (0, 0);
    let (mut mqls, mut mqls_sql) = (0, 0);
    let (mut sqls, mut sqls_opp) = (0, 0);
    let (mut opps, mut opps_won) = (0, 0);
    for list in leads.values() {
        let stage_at = |stage: &str| -> Option<Timestamp> {
            list.iter().find(|e| matches!(&e.kind, EventKind::StageChanged { stage: s } if s.eq_ignore_ascii_case(stage))).map(|e| e.occurred_at)
        };
        let first = |pred: &dyn Fn(&EventKind) -> bool, after: Timestamp| {
            list.iter()
                .find(|e| e.occurred_at >= after && pred(&e.kind))
                .map(|e| e.occurred_at)
        };
        let is_opp = |k: &EventKind| matches!(k, EventKind::OpportunityCreated { .. });
        let is_won = |k: &EventKind| matches!(k, EventKind::DealWon { .. });
        if let Some(c) = list
            .iter()
            .find(|e| matches!(e.kind, EventKind::LeadCreated(_)))
            .map(|e| e.occurred_at)
            .filter(|t| cohort(*t))
        {
            created += 1;
            created_mql += usize::from(stage_at("mql").is_some_and(|m| m >= c));
        }
        if let Some(m) = stage_at("mql").filter(|t| cohort(*t)) {
            mqls += 1;
            mqls_sql += usize::from(stage_at("sql").is_some_and(|s| s >= m));
        }
        if let Some(s) = stage_at("sql").filter(|t| cohort(*t)) {
            sqls += 1;
            sqls_opp += usize::from(first(&is_opp, s).is_some());
        }
        if let Some(o) = list
            .iter()
            .find(|e| is_opp(&e.kind))
            .map(|e| e.occurred_at)
            .filter(|t| cohort(*t))
        {
            opps += 1;
            opps_won += usize::from(first(&is_won, o).is_some());
        }
    }
    let mut by_currency: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
    for (minor, currency) in &wins {
        let entry = by_currency.entry(currency).or_default();
        entry.0 += 1;
        entry.1 += minor;
    }
    let top = by_currency
        .iter()
        .max_by_key(|(_, (n, _))| *n)
        .map(|(c, (n, sum))| (c.to_string(), *n, *sum));
    History {
        lead_to_mql: measured(created_mql, created),
        mql_to_sql: measured(mqls_sql, mqls),
        sql_to_opportunity: measured(sqls_opp, sqls),
        opportunity_to_won: measured(opps_won, opps),
        deal_size: Measured {
            value: top.as_ref().map(|(currency, n, sum)| {
                crate::event::Money {
                    minor: *sum,
                    currency: currency.clone(),
                }
                .major()
                    / *n as f64
            }),
            sample: top.as_ref().map_or(0, |t| t.1),
        },
        currency: top.map(|t| t.0),
        cycle: measured_cycle,
        cycle_sample,
        cohorts_before,
        maturity_days,
    }
}
