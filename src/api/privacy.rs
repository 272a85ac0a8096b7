//! A contact's data protection rights over the API: `GET /api/v3/contacts/{id}/export`
//! (everything stored about them, as one JSON document) and `POST
//! /api/v3/contacts/{id}/erase` (all of it removed, with what was removed). The daily
//! statistics keep their counts: they name no one.

use axum::extract::{Path, State};
use axum::Json as JsonResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::contacts::ContactBody;
use super::error::{ApiError, Problem};
use super::history::HistoryItem;
use super::subscriptions::SubscriptionBody;
use super::validate::{format_time, path_id};
use super::AppState;
use crate::store::{Consent, ContactNotification, ContactReceipt, Erased, PendingSubscription};

/// Everything Restock stores about one contact.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ContactExport)]
pub struct ExportBody {
    #[schema(format = DateTime)]
    exported_on: String,
    contact: ContactBody,
    /// Waiting subscriptions.
    subscriptions: Vec<SubscriptionBody>,
    /// Sign-ups at the contact's address still waiting for their confirmation.
    #[schema(value_type = Vec<Object>)]
    pending_subscriptions: Vec<PendingSubscription>,
    /// How each storefront sign-up was agreed to.
    consents: Vec<Consent>,
    /// Every subscription, waiting or ended, with its notification's outcome.
    history: Vec<HistoryItem>,
    /// The notifications in the outbox, with their counted clicks.
    #[schema(value_type = Vec<Object>)]
    notifications: Vec<ContactNotification>,
    #[schema(value_type = Vec<Object>)]
    receipts: Vec<ContactReceipt>,
}

#[utoipa::path(
    get,
    path = "/contacts/{id}/export",
    operation_id = "exportContact",
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "Everything stored about the contact", body = ExportBody),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<JsonResponse<ExportBody>, ApiError> {
    let id = path_id(&id, "contactId")?;
    let store = &state.store;
    let contact = store
        .get_contact(id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    let key = contact
        .attributes
        .get("email")
        .and_then(|e| e.as_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    let subscriptions = store.contact_subscriptions(id).await?.unwrap_or_default();
    let history = store.history(id).await?.unwrap_or_default();
    Ok(JsonResponse(ExportBody {
        exported_on: format_time(&chrono::Utc::now()),
        contact: contact.into(),
        subscriptions: subscriptions.into_iter().map(Into::into).collect(),
        pending_subscriptions: store.pending_for(&key).await?,
        consents: store.consents(id).await?,
        history: history.into_iter().map(Into::into).collect(),
        notifications: store.contact_notifications(id).await?,
        receipts: store.contact_receipts(id).await?,
    }))
}

/// What an erasure removed, per kind of row.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ContactErasure)]
pub struct ErasedBody {
    #[schema(value_type = Object)]
    removed: Erased,
}

#[utoipa::path(
    post,
    path = "/contacts/{id}/erase",
    operation_id = "eraseContact",
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "Every row naming the contact or their address removed; how many of each", body = ErasedBody),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<JsonResponse<ErasedBody>, ApiError> {
    let id = path_id(&id, "contactId")?;
    let removed = state
        .store
        .erase_contact(id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    Ok(JsonResponse(ErasedBody { removed }))
}
