//! What keeps the console's pages from being used by another site: a strict
//! Content-Security-Policy on every answer, and a refusal of every state-changing request
//! that a browser says came from elsewhere (Fetch Metadata, falling back to `Origin`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::ConsoleError;
use crate::console::ConsoleState;

/// Scripts, styles, images and requests from this origin only; no inline script or style,
/// no plugins, forms post only here; pages are never framed, and frame only this origin
/// (the template preview's sandboxed frame).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every console answer. `Cache-Control: no-store` (pages
/// show live data and must not be kept), the policy and the framing rule go only on
/// answers that did not set their own: the template preview's frame has a stricter
/// sandboxed policy of its own and may be framed by the console.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Lets safe methods through; any other request must come from this site: 403 otherwise.
pub async fn same_origin(
    State(state): State<ConsoleState>,
    req: Request,
    next: Next,
) -> Result<Response, ConsoleError> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !from_this_site(req.headers(), &state.public_url) {
        return Err(ConsoleError::CrossSite);
    }
    Ok(next.run(req).await)
}

/// A browser sends `Sec-Fetch-Site` (all current ones) or at least `Origin` on a POST; a
/// request with neither is not from a browser, so no other site can have started it
/// (and it still needs the session cookie).
fn from_this_site(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = text("origin") else {
        return true;
    };
    if origin == origin_of(public_url) {
        return true;
    }
    let host = origin.split_once("://").map(|(_, host)| host);
    host.is_some() && host == text("host")
}

/// `https://shop.example` of `https://shop.example/restock`.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let url = "https://shop.example/restock";
        assert!(from_this_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            url
        ));
        assert!(from_this_site(&headers(&[("sec-fetch-site", "none")]), url));
        assert!(!from_this_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            url
        ));
        assert!(!from_this_site(
            &headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "https://shop.example")
            ]),
            url
        ));
    }

    #[test]
    fn origin_must_be_public_url_or_host() {
        let url = "https://shop.example/restock";
        assert!(from_this_site(
            &headers(&[("origin", "https://shop.example")]),
            url
        ));
        assert!(from_this_site(
            &headers(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]),
            url
        ));
        assert!(!from_this_site(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080")
            ]),
            url
        ));
        assert!(!from_this_site(&headers(&[("origin", "null")]), url));
        assert!(from_this_site(&headers(&[]), url), "not a browser");
    }
}
