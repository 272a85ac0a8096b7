//! Which browser pages may call the sign-up: the shop origins in
//! `storefront.allowed_origins`, and Restock's own pages. A request from any other origin
//! is refused before it is read and carries no CORS header, so the browser shows the
//! calling page nothing either. A request with no `Origin` (a server, curl) is not a
//! browser page's and goes on to the same checks as every other.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{StorefrontError, StorefrontState};

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: &str = "600";

pub async fn only_allowed_origins(
    State(state): State<StorefrontState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let allowed = origin
        .to_str()
        .is_ok_and(|o| is_allowed(&state.config.allowed_origins, o, request.headers()));
    if !allowed {
        let shown = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        state.metrics.signup("origin");
        return StorefrontError::Origin(shown).into_response();
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The preflight of a JSON sign-up (its origin already checked).
pub async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "content-type"),
            (header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE),
        ],
    )
        .into_response()
}

/// Whether `origin` is listed (compared without a trailing slash, scheme and host
/// case-insensitively) or is the origin the request was sent to (`Host`).
fn is_allowed(listed: &[String], origin: &str, headers: &HeaderMap) -> bool {
    let origin = origin.trim_end_matches('/');
    if listed
        .iter()
        .any(|l| l.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let own_host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((own_host, origin_host), (Some(own), Some(host)) if own.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        map
    }

    #[test]
    fn listed_origins_and_our_own_are_allowed_and_nothing_else() {
        let listed = vec!["https://shop.example.com/".to_owned()];
        let ours = host("restock.example.com");
        assert!(is_allowed(&listed, "https://shop.example.com", &ours));
        assert!(is_allowed(&listed, "HTTPS://SHOP.example.com", &ours));
        assert!(is_allowed(&listed, "https://restock.example.com", &ours));
        assert!(!is_allowed(&listed, "https://evil.example", &ours));
        assert!(!is_allowed(&listed, "https://shop.example.com.evil", &ours));
        assert!(!is_allowed(&listed, "null", &ours));
        assert!(!is_allowed(
            &[],
            "https://shop.example.com",
            &HeaderMap::new()
        ));
    }
}
