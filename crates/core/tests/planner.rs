//! The planner against hand calculations (docs/planner.md works the first one).

#![allow(clippy::unwrap_used)]

use handshake_core::planner::{CycleStep, Month, PlanInput, Rates, plan};

fn m(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn seeds_example() -> PlanInput {
    PlanInput {
        goal: 2_000_000.0,
        currency: "USD".into(),
        start: m("2027-01"),
        months: 12,
        weights: vec![],
        deal_size: 20_000.0,
        rates: Rates {
            lead_to_mql: 0.2,
            mql_to_sql: 0.5,
            sql_to_opportunity: 0.5,
            opportunity_to_won: 0.25,
        },
        marketing_share: 0.5,
        cycle: vec![CycleStep {
            share: 1.0,
            days: 61,
        }],
        pipeline: vec![],
    }
}

#[test]
fn the_two_million_dollar_example_by_hand() {
    // $2,000,000 / 12 = $166,666.67 a month; half from marketing = $83,333.33;
    // / $20,000 = 4.1667 deals; / 25% = 16.67 opportunities; / 50% = 33.33 SQLs;
    // / 50% = 66.67 MQLs; / 20% = 333.3 leads, two months before the revenue.
    let p = plan(&seeds_example()).unwrap();
    assert_eq!(p.months.first().unwrap().month, m("2026-11"));
    assert_eq!(p.months.last().unwrap().month, m("2027-12"));
    for month in &p.months[..12] {
        assert!((month.exact_mqls - 66.6667).abs() < 0.001, "{month:?}");
        assert_eq!(
            (month.mqls, month.leads, month.sqls, month.opportunities),
            (67, 334, 34, 17)
        );
    }
    // The last two months' MQLs would close after the horizon: none needed.
    assert_eq!((p.months[12].mqls, p.months[13].mqls), (0, 0));
    // Revenue closes from January: 4.17 deals × $20,000.
    assert!(
        p.months[..2]
            .iter()
            .all(|x| x.revenue == 0.0 && x.before_horizon)
    );
    assert!((p.months[2].revenue - 83_333.33).abs() < 0.01);
    assert_eq!(p.months[2].deals, 5);
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("2026-11 is before the horizon"))
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("rounding each month up adds 4 MQLs")),
        "{:?}",
        p.notes
    );
}

#[test]
fn uneven_seasonality_and_a_spread_cycle_across_the_year_boundary() {
    // Q1 2027, $300,000 weighted 1:1:2 = $75k, $75k, $150k; all from marketing; $15k deals:
    // 5, 5 and 10 deals. Half close 1 month after the MQL, half 2 months after:
    // won by MQL month: Nov 2.5, Dec 2.5+2.5, Jan 2.5+5, Feb 5. Every rate 50%: ×8 MQLs, ×16 leads.
    let input = PlanInput {
        goal: 300_000.0,
        start: m("2027-01"),
        months: 3,
        weights: vec![1.0, 1.0, 2.0],
        deal_size: 15_000.0,
        rates: Rates {
            lead_to_mql: 0.5,
            mql_to_sql: 0.5,
            sql_to_opportunity: 0.5,
            opportunity_to_won: 0.5,
        },
        marketing_share: 1.0,
        cycle: vec![
            CycleStep {
                share: 0.5,
                days: 30,
            },
            CycleStep {
                share: 0.5,
                days: 61,
            },
        ],
        ..seeds_example()
    };
    let p = plan(&input).unwrap();
    let rows: Vec<(String, u64, u64, u64)> = p
        .months
        .iter()
        .map(|x| (x.month.to_string(), x.mqls, x.leads, x.deals))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("2026-11".into(), 20, 40, 0),
            ("2026-12".into(), 40, 80, 0),
            ("2027-01".into(), 60, 120, 5),
            ("2027-02".into(), 40, 80, 5),
            ("2027-03".into(), 0, 0, 10),
        ]
    );
}

#[test]
fn open_pipeline_reduces_what_marketing_must_deliver() {
    let input = PlanInput {
        pipeline: vec![(m("2027-01"), 200_000.0)],
        ..seeds_example()
    };
    let p = plan(&input).unwrap();
    // January's $166,667 is covered by the pipeline: no MQLs needed in November for it.
    assert_eq!(p.months[0].mqls, 0);
    assert!((p.months[2].revenue - 200_000.0).abs() < 0.01);
}

#[test]
fn bad_input_is_named() {
    let cases: Vec<(PlanInput, &str)> = vec![
        (
            PlanInput {
                goal: -5.0,
                ..seeds_example()
            },
            "goal",
        ),
        (
            PlanInput {
                rates: Rates {
                    mql_to_sql: 0.0,
                    ..seeds_example().rates
                },
                ..seeds_example()
            },
            "rates.mql_to_sql",
        ),
        (
            PlanInput {
                marketing_share: 1.2,
                ..seeds_example()
            },
            "marketing_share",
        ),
        (
            PlanInput {
                cycle: vec![CycleStep {
                    share: 1.0,
                    days: 400,
                }],
                ..seeds_example()
            },
            "cycle",
        ),
        (
            PlanInput {
                weights: vec![1.0, 2.0],
                ..seeds_example()
            },
            "weights",
        ),
        (
            PlanInput {
                cycle: vec![CycleStep {
                    share: 0.5,
                    days: 30,
                }],
                ..seeds_example()
            },
            "cycle",
        ),
        (
            PlanInput {
                deal_size: 0.0,
                ..seeds_example()
            },
            "deal_size",
        ),
    ];
    for (input, field) in cases {
        let e = plan(&input).unwrap_err();
        assert_eq!(e.field, field, "{e}");
        assert!(
            e.message.contains("expected") || e.message.contains("longer"),
            "{e}"
        );
    }
}

#[test]
fn pace_projects_revenue_and_the_mql_gap() {
    let p = plan(&seeds_example()).unwrap();
    // By March: $150,000 won; MQLs: Nov 67, Dec 50, Jan 60, Feb 67 (planned 67 each).
    let actual = [
        (m("2026-11"), 67),
        (m("2026-12"), 50),
        (m("2027-01"), 60),
        (m("2027-02"), 67),
    ];
    let pace = p.pace(150_000.0, &actual, m("2027-03"));
    assert_eq!(pace.mql_gap, 24);
    // Ten MQL months remain (March to December... those with MQLs: March to October = 8).
    assert_eq!(pace.mql_gap_per_remaining_month, 3);
    // Planned revenue from March to December: 10 × $83,333.33.
    assert!((pace.projected_revenue - (150_000.0 + 833_333.33)).abs() < 1.0);
}

#[test]
fn emitted_goals_are_a_valid_agreement_part() {
    let p = plan(&seeds_example()).unwrap();
    let goals = p.goals_toml();
    let base = include_str!("../../../examples/agreement.toml");
    let text = format!("{base}\n{goals}");
    let outcome = handshake_core::check("with-plan.toml", &text);
    assert_eq!(outcome.errors(), 0, "{:#?}", outcome.diagnostics);
    assert!(goals.contains("target = 67"));
}
