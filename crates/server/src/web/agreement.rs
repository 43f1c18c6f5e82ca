//! `GET /agreement`: the active version in plain words, every version, and
//! the line diff between two of them (`?from=1&to=2`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
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
    diff: Vec<(&'static str, String)>,
    explained: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub(crate) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
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
    if q.from.is_some() || q.to.is_some() {
        let find = |n: i64| stored.iter().find(|v| v.version == n);
        match (find(from), find(to)) {
            (Some(old), Some(new)) => {
                diff = lines(&old.source, &new.source)
                    .into_iter()
                    .map(|l| match l {
                        Line::Same(s) => ("same", format!("  {s}")),
                        Line::Removed(s) => ("del", format!("- {s}")),
                        Line::Added(s) => ("add", format!("+ {s}")),
                    })
                    .collect();
            }
            _ => {
                return error_page(
                    StatusCode::NOT_FOUND,
                    "No such version",
                    &format!("Versions 1 to {latest} exist; version {from} or {to} does not."),
                );
            }
        }
    }
    let explained = explain(a)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            if let Some(h) = l.strip_prefix('#') {
                ("h", h.trim_start_matches('#').trim().to_string())
            } else if let Some(item) = l.strip_prefix("- ") {
                ("li", format!("• {item}"))
            } else {
                ("", l.to_string())
            }
        })
        .collect();
    render(&AgreementPage {
        layout: Layout::new(&session, "/agreement", format!("Agreement · {}", a.name)).fresh(&snap),
        active: latest,
        versions: stored
            .iter()
            .map(|v| (v.version, v.name.clone(), when(v.created_at, tz)))
            .collect(),
        from,
        to,
        diff,
        explained,
    })
}
