//! [`ApiError`]: every error the API answers, as JSON
//! `{"code": "...", "message": "..."}` with a stable code and an HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `unauthorized`.
    pub code: &'static str,
    /// What is wrong and what would be right.
    pub message: String,
}

/// The JSON body of an error.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// Stable machine code: unauthorized, invalid_json, not_an_object, missing_field, invalid_field,
    /// unknown_field, unknown_type, invalid_instant, conflict, payload_too_large, too_many_lines,
    /// not_found, store_unavailable, busy (503 with Retry-After: too many replays at once).
    code: String,
    /// What is wrong and what would be right.
    message: String,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn store(err: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %err, "store failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the store could not complete the request; nothing was stored, retry later",
        )
    }
}

impl ApiError {
    /// Too many full replays at once: 503 with `Retry-After`.
    pub(crate) fn busy() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!(
                "{} questions about other instants (as_of, what-if) are being answered already; retry in a few seconds",
                crate::live::REPLAYS
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = (self.code == "busy").then_some([(axum::http::header::RETRY_AFTER, "5")]);
        (
            self.status,
            retry,
            Json(ErrorBody {
                code: self.code.to_string(),
                message: self.message,
            }),
        )
            .into_response()
    }
}
