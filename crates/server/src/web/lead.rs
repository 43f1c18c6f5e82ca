//! `GET /leads/{id}`: one lead's (or request's) timeline of events, with
//! the notifications its clocks' ladders sent (to whom, where, and whether
//! they arrived), and its clocks; `GET /leads?id=` jumps there from the
//! search box.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use handshake_core::event::{Attributes, EventKind};
use handshake_core::lead::LeadState;
use serde::Deserialize;

use super::session::Signed;
use super::{Layout, error_page, render, snapshot, spoken, store_down, when, when_secs};
use crate::AppState;

pub(crate) struct ClockRow {
    pub guarantee: String,
    pub state: &'static str,
    pub class: &'static str,
    pub start: String,
    pub due: String,
    pub stop: String,
    pub used: String,
    /// What became of an extension asked for on it; empty without one.
    pub extension: String,
    pub version: u32,
}

pub(crate) struct EventRow {
    pub when: String,
    pub kind: &'static str,
    pub detail: String,
    pub id: String,
}

/// How many of a lead's notifications its timeline shows (the latest).
const NOTIFICATIONS_SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    layout: Layout,
    facts: Vec<(&'static str, String)>,
    clocks: Vec<ClockRow>,
    events: Vec<EventRow>,
}

fn attributes(a: &Attributes) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k} {v}"));
        }
    };
    add("source", &a.source);
    add("segment", &a.segment);
    add("persona", &a.persona);
    add("owner", &a.owner);
    add("company", &a.company);
    if let Some(s) = a.score {
        parts.push(format!("score {s}"));
    }
    for (k, v) in &a.other {
        parts.push(format!("{k} {v}"));
    }
    parts.join(", ")
}

/// An event's fields in words.
fn detail(kind: &EventKind) -> String {
    let by = |b: &Option<String>| b.as_ref().map_or_else(String::new, |b| format!(" by {b}"));
    match kind {
        EventKind::LeadCreated(a) | EventKind::LeadUpdated(a) => attributes(a),
        EventKind::StageChanged { stage } => format!("to {stage}"),
        EventKind::Assigned { owner } => format!("to {owner}"),
        EventKind::Touched {
            channel,
            by: who,
            automated,
        } => format!(
            "via {}{}{}",
            channel.as_str(),
            by(who),
            if *automated {
                " (automated: never stops a clock)"
            } else {
                ""
            }
        ),
        EventKind::Activity { activity } => activity.clone(),
        EventKind::Accepted { by: who } => by(who).trim().to_string(),
        EventKind::Rejected { reason, by: who } => format!("for {reason}{}", by(who)),
        EventKind::Recycled { reason } => reason.clone().unwrap_or_default(),
        EventKind::OpportunityCreated { amount } | EventKind::DealWon { amount } => {
            format!("{} {}", amount.amount_text(), amount.currency)
        }
        EventKind::DealLost { reason } => reason.clone().unwrap_or_default(),
        EventKind::RequestOpened {
            from,
            to,
            channel,
            kind,
        } => format!(
            "from {from} to {to} via {channel}{}",
            kind.as_ref()
                .map_or_else(String::new, |k| format!(" ({k})"))
        ),
        EventKind::Request(_) => String::new(),
        EventKind::ExtensionRequested { until } => format!("until {until}"),
    }
}

#[derive(Deserialize)]
pub(crate) struct Find {
    id: Option<String>,
}

/// The search box: to the lead's page.
pub(crate) async fn find(Signed(_, _): Signed, Query(q): Query<Find>) -> Response {
    let id = q.id.unwrap_or_default();
    let id = id.trim();
    if id.is_empty() {
        return Redirect::to("/queue").into_response();
    }
    let path = super::encode(id, false);
    Redirect::to(&format!("/leads/{path}")).into_response()
}

/// One lead's page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Path(id): Path<String>,
) -> Response {
    let snap = match snapshot(&state, &session, "", "Lead").await {
        Ok(s) => s,
        Err(page) => return page,
    };
    let events = match state.store.timeline(&session.ws, &id).await {
        Ok(e) => e,
        Err(e) => return store_down(&e, "The lead's events"),
    };
    if events.is_empty() {
        return error_page(
            StatusCode::NOT_FOUND,
            "No such lead",
            &format!(
                "No event in workspace \"{}\" is about \"{id}\". Lead ids are the CRM's, e.g. L-000042.",
                session.ws.as_str()
            ),
        );
    }
    let a = snap.agreement();
    let tz = &a.time_zone.tz;
    let s = LeadState::fold(&events);
    // Corrected events replace their earlier versions, which the timeline
    // still shows, marked.
    let mut current: Vec<&handshake_core::event::Event> = events.iter().collect();
    handshake_core::event::latest_versions(&mut current);
    let current_ids: std::collections::HashSet<&str> =
        current.iter().map(|e| e.id.as_str()).collect();
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let facts = vec![
        ("Stage", text(&s.stage)),
        ("Owner", text(&s.owner)),
        ("Source", text(&s.source)),
        ("Segment", text(&s.segment)),
        ("Company", text(&s.company)),
        ("Touches", s.touches.to_string()),
        (
            "Decision",
            if s.accepted {
                "accepted".into()
            } else {
                s.rejected_reason
                    .as_ref()
                    .map_or_else(|| "none yet".into(), |r| format!("rejected: {r}"))
            },
        ),
        (
            "Won",
            if s.won.is_empty() {
                if s.lost { "lost".into() } else { "—".into() }
            } else {
                s.won
                    .iter()
                    .map(|m| format!("{} {}", m.amount_text(), m.currency))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ];
    let clocks = snap
        .evaluation
        .clocks
        .iter()
        .filter(|c| c.subject == id)
        .map(|c| {
            let state = c.view.state.as_str();
            ClockRow {
                guarantee: c.guarantee.clone(),
                state,
                class: if c.view.at_risk { "at_risk" } else { state },
                start: when_secs(Some(c.view.start), tz),
                due: when_secs(c.view.due, tz),
                stop: when_secs(c.view.stop, tz),
                used: format!(
                    "{} of {}",
                    spoken(a, &c.guarantee, c.view.used),
                    spoken(a, &c.guarantee, c.view.promised)
                ),
                extension: extension_words(c.view.extension.as_deref(), tz),
                version: c.version,
            }
        })
        .collect();
    let sent = match state
        .store
        .notifications_about(&session.ws, &id, NOTIFICATIONS_SHOWN)
        .await
    {
        Ok(n) => n,
        Err(e) => return store_down(&e, "The lead's notifications"),
    };
    // Events and notifications in one timeline, by instant (a notification
    // after the events of its instant).
    let mut rows: Vec<(i64, u8, EventRow)> = events
        .iter()
        .map(|e| {
            (
                e.occurred_at.as_second(),
                0,
                EventRow {
                    when: when(e.occurred_at, tz),
                    kind: e.kind.type_name(),
                    detail: if current_ids.contains(e.id.as_str()) {
                        detail(&e.kind)
                    } else {
                        format!(
                            "{} (replaced by a later version of this event)",
                            detail(&e.kind)
                        )
                    },
                    id: e.id.to_string(),
                },
            )
        })
        .collect();
    rows.extend(sent.into_iter().map(|n| {
        let state = super::notifications::state_word(&n);
        (
            n.due_at,
            1,
            EventRow {
                when: when_secs(Some(n.due_at), tz),
                kind: "notification",
                detail: format!(
                    "via {} ({state}): {}",
                    n.channel,
                    n.summary.unwrap_or(n.key)
                ),
                id: n.delivery_id,
            },
        )
    }));
    rows.sort_by_key(|(t, order, _)| (*t, *order));
    let events = rows.into_iter().map(|(_, _, row)| row).collect();
    render(&LeadPage {
        layout: Layout::new(&session, "", format!("Lead {id}")).fresh(&snap),
        facts,
        clocks,
        events,
    })
}

/// What became of a clock's extension, as its row says it; empty without one.
pub(crate) fn extension_words(
    x: Option<&handshake_core::engine::Extension>,
    tz: &jiff::tz::TimeZone,
) -> String {
    use handshake_core::engine::ExtensionState;
    let Some(x) = x else {
        return String::new();
    };
    let until = when_secs(Some(x.until), tz);
    let asked = when_secs(Some(x.asked_at), tz);
    match x.state {
        ExtensionState::Asked => format!("extension until {until} asked {asked}, not answered yet"),
        ExtensionState::Granted => format!("extension until {until} asked {asked}, granted"),
        ExtensionState::Refused => format!("extension until {until} asked {asked}, refused"),
        ExtensionState::AskedTooLate => {
            format!("extension until {until} asked {asked}: too late, refused by the rules")
        }
    }
}
