//! The one place where failures become HTTP answers: RFC 9457 problem+json with an
//! Engage-style `errorCode` and, for validation, every field at fault.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;
use crate::web::problem::{problem_body, problem_response};
pub use crate::web::problem::{ErrorCode, FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no API key, or one we do not know.
    #[error("a valid API key is required in the apikey header")]
    Unauthorized,
    /// 400: the body is not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// 400: the body is empty where one is required.
    #[error("the request body is empty; a JSON body is required")]
    EmptyBody,
    /// 400: a request that is not well-formed HTTP (an unreadable body, a bad header).
    #[error("{0}")]
    BadRequest(String),
    /// 400: JSON that does not describe a valid request; lists every field at fault.
    #[error("the request is invalid")]
    Validation(Vec<FieldError>),
    /// 400: a path segment that must be a GUID is not one.
    #[error("{0} is not a valid GUID")]
    InvalidId(&'static str),
    /// 404
    #[error("no contact with that id")]
    ContactNotFound,
    /// 404
    #[error("no subscription with that id")]
    SubscriptionNotFound,
    /// 404: no feed is configured for the locale.
    #[error("no product feed is configured for {0}")]
    NoFeed(String),
    /// 404: the locale's feed has no product with that SKU.
    #[error("the feed has no product with that SKU")]
    ProductNotFound,
    /// 404: no such route.
    #[error("no such resource")]
    NotFound,
    /// 404: no template of that name, or no templates loaded at all.
    #[error("{0}")]
    TemplateNotFound(String),
    /// 422: the template exists but does not render with this data.
    #[error("{0}")]
    TemplateFailed(String),
    /// 405
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed,
    /// 409
    #[error("another contact already has this email address")]
    DuplicateEmail,
    /// 413
    #[error("the request body is larger than the configured limit of {0} bytes")]
    TooLarge(usize),
    /// 408: the body did not arrive within `http.body_read_timeout` (seconds).
    #[error("the request body did not arrive within {0} s")]
    BodyTimeout(f64),
    /// 414: the request target is longer than `http.max_uri_bytes`.
    #[error("the request target (path and query) is longer than {0} bytes")]
    UriTooLong(usize),
    /// 415
    #[error("the body must be JSON: send Content-Type: application/json")]
    UnsupportedMediaType,
    /// 415: a `Content-Encoding` other than identity; bodies are taken uncompressed.
    #[error("Content-Encoding {0} is not accepted: send the body uncompressed")]
    UnsupportedEncoding(String),
    /// 431: more or larger header fields than `http.max_headers` / `http.max_header_bytes`.
    #[error("{0}")]
    HeadersTooLarge(String),
    /// 429: the API key made more requests than `rate_limit` allows; the number is the
    /// `Retry-After` header, in seconds.
    #[error("too many requests for this API key; retry after {0} s")]
    TooManyRequests(u64),
    /// 503: the database does not answer (readiness).
    #[error("the database is not reachable")]
    Unavailable,
    /// 500: the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl ToString) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        use ApiError::*;
        use ErrorCode as C;
        match self {
            Unauthorized => (StatusCode::UNAUTHORIZED, C::Unauthorized),
            MalformedJson(_) => (StatusCode::BAD_REQUEST, C::MalformedJson),
            EmptyBody => (StatusCode::BAD_REQUEST, C::EmptyBody),
            BadRequest(_) => (StatusCode::BAD_REQUEST, C::BadRequest),
            Validation(_) => (StatusCode::BAD_REQUEST, C::ValidationFailed),
            InvalidId(_) => (StatusCode::BAD_REQUEST, C::InvalidId),
            ContactNotFound => (StatusCode::NOT_FOUND, C::ContactNotFound),
            SubscriptionNotFound => (StatusCode::NOT_FOUND, C::SubscriptionNotFound),
            NoFeed(_) => (StatusCode::NOT_FOUND, C::NoFeedForLocale),
            ProductNotFound => (StatusCode::NOT_FOUND, C::ProductNotFound),
            NotFound => (StatusCode::NOT_FOUND, C::NotFound),
            TemplateNotFound(_) => (StatusCode::NOT_FOUND, C::TemplateNotFound),
            TemplateFailed(_) => (StatusCode::UNPROCESSABLE_ENTITY, C::TemplateFailed),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, C::MethodNotAllowed),
            DuplicateEmail => (StatusCode::CONFLICT, C::ContactAlreadyExists),
            TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, C::PayloadTooLarge),
            BodyTimeout(_) => (StatusCode::REQUEST_TIMEOUT, C::RequestTimeout),
            UriTooLong(_) => (StatusCode::URI_TOO_LONG, C::UriTooLong),
            UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, C::UnsupportedMediaType),
            UnsupportedEncoding(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                C::UnsupportedContentEncoding,
            ),
            HeadersTooLarge(_) => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                C::HeadersTooLarge,
            ),
            TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, C::TooManyRequests),
            Unavailable => (StatusCode::SERVICE_UNAVAILABLE, C::Unavailable),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, C::InternalError),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::ContactNotFound => Self::ContactNotFound,
            StoreError::DuplicateEmail => Self::DuplicateEmail,
            other => Self::Internal(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_code) = self.status_and_code();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let errors = match &self {
            ApiError::Validation(errors) => errors.as_slice(),
            _ => &[],
        };
        let detail = match errors {
            [one] => format!("{}: {}", one.field, one.message),
            _ => self.to_string(),
        };
        let mut response = problem_response(status, error_code, detail, errors);
        if let ApiError::TooManyRequests(secs) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

/// The body for an answer hyper gives on its own, before any request reaches the router:
/// a request it cannot parse (400), a target past its 64 KiB limit (414), or a head past
/// its buffer or header count (431).
pub fn protocol_problem(status: StatusCode) -> Vec<u8> {
    let (code, detail) = match status {
        StatusCode::URI_TOO_LONG => (ErrorCode::UriTooLong, "the request target is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            ErrorCode::HeadersTooLarge,
            "the request head has too many or too large header fields",
        ),
        _ => (
            ErrorCode::BadRequest,
            "the request is not valid HTTP/1.1: a malformed request line or header field, \
             or conflicting Content-Length headers",
        ),
    };
    problem_body(status, code, detail.to_owned(), &[])
}
