//! `handshake init` without a terminal: three companies in three countries
//! answered by flags, each written agreement checked with `handshake check`
//! and its public holidays looked up in the explanation; the CRM summary
//! counted against the export directly; and the errors a script meets.

use std::collections::BTreeMap;

use crate::{TempDir, text};

/// Runs `init --yes` in `dir` writing `file`, with `args`.
fn init(dir: &TempDir, file: &str, args: &[&str]) -> std::process::Output {
    let out = dir.0.join(file);
    let out = out.to_str().unwrap();
    let mut all = vec!["init", "--yes", "--out", out, "--starts", "2027-01-01"];
    all.extend_from_slice(args);
    dir.run(&all)
}

/// `check --explain` of a written file: it must pass.
fn explained(dir: &TempDir, file: &str) -> String {
    let path = dir.0.join(file);
    let out = dir.run(&["check", "--explain", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn three_companies_in_three_countries() {
    let dir = TempDir::new("init");

    // United States, New York office, two segments, a monthly MQL target.
    let us = init(
        &dir,
        "us.toml",
        &[
            "--company",
            "Acme Analytics",
            "--marketing-contact",
            "Dana Reyes <dana@acme.example>",
            "--sales-contact",
            "Sam Lee <sam@acme.example>",
            "--office",
            "new-york|America/New_York|mon-fri 09:00-17:00|US-NY",
            "--segment",
            "enterprise|1 business hour|segment=Enterprise",
            "--segment",
            "smb|1 business day|segment=SMB,Mid-Market",
            "--mql-target",
            "400",
            "--cancel-after",
            "3",
        ],
    );
    assert!(us.status.success(), "{}", text(&us.stderr));
    let us_text = std::fs::read_to_string(dir.0.join("us.toml")).unwrap();
    assert!(
        us_text.contains(
            "holidays = { country = \"US\", subdivision = \"NY\", years = \"2027-2028\" }"
        )
    );
    assert!(us_text.contains("target = 400"));
    assert!(us_text.contains("after_consecutive_missed_periods = 3"));
    let us = explained(&dir, "us.toml");
    // Independence Day 2027 falls on a Sunday: observed on Monday 5 July.
    assert!(
        us.contains("2027-07-05 Independence Day (observed)"),
        "{us}"
    );
    assert!(us.contains("2027-11-25 Thanksgiving Day"), "{us}");
    assert!(!us.contains("2027-01-06"), "Epiphany is not a US holiday");
    assert!(
        us.contains("within 1 business hour of an enterprise lead"),
        "{us}"
    );
    assert!(us.contains("Dana Reyes (dana@acme.example)"), "{us}");

    // Germany, a Munich office (Bavaria), a revenue goal through the planner.
    let de = init(
        &dir,
        "de.toml",
        &[
            "--company",
            "Brauwerk Software GmbH",
            "--marketing-contact",
            "Jana Vogel <jana@brauwerk.example>",
            "--sales-contact",
            "Lukas Maier <lukas@brauwerk.example>",
            "--office",
            "munich|Europe/Berlin|mon-fri 08:30-17:30|DE-BY",
            "--revenue-goal",
            "3000000 EUR",
            "--deal-size",
            "40000",
            "--cancel-after",
            "0",
        ],
    );
    assert!(de.status.success(), "{}", text(&de.stderr));
    let de_text = std::fs::read_to_string(dir.0.join("de.toml")).unwrap();
    // 3,000,000 / 40,000 = 75 deals; at 25%, 50%, 25% back up the funnel
    // that is 2,400 MQLs a year, 200 a month spread evenly.
    assert!(de_text.contains("id = \"planned-mqls\""), "{de_text}");
    assert!(de_text.contains("target = 200\n"), "{de_text}");
    assert!(!de_text.contains("[cancellation]"));
    let de = explained(&dir, "de.toml");
    // Epiphany and Corpus Christi are Bavarian holidays, not national ones.
    assert!(de.contains("2027-01-06 Epiphany"), "{de}");
    assert!(de.contains("2027-05-27 Corpus Christi"), "{de}");
    assert!(de.contains("2027-10-03 German Unity Day"), "{de}");
    assert!(!de.contains("Thanksgiving"));

    // India, a Bengaluru office open six days, applied to the store at once.
    let india = init(
        &dir,
        "in.toml",
        &[
            "--company",
            "Chai Systems Pvt Ltd",
            "--marketing-contact",
            "Priya Sharma <priya@chai.example>",
            "--sales-contact",
            "Arjun Rao <arjun@chai.example>",
            "--office",
            "bengaluru|Asia/Kolkata|mon-sat 10:00-19:00|IN",
            "--mql-target",
            "900",
            "--apply",
        ],
    );
    assert!(india.status.success(), "{}", text(&india.stderr));
    assert!(
        text(&india.stdout).contains("as version 1 of workspace \"default\""),
        "{}",
        text(&india.stdout)
    );
    let india = explained(&dir, "in.toml");
    assert!(india.contains("2027-01-26 Republic Day"), "{india}");
    assert!(india.contains("2027-08-15 Independence Day"), "{india}");
    assert!(
        india.contains("2027-10-02 Mahatma Gandhi's Birthday"),
        "{india}"
    );
    assert!(
        india.contains("Mon-Sat 10:00-19:00, Asia/Kolkata"),
        "{india}"
    );
    let versions = dir.run(&["agreement", "list"]);
    assert!(
        text(&versions.stdout).contains("Chai Systems Pvt Ltd"),
        "{}",
        text(&versions.stdout)
    );
}

#[test]
fn a_crm_export_suggests_stages_and_owners() {
    let dir = TempDir::new("init-crm");
    let out = init(
        &dir,
        "crm.toml",
        &[
            "--company",
            "Initech",
            "--marketing-contact",
            "Dana <dana@initech.example>",
            "--sales-contact",
            "Sam <sam@initech.example>",
            "--office",
            "hq|America/Chicago||US",
            "--mql-target",
            "50",
            "--from-crm",
            "examples/hubspot-contacts.csv",
            "--preset",
            "hubspot",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.0.join("crm.toml")).unwrap();

    // Counted here straight from the CSV.
    let export = crate::ExampleContacts::read();
    let col = |name: &str| export.col(name);
    let (owner, mql) = (
        col("Contact owner"),
        col("Became a Marketing Qualified Lead Date"),
    );
    let mut owners: BTreeMap<String, u64> = BTreeMap::new();
    let (mut rows, mut mqls) = (0, 0);
    for r in &export.rows {
        rows += 1;
        *owners.entry(r[owner].to_string()).or_default() += 1;
        mqls += u64::from(!r[mql].is_empty());
    }
    assert!(written.contains(&format!("({rows} records)")), "{written}");
    assert!(written.contains(&format!("mql ({mqls})")), "{written}");
    for (name, n) in &owners {
        assert!(
            written.contains(&format!("{name} ({n})")),
            "{name} {n}: {written}"
        );
    }
    assert!(written.contains("handshake person import"));
}

#[test]
fn a_script_learns_what_is_missing_or_wrong() {
    let dir = TempDir::new("init-errors");
    let contacts = [
        "--company",
        "X",
        "--marketing-contact",
        "Dana <dana@x.example>",
        "--sales-contact",
        "Sam <sam@x.example>",
        "--mql-target",
        "10",
    ];
    let missing = init(&dir, "a.toml", &["--company", "X"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("--marketing-contact is needed"),
        "{}",
        text(&missing.stderr)
    );

    let mut args = contacts.to_vec();
    args.extend(["--office", "hq|Mars/Base"]);
    let zone = init(&dir, "a.toml", &args);
    assert!(
        text(&zone.stderr).contains("--office \"hq|Mars/Base\": unknown time zone \"Mars/Base\""),
        "{}",
        text(&zone.stderr)
    );

    let mut args = contacts.to_vec();
    args.extend(["--office", "hq|UTC||US-XX"]);
    let region = init(&dir, "a.toml", &args);
    assert!(
        text(&region.stderr).contains("country US has no subdivision \"XX\""),
        "{}",
        text(&region.stderr)
    );

    let mut args = contacts.to_vec();
    args.extend(["--office", "hq|UTC"]);
    let first = init(&dir, "a.toml", &args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let again = init(&dir, "a.toml", &args);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr)
            .contains("exists; name another file with --out, or overwrite it with --force")
    );
    args.push("--force");
    assert!(init(&dir, "a.toml", &args).status.success());
}
