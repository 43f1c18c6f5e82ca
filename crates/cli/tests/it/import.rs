//! `handshake import` on the sample exports, on broken rows, and with a mapping file.

use crate::{TempDir, bin, text};

fn import(dir: &TempDir, args: &[&str]) -> std::process::Output {
    bin()
        .args(["import"])
        .args(args)
        .args(["--db", &dir.db()])
        .output()
        .unwrap()
}

/// Runs a query on the test's SQLite file.
fn query<T>(dir: &TempDir, sql: &'static str) -> Vec<T>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&dir.db()).await.unwrap();
        sqlx::query_as(sql).fetch_all(&pool).await.unwrap()
    })
}

/// Counts of events by type (and inferred ones) straight from the SQLite file.
fn counts(dir: &TempDir) -> Vec<(String, i64, i64)> {
    let rows: Vec<(i64, i64, i64)> = query(
        dir,
        "SELECT kind, COUNT(*), SUM(inferred) FROM events GROUP BY kind ORDER BY kind",
    );
    rows.into_iter()
        .map(|(k, n, inferred)| {
            (
                handshake_core::event::EventKind::TYPES[k as usize].to_string(),
                n,
                inferred,
            )
        })
        .collect()
}

/// A stored instant (nanoseconds since the epoch) as RFC 3339.
fn instant(nanos: i64) -> String {
    jiff::Timestamp::from_nanosecond(i128::from(nanos))
        .unwrap()
        .to_string()
}

fn stages(dir: &TempDir) -> Vec<(String, i64)> {
    query(
        dir,
        "SELECT stage, COUNT(*) FROM events WHERE stage IS NOT NULL GROUP BY stage ORDER BY stage",
    )
}

#[test]
fn hubspot_sample_gives_the_documented_events_and_twice_creates_nothing() {
    let dir = TempDir::new("hubspot");
    let out = import(
        &dir,
        &["examples/hubspot-contacts.csv", "--preset", "hubspot"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "examples/hubspot-contacts.csv: rows read 300, events created 927, duplicates 0, rows rejected 0\n"
    );
    assert_eq!(
        counts(&dir),
        vec![
            ("lead.created".to_string(), 300, 0),
            ("lead.stage_changed".to_string(), 627, 627)
        ]
    );
    let expected: Vec<(String, i64)> = [
        ("customer", 17),
        ("lead", 300),
        ("mql", 181),
        ("opportunity", 50),
        ("sql", 79),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), *n))
    .collect();
    assert_eq!(stages(&dir), expected);
    let again = import(
        &dir,
        &["examples/hubspot-contacts.csv", "--preset", "hubspot"],
    );
    assert_eq!(
        text(&again.stdout),
        "examples/hubspot-contacts.csv: rows read 300, events created 0, duplicates 927, rows rejected 0\n"
    );
}

#[test]
fn salesforce_sample_gives_the_documented_events() {
    let dir = TempDir::new("salesforce");
    let out = import(
        &dir,
        &["examples/salesforce-leads.csv", "--preset", "salesforce"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "examples/salesforce-leads.csv: rows read 250, events created 331, duplicates 0, rows rejected 0\n"
    );
    assert_eq!(
        counts(&dir),
        vec![
            ("lead.created".to_string(), 250, 0),
            ("lead.stage_changed".to_string(), 81, 81)
        ]
    );
}

#[test]
fn broken_rows_go_to_the_reject_file_and_the_rest_is_imported() {
    let dir = TempDir::new("rejects");
    let csv = dir.0.join("export.csv");
    std::fs::write(
        &csv,
        "Record ID,Create Date,Original Source\n\
         1,2026-09-01 10:00,Organic Search\n\
         ,2026-09-02 10:00,Referrals\n\
         3,the first of september,Referrals\n\
         4,2026-09-04 10:00,Paid Social\n",
    )
    .unwrap();
    let out = import(&dir, &[csv.to_str().unwrap(), "--preset", "hubspot"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rows read 4, events created 2, duplicates 0, rows rejected 2"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("has no column \"Became a Marketing Qualified Lead Date\""));
    let rejects = std::fs::read_to_string(dir.0.join("export.csv.rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(
        lines[0],
        "line,reason,Record ID,Create Date,Original Source"
    );
    assert!(
        lines[1].starts_with("3,\"no record id in \"\"Record ID\"\"\","),
        "{rejects}"
    );
    assert!(
        lines[2]
            .starts_with("4,\"\"\"the first of september\"\" in \"\"Create Date\"\" is not a date"),
        "{rejects}"
    );
    assert_eq!(counts(&dir), vec![("lead.created".to_string(), 2, 0)]);
}

#[test]
fn a_mapping_file_reads_any_layout() {
    let dir = TempDir::new("mapping");
    let csv = dir.0.join("people.csv");
    std::fs::write(
        &csv,
        "Person ID;Created;Owner;MQL date\n".replace(';', ",")
            + "p-1,01.09.2026 10:00,ava,02.09.2026 09:30\np-2,01.09.2026 11:00,ben,\n",
    )
    .unwrap();
    let mapping = dir.0.join("pipedrive.toml");
    std::fs::write(&mapping, "source = \"pipedrive\"\nrecord_id = \"Person ID\"\ncreated_at = \"Created\"\ntime_zone = \"Europe/Berlin\"\n[attributes]\nowner = \"Owner\"\n[stages]\nmql = \"MQL date\"\n").unwrap();
    let out = import(
        &dir,
        &[
            csv.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("rows read 2, events created 3"));
    std::fs::write(
        &mapping,
        "source = \"pipedrive\"\nrecord_id = \"Person ID\"\ncreated = \"Created\"\n",
    )
    .unwrap();
    let out = import(
        &dir,
        &[
            csv.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("pipedrive.toml:3:1: error: unknown key \"created\" in the mapping file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the mapping file has no \"created_at\""),
        "{stderr}"
    );
}

/// A Salesforce Lightning report export: `Create Date`, `Company / Account`,
/// dates with a comma, and the report's footer after a blank line.
#[test]
fn a_salesforce_lightning_report_with_its_footer() {
    let dir = TempDir::new("sf-report");
    let csv = dir.0.join("report.csv");
    std::fs::write(
        &csv,
        "\"Lead ID\",\"Create Date\",\"Company / Account\",\"Lead Owner\",\"Lead Source\",\"Converted\",\"Converted Date\"\n\
         \"00Q1\",\"10/12/2026, 12:14 PM\",\"Acme\",\"Sam Lee\",\"Web\",\"1\",\"10/14/2026, 9:00 AM\"\n\
         \"00Q2\",\"10/13/2026, 8:00 AM\",\"Beta\",\"Sam Lee\",\"Web\",\"0\",\"\"\n\
         \n\
         \"Grand Totals (2 records)\"\n\
         \n\
         \"Confidential Information - Do Not Distribute\"\n\
         \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n",
    )
    .unwrap();
    let out = import(
        &dir,
        &[
            csv.to_str().unwrap(),
            "--preset",
            "salesforce",
            "--tz",
            "America/Chicago",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rows read 2, events created 3, duplicates 0, rows rejected 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped the report footer at the end (3 lines from line 5)"),
        "{stdout}"
    );
    // 9:00 AM in Chicago on 14 October (CDT, UTC-5) is 14:00 UTC.
    let at: Vec<(i64,)> = query(&dir, "SELECT occurred_at FROM events WHERE stage = 'sql'");
    assert_eq!(at.len(), 1);
    assert_eq!(instant(at[0].0), "2026-10-14T14:00:00Z");
    assert!(!dir.0.join("report.csv.rejects.csv").exists());
}

/// HubSpot's newer `Date entered "X (Lifecycle Stage Pipeline)"` headers
/// read as the stages they name.
#[test]
fn hubspot_date_entered_headers_are_stages() {
    let dir = TempDir::new("hubspot-entered");
    let csv = dir.0.join("contacts.csv");
    std::fs::write(
        &csv,
        "Record ID,Create Date,Contact Owner,\"Date entered \"\"Marketing Qualified Lead (Lifecycle Stage Pipeline)\"\"\",\"Date entered \"\"Sales Qualified Lead (Lifecycle Stage Pipeline)\"\"\"\n\
         1,2026-09-01 10:00,Ava Chen,2026-09-02 10:00,2026-09-05 10:00\n\
         2,2026-09-01 11:00,Ava Chen,2026-09-03 10:00,\n\
         3,2026-09-01 12:00,Ben Okafor,,\n",
    )
    .unwrap();
    let out = import(&dir, &[csv.to_str().unwrap(), "--preset", "hubspot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        stages(&dir),
        vec![("mql".to_string(), 2), ("sql".to_string(), 1)]
    );
    let warned = text(&out.stderr);
    assert!(!warned.contains("Marketing Qualified"), "{warned}");
    assert!(
        warned.contains("has no column \"Became a Customer Date\""),
        "{warned}"
    );
}

/// Rows with the wrong number of fields are rejected with their true line
/// (blank lines and multi-line fields counted) and the rest is imported.
#[test]
fn misshapen_rows_are_located_rejects() {
    let dir = TempDir::new("misshapen");
    let csv = dir.0.join("export.csv");
    std::fs::write(
        &csv,
        "Record ID,Create Date,Original Source\n\
         1,2026-09-01 10:00,\"Organic\nSearch\"\n\
         \n\
         2,2026-09-01 10:00,Referrals,extra\n\
         3,2026-09-02 10:00\n\
         4,2026-09-03 10:00,Paid Social\n\
         5,bad,Referrals",
    )
    .unwrap();
    let out = import(&dir, &[csv.to_str().unwrap(), "--preset", "hubspot"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rows read 5, events created 2, duplicates 0, rows rejected 3"),
        "{stdout}"
    );
    let rejects = std::fs::read_to_string(dir.0.join("export.csv.rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert!(
        lines[1].starts_with("5,the row has 4 fields where the header has 3"),
        "{rejects}"
    );
    assert!(
        lines[1].ends_with(",2,2026-09-01 10:00,Referrals,extra"),
        "{rejects}"
    );
    assert!(
        lines[2].starts_with("6,the row has 2 fields where the header has 3"),
        "{rejects}"
    );
    assert!(
        lines[3].starts_with("8,\"\"\"bad\"\" in \"\"Create Date\"\""),
        "{rejects}"
    );
}

/// A day-first file is refused whole unless `--day-first` says so; a local
/// time that never happens is a located reject, not shifted.
#[test]
fn day_first_files_and_daylight_saving_gaps() {
    let dir = TempDir::new("day-first");
    let csv = dir.0.join("export.csv");
    std::fs::write(
        &csv,
        "Record ID,Create Date\n1,03/04/2026 10:00\n2,13/04/2026 10:00\n3,08/03/2026 02:30\n",
    )
    .unwrap();
    let file = csv.to_str().unwrap();
    let refused = import(
        &dir,
        &[file, "--preset", "hubspot", "--tz", "America/New_York"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("export.csv:3: \"13/04/2026 10:00\" writes the day first; nothing was imported. Import with --day-first"),
        "{}",
        text(&refused.stderr)
    );
    let out = import(
        &dir,
        &[
            file,
            "--preset",
            "hubspot",
            "--tz",
            "America/New_York",
            "--day-first",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let created: Vec<(String, i64)> = query(
        &dir,
        "SELECT subject, occurred_at FROM events ORDER BY subject",
    );
    // The 3rd of April and the 13th of April, 10:00 EDT (UTC-4).
    let at: Vec<String> = created.iter().map(|(_, t)| instant(*t)).collect();
    assert_eq!(at, ["2026-04-03T14:00:00Z", "2026-04-13T14:00:00Z"]);
    let rejects = std::fs::read_to_string(dir.0.join("export.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("4,\"\"\"08/03/2026 02:30\"\" in \"\"Create Date\"\": 2026-03-08T02:30:00 does not exist in America/New_York"),
        "{rejects}"
    );
}

/// An activities export: each call, e-mail and meeting a touch of the
/// contact it names (tasks and notes are none), so follow-up is measured
/// from files; importing it twice creates nothing.
#[test]
fn hubspot_activities_are_touches() {
    let dir = TempDir::new("activities");
    let contacts = import(
        &dir,
        &["examples/hubspot-contacts.csv", "--preset", "hubspot"],
    );
    assert_eq!(contacts.status.code(), Some(0));
    let out = import(
        &dir,
        &[
            "examples/hubspot-activities.csv",
            "--preset",
            "hubspot-activities",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Counted here straight from the file.
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hubspot-activities.csv"
    ))
    .unwrap();
    let kinds: Vec<&str> = file
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    let touches = kinds
        .iter()
        .filter(|k| ["CALL", "EMAIL", "MEETING"].contains(k))
        .count();
    let others = kinds.len() - touches;
    assert!(touches > 200 && others > 0);
    assert_eq!(
        text(&out.stdout),
        format!(
            "examples/hubspot-activities.csv: rows read {}, events created {touches}, duplicates 0, rows rejected 0\nskipped {others} activities that are no touch (tasks, notes)\n",
            kinds.len()
        )
    );
    let by_channel: Vec<(String, i64)> = query(
        &dir,
        "SELECT channel, COUNT(*) FROM events WHERE channel IS NOT NULL GROUP BY channel ORDER BY channel",
    );
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count() as i64;
    assert_eq!(
        by_channel,
        vec![
            ("call".to_string(), count("CALL")),
            ("email".to_string(), count("EMAIL")),
            ("meeting".to_string(), count("MEETING")),
        ]
    );
    let again = import(
        &dir,
        &[
            "examples/hubspot-activities.csv",
            "--preset",
            "hubspot-activities",
        ],
    );
    assert!(text(&again.stdout).contains(&format!("events created 0, duplicates {touches}")));
}

/// `--date-format` reads a layout no usual form would: compact dates, and
/// a date that does not fit is a located reject naming the format.
#[test]
fn an_explicit_date_format() {
    let dir = TempDir::new("date-format");
    let csv = dir.0.join("export.csv");
    std::fs::write(
        &csv,
        "Record ID,Create Date\n1,20260903-1015\n2,2026-09-03 10:15\n",
    )
    .unwrap();
    let out = import(
        &dir,
        &[
            csv.to_str().unwrap(),
            "--preset",
            "hubspot",
            "--date-format",
            "%Y%m%d-%H%M",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let created: Vec<(i64,)> = query(&dir, "SELECT occurred_at FROM events");
    assert_eq!(created.len(), 1);
    assert_eq!(instant(created[0].0), "2026-09-03T10:15:00Z");
    let rejects = std::fs::read_to_string(dir.0.join("export.csv.rejects.csv")).unwrap();
    assert!(rejects.contains("3,\"\"\"2026-09-03 10:15\"\" in \"\"Create Date\"\" is not in the format %Y%m%d-%H%M (as given) nor RFC 3339"), "{rejects}");
}

/// A contacts export says when leads became MQLs, not when sales called
/// them: without the activities, the report says the first-touch promise is
/// not measurable from this data (not "breached, 0%"); with them, the same
/// clocks are judged.
#[test]
fn without_touches_follow_up_is_not_measurable_and_with_them_it_is() {
    let dir = TempDir::new("unmeasurable");
    assert_eq!(
        dir.run(&["apply", "examples/agreement.toml"]).status.code(),
        Some(0)
    );
    let contacts = dir.0.join("contacts.csv");
    std::fs::write(
        &contacts,
        "Record ID,Create Date,Became a Marketing Qualified Lead Date,Segment\n\
         7001,2027-02-01 14:00,2027-02-01 15:00,enterprise\n\
         7002,2027-02-02 14:00,2027-02-02 15:00,enterprise\n",
    )
    .unwrap();
    let out = dir.run(&["import", contacts.to_str().unwrap(), "--preset", "hubspot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("Segment"),
        "a missing custom column is no warning, a present one is read: {}",
        text(&out.stderr)
    );
    let report = |dir: &TempDir| {
        let out = dir.run(&[
            "report",
            "--period",
            "2027-02",
            "--as-of",
            "2027-02-10T12:00:00Z",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let before = report(&dir);
    let line = before
        .lines()
        .find(|l| l.contains("enterprise-first-touch"))
        .unwrap();
    assert!(
        line.contains("2 clocks: 0 met, 0 late, 0 breached, 0 running (0 at risk), 2 not measurable from this data")
            && line.contains("compliance not measurable from this data"),
        "{before}"
    );
    let activities = dir.0.join("activities.csv");
    std::fs::write(
        &activities,
        "Activity ID,Activity date,Activity type,Associated Contact IDs,Activity assigned to\n\
         9001,2027-02-01 15:30,CALL,7001,Ava Chen\n",
    )
    .unwrap();
    let out = dir.run(&[
        "import",
        activities.to_str().unwrap(),
        "--preset",
        "hubspot-activities",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = report(&dir);
    let line = after
        .lines()
        .find(|l| l.contains("enterprise-first-touch"))
        .unwrap();
    assert!(
        line.contains("2 clocks: 1 met, 0 late, 1 breached") && line.contains("compliance 50.0%"),
        "{after}"
    );
    assert!(!after.contains("not measurable"), "{after}");
}

/// The pair the first seed names: a PipelineDeals people export (leads,
/// owners, sources) and an ActiveDEMAND contacts export (scores and the
/// dates of hand-over), each read by its preset; again, nothing new.
#[test]
fn pipelinedeals_and_activedemand_exports_read_with_their_presets() {
    let dir = TempDir::new("seedpair");
    let people = dir.0.join("people.csv");
    std::fs::write(
        &people,
        "ID,First Name,Last Name,Email,Company,Type,Lead Status,Lead Source,Owner,Created At\n\
         881,Ann,Lee,ann@acme.example,Acme,Lead,New,Webinar,Sam Lee,2027-02-01 14:00\n\
         882,Bo,Kim,bo@hooli.example,Hooli,Contact,Qualified,Referral,Ava Chen,02/03/2027 09:15 AM\n",
    )
    .unwrap();
    let out = import(
        &dir,
        &[people.to_str().unwrap(), "--preset", "pipelinedeals"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .ends_with("rows read 2, events created 2, duplicates 0, rows rejected 0\n"),
        "{}",
        text(&out.stdout)
    );
    let contacts = dir.0.join("contacts.csv");
    std::fs::write(
        &contacts,
        "Contact ID,Email,Company,Lead Score,Lead Source,Date Created,MQL Date,SQL Date\n\
         AD-1,cy@wonka.example,Wonka,82,Webinar,2027-02-01 10:00,2027-02-02 11:00,2027-02-09 16:00\n\
         AD-2,di@stark.example,Stark,35,Paid Social,2027-02-04 10:00,,\n",
    )
    .unwrap();
    let args = [contacts.to_str().unwrap(), "--preset", "activedemand"];
    let out = import(&dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .ends_with("rows read 2, events created 4, duplicates 0, rows rejected 0\n"),
        "{}",
        text(&out.stdout)
    );
    let again = import(&dir, &args);
    assert!(
        text(&again.stdout).ends_with("events created 0, duplicates 4, rows rejected 0\n"),
        "{}",
        text(&again.stdout)
    );
    let ids: Vec<(String,)> = query(&dir, "SELECT id FROM events ORDER BY id");
    let ids: Vec<&str> = ids.iter().map(|(i,)| i.as_str()).collect();
    assert_eq!(
        ids,
        [
            "activedemand:AD-1:created",
            "activedemand:AD-1:stage:mql",
            "activedemand:AD-1:stage:sql",
            "activedemand:AD-2:created",
            "pipelinedeals:881:created",
            "pipelinedeals:882:created",
        ]
    );
    assert_eq!(
        stages(&dir),
        [("mql".to_string(), 1), ("sql".to_string(), 1)]
    );
    let people: Vec<(String, String, i64)> = query(
        &dir,
        "SELECT owner, source, occurred_at FROM events WHERE id LIKE 'pipelinedeals:%' ORDER BY id",
    );
    assert_eq!(
        people
            .iter()
            .map(|(o, s, at)| (o.as_str(), s.as_str(), instant(*at)))
            .collect::<Vec<_>>(),
        [
            ("Sam Lee", "Webinar", "2027-02-01T14:00:00Z".to_string()),
            ("Ava Chen", "Referral", "2027-02-03T09:15:00Z".to_string()),
        ]
    );
    let scores: Vec<(i64,)> = query(
        &dir,
        "SELECT score FROM events WHERE id LIKE 'activedemand:%:created' ORDER BY id",
    );
    assert_eq!(scores, [(82,), (35,)]);
}

/// A CRM date corrected after the first import is taken when the export is
/// imported again: stored as the next version of the event, which replaces
/// the earlier one in every number, with the chain kept. Importing either
/// file again creates nothing; a date corrected back is taken again.
#[test]
fn a_corrected_date_reimported_replaces_the_old_one_and_keeps_the_chain() {
    let dir = TempDir::new("corrected");
    assert_eq!(
        dir.run(&["apply", "examples/agreement.toml"]).status.code(),
        Some(0)
    );
    let file = dir.0.join("contacts.csv");
    let write = |mql: &str| {
        std::fs::write(
            &file,
            format!(
                "Record ID,Create Date,Became a Marketing Qualified Lead Date\n\
                 6001,2027-01-20 14:00,{mql}\n"
            ),
        )
        .unwrap();
    };
    let import_file = || {
        let out = import(&dir, &[file.to_str().unwrap(), "--preset", "hubspot"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let mqls = |period: &str| {
        let out = dir.run(&[
            "report",
            "--period",
            period,
            "--as-of",
            "2027-03-01T00:00:00Z",
            "--format",
            "json",
        ]);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        r["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "mql-volume")
            .unwrap()["actual"]
            .as_u64()
            .unwrap()
    };
    write("2027-01-28 10:00");
    assert!(import_file().contains("events created 2, duplicates 0"));
    assert_eq!((mqls("2027-01"), mqls("2027-02")), (1, 0));
    // The CRM's date was wrong: it became an MQL in February.
    write("2027-02-03 10:00");
    let out = import_file();
    assert!(
        out.contains("events created 0, duplicates 1, rows rejected 0, corrected 1 (the export changed a record"),
        "{out}"
    );
    assert_eq!((mqls("2027-01"), mqls("2027-02")), (0, 1));
    assert!(import_file().contains("events created 0, duplicates 2, rows rejected 0\n"));
    // Corrected back: taken again, as a third version.
    write("2027-01-28 10:00");
    assert!(import_file().contains("corrected 1"));
    assert_eq!((mqls("2027-01"), mqls("2027-02")), (1, 0));
    assert!(import_file().contains("events created 0, duplicates 2, rows rejected 0\n"));
    let chain: Vec<(String, i64)> = query(
        &dir,
        "SELECT id, occurred_at FROM events WHERE id LIKE 'hubspot:6001:stage:mql%' ORDER BY id",
    );
    let chain: Vec<(&str, String)> = chain
        .iter()
        .map(|(id, at)| (id.as_str(), instant(*at)))
        .collect();
    assert_eq!(
        chain,
        [
            ("hubspot:6001:stage:mql", "2027-01-28T10:00:00Z".to_string()),
            (
                "hubspot:6001:stage:mql~2",
                "2027-02-03T10:00:00Z".to_string()
            ),
            (
                "hubspot:6001:stage:mql~3",
                "2027-01-28T10:00:00Z".to_string()
            ),
        ]
    );
}
