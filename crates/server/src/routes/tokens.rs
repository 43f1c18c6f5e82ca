//! `/api/v1/tokens`: an admin token lists, creates and revokes the tokens of
//! its workspace. A revoked token fails on every server at its next request.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use handshake_store::{TokenInfo, TokenRole};
use serde::{Deserialize, Serialize};

use crate::auth::Admin;
use crate::{ApiError, AppState};

/// A token's public facts; its secret is never shown again after creation.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenDoc {
    /// The public id (the part after `hs_`).
    id: String,
    /// Who uses it, e.g. hubspot-webhook.
    name: String,
    /// `admin` (may manage tokens) or `member`.
    role: String,
    /// RFC 3339.
    created_at: String,
    /// RFC 3339; absent when it never expires.
    expires_at: Option<String>,
    /// RFC 3339; absent unless revoked.
    revoked_at: Option<String>,
    /// Whether it works now.
    active: bool,
}

impl TokenDoc {
    fn new(t: &TokenInfo, now: jiff::Timestamp) -> TokenDoc {
        TokenDoc {
            id: t.id.clone(),
            name: t.name.clone(),
            role: t.role.as_str().to_string(),
            created_at: t.created_at.to_string(),
            expires_at: t.expires_at.map(|e| e.to_string()),
            revoked_at: t.revoked_at.map(|e| e.to_string()),
            active: t.active(now),
        }
    }
}

/// The workspace's tokens.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenList {
    /// Oldest first, revoked and expired ones included.
    tokens: Vec<TokenDoc>,
}

/// A token to create.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenDoc {
    /// Who will use it, 1 to 100 characters, not all blank (kept without surrounding blanks).
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// `admin` or `member` (the default when absent or null).
    #[schema(pattern = "^(admin|member)$")]
    role: Option<String>,
    /// RFC 3339 instant after which it stops working; never, when absent or null.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// A token just created: the only time its secret is shown.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedToken {
    /// The whole token, `hs_<id>_<secret>`: send it as `Authorization: Bearer ...`.
    token: String,
    /// Its public facts.
    #[serde(flatten)]
    info: TokenDoc,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message)
}

/// Lists the workspace's tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses(
        (status = 200, description = "Every token of the workspace", body = TokenList),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<TokenList>, ApiError> {
    let now = jiff::Timestamp::now();
    let tokens = state
        .store
        .list_tokens(&admin.workspace)
        .await
        .map_err(|e| ApiError::store(&e))?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(|t| TokenDoc::new(t, now)).collect(),
    }))
}

/// Creates a token in the workspace.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body(content = NewTokenDoc, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; the secret is in `token` and is not shown again", body = CreatedToken),
        (status = 400, description = "The body is not JSON of this shape (code invalid_json)", body = crate::error::ErrorBody),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 422, description = "A field is not valid (code invalid_field)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    body: Result<Json<NewTokenDoc>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let Json(doc) = body.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("{}; expected {{\"name\": \"...\", \"role\": \"member\", \"expires_at\": \"RFC 3339\"}}", e.body_text()),
        )
    })?;
    let name = doc.name.trim();
    if name.is_empty() || doc.name.chars().count() > 100 {
        return Err(invalid(
            "\"name\" must have 1 to 100 characters, e.g. \"hubspot-webhook\"".into(),
        ));
    }
    let role = match doc.role.as_deref() {
        None => TokenRole::Member,
        Some(r) => TokenRole::parse(r).map_err(|e| invalid(format!("\"role\": {e}")))?,
    };
    let now = jiff::Timestamp::now();
    let expires_at = match doc.expires_at.as_deref() {
        None => None,
        Some(t) => {
            let at: jiff::Timestamp = t.parse().map_err(|e| {
                invalid(format!(
                    "\"expires_at\": {e}; expected an RFC 3339 instant such as 2027-01-01T00:00:00Z"
                ))
            })?;
            if at <= now {
                return Err(invalid(
                    "\"expires_at\" is in the past; expected a future instant".into(),
                ));
            }
            Some(at)
        }
    };
    let token = state
        .store
        .create_token(&admin.workspace, name, role, expires_at)
        .await
        .map_err(|e| ApiError::store(&e))?;
    let info = state
        .store
        .active_token(token.id(), now)
        .await
        .map_err(|e| ApiError::store(&e))?
        .ok_or_else(|| ApiError::store(&"a token just created is not found"))?;
    tracing::info!(id = token.id(), by = admin.id.as_str(), "token created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.reveal(),
            info: TokenDoc::new(&info, now),
        }),
    ))
}

/// Revokes a token of the workspace: it fails at its next request on every
/// server, and the dashboard sessions opened with it end.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's public id")),
    responses(
        (status = 204, description = "Revoked (revoking twice is not an error)"),
        (status = 401, description = "No valid token", body = crate::error::ErrorBody),
        (status = 403, description = "The token is not an admin (code forbidden)", body = crate::error::ErrorBody),
        (status = 404, description = "The workspace has no token with this id (code not_found)", body = crate::error::ErrorBody),
        (status = 503, description = "The store is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = [])))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let found = state
        .store
        .revoke_token(&admin.workspace, &id, jiff::Timestamp::now())
        .await
        .map_err(|e| ApiError::store(&e))?;
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this workspace has no token with that id; list them with GET /api/v1/tokens",
        ));
    }
    tracing::info!(id = id.as_str(), by = admin.id.as_str(), "token revoked");
    Ok(StatusCode::NO_CONTENT)
}
