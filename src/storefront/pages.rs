//! The pages behind the confirmation link, in the shopper's language. Opening the link
//! only shows a button: link scanners that fetch every URL in an email confirm nothing;
//! the button's POST does.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use handlebars::html_escape;

use super::words::{with_product, words, words_for_browser, Words};
use super::StorefrontState;
use crate::links::LinkError;

/// Pages without scripts, never framed, posting only to themselves.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `GET /storefront/confirm/{token}`: what is being confirmed, and the button.
pub async fn confirm_page(
    State(state): State<StorefrontState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let unknown = words_for_browser(&headers);
    let Ok(id) = state.links.confirm_id(&token, chrono::Utc::now()) else {
        return invalid(unknown);
    };
    match state.store.pending_subscription(id).await {
        Ok(Some(pending)) => {
            let w = words(&pending.locale);
            let product = product_name(&state, &pending.locale, &pending.sku);
            let question = match &product {
                Some(name) => with_product(w.confirm_question, &html_escape(name)),
                None => html_escape(w.request_any),
            };
            let body = format!(
                "<p>{question}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
                html_escape(w.confirm_button)
            );
            page(StatusCode::OK, w, w.confirm_title, &body)
        }
        Ok(None) => invalid(unknown),
        Err(err) => failed(unknown, &err),
    }
}

/// `POST /storefront/confirm/{token}`: the pending subscription becomes a subscription.
pub async fn confirm(
    State(state): State<StorefrontState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let unknown = words_for_browser(&headers);
    let id = match state.links.confirm_id(&token, chrono::Utc::now()) {
        Ok(id) => id,
        Err(LinkError::Invalid | LinkError::Expired) => return invalid(unknown),
    };
    match state.store.confirm_pending(id).await {
        Ok(Some(done)) => {
            let w = words(&done.locale);
            let product = product_name(&state, &done.locale, &done.sku);
            let text = match &product {
                Some(name) => with_product(w.confirmed_text, &html_escape(name)),
                None => html_escape(w.confirmed_any),
            };
            let alerts = state.links.alerts_url(&state.public_url, &done.email_key);
            let body = format!(
                "<p>{text}</p><p><a href=\"{}\">{}</a></p>",
                html_escape(&alerts),
                html_escape(w.alerts_link)
            );
            page(StatusCode::OK, w, w.confirmed_title, &body)
        }
        Ok(None) => invalid(unknown),
        Err(err) => failed(unknown, &err),
    }
}

/// The product's name in the locale's feed (see [`super::product_name`]).
pub(super) fn product_name(state: &StorefrontState, locale: &str, sku: &str) -> Option<String> {
    super::product_name(&state.engine, locale, sku)
}

pub(super) fn invalid(w: &Words) -> Response {
    let body = format!("<p>{}</p>", html_escape(w.invalid_text));
    page(StatusCode::NOT_FOUND, w, w.invalid_title, &body)
}

pub(super) fn failed(w: &Words, err: &crate::store::StoreError) -> Response {
    tracing::error!(error = %err, "a storefront page failed in the store");
    let body = format!("<p>{}</p>", html_escape(w.failed_text));
    page(StatusCode::SERVICE_UNAVAILABLE, w, w.invalid_title, &body)
}

/// A whole page: `body` is HTML already escaped.
pub(super) fn page(status: StatusCode, w: &Words, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}}\
         button{{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1d1d1f;color:#fff;cursor:pointer}}\
         button:focus-visible{{outline:3px solid #0a64d6;outline-offset:2px}}\
         .alerts{{list-style:none;padding:0}}.alerts li{{display:flex;gap:1rem;align-items:center;margin:.75rem 0}}\
         .alerts form{{margin-left:auto}}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        lang = w.lang,
        title = html_escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(lang) = HeaderValue::from_str(w.lang) {
        h.insert(header::CONTENT_LANGUAGE, lang);
    }
    response
}
