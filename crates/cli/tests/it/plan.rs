//! `handshake plan`: flags, a plan file, goals for the agreement, and rates
//! from history checked against a direct count of the sample export.

use crate::{TempDir, bin, text};

const SEEDS: [&str; 17] = [
    "plan",
    "--goal",
    "2000000 USD",
    "--horizon",
    "2027",
    "--deal-size",
    "20000",
    "--share",
    "50%",
    "--lead-to-mql",
    "20%",
    "--mql-to-sql",
    "50%",
    "--sql-to-opp",
    "50%",
    "--opp-to-won",
    "25%",
];

fn seeds(extra: &[&str]) -> std::process::Output {
    // A flag in `extra` replaces the example's own.
    let mut args: Vec<&str> = SEEDS.to_vec();
    args.extend(["--cycle", "61"]);
    for pair in extra.chunks(2) {
        match args.iter().position(|a| *a == pair[0]) {
            Some(i) if pair.len() == 2 => args[i + 1] = pair[1],
            _ => args.extend_from_slice(pair),
        }
    }
    bin().args(args).output().unwrap()
}

#[test]
fn the_seeds_example_as_json() {
    let out = seeds(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["months"][0]["month"], "2026-11");
    assert_eq!(p["months"][0]["before_horizon"], true);
    assert_eq!(
        (
            p["months"][0]["mqls"].as_u64(),
            p["months"][0]["leads"].as_u64()
        ),
        (Some(67), Some(334))
    );
    assert_eq!(p["totals"]["mqls"].as_u64(), Some(804));
    assert!(
        p["notes"][0]
            .as_str()
            .unwrap()
            .contains("before the horizon")
    );
}

#[test]
fn a_plan_file_and_emitted_goals() {
    let dir = TempDir::new("plan");
    let file = dir.0.join("plan.toml");
    std::fs::write(
        &file,
        "goal = \"300000 USD\"\nhorizon = \"2027-Q1\"\nweights = [1, 1, 2]\ndeal_size = 15000\nlead_to_mql = \"50%\"\nmql_to_sql = \"50%\"\nsql_to_opportunity = \"50%\"\nopportunity_to_won = \"50%\"\ncycle = \"50%:30,50%:61\"\n",
    )
    .unwrap();
    let out = bin()
        .args(["plan", file.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("month,leads,mqls,sqls,opportunities,deals,revenue\n2026-11 *,40,20,"),
        "{csv}"
    );
    let out = bin()
        .args(["plan", file.to_str().unwrap(), "--emit-goals"])
        .output()
        .unwrap();
    let goals = text(&out.stdout);
    assert!(
        goals.contains("[[goals]]\nid = \"planned-mqls\""),
        "{goals}"
    );
    // A flag overrides the file.
    let out = bin()
        .args([
            "plan",
            file.to_str().unwrap(),
            "--horizon",
            "2027",
            "--weights",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("weights: 1 weights for 12 months; expected one weight per month")
    );
}

#[test]
fn bad_input_is_named_not_nan() {
    let out = seeds(&["--cycle", "400"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("cycle: a cycle of 13 months is as long as the 12-month horizon or longer"),
        "{}",
        text(&out.stderr)
    );
    let out = seeds(&["--share", "120%"]);
    assert!(
        text(&out.stderr).contains("marketing_share: 1.2 is not a share"),
        "{}",
        text(&out.stderr)
    );
    let out = seeds(&["--opp-to-won", "0"]);
    assert!(
        text(&out.stderr).contains("rates.opportunity_to_won: 0 is not a rate"),
        "{}",
        text(&out.stderr)
    );
    let out = seeds(&["--goal", "-5 USD"]);
    assert!(
        text(&out.stderr).contains("goal: -5 is not a revenue goal"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rates_from_history_match_a_direct_count_of_the_export() {
    let dir = TempDir::new("history");
    assert_eq!(
        dir.run(&[
            "import",
            "examples/hubspot-contacts.csv",
            "--preset",
            "hubspot"
        ])
        .status
        .code(),
        Some(0)
    );
    // Count the export directly: leads created, of them with an MQL date; MQLs, of them with an SQL date;
    // only the cohorts that entered their stage a 60-day cycle before the end (2027-11-02), so
    // each has had time to finish.
    let export = crate::ExampleContacts::read();
    let col = |name: &str| export.col(name);
    let (created, mql, sql) = (
        col("Create Date"),
        col("Became a Marketing Qualified Lead Date"),
        col("Became a Sales Qualified Lead Date"),
    );
    let cutoff = "2027-11-02";
    let all = &export.rows;
    let rows: Vec<&csv::StringRecord> = all.iter().filter(|r| &r[created] < cutoff).collect();
    let with_mql = rows.iter().filter(|r| !r[mql].is_empty()).count();
    let mqls: Vec<&csv::StringRecord> = all
        .iter()
        .filter(|r| !r[mql].is_empty() && &r[mql] < cutoff)
        .collect();
    let with_sql = mqls.iter().filter(|r| !r[sql].is_empty()).count();
    assert!(
        mqls.len() < all.iter().filter(|r| !r[mql].is_empty()).count(),
        "some MQLs are too recent to count"
    );
    let out = bin()
        .args([
            "plan",
            "--goal",
            "1000000 USD",
            "--horizon",
            "2028",
            "--from-history",
            "--window",
            "24m",
            "--as-of",
            "2028-01-01T00:00:00Z",
        ])
        .args([
            "--sql-to-opp",
            "50%",
            "--opp-to-won",
            "30%",
            "--deal-size",
            "20000",
            "--cycle",
            "60",
            "--format",
            "json",
        ])
        .env("HANDSHAKE_DB", dir.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let h = &p["history"];
    assert_eq!(h["lead_to_mql"]["sample"].as_u64(), Some(rows.len() as u64));
    let close =
        |v: &serde_json::Value, expected: f64| (v.as_f64().unwrap() - expected).abs() < 1e-12;
    assert!(
        close(
            &h["lead_to_mql"]["value"],
            with_mql as f64 / rows.len() as f64
        ),
        "{h}"
    );
    assert_eq!(h["mql_to_sql"]["sample"].as_u64(), Some(mqls.len() as u64));
    assert!(
        close(
            &h["mql_to_sql"]["value"],
            with_sql as f64 / mqls.len() as f64
        ),
        "{h}"
    );
    assert_eq!(h["maturity_days"].as_u64(), Some(60));
    // The export has no deals: no sample, said plainly.
    assert_eq!(h["deal_size"]["sample"].as_u64(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("from {} leads", rows.len())),
        "{stderr}"
    );
    assert!(stderr.contains("small sample"), "{stderr}");
    assert!(
        stderr.contains("before 2027-11-02T00:00:00Z (one sales cycle, 60 days, before the end)"),
        "{stderr}"
    );
}
