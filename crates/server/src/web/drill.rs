//! `GET /goals/{goal}/{period}`: the leads, opportunities, deals or clocks
//! behind one goal's number in one period, filtered by rep and by whether
//! each is in a rate's numerator, a page at a time, and the same list as CSV
//! (`?format=csv`, every row the filters keep). The number on this page and
//! the rows come from one replay at the live evaluation's instant, so the
//! count always equals the number.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use handshake_core::engine::{GoalLine, NO_OWNER, PeriodKey};
use serde::Deserialize;

use super::clock_list::{Choice, PAGE_ROWS, Select, owner_select, page_number, person_label};
use super::session::Signed;
use super::{Layout, encode, error_page, render, store_down, when, with_query};
use crate::AppState;
use crate::drill::{DrillFilter, explained, line};

/// The filters, the page and the format, as the query gives them.
#[derive(Deserialize, Default)]
pub(crate) struct DrillQuery {
    owner: Option<String>,
    counted: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

struct Row {
    lead: String,
    /// The lead's name, else its company (see `GoalRow::name`).
    name: Option<String>,
    crm_url: Option<String>,
    owner: String,
    at: String,
    guarantee: String,
    /// A money goal's amount, else empty.
    amount: String,
    /// "yes" or "no" for a rate, else empty.
    counted: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    layout: Layout,
    goal: String,
    period: String,
    /// The number as the scorecard shows it, with what it is made of:
    /// "67.0%, 2 of 3".
    figure: String,
    target: String,
    /// Which of the optional columns the rows fill.
    has_guarantee: bool,
    has_amount: bool,
    is_rate: bool,
    /// What the rows are and what the number makes of them.
    explained: &'static str,
    /// Every row behind the number, the rows the filters keep, and of
    /// those the ones in a rate's numerator.
    total: usize,
    shown: usize,
    counted: Option<usize>,
    path: String,
    selects: Vec<Select>,
    csv: String,
    rows: Vec<Row>,
    from: usize,
    to: usize,
    prev: Option<String>,
    next: Option<String>,
}

fn bad(title: &str, message: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, title, message)
}

/// The list behind goal `goal`'s number in `period`.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Path((goal, period)): Path<(String, String)>,
    Query(q): Query<DrillQuery>,
) -> Response {
    let path = format!("/goals/{}/{}", encode(&goal, false), encode(&period, false));
    let Some(key) = PeriodKey::parse(&period) else {
        return bad(
            "No such period",
            &format!(
                "\"{period}\" is not a period; expected {}.",
                PeriodKey::EXPECTED
            ),
        );
    };
    let filter = match DrillFilter::parse(q.owner.as_deref(), q.counted.as_deref()) {
        Ok(f) => f,
        Err(message) => return bad("No such choice", &message),
    };
    let csv = q.format.as_deref() == Some("csv");
    if let Some(f) = q.format.as_deref().filter(|f| !f.is_empty() && *f != "csv") {
        return bad(
            "No such format",
            &format!("\"{f}\" is not a format of this list; expected csv, or none for the page."),
        );
    }
    let page = match page_number(q.page.as_deref()) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    let title = format!("{goal} · {period}");
    let snap = match super::snapshot(&state, &session, &path, &title).await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let drilled = match state
        .engines
        .goal_rows(
            &state.store,
            &session.ws,
            snap.evaluation.as_of,
            goal.clone(),
            key,
        )
        .await
    {
        Err(_) => return super::busy("Other lists, what-ifs and past reports"),
        Ok(Err(e)) => return store_down(&e, "The goal's rows"),
        Ok(Ok(None)) => return super::no_agreement(&session, &path, &title),
        Ok(Ok(Some(d))) => d,
    };
    let a = drilled.agreement();
    let Some((result, rows)) = &drilled.found else {
        return error_page(
            StatusCode::NOT_FOUND,
            "No such goal period",
            &crate::drill::no_goal_period(a, &goal, &period),
        );
    };
    let crm = state.settings.crm_record_url.as_ref();
    let kept = filter.kept(rows);
    if csv {
        let all: Vec<_> = kept.iter().map(|r| line(r, crm)).collect();
        return match crate::drill::csv(&all) {
            Ok(body) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"{}-{period}.csv\"",
                            encode(&goal, false)
                        ),
                    ),
                ],
                body,
            )
                .into_response(),
            Err(e) => store_down(&e, "The CSV"),
        };
    }
    let line = GoalLine::new(a, result);
    let people = match super::people(&state, &session).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let is_rate = rows.iter().any(|r| r.hit.is_some());
    let mut selects = vec![owner_select(
        &people,
        rows.iter().map(|r| r.owner.as_deref()),
        filter.owner.as_ref().map(|o| o.as_deref()),
    )];
    if is_rate {
        selects.push(Select {
            name: "counted",
            label: "Counted",
            any: "all of the rate",
            choices: [("yes", "in the numerator"), ("no", "not in it")]
                .into_iter()
                .map(|(value, label)| Choice {
                    value: value.into(),
                    label: label.into(),
                    selected: filter.counted == Some(value == "yes"),
                })
                .collect(),
        });
    }
    let query = |page: Option<usize>, format: Option<&str>| {
        let mut pairs = Vec::new();
        if let Some(o) = &filter.owner {
            pairs.push(("owner", o.as_deref().unwrap_or(NO_OWNER).to_string()));
        }
        if let Some(c) = filter.counted {
            pairs.push(("counted", if c { "yes" } else { "no" }.to_string()));
        }
        if let Some(f) = format {
            pairs.push(("format", f.to_string()));
        }
        if let Some(p) = page.filter(|p| *p > 0) {
            pairs.push(("page", (p + 1).to_string()));
        }
        with_query(&path, &pairs)
    };
    let tz = &a.time_zone.tz;
    let page = page.min(kept.len().saturating_sub(1) / PAGE_ROWS);
    let (from, to) = (page * PAGE_ROWS, ((page + 1) * PAGE_ROWS).min(kept.len()));
    let shown_rows = kept[from..to]
        .iter()
        .map(|r| {
            // The API's and the CSV's line, with the owner by name and the
            // instant in the agreement's zone for people.
            let l = crate::drill::line(r, crm);
            Row {
                owner: person_label(&people, l.owner.as_deref()),
                at: when(r.at, tz),
                guarantee: l.guarantee.unwrap_or_default(),
                amount: l.amount.unwrap_or_default(),
                counted: l
                    .counted
                    .map(|h| if h { "yes" } else { "no" })
                    .unwrap_or(""),
                lead: l.lead,
                name: l.name,
                crm_url: l.crm_url,
                detail: l.detail,
            }
        })
        .collect();
    let metric = a
        .goals
        .iter()
        .find(|g| g.id.as_str() == goal)
        .map(|g| &g.metric);
    render(&DrillPage {
        layout: Layout::new(&session, &path, &title),
        figure: match (line.numerator, line.denominator) {
            (Some(n), Some(d)) => format!("{}, {n} of {d}", line.actual_text),
            (None, Some(d)) => format!("{}, the median of {d}", line.actual_text),
            _ => line.actual_text.clone(),
        },
        target: line.target_text.clone(),
        has_guarantee: rows.iter().any(|r| r.guarantee.is_some()),
        has_amount: rows.iter().any(|r| r.amount.is_some()),
        is_rate,
        explained: metric.map_or("", explained),
        total: rows.len(),
        shown: kept.len(),
        counted: is_rate.then(|| kept.iter().filter(|r| r.hit == Some(true)).count()),
        csv: query(None, Some("csv")),
        prev: (page > 0).then(|| query(Some(page - 1), None)),
        next: (to < kept.len()).then(|| query(Some(page + 1), None)),
        goal,
        period,
        path,
        selects,
        rows: shown_rows,
        from,
        to,
    })
}
