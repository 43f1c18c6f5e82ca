//! Delivering to a channel: the shell around `handshake_core::alerts`. Reads
//! a webhook's signing secret where the channel says (never logging it),
//! posts the JSON with its `Handshake-Signature`, `Handshake-Delivery` and
//! `Handshake-Event` headers (or a Block Kit message to Slack), and reports
//! what the receiver answered. Bounded: a 10-second timeout and at most 64
//! KiB of the receiver's answer kept.

use std::time::Duration;

use handshake_core::alerts::{Channel, ChannelTarget, SecretSource, sign};
use serde_json::{Value, json};

/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a receiver's answer is kept.
const MAX_ANSWER: usize = 64 * 1024;

/// Why a delivery could not be attempted or did not arrive.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The signing secret could not be read where the channel says.
    #[error("cannot read the channel's secret from {source_of}: {reason}")]
    Secret {
        /// Where it was looked for (never the secret).
        source_of: String,
        /// What went wrong.
        reason: String,
    },
    /// Can never arrive as it is (no address to send to, a body that does
    /// not read): failed at once, not tried again.
    #[error("{0}")]
    Undeliverable(String),
    /// The receiver could not be reached or did not answer in time.
    #[error("{url}: {reason}")]
    Send {
        /// The URL as it may be shown.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// What a receiver answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The start of its body (at most 64 KiB, lossy UTF-8).
    pub body: String,
}

impl Answer {
    /// Whether the receiver accepted the delivery (a 2xx status).
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Reads a webhook's signing secret: a file's content (one trailing newline
/// dropped) or an environment variable's value; never empty.
///
/// # Errors
/// [`DeliveryError::Secret`] naming where, not what.
pub fn read_secret(source: &SecretSource) -> Result<Vec<u8>, DeliveryError> {
    let fail = |reason: String| DeliveryError::Secret {
        source_of: source.to_string(),
        reason,
    };
    let mut secret = match source {
        SecretSource::File(path) => std::fs::read(path).map_err(|e| fail(e.to_string()))?,
        SecretSource::Env(var) => std::env::var(var)
            .map_err(|_| fail("the variable is not set".into()))?
            .into_bytes(),
    };
    if secret.ends_with(b"\n") {
        secret.pop();
        if secret.ends_with(b"\r") {
            secret.pop();
        }
    }
    if secret.is_empty() {
        return Err(fail("it is empty".into()));
    }
    Ok(secret)
}

/// A random delivery id (16 bytes, hex): the same across retries of one
/// delivery, so a receiver can drop repeats.
///
/// # Errors
/// [`DeliveryError::Send`] when the system has no randomness to give.
pub fn delivery_id() -> Result<String, DeliveryError> {
    let mut buf = [0_u8; 16];
    getrandom::fill(&mut buf).map_err(|e| DeliveryError::Send {
        url: String::new(),
        reason: format!("no randomness for a delivery id: {e}"),
    })?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The body of `handshake channel test`: what a webhook receives, and the
/// Slack message that says the same.
pub fn test_body(channel: &Channel, workspace: &str, delivery: &str, now: i64) -> Value {
    let text = format!(
        "Test delivery from Handshake to channel {} of workspace {workspace}: if you read this, notifications will arrive here.",
        channel.name
    );
    match &channel.target {
        ChannelTarget::Webhook { .. } | ChannelTarget::Log => json!({
            "kind": "test",
            "delivery": delivery,
            "workspace": workspace,
            "channel": channel.name.as_str(),
            "sent_at": jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default(),
            "text": text,
        }),
        ChannelTarget::Email { from, .. } => json!({
            "kind": "test",
            "to": from,
            "to_name": "",
            "subject": format!("Handshake test: channel {}", channel.name),
            "text": text,
            "facts": [],
            "link": null,
        }),
        ChannelTarget::Slack { .. } => json!({
            "text": text,
            "blocks": [
                { "type": "section", "text": { "type": "mrkdwn", "text": format!("*Handshake test*\n{text}") } }
            ],
        }),
    }
}

/// Posts `body` to `channel` as event `kind` under `delivery` at `now`
/// (unix seconds): signed for a webhook, as it is for Slack.
///
/// # Errors
/// [`DeliveryError`]: the secret unreadable, the receiver unreachable or
/// silent past the timeout. A receiver that answers (any status) is an
/// [`Answer`], not an error.
pub async fn send(
    client: &reqwest::Client,
    channel: &Channel,
    kind: &str,
    delivery: &str,
    body: &Value,
    now: i64,
) -> Result<Answer, DeliveryError> {
    // A `Value` always serializes.
    let raw = serde_json::to_vec(body).unwrap_or_default();
    send_raw(client, channel, kind, delivery, raw, now).await
}

/// As [`send`], with the body's bytes as they are to be signed and sent
/// (an outbox row's).
///
/// # Errors
/// As [`send`].
pub async fn send_raw(
    client: &reqwest::Client,
    channel: &Channel,
    kind: &str,
    delivery: &str,
    raw: Vec<u8>,
    now: i64,
) -> Result<Answer, DeliveryError> {
    if channel.target == ChannelTarget::Log {
        // Its words, one line in the server's log (the body's `text`).
        let text = serde_json::from_slice::<Value>(&raw)
            .ok()
            .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&raw).into_owned());
        tracing::info!(channel = %channel.name, kind, delivery, "notification: {text}");
        return Ok(Answer {
            status: 200,
            body: "written to the server's log".to_string(),
        });
    }
    if let ChannelTarget::Email { smtp, from, secret } = &channel.target {
        return send_email(smtp, from, secret.as_ref(), delivery, &raw).await;
    }
    let shown = channel.target.shown_url();
    let mut request = client
        .post(channel.target.url())
        .timeout(TIMEOUT)
        .header("content-type", "application/json");
    if let ChannelTarget::Webhook { secret, .. } = &channel.target {
        let secret = read_secret(secret)?;
        request = request
            .header("Handshake-Signature", sign(&secret, now, &raw))
            .header("Handshake-Delivery", delivery)
            .header("Handshake-Event", kind);
    }
    let fail = |e: reqwest::Error| DeliveryError::Send {
        url: shown.clone(),
        reason: e.without_url().to_string(),
    };
    let mut response = request.body(raw).send().await.map_err(fail)?;
    let status = response.status().as_u16();
    let mut kept = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fail)? {
        let room = MAX_ANSWER.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if kept.len() >= MAX_ANSWER {
            break;
        }
    }
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&kept).into_owned(),
    })
}

/// Checks an e-mail channel's sender: an address, with a name or without.
///
/// # Errors
/// [`handshake_core::alerts::ChannelError::Sender`].
pub fn check_sender(from: &str) -> Result<(), handshake_core::alerts::ChannelError> {
    from.parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|_| handshake_core::alerts::ChannelError::Sender(from.to_string()))
}

/// The HTML part of an alert e-mail, escaped by the template engine.
#[derive(askama::Template)]
#[template(path = "email.html")]
struct EmailHtml<'a> {
    subject: &'a str,
    text: &'a str,
    facts: Vec<(String, String)>,
    link: Option<&'a str>,
}

/// Sends an e-mail channel's notification: its body (see
/// `handshake_core::alerts::message::email_body`) as plain text and HTML,
/// the delivery id as its Message-ID (the same on every retry).
async fn send_email(
    smtp: &str,
    from: &str,
    secret: Option<&SecretSource>,
    delivery: &str,
    raw: &[u8],
) -> Result<Answer, DeliveryError> {
    use askama::Template;
    use lettre::message::{Mailbox, MultiPart};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let bad = |what: String| DeliveryError::Undeliverable(what);
    let v: Value =
        serde_json::from_slice(raw).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let field = |k: &str| v.get(k).and_then(Value::as_str);
    let name = field("to_name").unwrap_or_default();
    let to: Mailbox = match field("to") {
        None => {
            return Err(bad(format!(
                "no e-mail address for {name}: add one to the people directory (`handshake person add ... --email`)"
            )));
        }
        Some(to) if to.contains('<') => to.parse().map_err(|e| bad(format!("to {to:?}: {e}")))?,
        Some(to) => Mailbox::new(
            (!name.is_empty()).then(|| name.to_string()),
            to.parse().map_err(|e| bad(format!("to {to:?}: {e}")))?,
        ),
    };
    let from: Mailbox = from
        .parse()
        .map_err(|e| bad(format!("from {from:?}: {e}")))?;
    let subject = field("subject").unwrap_or("Handshake");
    let text = field("text").unwrap_or_default();
    let facts = v
        .get("facts")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    Some((
                        f.get(0)?.as_str()?.to_string(),
                        f.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let link = field("link");
    let html = EmailHtml {
        subject,
        text,
        facts,
        link,
    }
    .render()
    .map_err(|e| bad(format!("the HTML part: {e}")))?;
    let plain = match link {
        Some(url) => format!("{text}\n\n{url}\n"),
        None => format!("{text}\n"),
    };
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{delivery}@handshake>")))
        .multipart(MultiPart::alternative_plain_html(plain, html))
        .map_err(|e| bad(format!("the message: {e}")))?;
    let send_failed = |reason: String| DeliveryError::Send {
        url: smtp.to_string(),
        reason,
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp)
        .map_err(|e| send_failed(e.to_string()))?
        .timeout(Some(TIMEOUT));
    if let Some(source) = secret {
        let password = read_secret(source)?;
        let user = smtp
            .split_once("://")
            .and_then(|(_, rest)| rest.split(['/', '?']).next())
            .and_then(|authority| authority.rsplit_once('@'))
            .map(|(user, _)| user.to_string())
            .unwrap_or_default();
        transport = transport.credentials(Credentials::new(
            user,
            String::from_utf8_lossy(&password).into_owned(),
        ));
    }
    let answer = transport
        .build()
        .send(message)
        .await
        .map_err(|e| send_failed(e.to_string()))?;
    Ok(Answer {
        // A reply code always shows as its three digits (250).
        status: answer.code().to_string().parse().unwrap_or(250),
        body: answer.message().collect::<Vec<_>>().join(" "),
    })
}
