//! `GET/POST /whatif`: a draft agreement, pasted or uploaded, judged on the
//! same events at the same instant as the active version, side by side.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use handshake_core::agreement::{Agreement, Period};
use handshake_core::engine::{Evaluation, PeriodKey};

use super::session::{Signed, csrf_ok};
use super::{Layout, error_page, forbidden, percent, render, snapshot};
use crate::AppState;
use crate::draft::{Unjudged, check_draft, judge_draft};
use crate::live::Snapshot;

/// The largest draft accepted, in bytes.
const MAX_DRAFT: usize = 512 * 1024;

pub(crate) struct Row {
    pub name: String,
    pub active: String,
    pub draft: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "whatif.html")]
struct WhatifPage {
    layout: Layout,
    draft: String,
    period: String,
    errors: Vec<String>,
    rows: Vec<Row>,
}

fn page(snap: &Snapshot, layout: Layout, draft: String, period: String) -> WhatifPage {
    WhatifPage {
        layout: layout.fresh(snap),
        draft,
        period,
        errors: Vec::new(),
        rows: Vec::new(),
    }
}

/// The form, filled with the active version to edit.
pub(crate) async fn form(State(state): State<AppState>, Signed(session, _): Signed) -> Response {
    let snap = match snapshot(&state, &session, "/whatif", "What-if").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let source = match state.store.agreement(&session.ws, snap.version).await {
        Ok(v) => v.map(|v| v.source).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let a = snap.agreement();
    let period =
        PeriodKey::containing(Period::Month, snap.evaluation.as_of, &a.time_zone.tz).to_string();
    render(&page(
        &snap,
        Layout::new(&session, "/whatif", "What-if"),
        source,
        period,
    ))
}

fn goal_cell(e: &Evaluation, a: &Agreement, id: &str, start: jiff::Timestamp) -> String {
    let Some(goal) = a.goals.iter().find(|g| g.id.as_str() == id) else {
        return "—".into();
    };
    let key = PeriodKey::containing(goal.per, start, &a.time_zone.tz);
    e.goals
        .iter()
        .find(|g| g.id == id && g.period == key)
        .map_or_else(
            || format!("no data ({key})"),
            |g| {
                let verdict = match g.attained {
                    Some(true) => "attained",
                    Some(false) if g.closed => "missed",
                    Some(false) => "below target so far",
                    None => "nothing to measure",
                };
                format!("{} of {}: {verdict} ({key})", g.actual, g.target)
            },
        )
}

fn rows(snap: &Snapshot, draft: &Agreement, de: &Evaluation, period: PeriodKey) -> Vec<Row> {
    let a = snap.agreement();
    let ae = &snap.evaluation;
    let tz = &a.time_zone.tz;
    let start = period.start(tz);
    let mut ids: Vec<String> = a.goals.iter().map(|g| g.id.to_string()).collect();
    for g in &draft.goals {
        if !ids.iter().any(|i| i == g.id.as_str()) {
            ids.push(g.id.to_string());
        }
    }
    let mut out: Vec<Row> = ids
        .iter()
        .map(|id| {
            let (active, draft_text) =
                (goal_cell(ae, a, id, start), goal_cell(de, draft, id, start));
            Row {
                name: format!("goal {id}"),
                class: if active == draft_text { "" } else { "changed" },
                active,
                draft: draft_text,
            }
        })
        .collect();
    let (from, to) = (start.as_second(), period.end(tz).as_second());
    let active_g = ae.guarantee_summaries(a, from, to);
    let draft_g = de.guarantee_summaries(draft, from, to);
    let cell = |s: Option<&handshake_core::engine::GuaranteeSummary>| {
        s.map_or_else(
            || "—".into(),
            |s| {
                format!(
                    "{} in time · {} breached of {}",
                    percent(s.compliance),
                    s.breached,
                    s.clocks
                )
            },
        )
    };
    let mut gids: Vec<&str> = active_g.iter().map(|g| g.id.as_str()).collect();
    for g in &draft_g {
        if !gids.contains(&g.id.as_str()) {
            gids.push(g.id.as_str());
        }
    }
    for id in gids {
        let active = cell(active_g.iter().find(|g| g.id == id));
        let draft_text = cell(draft_g.iter().find(|g| g.id == id));
        out.push(Row {
            name: format!("guarantee {id}"),
            class: if active == draft_text { "" } else { "changed" },
            active,
            draft: draft_text,
        });
    }
    out
}

/// Compares a posted draft with the active version.
pub(crate) async fn compare(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    mut form: Multipart,
) -> Response {
    let (mut csrf, mut draft, mut file, mut period) =
        (String::new(), String::new(), String::new(), String::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "The form did not arrive whole",
                    &format!("{e}; send the form again."),
                );
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let Ok(value) = field.text().await else {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The draft is not text",
                "Expected the agreement as UTF-8 TOML text.",
            );
        };
        if value.len() > MAX_DRAFT {
            return error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The draft is too large",
                "Agreements are a few kilobytes; the draft is over 512 KiB.",
            );
        }
        match name.as_str() {
            "csrf" => csrf = value,
            "draft" => draft = value,
            "file" => file = value,
            "period" => period = value,
            _ => {}
        }
    }
    if !csrf_ok(&session, &csrf) {
        return forbidden();
    }
    let snap = match snapshot(&state, &session, "/whatif", "What-if").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let text = if file.trim().is_empty() { draft } else { file };
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let key = match period.trim() {
        "" => PeriodKey::containing(Period::Month, snap.evaluation.as_of, tz),
        p => match PeriodKey::parse(p) {
            Some(k) => k,
            None => {
                let mut out = page(
                    &snap,
                    Layout::new(&session, "/whatif", "What-if"),
                    text,
                    period.clone(),
                );
                out.errors.push(format!(
                    "period \"{p}\" is not a period; expected 2026-11, 2026-Q4 or 2026"
                ));
                return render(&out);
            }
        },
    };
    let mut out = page(
        &snap,
        Layout::new(&session, "/whatif", "What-if"),
        text.clone(),
        key.to_string(),
    );
    let draft = match check_draft(&text) {
        Ok(d) => d,
        Err(found) => {
            out.errors = found
                .iter()
                .map(|e| match &e.expected {
                    Some(x) => format!(
                        "line {}, column {}: {} (expected {x})",
                        e.line, e.column, e.message
                    ),
                    None => format!("line {}, column {}: {}", e.line, e.column, e.message),
                })
                .collect();
            let mut response = render(&out);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return response;
        }
    };
    let judged = match judge_draft(&state, &session.ws, draft, snap.evaluation.as_of).await {
        Ok(j) => j,
        Err(Unjudged::Busy) => {
            let mut page = error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy",
                "Other what-ifs are being evaluated; try again in a few seconds.",
            );
            page.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, 5.into());
            return page;
        }
        Err(Unjudged::NoAgreement) => {
            return error_page(
                StatusCode::NOT_FOUND,
                "No agreement",
                "The workspace has no agreement to compare the draft with.",
            );
        }
        Err(Unjudged::Store(e)) => return super::store_down(&e, "The events"),
    };
    out.rows = rows(&judged.active, &judged.draft, &judged.drafted, key);
    render(&out)
}
