//! `GET/POST /login` and `POST /logout`. The sign-in form is protected by a
//! double-submit token: a random value in an HttpOnly, SameSite=Strict
//! cookie that the form must echo.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use handshake_store::TokenSecret;
use serde::Deserialize;

use super::session::{
    COOKIE, LOGIN_COOKIE, Signed, cookie, csrf_ok, random_hex, safe_next, session_cookie,
    set_cookie,
};
use super::{error_page, forbidden, render};
use crate::AppState;

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

fn login_page(status: StatusCode, next: String, error: &str) -> Response {
    let csrf = random_hex();
    let mut response = render(&LoginPage {
        csrf: csrf.clone(),
        next,
        error: error.to_string(),
    });
    *response.status_mut() = status;
    if let Ok(v) = set_cookie(LOGIN_COOKIE, &csrf, 3600, "Strict").parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The sign-in form.
pub(crate) async fn form(Query(q): Query<Next>) -> Response {
    login_page(StatusCode::OK, safe_next(q.next.as_deref()), "")
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
    headers: HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != f.csrf {
        return login_page(
            StatusCode::FORBIDDEN,
            next,
            "The sign-in form expired; it has been renewed, please sign in again.",
        );
    }
    let invalid = || {
        login_page(
            StatusCode::UNAUTHORIZED,
            next.clone(),
            "That token is not valid. Tokens look like hs_… and come from `handshake token create`.",
        )
    };
    let Some(secret) = TokenSecret::parse(f.token.trim()) else {
        return invalid();
    };
    let info = match state.store.verify_token(&secret).await {
        Ok(Some(info)) => info,
        Ok(None) => return invalid(),
        Err(e) => return super::store_down(&e, "The token"),
    };
    let Some(id) = state.sessions.open(info.workspace, info.name) else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "No session",
            "The server has no source of randomness for a session.",
        );
    };
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = session_cookie(&id).parse() {
        headers.append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(LOGIN_COOKIE, "", 0, "Strict").parse() {
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
    Signed(session, id): Signed,
    Form(f): Form<Csrf>,
) -> Response {
    if !csrf_ok(&session, &f.csrf) {
        return forbidden();
    }
    state.sessions.close(&id);
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(COOKIE, "", 0, "Lax").parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
