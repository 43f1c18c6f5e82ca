//! [`Params`]: query parameters read strictly. A parameter the endpoint does
//! not know is an error naming the ones it does (a typo such as `?stat=open`
//! must not silently answer as if nothing was asked), and a malformed value
//! is a JSON 422 with a stable code, like every other error of the API.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The query string parsed into `T` (which denies unknown fields).
pub(crate) struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params<T>, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(Params(t)),
            Err(e) => {
                let text = e.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_parameter",
                    format!("the query string is not valid: {detail}"),
                ))
            }
        }
    }
}
