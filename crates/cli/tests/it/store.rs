//! `apply`, `agreement`, `token` and `events` against a fresh SQLite store.

use crate::{TempDir, bin, text};

#[test]
fn apply_stores_numbered_versions_and_refuses_a_broken_file() {
    let dir = TempDir::new("apply");
    let out = dir.run(&["apply", "examples/agreement.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "applied examples/agreement.toml as version 1 of workspace \"default\"\n"
    );
    let out = dir.run(&["apply", "examples/agreement.toml", "--workspace", "emea"]);
    assert!(text(&out.stdout).contains("version 1 of workspace \"emea\""));
    let out = dir.run(&["apply", "examples/agreement.toml"]);
    assert!(text(&out.stdout).contains("as version 2"));
    let list = text(&dir.run(&["agreement", "list"]).stdout);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.lines()
            .all(|l| l.ends_with("Northwind Cloud sales and marketing SLA 2027")),
        "{list}"
    );
    let shown = text(&dir.run(&["agreement", "show", "2"]).stdout);
    assert_eq!(
        shown,
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/agreement.toml"
        ))
        .unwrap()
    );
    let missing = dir.run(&["agreement", "show", "9"]);
    assert_eq!(missing.status.code(), Some(1));
    // A broken file is not stored.
    let bad = dir.0.join("bad.toml");
    std::fs::write(&bad, "[agreement]\nname = 1\n").unwrap();
    let out = dir.run(&["apply", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing applied"));
    assert_eq!(
        text(&dir.run(&["agreement", "list"]).stdout)
            .lines()
            .count(),
        2
    );
}

#[test]
fn events_from_a_file_give_the_api_summary() {
    let dir = TempDir::new("events");
    let out = dir.run(&["events", "examples/events.ndjson"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"accepted\":17,\"duplicates\":0,\"rejected\":[]}\n"
    );
    let again = dir.run(&["events", "examples/events.ndjson"]);
    assert_eq!(
        text(&again.stdout),
        "{\"accepted\":0,\"duplicates\":17,\"rejected\":[]}\n"
    );
    let mut child = bin()
        .args(["events", "-"])
        .env("HANDSHAKE_DB", dir.db())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"{\"id\":\"x\",\"type\":\"lead.created\",\"lead_id\":\"L\",\"occurred_at\":\"2027-01-01T00:00:00Z\"}\nnope\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["accepted"], 1);
    assert_eq!(v["rejected"][0]["line"], 2);
    assert_eq!(v["rejected"][0]["code"], "invalid_json");
}

#[test]
fn a_token_is_printed_once_in_its_shape() {
    let dir = TempDir::new("token");
    let out = dir.run(&["token", "create", "--name", "hubspot"]);
    let token = text(&out.stdout);
    let token = token.trim();
    assert!(
        token.starts_with("hs_") && token.len() == 3 + 12 + 1 + 40,
        "{token}"
    );
    assert!(text(&out.stderr).contains("shown once"));
    assert!(
        !text(&out.stderr).contains(token),
        "the token is not repeated in the log"
    );
}

#[test]
fn a_bad_workspace_name_says_what_is_allowed() {
    let dir = TempDir::new("workspace");
    let out = dir.run(&["agreement", "list", "--workspace", "Big Corp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("lowercase letters, digits, - or _"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_plain_path_is_an_sqlite_file_and_a_missing_directory_is_named() {
    let dir = TempDir::new("plain-path");
    let file = dir.0.join("handshake.db");
    let out = bin()
        .current_dir(&dir.0)
        .args(["apply", "--db", "handshake.db"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/agreement.toml"
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(file.exists(), "the file is made where the path says");
    // The same store, read back through ./ and a URL alike.
    for db in ["./handshake.db", "sqlite://handshake.db"] {
        let list = bin()
            .current_dir(&dir.0)
            .args(["agreement", "list", "--db", db])
            .output()
            .unwrap();
        assert!(
            text(&list.stdout).starts_with("   1  "),
            "{db}: {}",
            text(&list.stdout)
        );
    }
    let missing = bin()
        .current_dir(&dir.0)
        .args(["agreement", "list", "--db", "./data/x.db"])
        .output()
        .unwrap();
    assert_ne!(missing.status.code(), Some(0));
    assert!(
        text(&missing.stderr).contains("the directory ./data does not exist: create it first"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn agreement_diff_says_what_changed_by_meaning() {
    let dir = TempDir::new("agreement-diff");
    assert!(
        dir.run(&["apply", "examples/agreement.toml"])
            .status
            .success()
    );
    let v2 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap()
    .replacen("target = 400", "target = 450", 1)
    .replacen("# ", "# reworded: ", 1);
    let file = dir.0.join("v2.toml");
    std::fs::write(&file, v2).unwrap();
    assert!(dir.run(&["apply", file.to_str().unwrap()]).status.success());

    let out = dir.run(&["agreement", "diff", "1", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "goal mql-volume: target 400 → 450\n");
    let lines = text(&dir.run(&["agreement", "diff", "1", "2", "--text"]).stdout);
    assert!(
        lines.contains("\n- target = 400\n+ target = 450\n"),
        "{lines}"
    );
    assert!(
        lines.lines().filter(|l| l.starts_with("+ ")).count() == 2,
        "{lines}"
    );
    let same = text(&dir.run(&["agreement", "diff", "1", "1"]).stdout);
    assert!(same.starts_with("no change in meaning"), "{same}");
    assert_eq!(
        dir.run(&["agreement", "diff", "1", "9"]).status.code(),
        Some(1)
    );
}
