//! The commands that use the store: `serve`, `apply`, `agreement`, `token`, `events`.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use handshake_core::event::{Event, names_parties, parse_ndjson, refuse_unknown_parties};
use handshake_store::{Inserted, Store, Workspace};

use crate::cli::{AgreementCommand, Global};

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub async fn open(global: &Global) -> anyhow::Result<(Store, Workspace)> {
    let workspace = Workspace::new(&global.workspace)?;
    let store = Store::connect(&global.db)
        .await
        .with_context(|| format!("opening the store {}", redact(&global.db)))?;
    Ok((store, workspace))
}

/// The URL without any password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

pub async fn serve(
    global: &Global,
    bind: &str,
    demo: bool,
    mut settings: handshake_server::Settings,
) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HANDSHAKE_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let (store, ws) = open(global).await?;
    let backend = store.backend();
    let token = if demo {
        Some(super::demo::prepare(&store, &ws).await?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| {
        format!("cannot listen on {bind}; expected HOST:PORT such as 127.0.0.1:8080")
    })?;
    let addr = listener.local_addr()?;
    if settings.public_url.is_none() && !addr.ip().is_unspecified() {
        settings.public_url = Some(format!("http://{addr}"));
    }
    // A closed stdout (a supervisor that stopped reading) must not stop the server.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "Handshake listening on http://{addr} (store: {backend}, {})",
        redact(&global.db)
    );
    match &token {
        Some(t) => {
            let _ = writeln!(
                out,
                "Dashboard: http://{addr}/  (sign in with this token: {t})"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Dashboard: http://{addr}/  (sign in with a token from `handshake token create --name NAME`)"
            );
        }
    }
    let _ = writeln!(out, "API docs: http://{addr}/api/v1/docs");
    let _ = out.flush();
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => {
                        let _ = ctrl_c.await;
                        return;
                    }
                };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    };
    let state = handshake_server::AppState::with_settings(store, settings);
    state.warm(ws);
    handshake_server::serve(listener, state, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn apply(global: &Global, file: &Path) -> anyhow::Result<ExitCode> {
    let name = file.display().to_string();
    let (store, ws) = open(global).await?;
    // Alert steps name the workspace's channels: checked before storing.
    let channels: Vec<_> = store
        .channels(&ws)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let (agreement, text) = match super::check::read_checked_for(file, Some(&channels))? {
        Ok(found) => found,
        Err(errors) => {
            eprintln!("{name}: {errors} errors; nothing applied");
            return Ok(ExitCode::from(1));
        }
    };
    let version = store.add_agreement(&ws, &agreement.name, &text).await?;
    println!(
        "applied {name} as version {version} of workspace \"{}\"",
        ws.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn agreement(global: &Global, cmd: AgreementCommand) -> anyhow::Result<ExitCode> {
    let (store, ws) = open(global).await?;
    match cmd {
        AgreementCommand::List => {
            let versions = store.agreements(&ws).await?;
            if versions.is_empty() {
                println!(
                    "no agreement applied in workspace \"{}\" yet; apply one with `handshake apply FILE`",
                    ws.as_str()
                );
            }
            for v in versions {
                println!(
                    "{:>4}  {}  {}",
                    v.version,
                    v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    v.name
                );
            }
        }
        AgreementCommand::Show { number: version } => match store.agreement(&ws, version).await? {
            Some(v) => print!("{}", v.source),
            None => {
                eprintln!(
                    "no version {version} in workspace \"{}\"; `handshake agreement list` shows the versions",
                    ws.as_str()
                );
                return Ok(ExitCode::from(1));
            }
        },
        AgreementCommand::Diff { from, to, text } => {
            let (Some(old), Some(new)) = (
                store.agreement(&ws, from).await?,
                store.agreement(&ws, to).await?,
            ) else {
                eprintln!(
                    "no version {from} or {to} in workspace \"{}\"; `handshake agreement list` shows the versions",
                    ws.as_str()
                );
                return Ok(ExitCode::from(1));
            };
            let mut out = String::new();
            if text {
                for line in handshake_core::diff::lines(&old.source, &new.source) {
                    out += &match line {
                        handshake_core::diff::Line::Same(s) => format!("  {s}\n"),
                        handshake_core::diff::Line::Removed(s) => format!("- {s}\n"),
                        handshake_core::diff::Line::Added(s) => format!("+ {s}\n"),
                    };
                }
            } else {
                let found = handshake_core::agreement::changes::changes(&old.source, &new.source)?;
                if found.is_empty() {
                    out += "no change in meaning: only comments, order or layout differ\n";
                }
                for c in found {
                    out += &format!("{c}\n");
                }
            }
            super::emit(&out);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Events per transaction when loading a file.
const CHUNK: usize = 10_000;

pub async fn events(global: &Global, file: &str) -> anyhow::Result<ExitCode> {
    let mut body = Vec::new();
    if file == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .context("reading stdin")?;
    } else {
        body = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
    }
    let parsed = parse_ndjson(&body);
    let (store, ws) = open(global).await?;
    let (mut accepted, mut duplicates) = (0usize, 0usize);
    let mut rejected: Vec<serde_json::Value> = parsed
        .rejected
        .iter()
        .map(|(line, e)| serde_json::json!({ "line": line, "code": e.code.as_str(), "message": e.message }))
        .collect();
    // Requests must name parties of the agreement in force.
    let agreement = if names_parties(parsed.events.iter().map(|(_, e)| e)) {
        store.latest_agreement(&ws).await?
    } else {
        None
    };
    let (kept, refused) = refuse_unknown_parties(parsed.events, agreement.as_ref());
    rejected.extend(refused.iter().map(|(line, e)| {
        serde_json::json!({ "line": line, "code": e.code.as_str(), "message": e.message })
    }));
    for chunk in kept.chunks(CHUNK) {
        let events: Vec<Event> = chunk.iter().map(|(_, e)| e.clone()).collect();
        let outcome = store.insert_events(&ws, &events).await?;
        for ((line, e), result) in chunk.iter().zip(outcome) {
            match result {
                Inserted::Accepted => accepted += 1,
                Inserted::Duplicate => duplicates += 1,
                Inserted::Conflict => rejected.push(serde_json::json!({
                    "line": line, "code": "conflict",
                    "message": format!("event id \"{}\" is already stored with a different body", e.id),
                })),
            }
        }
    }
    rejected.sort_by_key(|r| r["line"].as_u64());
    let any_rejected = !rejected.is_empty();
    println!(
        "{}",
        serde_json::json!({ "accepted": accepted, "duplicates": duplicates, "rejected": rejected })
    );
    Ok(if any_rejected {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
