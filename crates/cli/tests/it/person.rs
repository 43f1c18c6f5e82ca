//! `handshake person`: the directory by flags and by CSV (a bad row named by
//! its number, the good rows kept), and the owners the events name that it
//! lacks, listed rather than dropped.

use crate::{TempDir, text};

#[test]
fn the_directory_is_kept_imported_row_by_row_and_shows_who_it_lacks() {
    let dir = TempDir::new("person");
    assert_eq!(
        dir.run(&["apply", "examples/agreement.toml"]).status.code(),
        Some(0)
    );
    let add = dir.run(&[
        "person",
        "add",
        "rep-ava",
        "--name",
        "Ava Chen",
        "--party",
        "sales",
        "--email",
        "ava@northwind.example",
        "--manager",
        "rep-lead",
        "--time-zone",
        "America/New_York",
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));
    // A party the agreement does not have, and a bad address: refused, saying why.
    let bad = dir.run(&[
        "person", "add", "rep-x", "--name", "X", "--party", "finance", "--email", "x",
    ]);
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        text(&bad.stderr).contains("email \"x\": expected an address"),
        "{}",
        text(&bad.stderr)
    );
    let bad = dir.run(&[
        "person", "add", "rep-x", "--name", "X", "--party", "finance",
    ]);
    assert!(
        text(&bad.stderr)
            .contains("party \"finance\": the agreement's parties are marketing, sales"),
        "{}",
        text(&bad.stderr)
    );
    let csv = dir.0.join("people.csv");
    std::fs::write(
        &csv,
        "owner_id,name,email,slack,party,manager,calendar,time_zone,quiet_hours,status\n\
         rep-bo,Bo Berg,bo@northwind.example,U024BE7LH,sales,rep-lead,,Europe/Berlin,22:00-07:00,away\n\
         rep-cy,Cy,cy@,,sales,,,Mars/Base,late,\n\
         rep-ava,Ava Chen,ava@northwind.example,,sales,rep-lead,,America/New_York,,active\n",
    )
    .unwrap();
    let import = dir.run(&["person", "import", csv.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(1), "a row was refused");
    let err = text(&import.stderr);
    assert!(
        err.contains("row 3: email \"cy@\": expected an address"),
        "{err}"
    );
    assert!(err.contains("row 3: time_zone \"Mars/Base\""), "{err}");
    assert!(
        err.contains("row 3: quiet_hours \"late\": expected two times HH:MM-HH:MM"),
        "{err}"
    );
    assert!(
        err.contains("2 people imported (1 new, 1 replaced), 1 rows refused"),
        "{err}"
    );
    // Events naming owners: one the directory has, one it lacks.
    let events = dir.0.join("events.ndjson");
    std::fs::write(
        &events,
        "{\"id\":\"e-1\",\"type\":\"lead.created\",\"lead_id\":\"L-1\",\"occurred_at\":\"2026-10-01T14:00:00Z\",\"attributes\":{\"owner\":\"rep-ava\"}}\n\
         {\"id\":\"e-2\",\"type\":\"lead.assigned\",\"lead_id\":\"L-1\",\"occurred_at\":\"2026-10-01T15:00:00Z\",\"owner\":\"rep-dee\"}\n",
    )
    .unwrap();
    assert_eq!(
        dir.run(&["events", events.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let list = text(&dir.run(&["person", "list"]).stdout);
    assert_eq!(
        list,
        "rep-ava\tAva Chen\tsales\tava@northwind.example\trep-lead\t-\tactive\n\
         rep-bo\tBo Berg\tsales\tbo@northwind.example\trep-lead\tquiet 22:00-07:00\taway\n\
         \nnamed by events but not in the directory (their alerts have nowhere to go): rep-dee\n"
    );
    assert_eq!(
        dir.run(&["person", "remove", "rep-bo"]).status.code(),
        Some(0)
    );
    assert_eq!(
        dir.run(&["person", "remove", "rep-bo"]).status.code(),
        Some(1)
    );
}
