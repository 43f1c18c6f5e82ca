//! A channel: a named place notifications go. A generic JSON webhook (each
//! delivery signed with the channel's secret) or a Slack incoming webhook
//! (whose URL is its secret). The secret itself is never in the agreement
//! or the database: the channel names where to read it (a file or an
//! environment variable), and the delivering server reads it there.

use std::fmt;
use std::path::PathBuf;

/// Why a channel cannot be made as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The name is not 1 to 40 of a-z, 0-9 and `-`.
    #[error(
        "channel name {0:?}: expected 1 to 40 lowercase letters, digits or dashes, e.g. ops or sales-room"
    )]
    Name(String),
    /// The URL is not an absolute http or https URL.
    #[error(
        "{0:?} is not a webhook URL; expected https://host/path (or http:// for a receiver on this network)"
    )]
    Url(String),
    /// A JSON webhook without a secret to sign with.
    #[error(
        "a webhook channel signs every delivery: give --secret-file FILE or --secret-env VARIABLE"
    )]
    NoSecret,
    /// The SMTP server's URL is not `smtp://` or `smtps://` with a host.
    #[error(
        "{0:?} is not an SMTP server's URL; expected smtps://USER@HOST:465, smtp://USER@HOST:587?tls=required, or smtp://HOST:25 for a relay on this network"
    )]
    Smtp(String),
    /// The sender is not an e-mail address.
    #[error(
        "--from {0:?}: expected the sender's address, e.g. alerts@northwind.example or \"Handshake <alerts@northwind.example>\""
    )]
    Sender(String),
    /// A stored secret source that does not read as one.
    #[error("secret source {0:?}: expected file:PATH or env:VARIABLE")]
    Source(String),
}

/// A channel's name: 1 to 40 of a-z, 0-9 and `-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelName(String);

impl ChannelName {
    /// Parses a name.
    ///
    /// # Errors
    /// [`ChannelError::Name`] saying what is allowed.
    ///
    /// # Example
    /// ```
    /// use handshake_core::alerts::ChannelName;
    /// assert!(ChannelName::parse("sales-room").is_ok());
    /// assert!(ChannelName::parse("Sales Room").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<ChannelName, ChannelError> {
        let ok = (1..=40).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(ChannelName(text.to_string()))
        } else {
            Err(ChannelError::Name(text.to_string()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the secret that signs a webhook's deliveries is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// The whole content of a file (a trailing newline dropped).
    File(PathBuf),
    /// An environment variable of the delivering server.
    Env(String),
}

impl SecretSource {
    /// The stored form: `file:PATH` or `env:VARIABLE`.
    pub fn stored(&self) -> String {
        match self {
            SecretSource::File(p) => format!("file:{}", p.display()),
            SecretSource::Env(v) => format!("env:{v}"),
        }
    }

    /// Reads the stored form back.
    ///
    /// # Errors
    /// [`ChannelError::Source`] for anything else.
    pub fn from_stored(text: &str) -> Result<SecretSource, ChannelError> {
        match text.split_once(':') {
            Some(("file", p)) if !p.is_empty() => Ok(SecretSource::File(PathBuf::from(p))),
            Some(("env", v)) if !v.is_empty() => Ok(SecretSource::Env(v.to_string())),
            _ => Err(ChannelError::Source(text.to_string())),
        }
    }
}

impl fmt::Display for SecretSource {
    /// Where, never what: `file ops.secret`, `environment OPS_SECRET`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::File(p) => write!(f, "file {}", p.display()),
            SecretSource::Env(v) => write!(f, "environment {v}"),
        }
    }
}

/// Where a channel delivers.
#[derive(Clone, PartialEq, Eq)]
pub enum ChannelTarget {
    /// A JSON POST, signed (`Handshake-Signature`).
    Webhook {
        /// The receiver's URL.
        url: String,
        /// Where the signing secret is read.
        secret: SecretSource,
    },
    /// A Slack incoming webhook (Block Kit messages); the URL is the secret.
    Slack {
        /// The incoming webhook's URL.
        url: String,
    },
    /// The server's log: each notification is written there as one line
    /// (for trying ladders out, and the demo, which has no Slack).
    Log,
    /// E-mail over SMTP to each recipient's address: plain text and HTML.
    Email {
        /// The SMTP server: `smtps://USER@HOST:465`, `smtp://USER@HOST:587?tls=required`
        /// (STARTTLS) or `smtp://HOST:25` (a relay on this network, no TLS).
        smtp: String,
        /// The sender, e.g. `Handshake <alerts@northwind.example>`.
        from: String,
        /// Where the SMTP password is read, when the server asks for one.
        secret: Option<SecretSource>,
    },
}

impl fmt::Debug for ChannelTarget {
    /// A Slack URL is a credential: only its host is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.shown_url())
    }
}

impl ChannelTarget {
    /// `webhook`, `slack` or `log`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelTarget::Webhook { .. } => "webhook",
            ChannelTarget::Slack { .. } => "slack",
            ChannelTarget::Log => "log",
            ChannelTarget::Email { .. } => "email",
        }
    }

    /// The URL deliveries are posted to (empty for the log).
    pub fn url(&self) -> &str {
        match self {
            ChannelTarget::Webhook { url, .. } | ChannelTarget::Slack { url } => url,
            ChannelTarget::Email { smtp, .. } => smtp,
            ChannelTarget::Log => "",
        }
    }

    /// The URL as it may be shown and logged: a webhook's whole, a Slack
    /// one's scheme and host only (its path is the credential).
    pub fn shown_url(&self) -> String {
        match self {
            ChannelTarget::Webhook { url, .. } => url.clone(),
            ChannelTarget::Log => "(the server's log)".to_string(),
            ChannelTarget::Email { smtp, from, .. } => format!("{smtp} from {from}"),
            ChannelTarget::Slack { url } => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
                let host = rest.split('/').next().unwrap_or_default();
                format!("{scheme}://{host}/…")
            }
        }
    }
}

/// A channel: its name and where it delivers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Its name, unique in the workspace.
    pub name: ChannelName,
    /// Where it delivers.
    pub target: ChannelTarget,
}

/// Checks a webhook URL: absolute http or https with a host, no spaces.
///
/// # Errors
/// [`ChannelError::Url`].
///
/// # Example
/// ```
/// use handshake_core::alerts::channel::parse_url;
/// assert!(parse_url("https://hooks.example/x").is_ok());
/// assert!(parse_url("hooks.example/x").is_err());
/// ```
pub fn parse_url(text: &str) -> Result<String, ChannelError> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split(['/', '?', '#']).next());
    match host {
        Some(h) if !h.is_empty() && !text.chars().any(char::is_whitespace) => Ok(text.to_string()),
        _ => Err(ChannelError::Url(text.to_string())),
    }
}

/// Checks an SMTP server's URL: `smtp://` or `smtps://` with a host, no
/// password in it (that comes from a secret file or variable).
///
/// # Errors
/// [`ChannelError::Smtp`].
///
/// # Example
/// ```
/// use handshake_core::alerts::channel::parse_smtp_url;
/// assert!(parse_smtp_url("smtps://alerts@mail.example.com:465").is_ok());
/// assert!(parse_smtp_url("smtp://alerts:hunter2@mail.example.com").is_err());
/// assert!(parse_smtp_url("https://mail.example.com").is_err());
/// ```
pub fn parse_smtp_url(text: &str) -> Result<String, ChannelError> {
    let rest = text
        .strip_prefix("smtps://")
        .or_else(|| text.strip_prefix("smtp://"));
    let authority = rest.and_then(|r| r.split(['/', '?', '#']).next());
    let host = authority.map(|a| a.rsplit('@').next().unwrap_or(a));
    let password = authority.is_some_and(|a| {
        a.split('@')
            .next()
            .is_some_and(|u| a.contains('@') && u.contains(':'))
    });
    match host {
        Some(h) if !h.is_empty() && !password && !text.chars().any(char::is_whitespace) => {
            Ok(text.to_string())
        }
        _ => Err(ChannelError::Smtp(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_urls_and_secret_sources_parse_or_say_what_is_expected() {
        assert!(ChannelName::parse("ops").is_ok());
        for bad in ["", "Ops", "ops room", &"x".repeat(41)] {
            assert_eq!(
                ChannelName::parse(bad),
                Err(ChannelError::Name(bad.to_string()))
            );
        }
        assert!(parse_url("http://127.0.0.1:9/hook").is_ok());
        for bad in ["ftp://x", "https://", "https:// x", "/hook"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        for s in [
            SecretSource::File("ops.secret".into()),
            SecretSource::Env("OPS_SECRET".into()),
        ] {
            assert_eq!(SecretSource::from_stored(&s.stored()), Ok(s));
        }
        assert!(SecretSource::from_stored("vault:x").is_err());
    }

    #[test]
    fn a_slack_url_is_never_shown_whole() {
        let t = ChannelTarget::Slack {
            url: "https://hooks.slack.com/services/T0/B0/secretpart".into(),
        };
        assert_eq!(t.shown_url(), "https://hooks.slack.com/…");
        assert!(!format!("{t:?}").contains("secretpart"));
    }
}
