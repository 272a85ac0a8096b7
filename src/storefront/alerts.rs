//! "My alerts": the page the link in every confirmation and back-in-stock email opens. It
//! lists the address's waiting and unconfirmed alerts with the feed's names and images,
//! each cancellable, and "cancel all", which also stops every email to the address.
//! The link is the only key (signed, naming the address), so the page needs no sign-in.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use handlebars::html_escape;
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{failed, invalid, page};
use super::words::{words, words_for_browser, Words};
use super::StorefrontState;
use crate::domain::{EmailAddress, Locale};
use crate::store::{Contact, PendingSubscription, StoreError, Subscription};

/// One line of the page.
struct Alert {
    id: Uuid,
    sku: String,
    locale: String,
    waiting: bool,
}

#[derive(Debug, Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /storefront/alerts/{token}`.
pub async fn show(
    State(state): State<StorefrontState>,
    Path(token): Path<String>,
    Query(shown): Query<Shown>,
    headers: HeaderMap,
) -> Response {
    let unknown = words_for_browser(&headers);
    let Some(key) = state.links.alerts_key(&token) else {
        return invalid(unknown);
    };
    match alerts_of(&state, &key).await {
        Ok((contact, alerts)) => {
            let w = words(&language_of(contact.as_ref(), &alerts));
            let body = listing(&state, w, &alerts, shown.done.is_some());
            page(StatusCode::OK, w, w.alerts_title, &body)
        }
        Err(err) => failed(unknown, &err),
    }
}

#[derive(Debug, Deserialize)]
pub struct Cancel {
    /// An alert's id, or `all`.
    cancel: String,
}

/// `POST /storefront/alerts/{token}`: cancels one alert of the address, or all of them
/// (and opts the contact out of email), then shows the page again.
pub async fn cancel(
    State(state): State<StorefrontState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Cancel>,
) -> Response {
    let unknown = words_for_browser(&headers);
    let Some(key) = state.links.alerts_key(&token) else {
        return invalid(unknown);
    };
    match cancel_for(&state, &key, &form.cancel).await {
        Ok(()) => Redirect::to(&format!("/storefront/alerts/{token}?done=1")).into_response(),
        Err(err) => failed(unknown, &err),
    }
}

async fn cancel_for(state: &StorefrontState, key: &str, what: &str) -> Result<(), StoreError> {
    let (contact, alerts) = alerts_of(state, key).await?;
    if what == "all" {
        for alert in alerts.iter().filter(|a| !a.waiting) {
            state.store.cancel_pending(key, alert.id).await?;
        }
        if let Some(contact) = contact {
            state.store.opt_out(contact.id).await?;
        }
        return Ok(());
    }
    // Only an alert of this address: an id from anywhere else changes nothing.
    let Some(alert) = alerts.iter().find(|a| a.id.to_string() == what) else {
        return Ok(());
    };
    if alert.waiting {
        state.store.unsubscribe(alert.id).await?;
    } else {
        state.store.cancel_pending(key, alert.id).await?;
    }
    Ok(())
}

/// The contact with the address (if any) and its alerts: waiting first, then unconfirmed.
async fn alerts_of(
    state: &StorefrontState,
    key: &str,
) -> Result<(Option<Contact>, Vec<Alert>), StoreError> {
    let mut alerts = Vec::new();
    let contact = match EmailAddress::parse(key) {
        Ok(address) => state.store.contact_by_email(&address).await?,
        Err(_) => None,
    };
    if let Some(contact) = &contact {
        let waiting: Vec<Subscription> = state
            .store
            .contact_subscriptions(contact.id)
            .await?
            .unwrap_or_default();
        alerts.extend(waiting.into_iter().map(|s| Alert {
            id: s.id,
            sku: s.sku.as_str().to_owned(),
            locale: s.locale.as_str().to_owned(),
            waiting: true,
        }));
    }
    let pending: Vec<PendingSubscription> = state.store.pending_for(key).await?;
    alerts.extend(pending.into_iter().map(|p| Alert {
        id: p.id,
        sku: p.sku,
        locale: p.locale,
        waiting: false,
    }));
    Ok((contact, alerts))
}

/// The contact's `locale` attribute, else the first alert's locale.
fn language_of(contact: Option<&Contact>, alerts: &[Alert]) -> String {
    contact
        .and_then(|c| c.attributes.get("locale")?.as_str().map(str::to_owned))
        .or_else(|| alerts.first().map(|a| a.locale.clone()))
        .unwrap_or_default()
}

fn listing(state: &StorefrontState, w: &Words, alerts: &[Alert], done: bool) -> String {
    let mut html = String::new();
    if done {
        html.push_str(&format!(
            "<p role=\"status\">{}</p>",
            html_escape(w.cancelled)
        ));
    }
    if alerts.is_empty() {
        html.push_str(&format!("<p>{}</p>", html_escape(w.alerts_empty)));
        return html;
    }
    html.push_str("<ul class=\"alerts\">");
    for alert in alerts {
        html.push_str(&item(state, w, alert));
    }
    html.push_str("</ul>");
    html.push_str(&format!(
        "<form method=\"post\"><button type=\"submit\" name=\"cancel\" value=\"all\">{}</button></form>",
        html_escape(w.cancel_all)
    ));
    html
}

/// One alert: the feed's image and name where it has them, the SKU otherwise.
fn item(state: &StorefrontState, w: &Words, alert: &Alert) -> String {
    let product = Locale::parse(&alert.locale)
        .ok()
        .and_then(|l| state.engine.catalog().product(&l, &alert.sku));
    let name = product
        .as_ref()
        .and_then(|p| p.name())
        .map_or(alert.sku.clone(), str::to_owned);
    let image = product
        .as_ref()
        .and_then(|p| p.image_url())
        .filter(|u| u.starts_with("https://"))
        .map(|u| {
            format!(
                "<img src=\"{}\" alt=\"\" width=\"64\" height=\"64\">",
                html_escape(u)
            )
        })
        .unwrap_or_default();
    let status = if alert.waiting {
        w.waiting
    } else {
        w.unconfirmed
    };
    format!(
        "<li>{image}<span><strong>{name}</strong><br>{status}</span>\
         <form method=\"post\"><button type=\"submit\" name=\"cancel\" value=\"{id}\" \
         aria-label=\"{cancel}: {name}\">{cancel}</button></form></li>",
        name = html_escape(&name),
        status = html_escape(status),
        id = alert.id,
        cancel = html_escape(w.cancel),
    )
}
