//! `GET/POST /login` and `POST /logout`. The sign-in form is protected by a
//! double-submit token: a random value in an HttpOnly, SameSite=Strict
//! cookie that the form must echo.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{
    COOKIE, LOGIN_COOKIE, Signed, cookie, csrf_ok, random_hex, safe_next, secure, session_cookie,
    set_cookie,
};
use super::{error_page, forbidden, render};
use crate::AppState;
use crate::auth::{Client, Verdict, check_token};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: String,
}

#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

fn login_page(status: StatusCode, next: String, error: &str, secure: bool) -> Response {
    let csrf = random_hex();
    let mut response = render(&LoginPage {
        csrf: csrf.clone(),
        next,
        error: error.to_string(),
    });
    *response.status_mut() = status;
    if let Ok(v) = set_cookie(LOGIN_COOKIE, &csrf, 3600, "Strict", secure).parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The sign-in form.
pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    login_page(
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        "",
        secure(&state, &headers),
    )
}

#[derive(Deserialize)]
pub(crate) struct SignIn {
    token: String,
    csrf: String,
    next: Option<String>,
}

/// Exchanges a valid token for a session.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    Client(peer): Client,
    headers: HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let secure = secure(&state, &headers);
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != f.csrf {
        return login_page(
            StatusCode::FORBIDDEN,
            next,
            "The sign-in form expired; it has been renewed, please sign in again.",
            secure,
        );
    }
    let info = match check_token(&state, peer, f.token.trim()).await {
        Ok(Verdict::Valid(info)) => info,
        Ok(Verdict::Invalid) => {
            return login_page(
                StatusCode::UNAUTHORIZED,
                next,
                "That token is not valid (unknown, revoked or expired). Tokens look like hs_… and come from `handshake token create`.",
                secure,
            );
        }
        Ok(Verdict::Refused(wait)) => {
            let mut page = login_page(
                StatusCode::TOO_MANY_REQUESTS,
                next,
                &format!(
                    "Too many failed sign-ins; try again in {} seconds.",
                    wait.as_secs() + 1
                ),
                secure,
            );
            page.headers_mut()
                .insert(header::RETRY_AFTER, (wait.as_secs() + 1).into());
            return page;
        }
        Err(e) => {
            tracing::error!(error = %e.message, "checking a token failed");
            return error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Store unavailable",
                "The token could not be checked now; try again in a moment.",
            );
        }
    };
    let id = match super::session::open(&state, &info.workspace, &info.name, &info.id).await {
        Ok(id) => id,
        Err(e) => return super::store_down(&e, "Signing in"),
    };
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = session_cookie(&id, secure).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(LOGIN_COOKIE, "", 0, "Strict", secure).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct Csrf {
    csrf: String,
}

/// Ends the session.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(session, id): Signed,
    Form(f): Form<Csrf>,
) -> Response {
    if !csrf_ok(&session, &f.csrf) {
        return forbidden();
    }
    if let Err(e) = state.store.close_session(&id).await {
        return super::store_down(&e, "Signing out");
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(COOKIE, "", 0, "Lax", secure(&state, &headers)).parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
