//! What every request must pass before the application sees it: a head within the
//! configured limits, no content coding, a declared length within `max_body_bytes`
//! (refused before a byte of the body is read, so `Expect: 100-continue` gets its 413
//! without a `100 Continue`), and the whole body within `body_read_timeout`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::api::error::ApiError;
use crate::config::HttpConfig;

/// The configured bounds on one request, read once at start.
pub struct Limits {
    max_uri_bytes: usize,
    max_header_bytes: usize,
    max_headers: usize,
    max_body_bytes: usize,
    body_read_timeout: Duration,
}

impl Limits {
    pub fn new(http: &HttpConfig, max_body_bytes: usize) -> Self {
        Self {
            max_uri_bytes: http.max_uri_bytes,
            max_header_bytes: http.max_header_bytes,
            max_headers: http.max_headers,
            max_body_bytes,
            body_read_timeout: http.body_read_timeout,
        }
    }
}

/// The middleware: `router` puts it inside the request trace and metrics, so that its
/// refusals are logged and counted like every other answer.
pub async fn guard(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    match admit(&limits, request).await {
        Ok(request) => next.run(request).await,
        Err(err) => {
            let mut response = err.into_response();
            // The body may be unread: the connection cannot carry another request.
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            response
        }
    }
}

/// The request with its body read whole, or why it is refused.
async fn admit(limits: &Limits, request: Request) -> Result<Request, ApiError> {
    check_head(limits, &request)?;
    let declared = declared_length(request.headers())?;
    if declared.is_some_and(|len| len > limits.max_body_bytes as u64) {
        return Err(ApiError::TooLarge(limits.max_body_bytes));
    }
    check_encoding(request.headers())?;
    let chunked = request.headers().contains_key(header::TRANSFER_ENCODING);
    if declared.unwrap_or(0) == 0 && !chunked {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let read = read_body(body, limits.max_body_bytes);
    let bytes = tokio::time::timeout(limits.body_read_timeout, read)
        .await
        .map_err(|_| ApiError::BodyTimeout(limits.body_read_timeout.as_secs_f64()))??;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn check_head(limits: &Limits, request: &Request) -> Result<(), ApiError> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > limits.max_uri_bytes {
        return Err(ApiError::UriTooLong(limits.max_uri_bytes));
    }
    let headers = request.headers();
    if headers.len() > limits.max_headers {
        return Err(ApiError::HeadersTooLarge(format!(
            "the request has {} header fields; at most {} are accepted",
            headers.len(),
            limits.max_headers
        )));
    }
    let size: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if size > limits.max_header_bytes {
        return Err(ApiError::HeadersTooLarge(format!(
            "the request's header fields take {size} bytes; at most {} are accepted",
            limits.max_header_bytes
        )));
    }
    Ok(())
}

/// The `Content-Length`, if any (hyper has already refused conflicting duplicates).
fn declared_length(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(header::CONTENT_LENGTH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("Content-Length is not a number".into()))
}

/// Request bodies are taken as sent: a coded body (gzip, br, …) is refused rather than
/// decoded, so no small upload can inflate into a large one.
fn check_encoding(headers: &HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let text = value.to_str().unwrap_or("(not ASCII)");
        let identity = text
            .split(',')
            .all(|coding| coding.trim().eq_ignore_ascii_case("identity"));
        if !identity {
            return Err(ApiError::UnsupportedEncoding(text.trim().to_owned()));
        }
    }
    Ok(())
}

/// The body, refused as soon as it passes `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| ApiError::BadRequest(format!("the body: {err}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}
