//! `handshake report` and `handshake whatif` on the example agreement and events.

use crate::{TempDir, text};

fn loaded() -> TempDir {
    let dir = TempDir::new("report");
    assert_eq!(
        dir.run(&["apply", "examples/agreement.toml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        dir.run(&["events", "examples/events.ndjson"]).status.code(),
        Some(0)
    );
    dir
}

#[test]
fn report_json_has_the_documented_fields_and_numbers() {
    let dir = loaded();
    let out = dir.run(&[
        "report",
        "--period",
        "2027-01",
        "--as-of",
        "2027-03-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["period"].as_str(), r["from"].as_str(), r["to"].as_str()),
        (
            Some("2027-01"),
            Some("2027-01-01T05:00:00Z"),
            Some("2027-02-01T05:00:00Z")
        )
    );
    let g = r["guarantees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "enterprise-first-touch")
        .unwrap();
    assert_eq!(
        (
            g["clocks"].as_u64(),
            g["met"].as_u64(),
            g["breached"].as_u64(),
            g["compliance"].as_f64()
        ),
        (Some(1), Some(1), Some(0), Some(1.0))
    );
    let goal = |id: &str| {
        r["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .unwrap()
            .clone()
    };
    // Two leads became MQLs in January: L-1001 (enterprise) and L-2001 (mid-market).
    assert_eq!(
        (
            goal("mql-volume")["actual"].as_u64(),
            goal("mql-volume")["attained"].as_bool()
        ),
        (Some(2), Some(false))
    );
    assert_eq!(goal("enterprise-mqls")["actual"].as_u64(), Some(1));
    // L-1001 was touched by a person 40 business minutes after becoming an MQL; L-2001 only by a sequence.
    assert_eq!(goal("first-touch-speed")["actual"].as_f64(), Some(2400.0));
    // One accepted (L-1001), one rejected (L-2001).
    assert_eq!(goal("acceptance")["actual"].as_f64(), Some(0.5));
    assert_eq!(
        goal("pipeline")["actual"]["amount"].as_str(),
        Some("48000.00")
    );
    assert!(r["findings"].as_array().unwrap().iter().any(|f| {
        f.as_str()
            .unwrap()
            .contains("volume, not follow-up, is the gap")
    }));
    let webinar = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "webinar")
        .unwrap();
    // The deal is won on 2027-03-02, after as_of: it does not exist yet.
    assert_eq!(
        (webinar["leads"].as_u64(), webinar["won"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn report_formats_and_bad_input() {
    let dir = loaded();
    for format in ["table", "md", "csv"] {
        let out = dir.run(&[
            "report",
            "--period",
            "2027-Q1",
            "--as-of",
            "2027-03-01T00:00:00Z",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stdout).contains("mql-volume"), "{format}");
    }
    let out = dir.run(&["report", "--period", "2027-13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected a week like 2026-W49, a month like 2026-11"));
    let empty = TempDir::new("report-empty");
    let out = empty.run(&["report"]);
    assert!(text(&out.stderr).contains("apply one with `handshake apply FILE`"));
}

/// A draft of the example whose MQL volume goal is 2 instead of 400.
fn small_mql_target(dir: &TempDir) -> std::path::PathBuf {
    let draft = dir.0.join("draft.toml");
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap();
    std::fs::write(&draft, example.replacen("target = 400", "target = 2", 1)).unwrap();
    draft
}

#[test]
fn whatif_shows_the_draft_beside_the_active_version() {
    let dir = loaded();
    let draft = small_mql_target(&dir);
    let out = dir.run(&[
        "whatif",
        draft.to_str().unwrap(),
        "--period",
        "2027-01",
        "--as-of",
        "2027-03-01T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("goal mql-volume 2027-01"))
        .unwrap();
    assert!(
        line.contains("2 of 400 missed") && line.contains("2 of 2 attained"),
        "{line}"
    );
}

#[test]
fn whatif_speaks_json_and_markdown_with_units_and_open_periods() {
    let dir = loaded();
    let draft = small_mql_target(&dir);
    let run = |as_of: &str, format: &str| {
        let out = dir.run(&[
            "whatif",
            draft.to_str().unwrap(),
            "--period",
            "2027-01",
            "--as-of",
            as_of,
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    // JSON: both reports, the draft without a stored version.
    let json: serde_json::Value =
        serde_json::from_str(&run("2027-03-01T00:00:00Z", "json")).unwrap();
    assert_eq!(json["active"]["agreement"]["version"], 1);
    assert!(json["draft"]["agreement"]["version"].is_null());
    // Markdown, inside the open month: "behind", never "missed"; rates with a
    // decimal; the first-touch goal's seconds in its own unit.
    let md = run("2027-01-20T00:00:00Z", "md");
    let row = |prefix: &str| {
        md.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {md}"))
            .to_string()
    };
    assert_eq!(
        row("| goal mql-volume 2027-01"),
        "| goal mql-volume 2027-01 | 2 of 400 behind (period open) | 2 of 2 on track |"
    );
    assert!(!md.contains("missed"), "{md}");
    assert!(row("| goal follow-up 2027-01").contains("100.0% of 90%"));
    assert!(
        row("| goal first-touch-speed 2027-01").contains("business hours of 2 business hours"),
        "{md}"
    );
}

/// The examples fit together: the CSV exports cover the example agreement's
/// year, as the NDJSON does, and the report on all of them counts the
/// exports' leads (counted here straight from the files).
#[test]
fn the_example_exports_fit_the_example_agreement() {
    let dir = loaded();
    for (file, preset) in [
        ("examples/hubspot-contacts.csv", "hubspot"),
        ("examples/hubspot-activities.csv", "hubspot-activities"),
        ("examples/salesforce-leads.csv", "salesforce"),
    ] {
        let out = dir.run(&["import", file, "--preset", preset]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        // Every date in the file falls in 2027, the agreement's year.
        let path = format!("{}/../../{file}", env!("CARGO_MANIFEST_DIR"));
        let body = std::fs::read_to_string(path).unwrap();
        let years: std::collections::BTreeSet<&str> = body
            .split([',', ' ', '\n', '/', '-'])
            .filter(|w| w.len() == 4 && (w.starts_with("202") || w.starts_with("203")))
            .collect();
        assert_eq!(years.into_iter().collect::<Vec<_>>(), ["2027"], "{file}");
    }
    let export = crate::ExampleContacts::read();
    let col = |name: &str| export.col(name);
    let (mql, segment) = (
        col("Became a Marketing Qualified Lead Date"),
        col("Segment"),
    );
    let (mut mqls, mut enterprise) = (0, 0);
    for r in &export.rows {
        if r[mql].starts_with("2027-03") {
            mqls += 1;
            enterprise += u64::from(&r[segment] == "enterprise");
        }
    }
    assert!(enterprise > 0 && mqls > enterprise);
    let out = dir.run(&[
        "report",
        "--period",
        "2027-03",
        "--as-of",
        "2027-05-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |id: &str, what: &str| {
        r["guarantees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .unwrap()[what]
            .as_u64()
            .unwrap()
    };
    let clocks = |id: &str| count(id, "clocks");
    // The NDJSON holds January only: March's clocks are the export's MQLs,
    // each judged on the activities export's touches.
    assert_eq!(clocks("enterprise-first-touch"), enterprise, "{r}");
    assert_eq!(
        clocks("enterprise-first-touch") + clocks("mid-market-first-touch"),
        mqls,
        "{r}"
    );
    let goal = r["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "mql-volume")
        .unwrap();
    assert_eq!(goal["actual"].as_f64(), Some(mqls as f64), "{goal}");
    // The activities export measures follow-up: every clock is judged.
    for id in ["enterprise-first-touch", "mid-market-first-touch"] {
        assert_eq!(count(id, "not_measurable"), 0, "{r}");
        assert_eq!(
            count(id, "met") + count(id, "met_late") + count(id, "breached"),
            clocks(id),
            "{r}"
        );
    }
}

#[test]
fn a_goals_number_opens_to_the_leads_it_counted() {
    let dir = loaded();
    let drill = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "--period",
            "2027-01",
            "--as-of",
            "2027-03-01T00:00:00Z",
        ];
        args.extend_from_slice(extra);
        dir.run(&args)
    };
    // January's two MQLs (the report's mql-volume of 2), as the dashboard's CSV has them.
    let out = drill(&["--goal", "mql-volume", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("lead,name,at,owner,"), "{csv}");
    // L-1001 is Globex's (its company: the events give no name); L-2001 gave neither.
    assert!(lines[1].starts_with("L-1001,Globex,"), "{csv}");
    assert!(lines[2].starts_with("L-2001,,"), "{csv}");
    // Acceptance: L-1001 accepted, L-2001 rejected; the numerator is L-1001 alone.
    let out = drill(&[
        "--goal",
        "acceptance",
        "--counted",
        "yes",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            r["total"].as_u64(),
            r["matched"].as_u64(),
            r["goal"]["numerator"].as_u64(),
            r["goal"]["denominator"].as_u64()
        ),
        (Some(2), Some(1), Some(1), Some(2))
    );
    assert_eq!(r["rows"][0]["lead"], "L-1001");
    assert_eq!(r["rows"][0]["name"], "Globex");
    assert_eq!(r["rows"][0]["counted"], true);
    // The table names the number, the rows and each lead's CRM record.
    let out = drill(&[
        "--goal",
        "mql-volume",
        "--crm-record-url",
        "https://crm.example.com/l/{id}",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.starts_with("mql-volume · 2027-01 (marketing): 2 against"),
        "{table}"
    );
    assert!(table.contains("\n2 rows\n"), "{table}");
    assert!(
        table.contains("https://crm.example.com/l/L-2001"),
        "{table}"
    );
}

#[test]
fn a_goal_drill_down_refuses_what_it_cannot_list() {
    let dir = loaded();
    let out = dir.run(&["report", "--period", "2027-01", "--goal", "no-such-goal"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("No goal \"no-such-goal\" has a number for 2027-01")
            && err.contains("mql-volume"),
        "{err}"
    );
    let out = dir.run(&[
        "report",
        "--period",
        "2027-01",
        "--goal",
        "mql-volume",
        "--format",
        "md",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("table, json or csv"),
        "{}",
        text(&out.stderr)
    );
    let out = dir.run(&[
        "report",
        "--from",
        "2027-01-01",
        "--to",
        "2027-02-01",
        "--goal",
        "mql-volume",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses --goal with --from/--to"
    );
}
