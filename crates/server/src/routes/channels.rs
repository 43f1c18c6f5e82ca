//! `/api/v1/channels`: alert channels over the API, as `handshake channel`
//! has them, for admin tokens only (a channel decides where the server
//! sends requests). A secret is never given or shown here: a webhook's
//! names an environment variable of the servers, which must start with
//! `HANDSHAKE_SECRET_` so a token cannot make the server sign with one of
//! its other variables (its database URL, say). A secret file is set up
//! with the CLI on the server's machine.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use handshake_core::alerts::{ChannelName, ChannelTarget, SecretSource};
use handshake_store::{ChannelHealth, Workspace};
use serde::{Deserialize, Serialize};

use crate::auth::Admin;
use crate::setup::{self, ChannelSpec};
use crate::{ApiError, AppState};

/// The prefix a secret's environment variable must have over the API.
pub(crate) const SECRET_PREFIX: &str = "HANDSHAKE_SECRET_";

/// A channel as listed: never a secret (a Slack URL, its credential, shows only its host).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChannelDoc {
    /// Its name.
    name: String,
    /// webhook, slack, email or log.
    kind: String,
    /// Where it delivers, as it may be shown.
    url: String,
    /// Where its secret is read (`environment X`, `file /path`), if it has one.
    secret_from: Option<String>,
    /// Sends per minute at most, by all servers together.
    per_minute: Option<i64>,
    /// ok, failing or suspended.
    health: String,
    /// Refused attempts in a row.
    failures: i64,
    /// RFC 3339: the first of those.
    failing_since: Option<String>,
    /// RFC 3339: when it was suspended; its notifications wait until it is resumed.
    suspended_at: Option<String>,
}

/// The workspace's channels.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChannelList {
    /// By name.
    channels: Vec<ChannelDoc>,
}

/// A channel to add: exactly one of `webhook`, `slack`, `email` (with `from`) or `log`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewChannelDoc {
    /// Lowercase letters, digits and dashes, e.g. ops or sales-room.
    name: String,
    /// A receiver's URL for signed JSON POSTs (needs `secret_env`).
    webhook: Option<String>,
    /// A Slack incoming webhook URL.
    slack: Option<String>,
    /// An SMTP server: smtps://USER@HOST:465, smtp://USER@HOST:587?tls=required or smtp://HOST:25.
    email: Option<String>,
    /// The e-mail sender, e.g. alerts@northwind.example.
    from: Option<String>,
    /// The server's log.
    log: Option<bool>,
    /// The servers' environment variable holding the signing secret (or SMTP password); starts with HANDSHAKE_SECRET_.
    secret_env: Option<String>,
    /// Sends per minute at most (1 to 100000); Slack gets 60 when absent.
    per_minute: Option<u32>,
}

/// What a test delivery's receiver answered.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TestAnswer {
    /// The test delivery's id (its Handshake-Delivery header).
    delivery: String,
    /// The receiver's HTTP status (an SMTP reply code for e-mail).
    status: u16,
    /// Whether it accepted (2xx).
    accepted: bool,
    /// The start of its answer.
    answer: String,
}

fn rfc3339(t: Option<i64>) -> Option<String> {
    t.and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| t.to_string())
}

fn no_channel() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "the workspace has no channel by that name; list them with GET /api/v1/channels",
    )
}

/// A store change that says whether the channel was there, as an answer.
fn found(changed: Result<bool, handshake_store::StoreError>) -> Result<(), ApiError> {
    match changed {
        Ok(true) => Ok(()),
        Ok(false) => Err(no_channel()),
        Err(e) => Err(ApiError::store(&e)),
    }
}

fn parse_name(name: &str) -> Result<ChannelName, ApiError> {
    ChannelName::parse(name).map_err(|_| no_channel())
}

async fn docs(state: &AppState, ws: &Workspace) -> Result<Vec<ChannelDoc>, ApiError> {
    let (channels, health) = (
        state
            .store
            .channels(ws)
            .await
            .map_err(|e| ApiError::store(&e))?,
        state
            .store
            .channel_health(ws)
            .await
            .map_err(|e| ApiError::store(&e))?,
    );
    Ok(channels
        .iter()
        .map(|c| {
            let h = health
                .iter()
                .find(|h| h.name == c.name.as_str())
                .cloned()
                .unwrap_or(ChannelHealth {
                    name: c.name.to_string(),
                    per_minute: None,
                    failures: 0,
                    failing_since: None,
                    suspended_at: None,
                });
            ChannelDoc {
                name: c.name.to_string(),
                kind: c.target.kind().to_string(),
                url: c.target.shown_url(),
                secret_from: match &c.target {
                    ChannelTarget::Webhook { secret, .. } => Some(secret.to_string()),
                    ChannelTarget::Email { secret, .. } => secret.as_ref().map(ToString::to_string),
                    ChannelTarget::Slack { .. } | ChannelTarget::Log => None,
                },
                per_minute: h.per_minute,
                health: if h.suspended_at.is_some() {
                    "suspended"
                } else if h.failures > 0 {
                    "failing"
                } else {
                    "ok"
                }
                .to_string(),
                failures: h.failures,
                failing_since: rfc3339(h.failing_since),
                suspended_at: rfc3339(h.suspended_at),
            }
        })
        .collect())
}

/// Lists the channels with their rate limits and health.
#[utoipa::path(get, path = "/api/v1/channels", tag = "channels",
    responses(
        (status = 200, description = "Every channel of the workspace", body = ChannelList),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<ChannelList>, ApiError> {
    Ok(Json(ChannelList {
        channels: docs(&state, &admin.workspace).await?,
    }))
}

/// Adds a channel.
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels",
    request_body(content = NewChannelDoc, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", body = ChannelDoc),
        (status = 400, description = "The body is not JSON of this shape (code invalid_json)", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 409, description = "The workspace has a channel of that name (code conflict)", body = crate::error::ErrorBody),
        (status = 422, description = "A field is not valid (code invalid_field)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn add(
    State(state): State<AppState>,
    Admin(admin): Admin,
    body: Result<Json<NewChannelDoc>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ChannelDoc>), ApiError> {
    let Json(doc) = body.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!(
                "{}; expected {{\"name\": \"ops\", \"webhook\": \"https://...\", \"secret_env\": \"HANDSHAKE_SECRET_OPS\"}}",
                e.body_text()
            ),
        )
    })?;
    let invalid = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", m);
    if let Some(var) = &doc.secret_env
        && !(var.starts_with(SECRET_PREFIX) && var.len() > SECRET_PREFIX.len())
    {
        return Err(invalid(format!(
            "\"secret_env\" {var:?}: over the API a secret's variable must start with {SECRET_PREFIX}, e.g. {SECRET_PREFIX}OPS (set it in the servers' environment)"
        )));
    }
    let (channel, per_minute) = setup::build_channel(ChannelSpec {
        name: doc.name,
        webhook: doc.webhook,
        slack: doc.slack,
        email: doc.email,
        from: doc.from,
        log: doc.log.unwrap_or(false),
        secret: doc.secret_env.map(SecretSource::Env),
        per_minute: doc.per_minute,
    })
    .map_err(|e| invalid(e.to_string()))?;
    if per_minute.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(invalid(
            "\"per_minute\" must be 1 to 100000 sends a minute".into(),
        ));
    }
    let ws = &admin.workspace;
    let now = jiff::Timestamp::now().as_second();
    state
        .store
        .add_channel(ws, &channel, now)
        .await
        .map_err(|e| match e {
            handshake_store::StoreError::Invalid(m) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", m)
            }
            e => ApiError::store(&e),
        })?;
    state
        .store
        .set_channel_pace(ws, &channel.name, per_minute)
        .await
        .map_err(|e| ApiError::store(&e))?;
    tracing::info!(channel = %channel.name, by = admin.id.as_str(), "channel added");
    let doc = docs(&state, ws)
        .await?
        .into_iter()
        .find(|d| d.name == channel.name.as_str())
        .ok_or_else(|| ApiError::store(&"a channel just added is not found"))?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// Removes a channel.
#[utoipa::path(delete, path = "/api/v1/channels/{name}", tag = "channels",
    params(("name" = String, Path, description = "The channel's name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 404, description = "No such channel (code not_found)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let name = parse_name(&name)?;
    found(state.store.remove_channel(&admin.workspace, &name).await)?;
    tracing::info!(channel = %name, by = admin.id.as_str(), "channel removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Sends one test delivery (signed, for a webhook) and says what the receiver answered.
#[utoipa::path(post, path = "/api/v1/channels/{name}/test", tag = "channels",
    params(("name" = String, Path, description = "The channel's name")),
    responses(
        (status = 200, description = "The receiver answered (accepted or not)", body = TestAnswer),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 404, description = "No such channel (code not_found)", body = crate::error::ErrorBody),
        (status = 502, description = "No answer came: unreachable, silent, or its secret unreadable (code delivery_failed)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn test(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> Result<Json<TestAnswer>, ApiError> {
    let name = parse_name(&name)?;
    let channel = state
        .store
        .channel(&admin.workspace, &name)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(no_channel)?;
    let now = jiff::Timestamp::now().as_second();
    let (delivery, answer) = setup::test_channel(&channel, admin.workspace.as_str(), now)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, "delivery_failed", e.to_string()))?;
    Ok(Json(TestAnswer {
        delivery,
        status: answer.status,
        accepted: answer.accepted(),
        answer: answer.body.chars().take(500).collect(),
    }))
}

/// Resumes a suspended channel: its waiting notifications are tried at once.
#[utoipa::path(post, path = "/api/v1/channels/{name}/resume", tag = "channels",
    params(("name" = String, Path, description = "The channel's name")),
    responses(
        (status = 204, description = "Resumed (resuming a channel that is not suspended clears its failures)"),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 404, description = "No such channel (code not_found)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn resume(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let name = parse_name(&name)?;
    found(state.store.resume_channel(&admin.workspace, &name).await)?;
    tracing::info!(channel = %name, by = admin.id.as_str(), "channel resumed");
    Ok(StatusCode::NO_CONTENT)
}
