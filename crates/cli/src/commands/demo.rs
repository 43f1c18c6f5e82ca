//! `handshake demo` and the demo half of `serve --demo`: generate the demo
//! company into the store (see `handshake_core::demo`).

use std::process::ExitCode;

use anyhow::Context;
use handshake_core::demo::{DEFAULT_LEADS, DemoSpec};
use handshake_store::{Store, Workspace};

use crate::cli::{DemoArgs, Global};

/// `handshake demo`: loads the company and says what it holds.
pub async fn run(global: &Global, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(t) => t.parse().with_context(|| {
            format!(
                "--as-of {t:?} is not an instant; expected RFC 3339 such as 2026-11-22T12:00:00Z"
            )
        })?,
        None => jiff::Timestamp::now(),
    };
    let (store, ws) = super::store::open(global).await?;
    let spec = DemoSpec {
        seed: args.seed,
        leads: args.leads,
        as_of,
    };
    let started = std::time::Instant::now();
    let loaded = handshake_server::load_demo(&store, &ws, &spec).await?;
    println!(
        "demo company loaded into workspace \"{}\" in {:.1} s: agreement version {}, {} new events about {} leads and requests (seed {}, as of {as_of})",
        ws.as_str(),
        started.elapsed().as_secs_f64(),
        loaded.version,
        loaded.events,
        loaded.subjects,
        args.seed
    );
    println!(
        "next: handshake serve, then sign in with a token from `handshake token create --name me`"
    );
    Ok(ExitCode::SUCCESS)
}

/// For `serve --demo`: loads the demo when the workspace is empty (no
/// agreement, no events) and returns a new sign-in token.
pub async fn prepare(store: &Store, ws: &Workspace) -> anyhow::Result<String> {
    let empty = store.agreements(ws).await?.is_empty() && store.count_events(ws).await? == 0;
    if empty {
        eprintln!("the store is empty: loading the demo company (about {DEFAULT_LEADS} leads)…");
        let spec = DemoSpec {
            seed: 7,
            leads: DEFAULT_LEADS,
            as_of: jiff::Timestamp::now(),
        };
        let loaded = handshake_server::load_demo(store, ws, &spec).await?;
        eprintln!(
            "loaded {} events about {} leads and requests",
            loaded.events, loaded.subjects
        );
    }
    let token = store
        .create_token(ws, "serve-demo", handshake_store::TokenRole::Admin, None)
        .await?;
    Ok(token.reveal())
}
