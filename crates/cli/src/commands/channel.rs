//! `handshake channel add|list|remove|test|resume`: where the workspace's
//! alerts go, how fast, and whether the receiver is taking them. Parses the flags into a core `Channel`, keeps it in the store, and
//! sends a test delivery through the server crate's delivery shell.

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::alerts::{ChannelName, ChannelTarget, SecretSource};
use handshake_server::setup::{self, ChannelSpec};
use jiff::Timestamp;

use crate::cli::{ChannelCommand, Global};

fn name(text: &str) -> anyhow::Result<ChannelName> {
    Ok(ChannelName::parse(text)?)
}

/// Says the workspace has no such channel; exit 1.
fn no_channel(ws: &handshake_store::Workspace, n: &ChannelName) -> ExitCode {
    eprintln!(
        "workspace \"{}\" has no channel \"{n}\"; `handshake channel list` shows them",
        ws.as_str()
    );
    ExitCode::from(1)
}

pub async fn channel(global: &Global, cmd: ChannelCommand) -> anyhow::Result<ExitCode> {
    let (store, ws) = super::store::open(global).await?;
    let now = Timestamp::now().as_second();
    match cmd {
        ChannelCommand::Add {
            name: n,
            webhook,
            slack,
            email,
            from,
            log,
            secret_file,
            secret_env,
            per_minute,
        } => {
            let secret = match (secret_file, secret_env) {
                (Some(path), None) => {
                    // Absolute, so any later reading (a server started
                    // elsewhere) finds the same file.
                    let path = std::path::absolute(&path).with_context(|| {
                        format!("cannot resolve --secret-file {}", path.display())
                    })?;
                    Some(SecretSource::File(path))
                }
                (None, Some(var)) => Some(SecretSource::Env(var)),
                _ => None,
            };
            let (channel, per_minute) = setup::build_channel(ChannelSpec {
                name: n,
                webhook,
                slack,
                email,
                from,
                log,
                secret,
                per_minute,
            })?;
            store.add_channel(&ws, &channel, now).await?;
            store
                .set_channel_pace(&ws, &channel.name, per_minute)
                .await?;
            eprintln!(
                "added {} channel \"{}\" to workspace \"{}\"{}; check it with `handshake channel test {}`",
                channel.target.kind(),
                channel.name,
                ws.as_str(),
                per_minute.map_or_else(String::new, |n| format!(" (at most {n} a minute)")),
                channel.name
            );
        }
        ChannelCommand::List => {
            let channels = store.channels(&ws).await?;
            let health = store.channel_health(&ws).await?;
            let tz = store
                .latest_agreement(&ws)
                .await?
                .map_or(jiff::tz::TimeZone::UTC, |a| a.time_zone.tz);
            if channels.is_empty() {
                eprintln!(
                    "no channel in workspace \"{}\" yet; add one with `handshake channel add NAME --webhook URL --secret-file FILE`",
                    ws.as_str()
                );
            }
            let mut out = String::new();
            for c in &channels {
                let secret = match &c.target {
                    ChannelTarget::Webhook { secret, .. } => format!("secret from {secret}"),
                    ChannelTarget::Slack { .. } => "no signature (Slack)".to_string(),
                    ChannelTarget::Log => "written to the server's log".to_string(),
                    ChannelTarget::Email {
                        secret: Some(s), ..
                    } => format!("SMTP password from {s}"),
                    ChannelTarget::Email { secret: None, .. } => "no SMTP password".to_string(),
                };
                let h = health.iter().find(|h| h.name == c.name.as_str());
                let pace = h
                    .and_then(|h| h.per_minute)
                    .map_or_else(|| "no rate limit".to_string(), |n| format!("{n}/min"));
                let shown = |t: i64| {
                    Timestamp::from_second(t).map_or_else(
                        |_| t.to_string(),
                        |t| {
                            t.to_zoned(tz.clone())
                                .strftime("%Y-%m-%d %H:%M %Z")
                                .to_string()
                        },
                    )
                };
                let state = match h {
                    Some(h) if h.suspended_at.is_some() => format!(
                        "SUSPENDED since {} after {} refused attempts in a row; `handshake channel resume {}` once fixed",
                        shown(h.suspended_at.unwrap_or_default()),
                        h.failures,
                        c.name
                    ),
                    Some(h) if h.failures > 0 => format!(
                        "failing: {} refused attempts in a row since {}",
                        h.failures,
                        shown(h.failing_since.unwrap_or_default())
                    ),
                    _ => "ok".to_string(),
                };
                out.push_str(&format!(
                    "{}\t{}\t{}\t{secret}\t{pace}\t{state}\n",
                    c.name,
                    c.target.kind(),
                    c.target.shown_url()
                ));
            }
            super::emit(&out);
        }
        ChannelCommand::Resume { name: n } => {
            let n = name(&n)?;
            if !store.resume_channel(&ws, &n).await? {
                return Ok(no_channel(&ws, &n));
            }
            eprintln!(
                "channel \"{n}\" of workspace \"{}\" resumed: its waiting notifications are tried at once",
                ws.as_str()
            );
        }
        ChannelCommand::Remove { name: n } => {
            let n = name(&n)?;
            if !store.remove_channel(&ws, &n).await? {
                return Ok(no_channel(&ws, &n));
            }
            eprintln!("removed channel \"{n}\" from workspace \"{}\"", ws.as_str());
        }
        ChannelCommand::Test { name: n } => {
            let n = name(&n)?;
            let Some(channel) = store.channel(&ws, &n).await? else {
                return Ok(no_channel(&ws, &n));
            };
            let (id, answer) = setup::test_channel(&channel, ws.as_str(), now).await?;
            let shown: String = answer.body.chars().take(500).collect();
            println!(
                "{} answered {} to test delivery {id}{}",
                channel.target.shown_url(),
                answer.status,
                if shown.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", shown.trim())
                }
            );
            if !answer.accepted() {
                eprintln!(
                    "the receiver did not accept the delivery (expected a 2xx answer); for a webhook, check that it verifies Handshake-Signature with the same secret (docs/alerts.md)"
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
