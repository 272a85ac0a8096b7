//! The unsubscribe link in every email, outside the API key: `GET /unsubscribe/{token}`
//! shows a confirmation page whose button POSTs; `POST /unsubscribe/{token}` (also the
//! RFC 8058 one-click target mail clients call) removes all the contact's back-in-stock
//! subscriptions and records the opt-out. A token that does not verify changes nothing.
//!
//! The pages speak the contact's language: its `locale` attribute, else the browser's
//! `Accept-Language`, else the templates' fallback locale (see
//! [`crate::templates::unsubscribe_page`]).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use uuid::Uuid;

use super::AppState;
use crate::domain::Locale;
use crate::store::Attributes;
use crate::templates::{page_data, unsubscribe_page, UnsubscribePage};

pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((id, contact)) = verified(&state, &token).await else {
        return invalid(&state, &headers);
    };
    let url = state.unsubscribe.url(&state.public_url, id);
    page(
        &state,
        &headers,
        StatusCode::OK,
        UnsubscribePage::Confirm,
        contact.as_ref(),
        &url,
    )
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((id, contact)) = verified(&state, &token).await else {
        return invalid(&state, &headers);
    };
    let (status, shown) = match state.store.opt_out(id).await {
        // An unknown contact (deleted since) has nothing left to stop: same answer.
        Ok(_) => (StatusCode::OK, UnsubscribePage::Done),
        Err(err) => {
            tracing::error!(error = %err, "unsubscribe failed");
            (StatusCode::SERVICE_UNAVAILABLE, UnsubscribePage::Failed)
        }
    };
    page(&state, &headers, status, shown, contact.as_ref(), "")
}

fn invalid(state: &AppState, headers: &HeaderMap) -> Response {
    page(
        state,
        headers,
        StatusCode::BAD_REQUEST,
        UnsubscribePage::Invalid,
        None,
        "",
    )
}

/// The contact a link's token names, with its attributes; `None` when the token does not
/// verify (the link was not ours, or was altered).
async fn verified(state: &AppState, token: &str) -> Option<(Uuid, Option<Attributes>)> {
    let id = state.unsubscribe.verify(token)?;
    Some((id, contact(state, id).await))
}

/// The contact's attributes; `None` when it is gone or the store cannot say (the page
/// then falls back to the browser's language and a general greeting).
async fn contact(state: &AppState, id: Uuid) -> Option<Attributes> {
    match state.store.get_contact(id).await {
        Ok(contact) => contact.map(|c| c.attributes),
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the contact for the unsubscribe page");
            None
        }
    }
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    shown: UnsubscribePage,
    contact: Option<&Attributes>,
    url: &str,
) -> Response {
    let wanted = match contact.and_then(contact_locale) {
        Some(locale) => vec![locale],
        None => accept_language(headers),
    };
    let templates = state.templates.as_ref().map(|t| t.current());
    let data = page_data(shown, contact, url);
    let rendered = unsubscribe_page(templates.as_deref(), &wanted, &data);
    let mut response = (status, Html(rendered.html)).into_response();
    let language = rendered
        .locale_used
        .map_or("en-US".to_owned(), |l| l.to_string());
    let h = response.headers_mut();
    if let Ok(value) = header::HeaderValue::from_str(&language) {
        h.insert(header::CONTENT_LANGUAGE, value);
    }
    // Never inside another site's frame: a framed page could overlay the button and
    // trick a shopper into unsubscribing (clickjacking).
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("frame-ancestors 'none'"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    response
}

/// The contact's `locale` attribute, when it is a locale.
fn contact_locale(contact: &Attributes) -> Option<Locale> {
    Locale::parse(contact.get("locale")?.as_str()?).ok()
}

/// The browser's languages, most preferred first (`sv-SE,sv;q=0.9,en;q=0.5`); tags
/// that are not locales, `*` and `q=0` are skipped.
fn accept_language(headers: &HeaderMap) -> Vec<Locale> {
    let Some(raw) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut tags: Vec<(u16, usize, Locale)> = raw
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)?;
            let locale = Locale::parse(tag).ok().filter(|_| tag != "*")?;
            (quality > 0).then_some((quality, position, locale))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, locale)| locale).collect()
}

/// `0.8` → 800; `None` when it is not a weight.
fn quality(text: &str) -> Option<u16> {
    let weight: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&weight)
        .then(|| (weight * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(header: &str) -> Vec<String> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, header.parse().unwrap());
        accept_language(&headers)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn accept_language_is_ordered_by_weight_then_position() {
        assert_eq!(
            wanted("en;q=0.5, pl-PL, sv;q=0.9, *;q=0.1, de;q=0"),
            ["pl-PL", "sv", "en"]
        );
        assert_eq!(wanted("not a tag!, fi-FI"), ["fi-FI"]);
        assert!(wanted("").is_empty());
    }
}
