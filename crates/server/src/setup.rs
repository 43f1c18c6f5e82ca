//! Setting up alerting, the same from the CLI and the API: a channel built
//! from its parts (`--webhook URL --secret-file F`, or the API's JSON),
//! checked before it is stored; a test delivery to it; and the people
//! directory read from a CSV, row by row, each person's party checked
//! against the agreement's.

use handshake_core::alerts::channel::{parse_smtp_url, parse_url};
use handshake_core::alerts::pacing::SLACK_PER_MINUTE;
use handshake_core::alerts::people::{COLUMNS, Person};
use handshake_core::alerts::{Channel, ChannelError, ChannelName, ChannelTarget, SecretSource};

use crate::deliver::{self, Answer, DeliveryError};

/// A channel as given, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct ChannelSpec {
    /// Its name.
    pub name: String,
    /// A JSON webhook's URL.
    pub webhook: Option<String>,
    /// A Slack incoming webhook's URL.
    pub slack: Option<String>,
    /// An SMTP server's URL.
    pub email: Option<String>,
    /// The e-mail sender.
    pub from: Option<String>,
    /// The server's log.
    pub log: bool,
    /// Where the webhook's signing secret (or the SMTP password) is read.
    pub secret: Option<SecretSource>,
    /// The rate limit, sends per minute.
    pub per_minute: Option<u32>,
}

/// Why a channel cannot be set up as given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A part does not read (name, URL, sender, missing secret).
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The secret cannot be read where it is said to be, or the sender is no address.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// Not exactly one kind of channel.
    #[error("give exactly one of webhook, slack, email or log")]
    Kind,
}

/// The channel `spec` describes, and its rate limit (Slack's own when none
/// is given). The secret is read once, so one that cannot be read is
/// refused now rather than at the first alert.
///
/// # Errors
/// [`SetupError`] saying which part is wrong and what would be right.
pub fn build_channel(spec: ChannelSpec) -> Result<(Channel, Option<i64>), SetupError> {
    let name = ChannelName::parse(&spec.name)?;
    if let Some(s) = &spec.secret {
        deliver::read_secret(s)?;
    }
    let kinds = [
        spec.webhook.is_some(),
        spec.slack.is_some(),
        spec.email.is_some(),
        spec.log,
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(SetupError::Kind);
    }
    let target = match spec {
        ChannelSpec { log: true, .. } => ChannelTarget::Log,
        ChannelSpec {
            email: Some(smtp),
            from,
            secret,
            ..
        } => {
            let from = from.unwrap_or_default();
            deliver::check_sender(&from)?;
            ChannelTarget::Email {
                smtp: parse_smtp_url(&smtp)?,
                from,
                secret,
            }
        }
        ChannelSpec {
            webhook: Some(url),
            secret,
            ..
        } => ChannelTarget::Webhook {
            url: parse_url(&url)?,
            secret: secret.ok_or(ChannelError::NoSecret)?,
        },
        ChannelSpec {
            slack: Some(url), ..
        } => ChannelTarget::Slack {
            url: parse_url(&url)?,
        },
        _ => return Err(SetupError::Kind),
    };
    let per_minute = spec.per_minute.map(i64::from).or(match target {
        ChannelTarget::Slack { .. } => Some(SLACK_PER_MINUTE),
        _ => None,
    });
    Ok((Channel { name, target }, per_minute))
}

/// Sends one test delivery to `channel` of `workspace` at `now`; its
/// delivery id and what the receiver answered.
///
/// # Errors
/// [`DeliveryError`] when no answer came (unreachable, silent, no secret).
pub async fn test_channel(
    channel: &Channel,
    workspace: &str,
    now: i64,
) -> Result<(String, Answer), DeliveryError> {
    let id = deliver::delivery_id()?;
    let body = deliver::test_body(channel, workspace, &id, now);
    let answer = deliver::send(&reqwest::Client::new(), channel, "test", &id, &body, now).await?;
    Ok((id, answer))
}

/// A directory CSV, read: the good rows' people, and each refused row's
/// number (the header is row 1) with what is wrong in it.
#[derive(Debug, Default)]
pub struct PeopleCsv {
    /// The people of the good rows.
    pub people: Vec<Person>,
    /// `(row, problem)` for every problem of every refused row.
    pub problems: Vec<(usize, String)>,
    /// How many rows were refused.
    pub refused: usize,
}

/// A person's party checked against the agreement's (`None` when no
/// agreement is applied): the problem, if any.
pub fn unknown_party(p: &Person, parties: Option<&[String]>) -> Option<String> {
    let known = parties?;
    (!known.contains(&p.party)).then(|| {
        format!(
            "party {:?}: the agreement's parties are {}",
            p.party,
            known.join(", ")
        )
    })
}

/// Reads a directory CSV (the columns [`COLUMNS`], in any order; at least
/// `owner_id`, `name` and `party`). A row with a problem is refused with
/// its number; the good rows beside it are kept.
///
/// # Errors
/// A message when the file has no header or lacks a required column.
pub fn read_people_csv(text: &[u8], parties: Option<&[String]>) -> Result<PeopleCsv, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("no header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = ["owner_id", "name", "party"]
        .into_iter()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "no column {}; expected the columns {}",
            missing.join(", "),
            COLUMNS.join(",")
        ));
    }
    let mut out = PeopleCsv::default();
    for (i, row) in reader.records().enumerate() {
        // Row 1 is the header.
        let at = i + 2;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                out.problems.push((at, e.to_string()));
                out.refused += 1;
                continue;
            }
        };
        let cell = |f: &str| {
            headers
                .iter()
                .position(|h| h == f)
                .and_then(|i| row.get(i))
                .unwrap_or("")
        };
        let person = Person::from_fields(cell).and_then(|p| match unknown_party(&p, parties) {
            Some(problem) => Err(vec![problem]),
            None => Ok(p),
        });
        match person {
            Ok(p) => out.people.push(p),
            Err(problems) => {
                out.problems.extend(problems.into_iter().map(|p| (at, p)));
                out.refused += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_one_kind_with_what_that_kind_needs() {
        let slack = build_channel(ChannelSpec {
            name: "room".into(),
            slack: Some("https://hooks.slack.com/services/T/B/x".into()),
            ..ChannelSpec::default()
        })
        .unwrap();
        assert_eq!(slack.1, Some(60), "Slack's own limit by default");
        let both = build_channel(ChannelSpec {
            name: "room".into(),
            slack: Some("https://hooks.slack.com/x".into()),
            log: true,
            ..ChannelSpec::default()
        });
        assert!(matches!(both, Err(SetupError::Kind)));
        let unsigned = build_channel(ChannelSpec {
            name: "ops".into(),
            webhook: Some("https://hooks.example/x".into()),
            ..ChannelSpec::default()
        });
        assert!(matches!(
            unsigned,
            Err(SetupError::Channel(ChannelError::NoSecret))
        ));
        let log = build_channel(ChannelSpec {
            name: "try".into(),
            log: true,
            per_minute: Some(5),
            ..ChannelSpec::default()
        })
        .unwrap();
        assert_eq!((log.0.target, log.1), (ChannelTarget::Log, Some(5)));
    }

    #[test]
    fn a_bad_row_is_refused_by_number_and_the_good_ones_kept() {
        let csv = "name,owner_id,party\nAva,rep-ava,sales\nBo,rep bo,sales\nCy,rep-cy,finance\n";
        let parties = ["marketing".to_string(), "sales".to_string()];
        let read = read_people_csv(csv.as_bytes(), Some(&parties)).unwrap();
        assert_eq!(read.people.len(), 1);
        assert_eq!(read.refused, 2);
        assert_eq!(read.problems[0].0, 3);
        assert_eq!(
            read.problems[1],
            (
                4,
                "party \"finance\": the agreement's parties are marketing, sales".to_string()
            )
        );
        assert!(
            read_people_csv(b"name,party\n", None)
                .unwrap_err()
                .starts_with("no column owner_id")
        );
    }
}
