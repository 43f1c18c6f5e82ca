//! What wraps every response and request: security headers on every answer,
//! and only the standard HTTP methods (an invented one is refused before it
//! reaches a handler, a log line or a metric label).

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ApiError;

/// The pages load only their own stylesheet and forms post only here; no
/// script runs, no other site may frame them.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The security headers, each set unless a handler set its own.
pub(crate) fn security_headers() -> [SetResponseHeaderLayer<HeaderValue>; 5] {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    [
        set(header::CONTENT_SECURITY_POLICY, CSP),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::REFERRER_POLICY, "same-origin"),
        set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ]
}

/// The methods of RFC 9110 (and PATCH); the router answers 405 for those a
/// path does not take, with `Allow`.
pub(crate) fn known(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::PATCH,
        Method::TRACE,
        Method::CONNECT,
    ]
    .contains(method)
}

/// Refuses invented methods with 405 before anything else sees them.
pub(crate) async fn known_methods(req: Request, next: Next) -> Response {
    if known(req.method()) {
        return next.run(req).await;
    }
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this method is not HTTP's; the API is described at /api/v1/docs",
    )
    .into_response()
}
