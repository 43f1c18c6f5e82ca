//! `GET/POST /planner`: the funnel planner as a form; the answer is the
//! monthly targets as a table and a chart.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use handshake_core::planner::plan as make_plan;
use handshake_core::planner::spec::PlanSpec;
use serde::Deserialize;

use super::chart::{Point, bars};
use super::session::{Signed, csrf_ok};
use super::{Layout, forbidden, render};
use crate::AppState;

pub(crate) struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub example: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "planner.html")]
struct PlannerPage {
    layout: Layout,
    fields: Vec<Field>,
    error: String,
    chart: String,
    months: Vec<(String, u64, u64, u64, u64, u64, String)>,
    notes: Vec<String>,
}

/// The planner's inputs as the form sends them.
#[derive(Deserialize, Default)]
pub(crate) struct Inputs {
    #[serde(default)]
    csrf: String,
    goal: Option<String>,
    horizon: Option<String>,
    deal_size: Option<String>,
    lead_to_mql: Option<String>,
    mql_to_sql: Option<String>,
    sql_to_opportunity: Option<String>,
    opportunity_to_won: Option<String>,
    marketing_share: Option<String>,
    cycle: Option<String>,
    weights: Option<String>,
    pipeline: Option<String>,
}

fn fields(i: &Inputs, next_year: i16) -> Vec<Field> {
    let v = |given: &Option<String>, default: String| given.clone().unwrap_or(default);
    vec![
        Field {
            name: "goal",
            label: "Revenue goal",
            example: "2000000 USD",
            value: v(&i.goal, "2000000 USD".into()),
        },
        Field {
            name: "horizon",
            label: "Horizon (year or quarter)",
            example: "2027 or 2027-Q1",
            value: v(&i.horizon, next_year.to_string()),
        },
        Field {
            name: "deal_size",
            label: "Average deal size",
            example: "25000",
            value: v(&i.deal_size, "25000".into()),
        },
        Field {
            name: "lead_to_mql",
            label: "Lead to MQL",
            example: "20%",
            value: v(&i.lead_to_mql, "20%".into()),
        },
        Field {
            name: "mql_to_sql",
            label: "MQL to SQL",
            example: "40%",
            value: v(&i.mql_to_sql, "40%".into()),
        },
        Field {
            name: "sql_to_opportunity",
            label: "SQL to opportunity",
            example: "60%",
            value: v(&i.sql_to_opportunity, "60%".into()),
        },
        Field {
            name: "opportunity_to_won",
            label: "Opportunity to won",
            example: "25%",
            value: v(&i.opportunity_to_won, "25%".into()),
        },
        Field {
            name: "marketing_share",
            label: "Share from marketing leads",
            example: "60%",
            value: v(&i.marketing_share, "60%".into()),
        },
        Field {
            name: "cycle",
            label: "Sales cycle (days, or a spread)",
            example: "90 or 30%:30,70%:60",
            value: v(&i.cycle, "90".into()),
        },
        Field {
            name: "weights",
            label: "Monthly weights (optional)",
            example: "1,1,2",
            value: v(&i.weights, String::new()),
        },
        Field {
            name: "pipeline",
            label: "Open pipeline (optional)",
            example: "2027-01:200000",
            value: v(&i.pipeline, String::new()),
        },
    ]
}

fn next_year() -> i16 {
    jiff::Zoned::now().year().saturating_add(1)
}

/// The empty form, with sensible defaults.
pub(crate) async fn form(Signed(session, _): Signed) -> Response {
    render(&PlannerPage {
        layout: Layout::new(&session, "/planner", "Planner"),
        fields: fields(&Inputs::default(), next_year()),
        error: String::new(),
        chart: String::new(),
        months: Vec::new(),
        notes: Vec::new(),
    })
}

/// The plan for the posted inputs.
pub(crate) async fn plan(
    State(_state): State<AppState>,
    Signed(session, _): Signed,
    Form(i): Form<Inputs>,
) -> Response {
    if !csrf_ok(&session, &i.csrf) {
        return forbidden();
    }
    let some = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let spec = PlanSpec {
        goal: some(&i.goal),
        horizon: some(&i.horizon),
        weights: some(&i.weights),
        deal_size: some(&i.deal_size),
        lead_to_mql: some(&i.lead_to_mql),
        mql_to_sql: some(&i.mql_to_sql),
        sql_to_opportunity: some(&i.sql_to_opportunity),
        opportunity_to_won: some(&i.opportunity_to_won),
        marketing_share: some(&i.marketing_share),
        cycle: some(&i.cycle),
        pipeline: some(&i.pipeline),
    };
    let mut page = PlannerPage {
        layout: Layout::new(&session, "/planner", "Planner"),
        fields: fields(&i, next_year()),
        error: String::new(),
        chart: String::new(),
        months: Vec::new(),
        notes: Vec::new(),
    };
    match spec.resolve(None).and_then(|input| make_plan(&input)) {
        Err(e) => page.error = e.to_string(),
        Ok(p) => {
            let currency = p.input.currency.clone();
            page.months = p
                .months
                .iter()
                .map(|m| {
                    (
                        m.month.to_string(),
                        m.leads,
                        m.mqls,
                        m.sqls,
                        m.opportunities,
                        m.deals,
                        format!("{:.0} {currency}", m.revenue),
                    )
                })
                .collect();
            let points: Vec<Point> = p
                .months
                .iter()
                .map(|m| Point {
                    label: format!("{:02}", m.month.month),
                    value: Some(m.leads as f64),
                    text: format!("{}: {} leads", m.month, m.leads),
                    good: None,
                })
                .collect();
            page.chart = bars("Leads needed per month", &points, None);
            page.notes = p.notes.clone();
        }
    }
    render(&page)
}
