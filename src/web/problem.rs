//! How a failure is written for a JSON client: RFC 9457 problem+json with an Engage-style
//! `errorCode` and, for validation, every field at fault. The API answers every failure
//! this way and the console's live checks answer theirs the same way, so a script reads
//! both alike.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A field the client got wrong, named by its path in the request (`[3].quantity`).
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// The `errorCode` of every problem the API answers with: one per cause, so a client can
/// branch on it without parsing `detail`. Listed in the OpenAPI document as an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ErrorCode {
    Unauthorized,
    MalformedJson,
    EmptyBody,
    BadRequest,
    ValidationFailed,
    InvalidId,
    ContactNotFound,
    SubscriptionNotFound,
    NoFeedForLocale,
    ProductNotFound,
    NotFound,
    TemplateNotFound,
    TemplateFailed,
    MethodNotAllowed,
    ContactAlreadyExists,
    PayloadTooLarge,
    RequestTimeout,
    UriTooLong,
    UnsupportedMediaType,
    UnsupportedContentEncoding,
    HeadersTooLarge,
    TooManyRequests,
    /// A sign-up's proof of work is missing, forged, expired, wrong or used before.
    InvalidProof,
    /// A browser request from an origin the storefront does not serve.
    OriginNotAllowed,
    Unavailable,
    InternalError,
}

/// RFC 9457 problem details, as every error is answered (`application/problem+json`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem<'a> {
    /// The status's reason phrase, e.g. `Bad Request`.
    #[schema(value_type = String)]
    title: &'a str,
    status: u16,
    /// What is wrong, for a person; the first field error when there is one.
    detail: String,
    error_code: ErrorCode,
    /// Every field at fault (validation errors only; absent otherwise).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(value_type = Vec<FieldError>)]
    errors: &'a [FieldError],
}

/// The whole answer: status, `application/problem+json` and the body.
pub fn problem_response(
    status: StatusCode,
    error_code: ErrorCode,
    detail: String,
    errors: &[FieldError],
) -> Response {
    let body = problem_body(status, error_code, detail, errors);
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// The body alone, for answers written before a request reaches the router.
pub fn problem_body(
    status: StatusCode,
    error_code: ErrorCode,
    detail: String,
    errors: &[FieldError],
) -> Vec<u8> {
    let problem = Problem {
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        error_code,
        errors,
    };
    serde_json::to_vec(&problem).unwrap_or_default()
}
