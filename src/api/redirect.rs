//! `GET /r/{token}`: the tracked product links in emails (outside the API key). A genuine
//! token is answered with a 302 to the product page the email showed (the snapshot's
//! field, and only if it is an http(s) URL), and the notification's first shopper click
//! is counted; anything else gets a plain 404 page and changes nothing. Prefetching
//! scanners are redirected but not counted (see [`crate::tracking::is_prefetch`]).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::AppState;
use crate::feeds::is_web_url;
use crate::tracking::{is_clicked_link, is_prefetch, ClickToken, Hit};

pub async fn follow(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(token) = state.clicks.key.verify(&token) else {
        return not_found();
    };
    if !is_clicked_link(&token.link) {
        return not_found();
    }
    let target = match state
        .store
        .click_target(token.notification, token.product, &token.link)
        .await
    {
        Ok(Some(target)) => target,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::error!(error = %err, "cannot read a tracked link's product");
            return unavailable();
        }
    };
    let Some(url) = target.link.as_ref().and_then(|v| v.as_str()) else {
        return not_found();
    };
    let Some(location) = location(url) else {
        return not_found();
    };
    let hit = Hit {
        head: method == Method::HEAD,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
        at: Utc::now(),
    };
    if !is_prefetch(&hit, target.delivered_on, state.clicks.prefetch_secs) {
        count(&state, &token, hit.at).await;
    }
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The `Location` for a snapshot's link: an absolute http(s) URL with a host, in its
/// ASCII form (`ö` percent-encoded, hosts in punycode); `None` for anything else.
fn location(link: &str) -> Option<header::HeaderValue> {
    let link = link.trim();
    if !is_web_url(link) {
        return None;
    }
    let url = url::Url::parse(link).ok()?;
    let web = matches!(url.scheme(), "http" | "https") && url.host().is_some();
    web.then(|| header::HeaderValue::from_str(url.as_str()).ok())
        .flatten()
}

/// Counts the click; a store that fails does not keep the shopper from the product.
async fn count(state: &AppState, token: &ClickToken, at: chrono::DateTime<Utc>) {
    if let Err(err) = state
        .store
        .record_click(token.notification, &token.link, at)
        .await
    {
        tracing::warn!(error = %err, notification = %token.notification, "cannot count a click");
    }
}

const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Link not found</title></head><body><h1>Link not found</h1>\
<p>This link is not valid. If you copied it from an email, check that the whole link was copied.</p>\
</body></html>\n";

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)).into_response()
}

fn unavailable() -> Response {
    let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Try again</title></head><body><h1>Try again in a moment</h1>\
<p>This link cannot be followed right now.</p></body></html>\n";
    (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
}
