//! `GET /agreement`: the active version in plain words (Markdown rendered,
//! HTML escaped), every version, and what changed between two of them
//! (`?from=1&to=2`): by meaning, item by item and field by field, with the
//! line diff one click away (`&text=1`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use handshake_core::agreement::changes::{ChangeKind, changes};
use handshake_core::agreement::explain;
use handshake_core::diff::{Line, lines};
use serde::Deserialize;

use super::session::Signed;
use super::{Layout, error_page, render, snapshot, store_down, when};
use crate::AppState;

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    layout: Layout,
    active: i64,
    versions: Vec<(i64, String, String)>,
    from: i64,
    to: i64,
    /// Whether two versions are being compared.
    comparing: bool,
    /// Show the line diff rather than the changes.
    text: bool,
    /// Each change: its class (add, del, change) and its words.
    changes: Vec<(&'static str, String)>,
    diff: Vec<(&'static str, String)>,
    /// The explanation as HTML: rendered from Markdown with raw HTML escaped.
    explained: String,
}

#[derive(Deserialize)]
pub(crate) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
    /// `1`: the line diff instead of the changes.
    text: Option<u8>,
}

/// The agreement page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Query(q): Query<DiffQuery>,
) -> Response {
    let snap = match snapshot(&state, &session, "/agreement", "Agreement").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let stored = match state.store.agreements(&session.ws).await {
        Ok(v) => v,
        Err(e) => return store_down(&e, "The agreement versions"),
    };
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let latest = stored.last().map_or(0, |v| v.version);
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or(to - 1).max(1);
    let mut diff = Vec::new();
    let mut found = Vec::new();
    let comparing = q.from.is_some() || q.to.is_some();
    let mut text = q.text == Some(1);
    if comparing {
        let find = |n: i64| stored.iter().find(|v| v.version == n);
        let (Some(old), Some(new)) = (find(from), find(to)) else {
            return error_page(
                StatusCode::NOT_FOUND,
                "No such version",
                &format!("Versions 1 to {latest} exist; version {from} or {to} does not."),
            );
        };
        match changes(&old.source, &new.source) {
            Ok(c) => {
                found = c
                    .iter()
                    .map(|c| {
                        let class = match c.what {
                            ChangeKind::Added => "add",
                            ChangeKind::Removed => "del",
                            ChangeKind::Changed(_) => "change",
                        };
                        (class, c.to_string())
                    })
                    .collect();
            }
            // Stored versions were checked, so this is not expected; the
            // line diff still says everything.
            Err(_) => text = true,
        }
        if text {
            diff = lines(&old.source, &new.source)
                .into_iter()
                .map(|l| match l {
                    Line::Same(s) => ("same", format!("  {s}")),
                    Line::Removed(s) => ("del", format!("- {s}")),
                    Line::Added(s) => ("add", format!("+ {s}")),
                })
                .collect();
        }
    }
    let explained = super::markdown::to_html(&explain(a), 2);
    render(&AgreementPage {
        layout: Layout::new(&session, "/agreement", format!("Agreement · {}", a.name)).fresh(&snap),
        // The words shown are the snapshot's version's, which may trail a version
        // another process applied a moment ago.
        active: snap.version,
        versions: stored
            .iter()
            .map(|v| (v.version, v.name.clone(), when(v.created_at, tz)))
            .collect(),
        from,
        to,
        comparing,
        text,
        changes: found,
        diff,
        explained,
    })
}
