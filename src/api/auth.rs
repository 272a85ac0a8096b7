//! API keys: every `/api/…` call must carry one in `apikey` (Engage's header; header names
//! are case-insensitive, so `apiKey` works too) or `x-api-key`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::rate_limit::retry_after_secs;
use super::AppState;
use crate::config::Secret;

/// The accepted keys, kept as SHA-256 digests so a comparison takes the same time whatever
/// the key's length or how many leading bytes match.
#[derive(Clone)]
pub struct ApiKeys(Vec<KeyId>);

/// Which key a request authenticated with: the key's SHA-256 digest, so per-key state
/// (rate limits) never holds a raw key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 32]);

impl KeyId {
    pub(super) fn of(key: &str) -> Self {
        Self(Sha256::digest(key.as_bytes()).into())
    }
}

impl ApiKeys {
    pub fn new(keys: &[Secret]) -> Self {
        Self(keys.iter().map(|k| KeyId::of(k.expose())).collect())
    }

    pub fn accepts(&self, presented: &str) -> bool {
        self.identify(presented).is_some()
    }

    /// The identity of `presented` if it is one of the accepted keys.
    pub fn identify(&self, presented: &str) -> Option<KeyId> {
        let presented = KeyId::of(presented);
        // Compare against every key, so timing does not tell which one matched.
        let found: bool = self
            .0
            .iter()
            .fold(subtle::Choice::from(0), |found, key| {
                found | key.0.ct_eq(&presented.0)
            })
            .into();
        found.then_some(presented)
    }
}

/// Lets through requests with an accepted key (401 otherwise) that are within their key's
/// rate limit (429 with `Retry-After` otherwise). A client address that sent too many
/// wrong keys gets 429 before its key is even looked at, so guessing stays slow.
pub async fn require_api_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let client = crate::throttle::client_of(req.extensions());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_configured_keys() {
        let keys = ApiKeys::new(&[Secret::new("alpha"), Secret::new("beta")]);
        assert!(keys.accepts("alpha"));
        assert!(keys.accepts("beta"));
        assert!(!keys.accepts("alph"));
        assert!(!keys.accepts(""));
        assert!(!ApiKeys::new(&[]).accepts(""));
    }
}
