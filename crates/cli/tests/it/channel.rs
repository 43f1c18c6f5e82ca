//! `handshake channel`: channels kept per workspace, secrets never shown,
//! and `channel test` sending one signed delivery that a receiver written
//! here checks with its own HMAC-SHA256.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use hmac::{Hmac, Mac};

use crate::{TempDir, text};

/// One request as received: headers (lower-cased names) and body.
type Received = (Vec<(String, String)>, Vec<u8>);

/// A receiver for one request: answers `status`, hands back what it got.
fn receiver(status: u16) -> (u16, JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut headers = Vec::new();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(':').unwrap();
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let answer = format!(
            "HTTP/1.1 {status} X\r\ncontent-length: 8\r\nconnection: close\r\n\r\nreceived"
        );
        reader.get_mut().write_all(answer.as_bytes()).unwrap();
        (headers, body)
    });
    (port, handle)
}

#[test]
fn channels_are_kept_listed_without_secrets_and_tested_with_a_signed_delivery() {
    let dir = TempDir::new("channel");
    let secret = dir.0.join("ops.secret");
    std::fs::write(&secret, "s3cret-value\n").unwrap();
    let (port, got) = receiver(200);
    let url = format!("http://127.0.0.1:{port}/hook");
    let add = dir.run(&[
        "channel",
        "add",
        "ops",
        "--webhook",
        &url,
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));
    // The same name again, a bad URL, a webhook without a secret, a secret that cannot be read.
    let again = dir.run(&[
        "channel",
        "add",
        "ops",
        "--webhook",
        &url,
        "--secret-env",
        "X",
    ]);
    assert_ne!(again.status.code(), Some(0));
    let bad = dir.run(&[
        "channel",
        "add",
        "x",
        "--webhook",
        "ftp://x",
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    assert!(
        text(&bad.stderr).contains("is not a webhook URL"),
        "{}",
        text(&bad.stderr)
    );
    let unsigned = dir.run(&["channel", "add", "x", "--webhook", &url]);
    assert_eq!(
        unsigned.status.code(),
        Some(2),
        "clap refuses it: {}",
        text(&unsigned.stderr)
    );
    let missing = dir.run(&[
        "channel",
        "add",
        "x",
        "--webhook",
        &url,
        "--secret-env",
        "HANDSHAKE_TEST_NO_SUCH_VAR",
    ]);
    assert!(
        text(&missing.stderr).contains(
            "cannot read the channel's secret from environment HANDSHAKE_TEST_NO_SUCH_VAR"
        ),
        "{}",
        text(&missing.stderr)
    );
    let slack = dir.run(&[
        "channel",
        "add",
        "sales-room",
        "--slack",
        "https://hooks.slack.com/services/T000/B000/SLACKPATHSECRET",
    ]);
    assert_eq!(slack.status.code(), Some(0), "{}", text(&slack.stderr));
    assert!(
        text(&slack.stderr).contains("(at most 60 a minute)"),
        "Slack's own limit by default: {}",
        text(&slack.stderr)
    );
    // Listed by name; neither secret appears.
    let list = text(&dir.run(&["channel", "list"]).stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with(&format!("ops\twebhook\t{url}\tsecret from file ")),
        "{list}"
    );
    assert!(lines[0].ends_with("\tno rate limit\tok"), "{list}");
    assert_eq!(
        lines[1],
        "sales-room\tslack\thttps://hooks.slack.com/…\tno signature (Slack)\t60/min\tok"
    );
    assert!(
        !list.contains("s3cret") && !list.contains("SLACKPATHSECRET"),
        "{list}"
    );
    // One signed test delivery.
    let before = jiff::Timestamp::now().as_second();
    let test = dir.run(&["channel", "test", "ops"]);
    assert_eq!(test.status.code(), Some(0), "{}", text(&test.stderr));
    let (headers, body) = got.join().unwrap();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
    };
    assert_eq!(header("handshake-event"), "test");
    let delivery = header("handshake-delivery");
    assert!(delivery.len() == 32 && delivery.chars().all(|c| c.is_ascii_hexdigit()));
    let signature = header("handshake-signature");
    let (t, v1) = signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .unwrap_or_else(|| panic!("{signature}"));
    let t: i64 = t.parse().unwrap();
    assert!((before..before + 60).contains(&t), "{t}");
    // The receiver's own check: HMAC-SHA256 of "<t>.<body>" with the file's secret (no newline).
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret-value").unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (json["kind"].as_str(), json["delivery"].as_str()),
        (Some("test"), Some(delivery.as_str()))
    );
    assert_eq!(
        text(&test.stdout).trim(),
        format!("{url} answered 200 to test delivery {delivery}: received")
    );
    // A receiver that refuses: exit 1, with what it answered.
    let (port, got) = receiver(500);
    let url = format!("http://127.0.0.1:{port}/hook");
    assert_eq!(
        dir.run(&["channel", "remove", "ops"]).status.code(),
        Some(0)
    );
    let add = dir.run(&[
        "channel",
        "add",
        "ops",
        "--webhook",
        &url,
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));
    let refused = dir.run(&["channel", "test", "ops"]);
    got.join().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stdout).contains("answered 500"),
        "{}",
        text(&refused.stdout)
    );
    // Removing twice: the second time says there is none.
    assert_eq!(
        dir.run(&["channel", "remove", "ops"]).status.code(),
        Some(0)
    );
    let gone = dir.run(&["channel", "remove", "ops"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        text(&gone.stderr).contains("has no channel \"ops\""),
        "{}",
        text(&gone.stderr)
    );
}

#[test]
fn an_email_channel_keeps_its_server_and_sender_and_refuses_a_password_in_the_url() {
    let dir = TempDir::new("channel-email");
    let pass = dir.0.join("smtp.pass");
    std::fs::write(&pass, "hunter2\n").unwrap();
    let add = dir.run(&[
        "channel",
        "add",
        "mail",
        "--email",
        "smtps://alerts@mail.example.com:465",
        "--from",
        "Handshake <alerts@northwind.example>",
        "--secret-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));
    let list = dir.run(&["channel", "list"]);
    let listed = text(&list.stdout);
    assert!(
        listed.contains("mail\temail\tsmtps://alerts@mail.example.com:465 from Handshake <alerts@northwind.example>\tSMTP password from file /"),
        "{listed}"
    );
    assert!(!listed.contains("hunter2"));
    let bad = dir.run(&[
        "channel",
        "add",
        "leaky",
        "--email",
        "smtp://alerts:hunter2@mail.example.com",
        "--from",
        "alerts@northwind.example",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("is not an SMTP server's URL"),
        "{}",
        text(&bad.stderr)
    );
    let no_from = dir.run(&[
        "channel",
        "add",
        "x",
        "--email",
        "smtp://127.0.0.1:25",
        "--from",
        "nobody",
    ]);
    assert_eq!(no_from.status.code(), Some(2));
    assert!(
        text(&no_from.stderr).contains("--from \"nobody\": expected the sender's address"),
        "{}",
        text(&no_from.stderr)
    );
}
