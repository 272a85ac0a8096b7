//! The hosted form, `GET /storefront/subscribe?sku=…&locale=…`: the sign-up without
//! JavaScript, for shops that cannot add a script (a link or a button to it does). A
//! browser without scripts cannot solve a proof of work, so the form carries a signed,
//! expiring, single-use token instead (a challenge of difficulty 0, from a key of its
//! own, so it is no proof for the JSON endpoint). The post is under the origin check: a
//! page of another site cannot make its visitors' browsers sign anyone up (CSRF). The
//! token costs a bot one page fetch, not a proof of work: here the limits, the honeypot
//! and the double opt-in are what stop one (docs/storefront.md).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use handlebars::html_escape;
use serde::Deserialize;

use super::pages::{page, product_name};
use super::signup::{consent_text, submit, ProofRequest, SignupRequest};
use super::words::{words, Words};
use super::{StorefrontError, StorefrontState};
use crate::domain::{Locale, Sku};
use crate::web::throttle::ClientAddress;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormQuery {
    sku: Option<String>,
    locale: Option<String>,
    external_id: Option<String>,
}

/// What the form posts back.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    consent_version: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    token: String,
}

/// `GET /storefront/subscribe`: the form for one product.
pub async fn show(State(state): State<StorefrontState>, Query(q): Query<FormQuery>) -> Response {
    let locale = q.locale.unwrap_or_default();
    let w = words(&locale);
    let sku = q.sku.unwrap_or_default();
    if Sku::parse(&sku).is_err() || Locale::parse(&locale).is_err() {
        let body = format!("<p>{}</p>", html_escape(w.something_wrong));
        return page(StatusCode::BAD_REQUEST, w, w.notify_me, &body);
    }
    let external_id = q.external_id.unwrap_or_default();
    let body = form(&state, w, &sku, &locale, &external_id, "", None);
    page(StatusCode::OK, w, w.notify_me, &body)
}

/// `POST /storefront/subscribe`: the sign-up; the answer is a page in the shopper's
/// language, the form again (with what was typed) when something must be corrected.
pub async fn post(
    State(state): State<StorefrontState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(f): Form<FormBody>,
) -> Response {
    let w = words(&f.locale);
    if f.consent.as_deref() != Some("on") {
        return again(&state, w, &f, w.consent_required);
    }
    let request = SignupRequest {
        email: f.email.clone(),
        sku: f.sku.clone(),
        locale: f.locale.clone(),
        external_id: f.external_id.clone().filter(|e| !e.is_empty()),
        consent_version: f.consent_version.clone(),
        source_page: headers
            .get(axum::http::header::REFERER)
            .and_then(|r| r.to_str().ok())
            .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
            .map(|r| r.chars().take(2048).collect()),
        website: f.website.clone(),
        proof: Some(ProofRequest {
            challenge: f.token.clone(),
            nonce: "0".to_owned(),
        }),
    };
    match submit(&state, &state.form_tokens, client, &headers, request).await {
        Ok(confirm) => {
            let text = if confirm {
                w.check_inbox
            } else {
                w.subscribed_now
            };
            let body = format!("<p role=\"status\">{}</p>", html_escape(text));
            page(StatusCode::OK, w, w.notify_me, &body)
        }
        Err(StorefrontError::Invalid(errors)) if errors.iter().any(|e| e.field == "email") => {
            again(&state, w, &f, w.bad_email)
        }
        Err(StorefrontError::Limited(_)) => {
            let body = format!("<p role=\"alert\">{}</p>", html_escape(w.too_many));
            page(StatusCode::TOO_MANY_REQUESTS, w, w.notify_me, &body)
        }
        Err(err) => {
            if let StorefrontError::Store(e) = &err {
                tracing::error!(error = %e, "a hosted-form sign-up failed in the store");
            }
            again(&state, w, &f, w.something_wrong)
        }
    }
}

/// The form again with a fresh token, what was typed, and why it was not taken.
fn again(state: &StorefrontState, w: &Words, f: &FormBody, problem: &str) -> Response {
    let external_id = f.external_id.as_deref().unwrap_or_default();
    let body = form(
        state,
        w,
        &f.sku,
        &f.locale,
        external_id,
        &f.email,
        Some(problem),
    );
    page(StatusCode::BAD_REQUEST, w, w.notify_me, &body)
}

fn form(
    state: &StorefrontState,
    w: &Words,
    sku: &str,
    locale: &str,
    external_id: &str,
    email: &str,
    problem: Option<&str>,
) -> String {
    let token = state
        .form_tokens
        .issue(chrono::Utc::now().timestamp_millis());
    let consent = &state.config.consent;
    let product = product_name(state, locale, sku)
        .map(|name| format!("<p><strong>{}</strong></p>", html_escape(&name)))
        .unwrap_or_default();
    let problem = problem
        .map(|p| format!("<p role=\"alert\" id=\"problem\">{}</p>", html_escape(p)))
        .unwrap_or_default();
    format!(
        "{product}{problem}<form method=\"post\" action=\"/storefront/subscribe\">\
         <p><label for=\"email\">{email_label}</label><br>\
         <input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\" value=\"{email}\"></p>\
         <p><input id=\"consent\" name=\"consent\" type=\"checkbox\" required> \
         <label for=\"consent\">{consent_text}</label></p>\
         <p hidden aria-hidden=\"true\"><label for=\"website\">Website</label>\
         <input id=\"website\" name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\
         <input type=\"hidden\" name=\"sku\" value=\"{sku}\">\
         <input type=\"hidden\" name=\"locale\" value=\"{locale}\">\
         <input type=\"hidden\" name=\"externalId\" value=\"{external_id}\">\
         <input type=\"hidden\" name=\"consentVersion\" value=\"{version}\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">{submit}</button></form>",
        email_label = html_escape(w.email_label),
        email = html_escape(email),
        consent_text = html_escape(consent_text(&consent.text, locale)),
        sku = html_escape(sku),
        locale = html_escape(locale),
        external_id = html_escape(external_id),
        version = html_escape(&consent.version),
        token = html_escape(&token.text),
        submit = html_escape(w.submit),
    )
}
