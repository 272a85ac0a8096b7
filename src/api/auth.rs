//! API keys: every `/api/…` call must carry one in `apikey` (Engage's header; header names
//! are case-insensitive, so `apiKey` works too) or `x-api-key`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AppState;
use crate::config::Secret;

/// The accepted keys, kept as SHA-256 digests so a comparison takes the same time whatever
/// the key's length or how many leading bytes match.
#[derive(Clone)]
pub struct ApiKeys(Vec<[u8; 32]>);

impl ApiKeys {
    pub fn new(keys: &[Secret]) -> Self {
        Self(keys.iter().map(|k| digest(k.expose())).collect())
    }

    pub fn accepts(&self, presented: &str) -> bool {
        let presented = digest(presented);
        // Compare against every key, so timing does not tell which one matched.
        self.0
            .iter()
            .fold(subtle::Choice::from(0), |found, key| {
                found | key.ct_eq(&presented)
            })
            .into()
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

pub async fn require_api_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let headers = req.headers();
    let presented = headers
        .get("apikey")
        .or_else(|| headers.get("x-api-key"))
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match presented {
        Some(key) if state.api_keys.accepts(key) => Ok(next.run(req).await),
        _ => Err(ApiError::Unauthorized),
    }
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
