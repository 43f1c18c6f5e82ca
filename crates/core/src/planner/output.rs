//! A plan as JSON, as a table and as CSV rows.

use serde_json::{Value, json};

use super::{Pace, Plan};

/// The history a plan took its rates from, as JSON (each value with its sample size).
pub fn history_json(h: &super::history::History) -> Value {
    let m = |x: &super::history::Measured| json!({ "value": x.value, "sample": x.sample, "small_sample": x.sample < super::history::SMALL_SAMPLE });
    json!({
        "lead_to_mql": m(&h.lead_to_mql), "mql_to_sql": m(&h.mql_to_sql),
        "sql_to_opportunity": m(&h.sql_to_opportunity), "opportunity_to_won": m(&h.opportunity_to_won),
        "deal_size": m(&h.deal_size), "currency": h.currency,
        "cycle": h.cycle.iter().map(|c| json!({"share": c.share, "days": c.days})).collect::<Vec<_>>(),
        "cycle_sample": h.cycle_sample,
    })
}

/// The plan as JSON: the months, totals and notes.
pub fn to_json(p: &Plan, pace: Option<&Pace>) -> Value {
    let months: Vec<Value> = p
        .months
        .iter()
        .map(|m| {
            json!({
                "month": m.month.to_string(), "before_horizon": m.before_horizon, "leads": m.leads, "mqls": m.mqls,
                "sqls": m.sqls, "opportunities": m.opportunities, "deals": m.deals,
                "revenue": (m.revenue * 100.0).round() / 100.0,
                "exact_mqls": (m.exact_mqls * 100.0).round() / 100.0, "exact_leads": (m.exact_leads * 100.0).round() / 100.0,
            })
        })
        .collect();
    let sum = |f: fn(&super::MonthPlan) -> u64| p.months.iter().map(f).sum::<u64>();
    json!({
        "goal": { "amount": p.input.goal, "currency": p.input.currency },
        "start": p.input.start.to_string(),
        "months_in_horizon": p.input.months,
        "months": months,
        "totals": {
            "leads": sum(|m| m.leads), "mqls": sum(|m| m.mqls), "sqls": sum(|m| m.sqls),
            "opportunities": sum(|m| m.opportunities), "deals": sum(|m| m.deals),
            "revenue": (p.months.iter().map(|m| m.revenue).sum::<f64>() * 100.0).round() / 100.0,
        },
        "notes": p.notes,
        "pace": pace.map(|x| json!({
            "projected_revenue": (x.projected_revenue * 100.0).round() / 100.0, "goal": x.goal,
            "on_pace": x.projected_revenue + 0.005 >= x.goal,
            "mql_gap": x.mql_gap, "mql_gap_per_remaining_month": x.mql_gap_per_remaining_month,
        })),
    })
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
        out += &format!(
            "\nPace: projected {:.0} of {:.0} {} ({}); MQLs short so far: {} (add {} in each remaining month)\n",
            x.projected_revenue,
            x.goal,
            p.input.currency,
            if x.projected_revenue + 0.005 >= x.goal {
                "on pace"
            } else {
                "behind"
            },
            x.mql_gap,
            x.mql_gap_per_remaining_month
        );
    }
    out
}
