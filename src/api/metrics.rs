//! `GET /metrics` for Prometheus, and the middleware that times every request.
//!
//! No API key: scrapers do not send one, and nothing here identifies a contact (see
//! [`crate::metrics`]). Not rate limited, like the health probes.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::AppState;
use crate::metrics::CONTENT_TYPE;

/// The label of requests that matched no route: one series for every unknown path, so
/// scanners cannot grow the metrics.
const UNMATCHED: &str = "unmatched";

/// Every metric, with the outbox depth read from the database now. When the database does
/// not answer, the counters are still served and the depth keeps its last value (`/ready`
/// reports the database).
pub async fn scrape(State(state): State<AppState>) -> Result<Response, ApiError> {
    match state.store.outbox_depth().await {
        Ok(counts) => state.metrics.set_outbox_depth(&counts),
        Err(err) => tracing::warn!(error = %err, "cannot read the outbox depth for /metrics"),
    }
    let body = state
        .metrics
        .render()
        .map_err(|err| ApiError::Internal(err.into()))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response())
}

/// Innermost: hands the matched route template (`/api/v3/contacts/{id}`) out with the
/// response, where [`track`] can read it; the request's own copy is gone by then.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Outermost: times each request until its response head, labelled by method, route
/// template (never the raw path) and status code.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let response = next.run(req).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str);
    state
        .metrics
        .http_request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// Standard methods by name, anything else as `other` (methods are client-chosen text).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
