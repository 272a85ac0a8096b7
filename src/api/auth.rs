//! API keys: every `/api/…` call must carry one in `apikey` (Engage's header; header names
//! are case-insensitive, so `apiKey` works too) or `x-api-key`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;
use super::rate_limit::retry_after_secs;
use super::AppState;

/// Lets through requests with an accepted key (401 otherwise) that are within their key's
/// rate limit (429 with `Retry-After` otherwise). A client address that sent too many
/// wrong keys gets 429 before its key is even looked at, so guessing stays slow.
pub async fn require_api_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let client = crate::web::throttle::client_of(req.extensions());
    if let Some(wait) = state.rate_limit.wrong_keys_wait(client) {
        state.metrics.wrong_key("api", true);
        return Err(ApiError::TooManyRequests(retry_after_secs(wait)));
    }
    let headers = req.headers();
    let presented = headers
        .get("apikey")
        .or_else(|| headers.get("x-api-key"))
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let Some(key) = presented.and_then(|key| state.api_keys.identify(key)) else {
        state.rate_limit.wrong_key(client);
        state.metrics.wrong_key("api", false);
        return Err(ApiError::Unauthorized);
    };
    state
        .rate_limit
        .check(&key)
        .map_err(|wait| ApiError::TooManyRequests(retry_after_secs(wait)))?;
    Ok(next.run(req).await)
}
