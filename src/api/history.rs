//! `GET /api/v3/contacts/{id}/backinstock/history`: why a shopper got — or did not get — an
//! email. Every subscription of the contact, waiting or ended (triggered, expired,
//! deleted, unsubscribed), a triggered one with its notification and delivery outcome.

use axum::extract::{Path, State};
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, Problem};
use super::json::Query;
use super::validate::{format_time, path_id};
use super::AppState;
use crate::store::HistoryEntry;

#[derive(Serialize, ToSchema)]
#[schema(as = BackInStockHistory)]
pub struct HistoryBody {
    data: Vec<HistoryItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct HistoryItem {
    subscription_id: Uuid,
    sku: String,
    locale: String,
    external_id: Option<String>,
    subscribed_on: String,
    status: String,
    ended_on: Option<String>,
    /// Why it expired: the automation whose `expires_after` dropped it.
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_by: Option<String>,
    notification: Option<NotificationItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct NotificationItem {
    id: Uuid,
    automation: String,
    branch: String,
    /// `pending` (being delivered or retried), `delivered` or `dead`.
    status: Option<String>,
    attempts: i32,
    last_error: Option<String>,
    finished_on: Option<String>,
    /// When the shopper first clicked a tracked link of it (`null`: not yet).
    clicked_on: Option<String>,
    conversion: Option<ConversionItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ConversionItem {
    converted_on: String,
    /// Revenue for the notified SKU, a decimal string; `null` when the receipt gave no price.
    revenue: Option<String>,
    currency: Option<String>,
}

/// The history takes no parameters: a `limit` or `offset` sent in the belief that it
/// pages is refused by name rather than ignored (the whole history always comes back).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {}

fn present(raw: String) -> Option<String> {
    (!raw.is_empty()).then_some(raw)
}

impl From<HistoryEntry> for HistoryItem {
    fn from(e: HistoryEntry) -> Self {
        let expired = e.status == "expired";
        let notification = e.notification_id.map(|id| NotificationItem {
            id,
            automation: e.automation.clone(),
            branch: e.branch.clone(),
            status: e.notification_status,
            attempts: e.attempts,
            last_error: e.last_error,
            finished_on: e.finished_on.as_ref().map(format_time),
            clicked_on: e.clicked_on.as_ref().map(format_time),
            conversion: e.converted_on.as_ref().map(|on| ConversionItem {
                converted_on: format_time(on),
                revenue: e.revenue_e4.map(crate::insights::report::format_revenue),
                currency: e.currency.clone(),
            }),
        });
        Self {
            subscription_id: e.subscription_id,
            sku: e.sku,
            locale: e.locale,
            external_id: present(e.external_id),
            subscribed_on: format_time(&e.subscribed_on),
            status: e.status,
            ended_on: e.ended_on.as_ref().map(format_time),
            expired_by: expired.then_some(e.automation).and_then(present),
            notification,
        }
    }
}

#[utoipa::path(
    get,
    path = "/contacts/{id}/backinstock/history",
    operation_id = "getBackInStockHistory",
    tag = "insights",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "Every subscription of the contact, oldest first", body = HistoryBody),
        (status = 400, description = "`InvalidId`: the id is not a GUID; `ValidationFailed`: a query parameter was sent (there are none)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(HistoryParams {}): Query<HistoryParams>,
) -> Result<JsonResponse<HistoryBody>, ApiError> {
    let id = path_id(&id, "contactId")?;
    let entries = state
        .store
        .history(id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    Ok(JsonResponse(HistoryBody {
        data: entries.into_iter().map(Into::into).collect(),
    }))
}
