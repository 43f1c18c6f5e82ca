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
