//! Bearer-token authentication: `Authorization: Bearer hs_<id>_<secret>`.
//! A token belongs to one workspace; every request acts in it.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use handshake_store::{TokenSecret, Workspace};

use crate::{ApiError, AppState};

/// The workspace of the request's valid token.
pub(crate) struct Authed(pub Workspace);

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Authed, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("no token; send Authorization: Bearer <token> (create one with `handshake token create --name NAME`)"))?;
        let text = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .ok_or_else(|| unauthorized("expected Authorization: Bearer <token>"))?;
        if let Some(info) = state
            .verified
            .read()
            .ok()
            .and_then(|cache| cache.get(text).cloned())
        {
            return Ok(Authed(info.workspace));
        }
        let secret =
            TokenSecret::parse(text).ok_or_else(|| unauthorized("the token is not valid"))?;
        let info = state
            .store
            .verify_token(&secret)
            .await
            .map_err(|e| ApiError::store(&e))?
            .ok_or_else(|| unauthorized("the token is not valid"))?;
        if let Ok(mut cache) = state.verified.write() {
            cache.insert(text.to_string(), info.clone());
        }
        Ok(Authed(info.workspace))
    }
}
