//! The check and calendar commands as a user runs them: exit codes, what goes to stdout
//! and stderr, and the CSV round trip of `calendar eval`.

use crate::{handshake, text};

#[test]
fn check_accepts_the_example_with_a_summary() {
    let out = handshake(&["check", "examples/agreement.toml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("examples/agreement.toml: valid\n"),
        "{stdout}"
    );
    assert!(stdout.contains("enterprise-first-touch"), "{stdout}");
}

#[test]
fn explain_tells_the_promises_in_words() {
    let out = handshake(&["check", "--explain", "examples/agreement.toml"], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Marketing delivers at least 400 MQLs every month."),
        "{stdout}"
    );
    assert!(stdout.contains("within 1 business hour of an enterprise lead becoming MQL, Sales has it touched by call, email or meeting or rejected (the new-york calendar: Mon-Fri 09:00-17:00, America/New_York)"), "{stdout}");
}

#[test]
fn check_reports_every_error_with_its_place_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("handshake-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/agreement.toml"
    ))
    .unwrap();
    let bad = example
        .replacen(
            "calendar = \"new-york\"\nwarn_at = \"75%\"",
            "calendar = \"ny\"\nwarn_at = \"75%\"",
            1,
        )
        .replacen("per = \"month\"", "per = \"fortnight\"", 1);
    std::fs::write(&path, &bad).unwrap();
    let out = handshake(&["check", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let name = path.display().to_string();
    let line_of = |needle: &str| bad[..bad.find(needle).unwrap()].matches('\n').count() + 1;
    assert!(
        stderr.contains(&format!(
            "{name}:{}:13: error: unknown calendar \"ny\"",
            line_of("calendar = \"ny\"")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("known calendars in [calendars]: \"new-york\", \"berlin\"")
            || stderr.contains("\"new-york\", \"berlin\""),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{name}:{}:8: error: per \"fortnight\" is not a period",
            line_of("per = \"fortnight\"")
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with(": 2 errors, 0 warnings\n"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn check_of_a_missing_file_says_so_and_exits_2() {
    let out = handshake(&["check", "no/such/file.toml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn calendar_add_and_elapsed() {
    let out = handshake(
        &[
            "calendar",
            "add",
            "--tz",
            "America/New_York",
            "--hours",
            "mon-fri 09:00-17:00",
            "--holidays",
            "2026-11-26",
            "--start",
            "2026-11-25T16:00:00-05:00",
            "--duration",
            "4h30m",
        ],
        None,
    );
    assert_eq!(
        text(&out.stdout),
        "2026-11-27T12:30:00-05:00\n",
        "{}",
        text(&out.stderr)
    );
    let out = handshake(
        &[
            "calendar",
            "elapsed",
            "--tz",
            "Europe/Berlin",
            "--hours",
            "mon-fri 09:00-17:00",
            "--start",
            "2026-11-20T16:00:00+01:00",
            "--end",
            "2026-11-23T10:00:00+01:00",
        ],
        None,
    );
    assert_eq!(text(&out.stdout), "2h\n");
}

#[test]
fn calendar_rejects_bad_hours_with_the_column() {
    let out = handshake(
        &[
            "calendar",
            "add",
            "--tz",
            "UTC",
            "--hours",
            "mon-fri 9:00-17:00",
            "--start",
            "2026-11-20T16:00:00Z",
            "--duration",
            "1h",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("\"9:00\" is not a time of day at column 9"),
        "{stderr}"
    );
}

#[test]
fn calendar_eval_answers_each_row_and_keeps_going_past_bad_ones() {
    let input = "case_id,tz,hours,holidays,start,op,arg\n\
        dst,America/New_York,mon-fri 09:00-17:00,,2026-03-06T16:00:00-05:00,add,120\n\
        zone,Mars/Base,24x7,,2026-03-06T16:00:00Z,add,1\n\
        holiday,UTC,mon-fri 09:00-17:00,2026-03-09,2026-03-06T16:00:00Z,elapsed,2026-03-10T10:00:00Z\n\
        short,UTC,24x7\n\
        night,Europe/Berlin,mon-sun 22:00-06:00,,2026-03-28T22:00:00+01:00,add,300\n\
        badop,UTC,24x7,,2026-03-06T16:00:00Z,multiply,2\n";
    let out = handshake(&["calendar", "eval", "-"], Some(input));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
    assert_eq!(rows[0], "case_id,result");
    assert_eq!(rows[1], "dst,2026-03-09T10:00:00-04:00");
    assert!(
        rows[2].starts_with("zone,\"error: unknown time zone"),
        "{}",
        rows[2]
    );
    assert_eq!(rows[3], "holiday,120");
    assert_eq!(rows[4], "short,error: 3 fields; expected 7");
    assert_eq!(rows[5], "night,2026-03-29T04:00:00+02:00");
    assert!(
        rows[6].starts_with("badop,\"error: op \"\"multiply\"\" is unknown"),
        "{}",
        rows[6]
    );
    assert_eq!(rows.len(), 7);
}

#[test]
fn help_teaches_with_an_example() {
    for args in [
        vec!["check", "--help"],
        vec!["calendar", "add", "--help"],
        vec!["calendar", "elapsed", "--help"],
        vec!["calendar", "eval", "--help"],
    ] {
        let out = handshake(&args, None);
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stdout).contains("Example"), "{args:?}");
    }
    let out = handshake(&["--help"], None);
    assert!(text(&out.stdout).contains("--db <DB>"));
    assert!(text(&out.stdout).contains("HANDSHAKE_DB"));
}
