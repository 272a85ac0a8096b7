//! Why a storefront request failed, as the JSON client (the widget) is answered.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::proof::ProofError;
use crate::store::StoreError;
use crate::web::problem::{problem_response, ErrorCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum StorefrontError {
    /// A browser request from an origin not in `storefront.allowed_origins`.
    #[error("requests from {0} are not allowed; the shop's origin must be listed in storefront.allowed_origins")]
    Origin(String),
    #[error("the body is not JSON: {0}")]
    Malformed(String),
    #[error("the body must be application/json")]
    MediaType,
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{}", .0.first().map_or(String::new(), |e| format!("{}: {}", e.field, e.message)))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// Too many sign-ups from one client or for one address.
    #[error("too many sign-ups; try again in {} s", .0.as_secs().max(1))]
    Limited(Duration),
    #[error("the store is unavailable; nothing was stored, try again")]
    Store(#[from] StoreError),
}

impl StorefrontError {
    pub fn field(field: &str, message: impl ToString) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::Origin(_) => (StatusCode::FORBIDDEN, ErrorCode::OriginNotAllowed),
            Self::Malformed(_) => (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson),
            Self::MediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            Self::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::ValidationFailed),
            Self::Proof(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidProof),
            Self::Limited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests),
            Self::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
        }
    }
}

impl IntoResponse for StorefrontError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Store(err) = &self {
            tracing::error!(error = %err, "a storefront request failed in the store");
        }
        let errors = match &self {
            Self::Invalid(errors) => errors.as_slice(),
            _ => &[],
        };
        let mut response = problem_response(status, code, self.to_string(), errors);
        if let Self::Limited(wait) = &self {
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
