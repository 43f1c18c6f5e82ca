//! Sign-in for the pages: an API token is exchanged once for a session
//! cookie (random, HttpOnly, SameSite=Lax), and every form carries the
//! session's CSRF token. Sessions live in the store, so every server sharing
//! it knows them and a restart signs nobody out; the cookie's value is kept
//! there only as its hash. A session lives only as long
//! as its token: every page checks that the token is still active, so a
//! revoked or expired token ends its sessions at once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use handshake_store::{SessionInfo, Workspace};

use crate::AppState;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "hs_session";
/// The cookie that carries the sign-in form's CSRF token before a session exists.
pub(crate) const LOGIN_COOKIE: &str = "hs_login";
/// How long a session lasts, in seconds.
const LIFETIME: i64 = 12 * 3600;

/// A signed-in browser.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The workspace of the token that signed in.
    pub ws: Workspace,
    /// The token's name, shown in the header.
    pub name: String,
    /// The token's id: the session ends when that token is revoked or expires.
    pub token_id: String,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// Whether the token that signed in is an admin's (may retry
    /// notifications); read afresh on every request.
    pub admin: bool,
}

impl From<SessionInfo> for Session {
    fn from(i: SessionInfo) -> Session {
        Session {
            ws: i.workspace,
            name: i.name,
            token_id: i.token_id,
            csrf: i.csrf,
            admin: false,
        }
    }
}

/// 32 random bytes as hex.
pub(crate) fn random_hex() -> String {
    let mut buf = [0_u8; 32];
    // getrandom fails only without an OS random source; then no session can
    // be made safely, and an all-zero value would be guessable: refuse loudly.
    if getrandom::fill(&mut buf).is_err() {
        return String::new();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Opens a session in the store (valid on every server sharing it); its
/// cookie value.
///
/// # Errors
/// When the store fails or the OS has no randomness.
pub(crate) async fn open(
    state: &AppState,
    ws: &Workspace,
    name: &str,
    token_id: &str,
) -> Result<String, handshake_store::StoreError> {
    let t = now();
    let made = state
        .store
        .open_session(ws, name, token_id, t, t + LIFETIME)
        .await?;
    Ok(made.cookie)
}

/// The value of cookie `name` in the request's headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite, the whole site; `Secure` when
/// `secure` (the browser then sends it over HTTPS only).
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age: i64,
    same_site: &str,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}")
}

/// A session cookie for `id`.
pub(crate) fn session_cookie(id: &str, secure: bool) -> String {
    set_cookie(COOKIE, id, LIFETIME, "Lax", secure)
}

/// Whether cookies on this response get `Secure`: when the deployment says
/// so, or when the request came over HTTPS through a proxy.
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// Whether a form's CSRF token is the session's (compared in constant time).
pub(crate) fn csrf_ok(session: &Session, given: &str) -> bool {
    let (a, b) = (session.csrf.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A path safe to return to after sign-in: a path on this site. Browsers
/// drop tabs and newlines from URLs and read `\\` as `/`, so `/\t/evil`
/// would become `//evil`, another site: only printable ASCII without a
/// backslash is kept, and never a second leading slash.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The session of a signed-in browser; others are sent to the sign-in page.
pub(crate) struct Signed(pub Session, pub String);

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Signed, Response> {
        if let Some(id) = cookie(&parts.headers, COOKIE) {
            let mut s: Session = match state.store.session(id, now()).await {
                Ok(Some(info)) => info.into(),
                Ok(None) => return Err(to_sign_in(parts)),
                Err(e) => return Err(super::store_down(&e, "Your session")),
            };
            match state
                .store
                .active_token(&s.token_id, jiff::Timestamp::now())
                .await
            {
                Ok(Some(token)) => {
                    s.admin = token.role == handshake_store::TokenRole::Admin;
                    return Ok(Signed(s, id.to_string()));
                }
                Ok(None) => {
                    if let Err(e) = state.store.close_session(id).await {
                        tracing::warn!(error = %e, "closing a session of a revoked token failed");
                    }
                }
                Err(e) => return Err(super::store_down(&e, "Your session")),
            }
        }
        Err(to_sign_in(parts))
    }
}

/// To the sign-in page, coming back here after.
fn to_sign_in(parts: &Parts) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let next = super::encode(&here, true);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; hs_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(
            safe_next(Some("/queue?owner=rep-ava")),
            "/queue?owner=rep-ava"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
        // Browsers drop tabs and newlines: "/\t/evil" is "//evil" to them.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(safe_next(Some("/lead?id=A%2FB")), "/lead?id=A%2FB");
    }

    #[test]
    fn a_form_must_carry_the_sessions_csrf_token() {
        let session = Session {
            ws: Workspace::new("w").unwrap(),
            name: "t".into(),
            token_id: "0123456789ab".into(),
            csrf: random_hex(),
            admin: false,
        };
        assert_eq!(session.csrf.len(), 64);
        assert!(csrf_ok(&session, &session.csrf.clone()));
        assert!(!csrf_ok(&session, "forged"));
        assert!(!csrf_ok(&session, &session.csrf[..63]));
    }
}
