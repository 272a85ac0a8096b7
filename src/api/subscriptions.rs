//! Engage's three back-in-stock subscription calls.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, Problem};
use super::json::Json;
use super::validate::{format_time, guid, path_id, Fields};
use super::AppState;
use crate::domain::{ExternalId, Locale, Sku};
use crate::store::{NewSubscription, Subscription};

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewSubscription)]
pub struct SubscriptionRequest {
    #[schema(value_type = Uuid)]
    contact_id: Option<String>,
    #[schema(value_type = Sku, example = "KIRUNA-BLK-M")]
    sku: Option<String>,
    #[schema(value_type = Locale, example = "sv-SE")]
    locale: Option<String>,
    #[schema(value_type = Option<ExternalId>)]
    external_id: Option<String>,
}

impl super::json::Body for SubscriptionRequest {
    const FLAT: bool = true;
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Subscription)]
pub struct SubscriptionBody {
    id: Uuid,
    contact_id: Uuid,
    sku: String,
    /// Canonical BCP 47, e.g. `sv-SE`.
    locale: String,
    external_id: Option<String>,
    #[schema(format = DateTime)]
    created_on: String,
}

impl From<Subscription> for SubscriptionBody {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id,
            contact_id: s.contact_id,
            sku: s.sku.to_string(),
            locale: s.locale.to_string(),
            external_id: s.external_id.map(|e| e.to_string()),
            created_on: format_time(&s.created_on),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionList {
    data: Vec<SubscriptionBody>,
}

impl SubscriptionRequest {
    fn into_new(self) -> Result<NewSubscription, ApiError> {
        let mut f = Fields::new();
        let contact_id = f.required("contactId", self.contact_id.as_deref(), guid);
        let sku = f.required("sku", self.sku.as_deref(), Sku::parse);
        let locale = f.required("locale", self.locale.as_deref(), Locale::parse);
        let external_id = f.optional("externalId", self.external_id.as_deref(), ExternalId::parse);
        f.finish()?;
        match (contact_id, sku, locale, external_id) {
            (Some(contact_id), Some(sku), Some(locale), Some(external_id)) => Ok(NewSubscription {
                contact_id,
                sku,
                locale,
                external_id,
            }),
            _ => Err(ApiError::field("body", "is invalid")),
        }
    }
}

/// 201 with the new subscription, or 200 with the identical one that already exists.
#[utoipa::path(
    post,
    path = "/inventory/backinstock/subscriptions",
    operation_id = "createSubscription",
    tag = "subscriptions",
    request_body = SubscriptionRequest,
    responses(
        (status = 201, description = "The new subscription", body = SubscriptionBody),
        (status = 200, description = "The identical subscription that already existed",
            body = SubscriptionBody),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<SubscriptionRequest>,
) -> Result<(StatusCode, JsonResponse<SubscriptionBody>), ApiError> {
    let subscribed = state.store.subscribe(body.into_new()?).await?;
    let status = if subscribed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, JsonResponse(subscribed.subscription.into())))
}

#[utoipa::path(
    delete,
    path = "/inventory/backinstock/subscriptions/{id}",
    operation_id = "deleteSubscription",
    tag = "subscriptions",
    params(("id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`SubscriptionNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(&id, "subscriptionId")?;
    if state.store.unsubscribe(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::SubscriptionNotFound)
    }
}

#[utoipa::path(
    get,
    path = "/contacts/{id}/backinstock/subscriptions",
    operation_id = "listContactSubscriptions",
    tag = "subscriptions",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact's subscriptions", body = SubscriptionList),
        (status = 400, description = "`InvalidId`: the id is not a GUID",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_for_contact(
    State(state): State<AppState>,
    Path(contact_id): Path<String>,
) -> Result<JsonResponse<SubscriptionList>, ApiError> {
    let contact_id = path_id(&contact_id, "contactId")?;
    let subscriptions = state
        .store
        .contact_subscriptions(contact_id)
        .await?
        .ok_or(ApiError::ContactNotFound)?;
    Ok(JsonResponse(SubscriptionList {
        data: subscriptions.into_iter().map(Into::into).collect(),
    }))
}
