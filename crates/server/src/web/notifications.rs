//! `GET /notifications`: the outbox as people read it: each notification
//! sent, pending, retrying or failed, with the receiver's last answer, the
//! most recently due first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use handshake_store::NotificationState;

use super::session::Signed;
use super::{Layout, render, store_down, when_secs};
use crate::AppState;

/// The most rows shown.
const SHOWN: i64 = 200;

pub(crate) struct Row {
    pub due: String,
    pub state: &'static str,
    pub channel: String,
    pub kind: String,
    pub key: String,
    pub attempts: i64,
    pub answer: String,
    pub delivery: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    summary: String,
    rows: Vec<Row>,
}

/// The page.
pub(crate) async fn page(State(state): State<AppState>, Signed(session, _): Signed) -> Response {
    let list = match state.store.notifications(&session.ws, SHOWN).await {
        Ok(l) => l,
        Err(e) => return store_down(&e, "The notifications"),
    };
    // Times in the agreement's zone when one is applied.
    let tz = match state.store.latest_agreement(&session.ws).await {
        Ok(Some(a)) => a.time_zone.tz,
        _ => jiff::tz::TimeZone::UTC,
    };
    let rows: Vec<Row> = list
        .into_iter()
        .map(|n| Row {
            due: when_secs(Some(n.due_at), &tz),
            state: match n.state {
                NotificationState::Delivered => "sent",
                NotificationState::Failed => "failed",
                NotificationState::Pending if n.attempts > 0 => "retrying",
                NotificationState::Pending => "pending",
            },
            channel: n.channel,
            kind: n.kind,
            key: n.key,
            attempts: n.attempts,
            answer: match (n.last_status, n.last_answer) {
                (Some(s), Some(a)) if !a.is_empty() => {
                    format!("{s}: {}", a.chars().take(200).collect::<String>())
                }
                (Some(s), _) => s.to_string(),
                (None, Some(a)) => a.chars().take(200).collect(),
                (None, None) => "—".into(),
            },
            delivery: n.delivery_id,
        })
        .collect();
    let count = |s: &str| rows.iter().filter(|r| r.state == s).count();
    let summary = format!(
        "{} sent, {} pending, {} retrying, {} failed{}",
        count("sent"),
        count("pending"),
        count("retrying"),
        count("failed"),
        if rows.len() as i64 == SHOWN {
            format!(" among the {SHOWN} most recently due")
        } else {
            String::new()
        }
    );
    render(&NotificationsPage {
        layout: Layout::new(&session, "/notifications", "Notifications"),
        summary,
        rows,
    })
}
