//! `GET /notifications`: the outbox as people read it: each notification
//! sent, pending, retrying or failed, with the receiver's last answer, the
//! most recently due first; the channels that are failing or suspended
//! above them; and, for an admin, a button that tries one again
//! (`POST /notifications/retry`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use handshake_store::{Notification, NotificationState};
use serde::Deserialize;

use super::session::{Signed, csrf_ok};
use super::{Layout, error_page, forbidden, render, store_down, when_secs};
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
    /// A line per channel that is failing or suspended.
    channels: Vec<String>,
    rows: Vec<Row>,
    /// Whether the retry buttons are shown (an admin's session).
    can_retry: bool,
}

/// Where a notification stands, as the pages say it: sent, pending,
/// retrying (refused at least once) or failed.
pub(crate) fn state_word(n: &Notification) -> &'static str {
    match n.state {
        NotificationState::Delivered => "sent",
        NotificationState::Failed => "failed",
        NotificationState::Pending if n.attempts > 0 => "retrying",
        NotificationState::Pending => "pending",
    }
}

/// The page.
pub(crate) async fn page(State(state): State<AppState>, Signed(session, _): Signed) -> Response {
    let (list, health) = match (
        state.store.notifications(&session.ws, SHOWN).await,
        state.store.channel_health(&session.ws).await,
    ) {
        (Ok(l), Ok(h)) => (l, h),
        (Err(e), _) | (_, Err(e)) => return store_down(&e, "The notifications"),
    };
    // Times in the agreement's zone when one is applied.
    let tz = match state.store.latest_agreement(&session.ws).await {
        Ok(Some(a)) => a.time_zone.tz,
        _ => jiff::tz::TimeZone::UTC,
    };
    let channels = health
        .iter()
        .filter_map(|h| match (h.suspended_at, h.failing_since) {
            (Some(at), _) => Some(format!(
                "Channel {} is suspended since {} after {} refused attempts in a row: its notifications wait, untried. Fix the receiver (`handshake channel test {}` says what it answers), then `handshake channel resume {}`.",
                h.name,
                when_secs(Some(at), &tz),
                h.failures,
                h.name,
                h.name
            )),
            (None, Some(since)) => Some(format!(
                "Channel {} is failing: {} refused attempts in a row since {}.",
                h.name,
                h.failures,
                when_secs(Some(since), &tz)
            )),
            (None, None) => None,
        })
        .collect();
    let rows: Vec<Row> = list
        .into_iter()
        .map(|n| Row {
            due: when_secs(Some(n.due_at), &tz),
            state: state_word(&n),
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
        channels,
        rows,
        can_retry: session.admin,
    })
}

/// The retry form.
#[derive(Deserialize)]
pub(crate) struct Retry {
    csrf: String,
    key: String,
}

/// `POST /notifications/retry`: an admin tries a notification again now,
/// under its delivery id.
pub(crate) async fn retry(
    State(state): State<AppState>,
    Signed(session, _): Signed,
    Form(f): Form<Retry>,
) -> Response {
    if !csrf_ok(&session, &f.csrf) {
        return forbidden();
    }
    if !session.admin {
        return error_page(
            StatusCode::FORBIDDEN,
            "Only an admin may retry",
            "Retrying a notification needs a session signed in with an admin token (`handshake token create --role admin`).",
        );
    }
    let now = jiff::Timestamp::now().as_second();
    match state
        .store
        .retry_notification(&session.ws, &f.key, now)
        .await
    {
        Ok(true) => Redirect::to("/notifications").into_response(),
        Ok(false) => error_page(
            StatusCode::NOT_FOUND,
            "No such notification to retry",
            "The workspace has no notification by that key that is not yet delivered; it may have been delivered meanwhile.",
        ),
        Err(e) => store_down(&e, "Retrying the notification"),
    }
}
