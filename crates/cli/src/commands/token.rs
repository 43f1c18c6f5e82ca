//! `handshake token create|list|revoke`: the workspace's API tokens.

use std::process::ExitCode;

use anyhow::Context;
use handshake_store::TokenRole;
use jiff::{Span, Timestamp, tz::TimeZone};

use crate::cli::{Global, TokenCommand};

/// When a token made `now` with `--expires TEXT` expires: a span from now
/// (`90d`, `12h`, `2 weeks`) or an RFC 3339 instant; it must be later than now.
fn expiry(text: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    let at = if let Ok(at) = text.parse::<Timestamp>() {
        at
    } else {
        let span: Span = text.parse().with_context(|| {
            format!("--expires {text:?} is neither a span (90d, 12h, \"2 weeks\") nor an RFC 3339 instant (2027-03-31T23:59:59Z)")
        })?;
        now.to_zoned(TimeZone::UTC)
            .checked_add(span)
            .with_context(|| format!("--expires {text:?} is too far away"))?
            .timestamp()
    };
    anyhow::ensure!(at > now, "--expires {text:?} is not in the future");
    Ok(at)
}

pub async fn token(global: &Global, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let (store, ws) = super::store::open(global).await?;
    let now = Timestamp::now();
    match cmd {
        TokenCommand::Create {
            name,
            role,
            expires,
        } => {
            let role = TokenRole::parse(&role)?;
            let expires_at = expires.as_deref().map(|e| expiry(e, now)).transpose()?;
            let token = store.create_token(&ws, &name, role, expires_at).await?;
            super::emit(&format!("{}\n", token.reveal()));
            let until = expires_at.map_or_else(String::new, |e| format!(", valid until {e}"));
            eprintln!(
                "{} token \"{name}\" (id {}) for workspace \"{}\"{until}: shown once, stored only hashed. Send it as `Authorization: Bearer <token>`.",
                role.as_str(),
                token.id(),
                ws.as_str()
            );
        }
        TokenCommand::List => {
            let tokens = store.list_tokens(&ws).await?;
            if tokens.is_empty() {
                eprintln!(
                    "no token in workspace \"{}\" yet; make one with `handshake token create --name NAME`",
                    ws.as_str()
                );
            }
            let mut out = String::new();
            if !tokens.is_empty() {
                out.push_str(
                    "id            role    state     created           expires           name\n",
                );
            }
            let day = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M").to_string();
            for t in tokens {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.active(now) {
                    "active"
                } else {
                    "expired"
                };
                let expires = t.expires_at.map_or_else(|| "never".to_string(), day);
                out.push_str(&format!(
                    "{:<13} {:<7} {:<9} {:<17} {:<17} {}\n",
                    t.id,
                    t.role.as_str(),
                    state,
                    day(t.created_at),
                    expires,
                    t.name
                ));
            }
            super::emit(&out);
        }
        TokenCommand::Revoke { id } => {
            if store.revoke_token(&ws, &id, now).await? {
                eprintln!(
                    "token {id} revoked: it fails at its next request on every server sharing this store"
                );
            } else {
                eprintln!(
                    "workspace \"{}\" has no token with id {id:?}; `handshake token list` shows the ids",
                    ws.as_str()
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_takes_spans_and_instants_in_the_future_only() {
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        assert_eq!(
            expiry("90d", now).unwrap(),
            "2027-02-26T12:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            expiry("12h", now).unwrap(),
            "2026-11-29T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            expiry("2027-01-01T00:00:00Z", now).unwrap(),
            "2027-01-01T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(
            expiry("2020-01-01T00:00:00Z", now)
                .unwrap_err()
                .to_string()
                .contains("not in the future")
        );
        assert!(
            expiry("soon", now)
                .unwrap_err()
                .to_string()
                .contains("neither a span")
        );
    }
}
