//! Every class of error and warning the checker reports, each asserted with
//! its message, its line and column, and what it says would be right.

#![allow(clippy::unwrap_used)]

use handshake_core::{Severity, SourceFile, check};

const BASE: &str = r#"[agreement]
name = "T"
summary = "S"
effective = { from = "2027-01-01" }
time_zone = "UTC"

[parties.marketing]
contact = { name = "Dana", email = "dana@example.com" }
[parties.sales]
contact = { name = "Sam", email = "sam@example.com" }

[stages]
mql = "Scores 60+."
sql = "Qualified."

[rejection_reasons]
no-budget = "No budget."

[segments]
enterprise = { attribute = "segment", equals = "enterprise" }

[calendars.new-york]
time_zone = "America/New_York"
hours = "mon-fri 09:00-17:00"

[calendars.berlin]
time_zone = "Europe/Berlin"
hours = "mon-fri 09:00-17:00"

[[goals]]
id = "mql-volume"
owner = "marketing"
metric = "mqls"
target = 400
per = "month"

[[guarantees]]
id = "first-touch"
owner = "sales"
segment = "enterprise"
starts = "stage = mql"
stops = ["touched", "rejected"]
within = "1 business hour"
calendar = "new-york"
warn_at = "75%"
"#;

/// (severity, line, column, message, expected) of every diagnostic.
fn findings(text: &str) -> Vec<(Severity, usize, usize, String, String)> {
    let file = SourceFile {
        name: "t.toml",
        text,
    };
    check("t.toml", text)
        .diagnostics
        .into_iter()
        .map(|d| {
            let (line, col) = file.line_col(d.span.start);
            (
                d.severity,
                line,
                col,
                d.message,
                d.expected.unwrap_or_default(),
            )
        })
        .collect()
}

/// The base with one replacement (which must apply exactly once).
fn with(find: &str, replace: &str) -> String {
    assert_eq!(
        BASE.matches(find).count(),
        1,
        "{find:?} must be in the base once"
    );
    BASE.replacen(find, replace, 1)
}

/// Asserts the text has exactly this one finding.
#[track_caller]
fn only(text: &str, severity: Severity, line: usize, col: usize, message: &str, expected: &str) {
    let all = findings(text);
    assert_eq!(all.len(), 1, "expected one finding, got {all:#?}");
    let (s, l, c, m, e) = &all[0];
    assert_eq!(
        (*s, *l, *c, m.as_str()),
        (severity, line, col, message),
        "{all:#?}"
    );
    assert!(
        e.contains(expected),
        "expected part {e:?} should contain {expected:?}"
    );
}

/// Asserts the text has this finding (among others it causes).
#[track_caller]
fn has(text: &str, severity: Severity, line: usize, col: usize, message: &str, expected: &str) {
    let all = findings(text);
    let found = all.iter().any(|(s, l, c, m, e)| {
        (*s, *l, *c, m.as_str()) == (severity, line, col, message) && e.contains(expected)
    });
    assert!(
        found,
        "no {severity:?} at {line}:{col} {message:?} in {all:#?}"
    );
}

use Severity::{Error, Warning};

#[test]
fn the_base_is_clean() {
    assert_eq!(findings(BASE), vec![]);
    assert!(check("t.toml", BASE).agreement.is_some());
}

#[test]
fn toml_syntax() {
    let all = findings(&with("name = \"T\"", "name = \"T"));
    assert_eq!((all[0].0, all[0].1), (Error, 2));
    assert!(all[0].3.starts_with("TOML syntax:"), "{all:#?}");
    assert!(
        check("t.toml", &with("name = \"T\"", "name = \"T"))
            .agreement
            .is_none()
    );
}

#[test]
fn unknown_key_suggests_the_close_one() {
    let text = with("per = \"month\"", "pre = \"month\"");
    has(
        &text,
        Error,
        35,
        1,
        "unknown key \"pre\" in a goal",
        "\"per\"",
    );
    has(
        &text,
        Error,
        30,
        1,
        "goal \"mql-volume\" has no \"per\"",
        "per = \"month\"",
    );
}

#[test]
fn unknown_top_level_table() {
    let text = format!("{BASE}\n[guarantes]\nx = 1\n");
    has(
        &text,
        Error,
        47,
        2,
        "unknown key \"guarantes\" in the agreement file",
        "\"guarantees\"",
    );
}

#[test]
fn missing_key() {
    only(
        &with("per = \"month\"\n", ""),
        Error,
        30,
        1,
        "goal \"mql-volume\" has no \"per\"",
        "per = \"month\"",
    );
}

#[test]
fn wrong_type() {
    only(
        &with("target = 400", "target = \"lots\""),
        Error,
        34,
        10,
        "target of goal \"mql-volume\" is a string",
        "a whole number",
    );
}

#[test]
fn bad_date() {
    only(
        &with("from = \"2027-01-01\"", "from = \"2027-02-30\""),
        Error,
        4,
        23,
        "effective from \"2027-02-30\" is not a date",
        "YYYY-MM-DD",
    );
}

#[test]
fn effective_end_before_start() {
    only(
        &with(
            "from = \"2027-01-01\" }",
            "from = \"2027-01-01\", to = \"2026-12-31\" }",
        ),
        Error,
        4,
        41,
        "effective to 2026-12-31 is before effective from 2027-01-01",
        "on or after 2027-01-01",
    );
}

#[test]
fn unknown_time_zone_suggests_the_iana_name() {
    only(
        &with("time_zone = \"Europe/Berlin\"", "time_zone = \"berlin\""),
        Error,
        27,
        14,
        "unknown time zone \"berlin\"",
        "\"Europe/Berlin\"",
    );
}

#[test]
fn bad_hours_point_inside_the_string() {
    only(
        &with(
            "hours = \"mon-fri 09:00-17:00\"\n\n[calendars.berlin]",
            "hours = \"mon-fri 09:00-17:60\"\n\n[calendars.berlin]",
        ),
        Error,
        24,
        24,
        "hours: \"17:60\" is out of range",
        "00:00 to 24:00",
    );
}

#[test]
fn bad_holiday() {
    let text = with(
        "hours = \"mon-fri 09:00-17:00\"\n\n[calendars.berlin]",
        "hours = \"mon-fri 09:00-17:00\"\nholidays = [\"2027-12-25\", \"2027-12-32\"]\n\n[calendars.berlin]",
    );
    only(
        &text,
        Error,
        25,
        28,
        "holiday: \"2027-12-32\" is not a date",
        "YYYY-MM-DD",
    );
}

#[test]
fn unknown_calendar_lists_the_known_ones() {
    only(
        &with("calendar = \"new-york\"", "calendar = \"ny\""),
        Error,
        44,
        13,
        "unknown calendar \"ny\"",
        "\"new-york\", \"berlin\"",
    );
}

#[test]
fn unknown_party() {
    only(
        &with("owner = \"sales\"", "owner = \"sale\""),
        Error,
        39,
        10,
        "unknown party \"sale\"",
        "\"sales\"?",
    );
}

#[test]
fn unknown_segment() {
    only(
        &with("segment = \"enterprise\"", "segment = \"smb\""),
        Error,
        40,
        12,
        "unknown segment \"smb\"",
        "\"enterprise\"",
    );
}

#[test]
fn unknown_stage_in_a_condition() {
    only(
        &with(
            "starts = \"stage = mql\"",
            "starts = \"stage = marketing-qualified\"",
        ),
        Error,
        41,
        19,
        "unknown stage \"marketing-qualified\"",
        "[stages]",
    );
}

#[test]
fn metric_needs_its_stage_defined() {
    has(
        &with("mql = \"Scores 60+.\"\n", ""),
        Error,
        32,
        11,
        "this metric counts stage \"mql\", which is not defined",
        "[stages]",
    );
}

#[test]
fn unknown_rejection_reason() {
    only(
        &with(
            "stops = [\"touched\", \"rejected\"]",
            "stops = [\"touched\", \"rejected for no-money\"]",
        ),
        Error,
        42,
        35,
        "unknown rejection reason \"no-money\"",
        "\"no-budget\"",
    );
}

#[test]
fn unknown_goal_in_a_consequence() {
    let text = format!(
        "{BASE}\n[[consequences]]\nwhen = \"goal_missed\"\ngoal = \"mql-volum\"\naction = \"escalate\"\nto = \"marketing\"\n"
    );
    only(
        &text,
        Error,
        49,
        9,
        "unknown goal \"mql-volum\"",
        "\"mql-volume\"?",
    );
}

#[test]
fn unknown_guarantee_in_a_goal() {
    let text = with(
        "metric = \"mqls\"\ntarget = 400",
        "metric = \"follow_up_rate\"\nguarantees = [\"first-tuch\"]\ntarget = \"90%\"",
    );
    let all = findings(&text);
    assert!(
        all.iter()
            .any(|f| f.1 == 34 && f.2 == 16 && f.3 == "unknown guarantee \"first-tuch\""),
        "{all:#?}"
    );
}

#[test]
fn duplicate_goal_id() {
    let text = format!(
        "{BASE}\n[[goals]]\nid = \"mql-volume\"\nowner = \"marketing\"\nmetric = \"mqls\"\ntarget = 10\nper = \"month\"\n"
    );
    only(
        &text,
        Error,
        48,
        7,
        "goal id \"mql-volume\" is used twice (first on line 31)",
        "used only once",
    );
}

#[test]
fn unknown_metric_suggests() {
    only(
        &with("metric = \"mqls\"", "metric = \"mlqs\""),
        Error,
        33,
        11,
        "unknown metric \"mlqs\" in goal \"mql-volume\"",
        "\"mqls\"?",
    );
}

#[test]
fn negative_count_target() {
    only(
        &with("target = 400", "target = -5"),
        Error,
        34,
        10,
        "target -5 is negative",
        "0 or more",
    );
}

#[test]
fn rate_above_a_hundred_percent() {
    only(
        &with(
            "metric = \"mqls\"\ntarget = 400",
            "metric = \"acceptance_rate\"\ntarget = \"120%\"",
        ),
        Error,
        34,
        11,
        "target rate 120% is outside 0% to 100%",
        "0% to 100%",
    );
}

#[test]
fn money_without_currency_code() {
    only(
        &with(
            "metric = \"mqls\"\ntarget = 400",
            "metric = \"revenue_won\"\ntarget = \"250000 dollars\"",
        ),
        Error,
        34,
        18,
        "currency \"dollars\" is not an ISO 4217 code; expected three capitals such as USD, EUR or JPY",
        "ISO 4217",
    );
}

/// Targets take each currency's decimals from ISO 4217: none for JPY, three
/// for BHD; a code the table lacks is refused where it is written.
#[test]
fn money_targets_in_each_currencys_decimals() {
    let revenue = |target: &str| {
        with(
            "metric = \"mqls\"\ntarget = 400",
            &format!("metric = \"revenue_won\"\ntarget = \"{target}\""),
        )
    };
    assert!(findings(&revenue("5,000 JPY")).is_empty());
    assert!(findings(&revenue("1.125 BHD")).is_empty());
    only(
        &revenue("5,000.50 JPY"),
        Error,
        34,
        11,
        "amount \"5000.50\" has 1 decimal; JPY has 0",
        "\"250000 USD\"",
    );
    only(
        &revenue("250000 XYZ"),
        Error,
        34,
        18,
        "currency \"XYZ\" is not an ISO 4217 code; expected three capitals such as USD, EUR or JPY",
        "ISO 4217",
    );
}

#[test]
fn bad_duration_unit() {
    only(
        &with(
            "within = \"1 business hour\"",
            "within = \"1 business week\"",
        ),
        Error,
        43,
        22,
        "\"week\" is not a unit",
        "hours or days",
    );
}

/// Calendar time is said in the file and read back in `--explain`; a goal
/// or the queue, which count business time, refuse it at its place.
#[test]
fn calendar_time_is_explicit_and_only_where_it_means_something() {
    let text = with(
        "within = \"1 business hour\"",
        "within = \"3 calendar days\"",
    );
    let agreement = check("t.toml", &text).agreement.unwrap();
    let explained = handshake_core::agreement::explain(&agreement);
    assert!(
        explained.contains(
            "within 3 calendar days of an enterprise lead becoming MQL, Sales has it touched or \
             rejected (calendar time: nights, weekends and holidays count; times read in \
             America/New_York)"
        ),
        "{explained}"
    );
    only(
        &with(
            "metric = \"mqls\"\ntarget = 400",
            "metric = \"median_first_touch\"\ntarget = \"2 calendar hours\"",
        ),
        Error,
        34,
        11,
        "a goal's time is business time, not calendar time (\"2 calendar hours\")",
        "4 business hours",
    );
    only(
        &format!("{BASE}\n[queue]\nkeep_breached = \"5 calendar days\"\n"),
        Error,
        48,
        18,
        "keep_breached is business time of each clock's calendar, not calendar time (\"5 calendar days\")",
        "5 business days",
    );
}

/// An extension is read back in plain words; on a lead guarantee it is an
/// error at its table, and its durations are checked at their place.
#[test]
fn an_extension_is_explained_and_only_for_requests() {
    let request = with(
        "segment = \"enterprise\"\nstarts = \"stage = mql\"\nstops = [\"touched\", \"rejected\"]",
        "about = \"request\"\nstarts = \"request_feedback_requested\"\nstops = [\"request_feedback_given\"]\n\
         extension = { ask_within = \"1 business day\", up_to = \"3 calendar days\" }",
    );
    let agreement = check("t.toml", &request).agreement.unwrap();
    let explained = handshake_core::agreement::explain(&agreement);
    assert!(
        explained.contains(
            "Sales may ask for more time within 1 business day of the start; once granted, it is \
             due when asked, at most 3 calendar days later; an extension asked later is refused by \
             the rules."
        ),
        "{explained}"
    );
    only(
        &with(
            "warn_at = \"75%\"",
            "warn_at = \"75%\"\nextension = { ask_within = \"1 business day\", up_to = \"3 calendar days\" }",
        ),
        Error,
        46,
        13,
        "guarantee \"first-touch\" is about leads, but only a request's clock can be extended",
        "about = \"request\"",
    );
    has(
        &request.replace("\"3 calendar days\"", "\"3 fortnights\""),
        Error,
        43,
        57,
        "\"fortnights\" is not a unit",
        "hours or days",
    );
}

/// A fee is read back in plain words; on a lead guarantee it is an error
/// at its value, and a bad currency is pointed at.
#[test]
fn a_fee_is_explained_and_only_for_requests() {
    let request = with(
        "segment = \"enterprise\"\nstarts = \"stage = mql\"\nstops = [\"touched\", \"rejected\"]",
        "about = \"request\"\nstarts = \"request_opened via escalation\"\nstops = [\"request_acknowledged\"]\n\
         fee = \"at least 250 USD\"",
    );
    let agreement = check("t.toml", &request).agreement.unwrap();
    let explained = handshake_core::agreement::explain(&agreement);
    assert!(
        explained
            .contains("Each request it clocks costs the party that sent it at least 250.00 USD."),
        "{explained}"
    );
    only(
        &with("warn_at = \"75%\"", "warn_at = \"75%\"\nfee = \"250 USD\""),
        Error,
        46,
        8,
        "guarantee \"first-touch\" is about leads, but only a request can carry a fee",
        "about = \"request\"",
    );
    has(
        &request.replace("250 USD", "250 USX"),
        Error,
        43,
        21,
        "currency \"USX\" is not an ISO 4217 code; expected three capitals such as USD, EUR or JPY",
        "an ISO 4217 code such as USD, EUR or GBP",
    );
    has(
        &request.replace("at least 250 USD", "free"),
        Error,
        43,
        8,
        "\"free\" is not an amount with a currency",
        "\"at least 250 USD\"",
    );
}

#[test]
fn bad_condition() {
    only(
        &with(
            "stops = [\"touched\", \"rejected\"]",
            "stops = [\"tuched\", \"rejected\"]",
        ),
        Error,
        42,
        11,
        "\"tuched\" is not a condition",
        "\"touched\"",
    );
}

#[test]
fn bad_touch_channel() {
    only(
        &with(
            "stops = [\"touched\", \"rejected\"]",
            "stops = [\"touched via fax\", \"rejected\"]",
        ),
        Error,
        42,
        23,
        "\"fax\" is not a touch channel",
        "call, email",
    );
}

#[test]
fn request_condition_on_a_lead_guarantee() {
    only(
        &with(
            "stops = [\"touched\", \"rejected\"]",
            "stops = [\"touched\", \"request_resolved\"]",
        ),
        Error,
        42,
        22,
        "\"request_resolved\" does not fit guarantee \"first-touch\", which is about leads",
        "about = \"request\"",
    );
}

#[test]
fn bad_id_characters() {
    only(
        &with("id = \"mql-volume\"", "id = \"MQL volume\""),
        Error,
        31,
        7,
        "a goal id \"MQL volume\" has characters ids may not",
        "lowercase",
    );
}

#[test]
fn bad_email() {
    only(
        &with("email = \"sam@example.com\"", "email = \"sam at example\""),
        Error,
        10,
        36,
        "\"sam at example\" is not an e-mail address",
        "dana@acme.example",
    );
}

#[test]
fn warn_at_out_of_range() {
    only(
        &with("warn_at = \"75%\"", "warn_at = \"100%\""),
        Error,
        45,
        12,
        "warn_at 100% is not a whole percentage between 1% and 99%",
        "\"75%\"",
    );
}

#[test]
fn bad_period() {
    only(
        &with("per = \"month\"", "per = \"fortnight\""),
        Error,
        35,
        8,
        "per \"fortnight\" is not a period",
        "\"quarter\"",
    );
}

#[test]
fn unknown_persona_when_personas_are_defined() {
    let text = with(
        "[segments]",
        "[personas]\ncto = \"Chief technology officer\"\n\n[segments]",
    ) + "\n[scoring]\nmql_threshold = 60\nrules = [{ attribute = \"persona\", equals = \"ceo\", points = 5 }]\n";
    only(&text, Error, 52, 45, "unknown persona \"ceo\"", "\"cto\"");
}

#[test]
fn every_error_at_once() {
    let text = with("calendar = \"new-york\"", "calendar = \"ny\"")
        .replacen("per = \"month\"", "per = \"fortnight\"", 1)
        .replacen("time_zone = \"UTC\"", "time_zone = \"Mars/Base\"", 1);
    let all = findings(&text);
    let places: Vec<(usize, usize)> = all.iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(places, vec![(5, 14), (35, 8), (44, 13)], "{all:#?}");
    assert!(check("t.toml", &text).agreement.is_none());
}

#[test]
fn warning_target_zero() {
    only(
        &with("target = 400", "target = 0"),
        Warning,
        34,
        10,
        "goal \"mql-volume\" has target 0: it is attained whatever happens",
        "above zero",
    );
    assert!(
        check("t.toml", &with("target = 400", "target = 0"))
            .agreement
            .is_some()
    );
}

#[test]
fn warning_segment_no_guarantee_covers() {
    let text = with(
        "enterprise = { attribute",
        "smb = { attribute = \"segment\", equals = \"smb\" }\nenterprise = { attribute",
    );
    only(
        &text,
        Warning,
        20,
        1,
        "no guarantee covers segment \"smb\": its leads carry no response-time promise",
        "segment = \"smb\"",
    );
}

#[test]
fn warning_party_owes_nothing() {
    let text = with("owner = \"sales\"", "owner = \"marketing\"");
    only(
        &text,
        Warning,
        9,
        1,
        "party \"sales\" owes nothing: no goal or guarantee names it as owner",
        "at least one goal",
    );
}

#[test]
fn rendered_with_file_line_col_and_the_offending_text() {
    let text = with("calendar = \"new-york\"", "calendar = \"ny\"");
    let outcome = check("agreement.toml", &text);
    let file = SourceFile {
        name: "agreement.toml",
        text: &text,
    };
    let rendered = file.render(&outcome.diagnostics[0]);
    assert_eq!(
        rendered,
        "agreement.toml:44:13: error: unknown calendar \"ny\"\n    44 | calendar = \"ny\"\n       |             ^^\n       = expected: one of the calendars defined in [calendars]: \"new-york\", \"berlin\"\n"
    );
}

/// The base with an escalation ladder on its guarantee, `steps` inside `alerts = [...]`.
fn ladder(steps: &str) -> String {
    with(
        "warn_at = \"75%\"",
        &format!("warn_at = \"75%\"\nalerts = [{steps}]"),
    )
}

#[test]
fn an_alert_ladder_is_read_in_order_of_its_points() {
    let text = ladder(
        "{ at = \"150%\", tell = \"marketing\", via = \"ops\", ask = \"reassign\" }, { at = \"50%\", tell = \"owner\", via = [\"sales-room\", \"ops\"] }, { at = \"due\", tell = \"manager\", via = \"ops\" }",
    );
    assert_eq!(findings(&text), vec![]);
    let a = check("t.toml", &text).agreement.unwrap();
    let steps: Vec<(u16, String, Vec<String>, bool)> = a.guarantees[0]
        .alerts
        .iter()
        .map(|s| {
            (
                s.at,
                s.tell.to_string(),
                s.via.iter().map(|c| c.as_str().to_string()).collect(),
                s.reassign,
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                50,
                "owner".into(),
                vec!["sales-room".into(), "ops".into()],
                false
            ),
            (100, "manager".into(), vec!["ops".into()], false),
            (150, "marketing".into(), vec!["ops".into()], true),
        ]
    );
}

#[test]
fn an_alert_step_to_an_unknown_party() {
    only(
        &ladder("{ at = \"due\", tell = \"finance\", via = \"ops\" }"),
        Error,
        46,
        33,
        "unknown party \"finance\"",
        "\"marketing\", \"sales\"",
    );
}

#[test]
fn an_alert_step_past_ten_times_the_promise() {
    only(
        &ladder("{ at = \"1500%\", tell = \"owner\", via = \"ops\" }"),
        Error,
        46,
        19,
        "alert at 1500% is not a whole percentage from 1% to 1000%",
        "\"due\"",
    );
}

#[test]
fn an_alert_step_with_a_badly_named_channel_and_an_unknown_ask() {
    let all = findings(&ladder(
        "{ at = \"50%\", tell = \"owner\", via = \"Sales Room\", ask = \"close\" }",
    ));
    let messages: Vec<(usize, usize, &str)> =
        all.iter().map(|f| (f.1, f.2, f.3.as_str())).collect();
    assert_eq!(messages.len(), 2, "{all:#?}");
    assert_eq!((messages[0].0, messages[0].1), (46, 48));
    assert!(messages[0].2.contains("Sales Room"), "{all:#?}");
    assert_eq!(messages[1], (46, 68, "ask \"close\" is unknown"));
}

#[test]
fn the_same_point_and_recipient_twice() {
    only(
        &ladder(
            "{ at = \"50%\", tell = \"owner\", via = \"ops\" }, { at = \"50%\", tell = \"owner\", via = \"sales-room\" }",
        ),
        Error,
        46,
        64,
        "guarantee \"first-touch\" tells owner at 50% twice",
        "one step per point and recipient",
    );
}

#[test]
fn a_channel_the_workspace_lacks_is_a_located_warning_when_applied() {
    use handshake_core::agreement::check_in_workspace;
    use handshake_core::alerts::ChannelName;
    let text = ladder("{ at = \"50%\", tell = \"owner\", via = [\"ops\", \"sales-rom\"] }");
    // The file alone cannot know the workspace's channels: no finding.
    assert_eq!(findings(&text), vec![]);
    let known = [
        ChannelName::parse("ops").unwrap(),
        ChannelName::parse("sales-room").unwrap(),
    ];
    let outcome = check_in_workspace("t.toml", &text, &known);
    assert_eq!(outcome.diagnostics.len(), 1, "{:#?}", outcome.diagnostics);
    let d = &outcome.diagnostics[0];
    let file = SourceFile {
        name: "t.toml",
        text: &text,
    };
    assert_eq!(d.severity, Warning);
    assert_eq!(file.line_col(d.span.start), (46, 56));
    assert!(
        d.message
            .starts_with("channel \"sales-rom\" is not set up in this workspace")
    );
    assert!(
        d.expected
            .as_deref()
            .unwrap_or("")
            .starts_with("\"sales-room\"?"),
        "{d:#?}"
    );
    assert!(outcome.agreement.is_some(), "a warning keeps the agreement");
}

/// BASE with consequences and a cancellation term appended.
fn with_terms(terms: &str) -> String {
    format!("{BASE}\n{terms}\n")
}

#[test]
fn consequences_and_the_cancellation_term_are_told_through_checked_channels() {
    use handshake_core::agreement::check_in_workspace;
    use handshake_core::alerts::ChannelName;
    let text = with_terms(
        "[[consequences]]\nwhen = \"goal_missed\"\nperiods = 2\naction = \"escalate\"\nto = \"marketing\"\nvia = [\"ops\", \"board-room\"]\n\n[cancellation]\nafter_consecutive_missed_periods = 3\nvia = \"ops\"",
    );
    let outcome = check("t.toml", &text);
    let a = outcome.agreement.expect("valid");
    assert_eq!(a.consequences[0].via[1].as_str(), "board-room");
    assert_eq!(a.cancellation.as_ref().unwrap().via[0].as_str(), "ops");
    // Checked against the workspace's channels when applied.
    let known = [ChannelName::parse("ops").unwrap()];
    let applied = check_in_workspace("t.toml", &text, &known);
    assert_eq!(applied.diagnostics.len(), 1, "{:#?}", applied.diagnostics);
    assert!(
        applied.diagnostics[0]
            .message
            .starts_with("channel \"board-room\" is not set up in this workspace")
    );
}

#[test]
fn a_breach_consequence_has_no_via_its_ladder_tells() {
    let text = with_terms(
        "[[consequences]]\nwhen = \"guarantee_breached\"\naction = \"notify\"\nto = \"sales\"\nvia = \"ops\"",
    );
    let all = findings(&text);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].3, "a guarantee_breached consequence has no via");
    assert!(all[0].4.contains("alerts = ["), "{all:#?}");
}

#[test]
fn public_holidays_by_country_and_region() {
    let text = with(
        "time_zone = \"Europe/Berlin\"\nhours = \"mon-fri 09:00-17:00\"",
        "time_zone = \"Europe/Berlin\"\nhours = \"mon-fri 09:00-17:00\"\n\
         holidays = { country = \"DE\", subdivision = \"BY\", years = \"2027\", remove = [\"2027-11-01\"], add = [\"2027-12-24@09:00-12:00\"] }",
    );
    assert!(findings(&text).is_empty(), "{:#?}", findings(&text));
    let agreement = check("t.toml", &text).agreement.unwrap();
    let berlin = agreement
        .calendars
        .iter()
        .find(|c| c.id.to_string() == "berlin")
        .unwrap();
    let closed: Vec<String> = berlin
        .calendar
        .def()
        .holidays
        .closed()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        closed,
        [
            "2027-01-01",
            "2027-01-06",
            "2027-03-26",
            "2027-03-29",
            "2027-05-01",
            "2027-05-06",
            "2027-05-17",
            "2027-05-27",
            "2027-10-03",
            "2027-12-25",
            "2027-12-26"
        ],
        "Bavaria's days, All Saints' removed"
    );
    assert_eq!(berlin.calendar.def().holidays.partial().count(), 1);
    let explained = handshake_core::agreement::explain(&agreement);
    assert!(
        explained.contains("public holidays of DE-BY 2027"),
        "{explained}"
    );
    assert!(
        explained.contains("2027-05-27 Corpus Christi"),
        "{explained}"
    );
}

#[test]
fn public_holiday_errors_are_located() {
    let line = |h: &str| {
        with(
            "time_zone = \"Europe/Berlin\"\nhours = \"mon-fri 09:00-17:00\"",
            &format!(
                "time_zone = \"Europe/Berlin\"\nhours = \"mon-fri 09:00-17:00\"\nholidays = {h}"
            ),
        )
    };
    let row = BASE[..BASE.find("[calendars.berlin]").unwrap()]
        .lines()
        .count()
        + 4;
    only(
        &line("{ country = \"ZZ\", years = \"2027\" }"),
        Error,
        row,
        25,
        "no public holidays are known for country \"ZZ\"; expected an ISO 3166-1 alpha-2 code such as \"US\", \"DE\" or \"IN\"",
        "country = \"US\"",
    );
    has(
        &line("{ country = \"DE\", subdivision = \"QQ\", years = \"2027\" }"),
        Error,
        row,
        45,
        "country DE has no subdivision \"QQ\"; expected one of: Augsburg, BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH",
        "subdivision",
    );
    only(
        &line("{ country = \"DE\", years = \"2027\", remove = [\"2027-07-04\"] }"),
        Error,
        row,
        57,
        "2027-07-04 is not one of the public holidays, so it cannot be removed",
        "check --explain",
    );
    only(
        &line("{ country = \"DE\", years = \"twenty\" }"),
        Error,
        row,
        39,
        "years \"twenty\" is not a span of years",
        "\"2026-2030\"",
    );
}
