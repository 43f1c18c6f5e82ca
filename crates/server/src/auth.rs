//! Bearer-token authentication: `Authorization: Bearer hs_<id>_<secret>`.
//! A token belongs to one workspace; every request acts in it. Every request
//! checks its token against the store (a primary-key read and a SHA-256), so
//! a revoked token stops at once on every server; failures are counted by
//! [`crate::guard`], and a client that fails too often gets 429.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handshake_store::{TokenInfo, TokenRole, TokenSecret, Workspace};

use crate::{ApiError, AppState};

/// The workspace of the request's valid token.
pub(crate) struct Authed(pub Workspace);

/// A valid admin token's facts (token management).
pub(crate) struct Admin(pub TokenInfo);

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// The client's address: the peer's, or, when the peer is a trusted proxy,
/// the last address its `X-Forwarded-For` names (the one that proxy saw).
pub(crate) fn client(parts: &Parts, trusted: &[IpAddr]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if !trusted.contains(&peer) {
        return peer;
    }
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

/// The request's client address, as an extractor.
pub(crate) struct Client(pub IpAddr);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Client, Self::Rejection> {
        Ok(Client(client(parts, &state.settings.trusted_proxies)))
    }
}

/// 429 with `Retry-After` in whole seconds.
pub(crate) fn too_many(wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs() + 1;
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_failures",
        format!(
            "too many failed sign-ins from this client or for this token; retry in {seconds} s"
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// What checking a presented token text came to.
pub(crate) enum Verdict {
    /// The token is valid now.
    Valid(TokenInfo),
    /// It is not (wrong shape, unknown id, wrong secret, revoked or expired).
    Invalid,
    /// The client or the token id failed too often; try after this long.
    Refused(std::time::Duration),
}

/// Checks `text` as a token for a request from `client`, counting failures.
///
/// # Errors
/// [`ApiError`] 503 when the store does not answer.
pub(crate) async fn check_token(
    state: &AppState,
    client: IpAddr,
    text: &str,
) -> Result<Verdict, ApiError> {
    let secret = TokenSecret::parse(text);
    let id = secret.as_ref().map(TokenSecret::id);
    if let Some(wait) = state.guard.refused(client, id) {
        return Ok(Verdict::Refused(wait));
    }
    let found = match &secret {
        Some(secret) => state
            .store
            .verify_token(secret, jiff::Timestamp::now())
            .await
            .map_err(|e| ApiError::store(&e))?,
        None => None,
    };
    Ok(match found {
        Some(info) => Verdict::Valid(info),
        None => {
            state.guard.failed(client, id);
            Verdict::Invalid
        }
    })
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<TokenInfo, Response> {
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("no token; send Authorization: Bearer <token> (create one with `handshake token create --name NAME`)").into_response())?;
    let text = header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .ok_or_else(|| unauthorized("expected Authorization: Bearer <token>").into_response())?;
    match check_token(state, client(parts, &state.settings.trusted_proxies), text)
        .await
        .map_err(IntoResponse::into_response)?
    {
        Verdict::Valid(info) => Ok(info),
        Verdict::Invalid => Err(unauthorized(
            "the token is not valid (unknown, revoked or expired)",
        )
        .into_response()),
        Verdict::Refused(wait) => Err(too_many(wait)),
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Authed, Response> {
        authenticate(parts, state)
            .await
            .map(|info| Authed(info.workspace))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, Response> {
        let info = authenticate(parts, state).await?;
        if info.role == TokenRole::Admin {
            Ok(Admin(info))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this token's role is member; managing tokens takes an admin token (`handshake token create --role admin`)",
            )
            .into_response())
        }
    }
}
