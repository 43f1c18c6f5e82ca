//! `GET/POST /whatif`: a draft agreement, pasted or uploaded, judged on the
//! same events at the same instant as the active version, side by side.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use handshake_core::agreement::{Agreement, Period};
use handshake_core::engine::report::{self, Range};
use handshake_core::engine::{Evaluation, PeriodKey, Report};

use super::session::{Signed, csrf_ok};
use super::{Layout, error_page, forbidden, render, snapshot};
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

/// The two reports side by side, one row per guarantee and goal period:
/// the very rows `handshake whatif` prints.
fn rows(snap: &Snapshot, draft: &Agreement, de: &Evaluation, period: PeriodKey) -> Vec<Row> {
    let a = snap.agreement();
    let active = Report::new(
        &snap.evaluation,
        a,
        Range::period(period, a),
        Some(snap.version),
    );
    let drafted = Report::new(de, draft, Range::period(period, draft), None);
    report::side_by_side_rows(&active, &drafted)
        .into_iter()
        .map(|r| Row {
            class: if r.changed() { "changed" } else { "" },
            name: r.what,
            active: r.active,
            draft: r.draft,
        })
        .collect()
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
                    "period \"{p}\" is not a period; expected {}",
                    PeriodKey::EXPECTED
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
        Err(Unjudged::Busy) => return super::busy("Other what-ifs"),
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
