//! `/admin/contacts`: find a contact by id or email address (or the start of one) and see
//! their back-in-stock story — every subscription, waiting or ended, with its
//! notification's delivery, click and conversion (the history `GET
//! /api/v3/contacts/{id}/backinstock/history` serves) — and delete them the way `DELETE
//! /api/v3/contacts/{id}` does. Addresses are masked unless revealed on purpose.

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::Params;
use crate::console::form::Form;
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::{format_time, EmailAddress};
use crate::store::{Contact, HistoryEntry};

/// Subscriptions per page of a contact's history unless `limit` says otherwise.
const PAGE: i64 = 50;
/// Contacts listed for a search by the start of an address.
const LISTED: usize = 20;
/// The longest search text: an address's longest.
const LONGEST: usize = 254;

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let reveal = params.get("reveal") == Some("1");
    let deleted = params.get("deleted").and_then(|d| Uuid::parse_str(d).ok());
    let mut data = json!({
        "q": params.get("q"),
        "reveal": reveal,
        "deleted": deleted,
    });
    if let Some(q) = params.get("q") {
        let found = match Search::parse(q)?.run(&state).await? {
            Found::One { contact, typed } => one(&state, contact, reveal || typed, &params).await?,
            Found::Many(found) => {
                let more = found.len() > LISTED;
                let list: Vec<Value> = found
                    .iter()
                    .take(LISTED)
                    .map(|c| listed(c, reveal))
                    .collect();
                json!({"list": list, "more": more, "listed": LISTED, "searched": true})
            }
        };
        merge(&mut data, found);
        let mut csv = form_urlencoded::Serializer::new(String::new());
        csv.append_pair("q", q);
        if reveal {
            csv.append_pair("reveal", "1");
        }
        data["csv"] = json!(format!("/admin/contacts.csv?{}", csv.finish()));
    }
    state
        .console
        .views
        .page("contacts", "Contacts", "/admin/contacts", &data)
}

/// `GET /admin/contacts.csv?q=`: what the search shows, whole — one contact's every
/// subscription with its notification, or the contacts an address's start finds (at most
/// as many as the page lists; addresses masked unless `reveal=1`).
pub async fn csv(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let reveal = params.get("reveal") == Some("1");
    let Some(q) = params.get("q") else {
        return Err(ConsoleError::bad(
            "q",
            "type a contact id, an email address or its start",
        ));
    };
    let contact = match Search::parse(q)?.run(&state).await? {
        Found::One { contact, .. } => contact,
        Found::Many(found) => {
            let rows: Vec<Value> = found
                .iter()
                .take(LISTED)
                .map(|c| listed(c, reveal))
                .collect();
            let columns = [
                ("contactId", "/id"),
                ("email", "/email"),
                ("createdOn", "/createdOn"),
                ("acceptsEmail", "/acceptsEmail"),
            ];
            return crate::console::csv::values("contacts.csv", &columns, &rows);
        }
    };
    let contact = contact.ok_or(ConsoleError::NoSuchContact)?;
    let history = newest_first(&state, contact.id).await?;
    let rows: Vec<Value> = history.iter().map(entry).collect();
    let columns = [
        ("subscriptionId", "/subscriptionId"),
        ("sku", "/sku"),
        ("locale", "/locale"),
        ("externalId", "/externalId"),
        ("subscribedOn", "/subscribedOn"),
        ("status", "/status"),
        ("endedOn", "/endedOn"),
        ("expiredBy", "/expiredBy"),
        ("notificationId", "/notification/id"),
        ("automation", "/notification/automation"),
        ("branch", "/notification/branch"),
        ("notificationStatus", "/notification/status"),
        ("attempts", "/notification/attempts"),
        ("lastError", "/notification/lastError"),
        ("finishedOn", "/notification/finishedOn"),
        ("clickedOn", "/notification/clickedOn"),
        ("convertedOn", "/notification/convertedOn"),
        ("revenue", "/notification/revenue"),
        ("currency", "/notification/currency"),
    ];
    let name = format!("contact-{}.csv", contact.id);
    crate::console::csv::values(&name, &columns, &rows)
}

/// What a search finds: the contact an id or a whole address names, if any (`typed`: the
/// address was typed in full, so showing it reveals nothing new), or the contacts an
/// address's start finds — at most `LISTED + 1`, the one more telling there are more.
enum Found {
    One {
        contact: Option<Contact>,
        typed: bool,
    },
    Many(Vec<Contact>),
}

/// A contact's back-in-stock history, newest first (none for an unknown contact).
async fn newest_first(
    state: &ConsoleState,
    contact: Uuid,
) -> Result<Vec<HistoryEntry>, ConsoleError> {
    let mut history = state.store.history(contact).await?.unwrap_or_default();
    history.reverse();
    Ok(history)
}

/// What the one search field holds.
enum Search {
    Id(Uuid),
    Email(EmailAddress),
    Prefix(String),
}

impl Search {
    fn parse(raw: &str) -> Result<Self, ConsoleError> {
        if let Ok(id) = Uuid::parse_str(raw) {
            return Ok(Search::Id(id));
        }
        if raw.contains('@') && !raw.ends_with('@') {
            return EmailAddress::parse(raw).map(Search::Email).map_err(|e| {
                ConsoleError::bad("q", format!("{raw:?} is not an email address: {e}"))
            });
        }
        if raw.chars().any(char::is_control) || raw.len() > LONGEST {
            return Err(ConsoleError::bad(
                "q",
                format!(
                    "type a contact id, an email address or its start (at most {LONGEST} \
                     characters, no control characters)"
                ),
            ));
        }
        Ok(Search::Prefix(raw.to_owned()))
    }

    async fn run(self, state: &ConsoleState) -> Result<Found, ConsoleError> {
        let store = &state.store;
        Ok(match self {
            Search::Id(id) => Found::One {
                contact: store.get_contact(id).await?,
                typed: false,
            },
            Search::Email(email) => Found::One {
                contact: store.contact_by_email(&email).await?,
                typed: true,
            },
            Search::Prefix(prefix) => {
                Found::Many(store.contacts_by_email_prefix(&prefix, LISTED + 1).await?)
            }
        })
    }
}

/// The page's data for one contact (or `found: false`), with a page of their history.
async fn one(
    state: &ConsoleState,
    contact: Option<Contact>,
    reveal: bool,
    params: &Params,
) -> Result<Value, ConsoleError> {
    let Some(contact) = contact else {
        return Ok(json!({"searched": true, "found": false}));
    };
    let limit = params.number("limit", PAGE, 1..=1_000)?;
    let offset = params.number("offset", 0, 0..=i64::MAX)?;
    let history = newest_first(state, contact.id).await?;
    let summary = summary(&history);
    let total = history.len();
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(50);
    let rows: Vec<Value> = history.iter().skip(skip).take(take).map(entry).collect();
    let link = |at: usize| {
        let size = if limit == PAGE {
            String::new()
        } else {
            format!("&limit={limit}")
        };
        let reveal = if reveal { "&reveal=1" } else { "" };
        format!("/admin/contacts?q={}{reveal}&offset={at}{size}", contact.id)
    };
    let consents: Vec<Value> = state
        .store
        .consents(contact.id)
        .await?
        .iter()
        .map(|c| consent(c, reveal))
        .collect();
    let pending: Vec<Value> = state
        .store
        .pending_for(&email_of(&contact).to_lowercase())
        .await?
        .iter()
        .map(|p| {
            json!({"sku": p.sku, "locale": p.locale, "externalId": p.external_id,
                   "createdOn": format_time(&p.created_on), "expiresOn": format_time(&p.expires_on)})
        })
        .collect();
    Ok(json!({
        "searched": true,
        "found": true,
        "consents": consents,
        "pending": pending,
        "contact": shown(&contact, reveal),
        "history": rows,
        "summary": summary,
        "total": total,
        "first": if rows.is_empty() { 0 } else { skip + 1 },
        "last": skip.saturating_add(rows.len()),
        "prev": (skip > 0).then(|| link(skip.saturating_sub(take))),
        "next": (skip.saturating_add(rows.len()) < total).then(|| link(skip + take)),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    id: Option<String>,
}

/// `GET /admin/contacts/export?id=…`: everything stored about the contact, as one JSON
/// download (what `GET /api/v3/contacts/{id}/export` answers, for a person at the
/// console: a data subject's access request).
pub async fn export(
    State(state): State<ConsoleState>,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> Result<Response, ConsoleError> {
    let raw = q.id.as_deref().unwrap_or_default().trim();
    let id = Uuid::parse_str(raw)
        .map_err(|_| ConsoleError::bad("id", format!("{raw:?} is not a contact id (a GUID)")))?;
    let store = &state.store;
    let contact = store
        .get_contact(id)
        .await?
        .ok_or(ConsoleError::NoSuchContact)?;
    let subscriptions = store.contact_subscriptions(id).await?.unwrap_or_default();
    let history = newest_first(&state, id).await?;
    let body = json!({
        "exportedOn": format_time(&chrono::Utc::now()),
        "contact": {
            "id": contact.id,
            "attributes": contact.attributes,
            "source": contact.source,
            "acceptsEmail": contact.accepts_email,
            "createdOn": format_time(&contact.created_on),
            "modifiedOn": format_time(&contact.modified_on),
        },
        "subscriptions": subscriptions.iter().map(|s| json!({
            "id": s.id, "sku": s.sku.as_str(), "locale": s.locale.as_str(),
            "externalId": s.external_id.as_ref().map(|e| e.as_str()),
            "createdOn": format_time(&s.created_on),
        })).collect::<Vec<_>>(),
        "pendingSubscriptions": store.pending_for(&email_of(&contact).to_lowercase()).await?,
        "consents": store.consents(id).await?,
        "history": history.iter().map(entry).collect::<Vec<_>>(),
        "notifications": store.contact_notifications(id).await?,
        "receipts": store.contact_receipts(id).await?,
    });
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"contact-{id}.json\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// A consent record; the client address and user agent only when revealed.
fn consent(c: &crate::store::Consent, reveal: bool) -> Value {
    json!({
        "method": if c.method == crate::store::DOUBLE_OPT_IN { "double opt-in" } else { "single opt-in" },
        "version": c.consent_version,
        "sku": c.sku,
        "locale": c.locale,
        "sourcePage": c.source_page,
        "ip": reveal.then_some(&c.ip),
        "userAgent": reveal.then_some(&c.user_agent),
        "signedUpOn": format_time(&c.signed_up_on),
        "confirmedOn": format_time(&c.confirmed_on),
    })
}

fn merge(data: &mut Value, more: Value) {
    if let (Value::Object(data), Value::Object(more)) = (data, more) {
        data.extend(more);
    }
}

/// `j•••@example.com` for `jane@example.com`: enough to tell contacts apart, not to
/// write to them.
pub(crate) fn mask(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

fn email_of(contact: &Contact) -> &str {
    contact
        .attributes
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// A contact in a list: the address masked unless revealed.
fn listed(contact: &Contact, reveal: bool) -> Value {
    let email = email_of(contact);
    json!({
        "id": contact.id,
        "email": if reveal { email.to_owned() } else { mask(email) },
        "createdOn": format_time(&contact.created_on),
        "acceptsEmail": contact.accepts_email,
    })
}

/// A contact shown on their own: other attributes (names, phone numbers…) only when
/// revealed, their names otherwise.
fn shown(contact: &Contact, reveal: bool) -> Value {
    let others: Vec<Value> = contact
        .attributes
        .iter()
        .filter(|(name, _)| name.as_str() != "email")
        .map(|(name, value)| {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            json!({"name": name, "value": reveal.then_some(value)})
        })
        .collect();
    let mut out = listed(contact, reveal);
    merge(
        &mut out,
        json!({
            "revealed": reveal,
            "modifiedOn": format_time(&contact.modified_on),
            "source": contact.source,
            "attributes": others,
        }),
    );
    out
}

/// How many subscriptions are in each state, and how the notifications did.
fn summary(history: &[HistoryEntry]) -> Value {
    let count = |f: &dyn Fn(&HistoryEntry) -> bool| history.iter().filter(|e| f(e)).count();
    json!({
        "subscriptions": history.len(),
        "waiting": count(&|e| e.status == "waiting"),
        "triggered": count(&|e| e.status == "triggered"),
        "expired": count(&|e| e.status == "expired"),
        "delivered": count(&|e| e.notification_status.as_deref() == Some("delivered")),
        "dead": count(&|e| e.notification_status.as_deref() == Some("dead")),
        "clicked": count(&|e| e.clicked_on.is_some()),
        "converted": count(&|e| e.converted_on.is_some()),
    })
}

fn entry(e: &HistoryEntry) -> Value {
    let time = |t: &Option<chrono::DateTime<chrono::Utc>>| t.as_ref().map(format_time);
    json!({
        "subscriptionId": e.subscription_id,
        "sku": e.sku,
        "locale": e.locale,
        "externalId": (!e.external_id.is_empty()).then_some(&e.external_id),
        "subscribedOn": format_time(&e.subscribed_on),
        "status": e.status,
        "endedOn": time(&e.ended_on),
        "expiredBy": (e.status == "expired" && !e.automation.is_empty()).then_some(&e.automation),
        "notification": e.notification_id.map(|id| json!({
            "id": id,
            "automation": e.automation,
            "branch": e.branch,
            "status": e.notification_status,
            "attempts": e.attempts,
            "lastError": e.last_error,
            "finishedOn": time(&e.finished_on),
            "clickedOn": time(&e.clicked_on),
            "convertedOn": time(&e.converted_on),
            "revenue": e.revenue_e4.map(crate::insights::report::format_revenue),
            "currency": e.currency,
        })),
    })
}

/// The delete form: the contact's id and the confirmation box.
#[derive(Deserialize)]
pub struct Delete {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /admin/contacts/delete`: deletes the contact with their subscriptions,
/// notifications, purchases and history (the API's `DELETE /api/v3/contacts/{id}`).
pub async fn delete(
    State(state): State<ConsoleState>,
    Form(form): Form<Delete>,
) -> Result<Response, ConsoleError> {
    let raw = form.id.as_deref().unwrap_or_default().trim();
    let id = Uuid::parse_str(raw).map_err(|_| {
        ConsoleError::bad(
            "id",
            format!("{raw:?} is not a contact id (a GUID); nothing was deleted"),
        )
    })?;
    if form.confirm.as_deref() != Some("yes") {
        return Err(ConsoleError::bad(
            "confirm",
            "tick the box to confirm; nothing was deleted",
        ));
    }
    if !state.store.delete_contact(id).await? {
        return Err(ConsoleError::ContactNotFound);
    }
    Ok(Redirect::to(&format!("/admin/contacts?deleted={id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_to_their_first_letter_and_domain() {
        assert_eq!(mask("jane@example.com"), "j•••@example.com");
        assert_eq!(mask("Åsa.berg@exempel.se"), "Å•••@exempel.se");
        assert_eq!(mask("a@b@example.com"), "a•••@example.com");
        assert_eq!(mask(""), "•••");
    }

    #[test]
    fn the_search_field_tells_ids_addresses_and_starts_apart() {
        let id = "3f1c2a9e-8d4b-4c6f-9a1e-2b3c4d5e6f70";
        assert!(matches!(Search::parse(id), Ok(Search::Id(_))));
        assert!(matches!(
            Search::parse("ada@example.com"),
            Ok(Search::Email(_))
        ));
        assert!(matches!(Search::parse("ada@"), Ok(Search::Prefix(_))));
        assert!(matches!(Search::parse("ada"), Ok(Search::Prefix(_))));
        assert!(Search::parse("ada@@example").is_err());
        assert!(Search::parse("a\u{7}b").is_err());
    }
}
