//! `/admin/outbox`: counts per status, the notifications of one status (dead letters by
//! default, with their reason and attempts), and the confirmed "retry dead" and "purge"
//! actions the API offers (`POST /api/v3/outbox/retry`, `DELETE /api/v3/outbox`).

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::Params;
use crate::api::AppState;
use crate::console::csv::download;
use crate::console::ConsoleError;
use crate::domain::format_time;
use crate::store::{DEAD, DELIVERED, PENDING};

const STATUSES: [&str; 3] = [DEAD, PENDING, DELIVERED];

pub async fn show(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let (status, limit) = selection(&params)?;
    let depth: BTreeMap<String, u64> = state.store.outbox_depth().await?.into_iter().collect();
    let counts: Vec<_> = STATUSES
        .iter()
        .map(|s| json!({"status": s, "count": depth.get(*s).copied().unwrap_or(0), "current": *s == status}))
        .collect();
    let rows = state
        .store
        .outbox(Some(status), usize::try_from(limit).unwrap_or(100))
        .await?;
    let rows: Vec<_> = rows
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
        "limit": limit,
        "requeued": params.get("requeued"),
        "purged": params.get("purged"),
        "dead": depth.get(DEAD).copied().unwrap_or(0),
    });
    state
        .console
        .views
        .page("outbox", "Outbox", "/admin/outbox", &data)
}

/// `GET /admin/outbox.csv?status=&limit=`: the listed notifications as CSV.
pub async fn csv(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let (status, limit) = selection(&params)?;
    let rows = state
        .store
        .outbox(Some(status), usize::try_from(limit).unwrap_or(100))
        .await?;
    let rows = rows.into_iter().map(|n| {
        vec![
            n.id.to_string(),
            format_time(&n.created_on),
            n.status,
            n.sku,
            n.locale,
            n.automation,
            n.branch,
            n.contact_id.to_string(),
            n.attempts.to_string(),
            n.last_error.unwrap_or_default(),
        ]
    });
    let headers = [
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
    download(&format!("outbox-{status}.csv"), &headers, rows)
}

/// Which status to list (dead letters unless asked), and at most how many.
fn selection(params: &Params) -> Result<(&'static str, i64), ConsoleError> {
    let status = match params.get("status") {
        None => DEAD,
        Some(raw) => STATUSES.into_iter().find(|s| *s == raw).ok_or_else(|| {
            ConsoleError::bad("status", format!("must be one of {}", STATUSES.join(", ")))
        })?,
    };
    Ok((status, params.number("limit", 100, 1..=10_000)?))
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
    State(state): State<AppState>,
    Form(form): Form<Confirmed>,
) -> Result<Response, ConsoleError> {
    form.check()?;
    let requeued = state.store.requeue_dead().await?;
    Ok(Redirect::to(&format!("/admin/outbox?status=pending&requeued={requeued}")).into_response())
}

/// `POST /admin/outbox/purge`: deletes delivered or dead notifications (never pending).
pub async fn purge(
    State(state): State<AppState>,
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
