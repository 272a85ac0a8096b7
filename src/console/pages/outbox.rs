//! `/admin/outbox`: counts per status, the notifications of one status (dead letters by
//! default, with their reason and attempts; keyset paging, `limit` a page; the CSV holds
//! every notification of the status up to [`CSV_MAX`](crate::console::csv::CSV_MAX)), and the confirmed "retry dead" and "purge"
//! actions the API offers (`POST /api/v3/outbox/retry`, `DELETE /api/v3/outbox`).

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use uuid::Uuid;

use super::{paging, Params};
use crate::console::csv::{every_row, CSV_MAX};
use crate::console::form::Form;
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::format_time;
use crate::store::{Keyset, OutboxEntry, Page, DEAD, DELIVERED, PENDING};

const STATUSES: [&str; 3] = [DEAD, PENDING, DELIVERED];

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let status = status(&params)?;
    let size = paging::size(&params)?;
    let at = paging::keyset(&params, |raw| raw.parse::<Uuid>().ok(), "a notification id")?;
    let depth: BTreeMap<String, u64> = state.store.outbox_depth().await?.into_iter().collect();
    let counts: Vec<_> = STATUSES
        .iter()
        .map(|s| json!({"status": s, "count": depth.get(*s).copied().unwrap_or(0), "current": *s == status}))
        .collect();
    let found = state.store.outbox_page(status, at, size).await?;
    let page = Page::from_found(found, size, &at);
    let kept = [
        ("status", Some(status.to_owned())),
        ("limit", params.get("limit").map(str::to_owned)),
    ];
    let nav = paging::links("/admin/outbox", &kept, &page, |n| n.id.to_string());
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|n| {
            json!({
                "id": n.id, "contactId": n.contact_id, "sku": n.sku, "locale": n.locale,
                "automation": n.automation, "branch": n.branch, "attempts": n.attempts,
                "lastError": n.last_error, "createdOn": format_time(&n.created_on),
            })
        })
        .collect();
    let data = json!({
        "counts": counts,
        "status": status,
        "rows": rows,
        "limit": size,
        "pages": nav,
        "csvMax": CSV_MAX,
        "requeued": params.get("requeued"),
        "purged": params.get("purged"),
        "dead": depth.get(DEAD).copied().unwrap_or(0),
    });
    state
        .console
        .views
        .page("outbox", "Outbox", "/admin/outbox", &data)
}

/// `GET /admin/outbox.csv?status=`: every notification of the status (newest first, at
/// most [`CSV_MAX`](crate::console::csv::CSV_MAX)), streamed a thousand at a time.
pub async fn csv(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let status = status(&params)?;
    let read = move |at, size| {
        let state = state.clone();
        async move { step(&state, status, at, size).await }
    };
    every_row(
        &format!("outbox-{status}.csv"),
        &HEADERS,
        rows,
        |n| n.id,
        read,
    )
    .await
}

async fn step(
    state: &ConsoleState,
    status: &str,
    at: Keyset<Uuid>,
    size: usize,
) -> Result<Page<OutboxEntry>, ConsoleError> {
    let found = state.store.outbox_page(status, at, size).await?;
    Ok(Page::from_found(found, size, &at))
}

const HEADERS: [&str; 10] = [
    "id",
    "createdOn",
    "status",
    "sku",
    "locale",
    "automation",
    "branch",
    "contactId",
    "attempts",
    "lastError",
];

fn rows(found: &[OutboxEntry]) -> Vec<Vec<String>> {
    found
        .iter()
        .map(|n| {
            vec![
                n.id.to_string(),
                format_time(&n.created_on),
                n.status.clone(),
                n.sku.clone(),
                n.locale.clone(),
                n.automation.clone(),
                n.branch.clone(),
                n.contact_id.to_string(),
                n.attempts.to_string(),
                n.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// Which status to list: dead letters unless asked.
fn status(params: &Params) -> Result<&'static str, ConsoleError> {
    match params.get("status") {
        None => Ok(DEAD),
        Some(raw) => STATUSES.into_iter().find(|s| *s == raw).ok_or_else(|| {
            ConsoleError::bad("status", format!("must be one of {}", STATUSES.join(", ")))
        }),
    }
}

/// The confirmation box every outbox action needs (the form's checkbox).
#[derive(Deserialize)]
pub struct Confirmed {
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

impl Confirmed {
    fn check(&self) -> Result<(), ConsoleError> {
        match self.confirm.as_deref() {
            Some("yes") => Ok(()),
            _ => Err(ConsoleError::bad(
                "confirm",
                "tick the box to confirm; nothing was changed",
            )),
        }
    }
}

/// `POST /admin/outbox/retry`: every dead letter gets a fresh start.
pub async fn retry(
    State(state): State<ConsoleState>,
    Form(form): Form<Confirmed>,
) -> Result<Response, ConsoleError> {
    form.check()?;
    let requeued = state.store.requeue_dead().await?;
    Ok(Redirect::to(&format!("/admin/outbox?status=pending&requeued={requeued}")).into_response())
}

/// `POST /admin/outbox/purge`: deletes delivered or dead notifications (never pending).
pub async fn purge(
    State(state): State<ConsoleState>,
    Form(form): Form<Confirmed>,
) -> Result<Response, ConsoleError> {
    form.check()?;
    let status = match form.status.as_deref() {
        Some(DELIVERED) => DELIVERED,
        Some(DEAD) => DEAD,
        _ => {
            return Err(ConsoleError::bad(
                "status",
                "must be delivered or dead (pending notifications are never purged)",
            ))
        }
    };
    let purged = state.store.purge(status).await?;
    Ok(Redirect::to(&format!("/admin/outbox?status={status}&purged={purged}")).into_response())
}
