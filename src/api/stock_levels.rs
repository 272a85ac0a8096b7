//! Stock levels from the retailer's systems: validated whole, stored durably, then answered
//! 202 — the engine consumes the stored batch.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use super::error::ApiError;
use super::json::Json;
use super::validate::{format_time, Fields};
use super::AppState;
use crate::domain::{ExternalId, Locale, Quantity, Sku};
use crate::store::{StockKey, StockLevel};

/// Engage's limit for one call.
pub const MAX_ITEMS: usize = 10_000;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = StockLevel)]
pub struct StockLevelRequest {
    #[schema(value_type = Quantity, example = 12)]
    pub(super) quantity: Option<i64>,
    #[schema(value_type = Sku, example = "KIRUNA-BLK-M")]
    pub(super) sku: Option<String>,
    /// The market; none means every locale's subscriptions to the SKU.
    #[schema(value_type = Option<Locale>, example = "sv-SE")]
    pub(super) locale: Option<String>,
    #[schema(value_type = Option<ExternalId>)]
    pub(super) external_id: Option<String>,
}

impl super::json::Body for StockLevelRequest {
    const FLAT: bool = true;
}

/// The body of `PUT stock-levels` in the document: the handler reads a
/// `Vec<StockLevelRequest>` and checks its length against [`MAX_ITEMS`].
pub struct StockLevels;

impl utoipa::PartialSchema for StockLevels {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name(
                StockLevelRequest::name(),
            ))
            .min_items(Some(1))
            .max_items(Some(MAX_ITEMS))
            .into()
    }
}

impl ToSchema for StockLevels {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            StockLevelRequest::name().into(),
            StockLevelRequest::schema(),
        ));
        StockLevelRequest::schemas(schemas);
    }
}

/// The stored batch; the engine works through it after this answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AcceptedBatch)]
pub struct Accepted {
    batch_id: Uuid,
    item_count: usize,
    #[schema(format = DateTime)]
    received_on: String,
}

impl StockLevelRequest {
    pub(super) fn check(self, f: &mut Fields) -> Option<StockLevel> {
        let quantity = match self.quantity {
            None => {
                f.error("quantity", "is required");
                None
            }
            Some(q) => Quantity::new(q).map_err(|e| f.error("quantity", e)).ok(),
        };
        let sku = f.required("sku", self.sku.as_deref(), Sku::parse);
        let locale = f.optional("locale", self.locale.as_deref(), Locale::parse);
        let external_id = f.optional("externalId", self.external_id.as_deref(), ExternalId::parse);
        Some(StockLevel {
            key: StockKey {
                sku: sku?,
                locale: locale?,
                external_id: external_id?,
            },
            quantity: quantity?,
        })
    }
}

/// `PUT /api/v3/inventory/stock-levels` (and v2's `/batch`): an array of stock levels.
#[utoipa::path(
    put,
    path = "/inventory/stock-levels",
    operation_id = "putStockLevels",
    tag = "inventory",
    request_body(content = StockLevels,
        description = "1 to 10,000 stock levels, validated whole: one bad item refuses the call"),
    responses(
        (status = 202, description = "Stored; the engine takes it from here", body = Accepted),
    )
)]
pub async fn put_many(
    State(state): State<AppState>,
    Json(body): Json<Vec<StockLevelRequest>>,
) -> Result<(StatusCode, JsonResponse<Accepted>), ApiError> {
    if body.is_empty() {
        return Err(ApiError::field(
            "body",
            "must contain at least one stock level",
        ));
    }
    if body.len() > MAX_ITEMS {
        return Err(ApiError::field(
            "body",
            format!(
                "has {} stock levels; at most {MAX_ITEMS} per call",
                body.len()
            ),
        ));
    }
    let mut all = Fields::new();
    let mut levels = Vec::with_capacity(body.len());
    for (index, item) in body.into_iter().enumerate() {
        let mut f = Fields::item(index);
        let level = item.check(&mut f);
        all.absorb(f);
        levels.extend(level);
    }
    all.finish()?;
    accept(&state, &levels).await
}

/// `PUT /api/v2/inventory/stock-levels`: v2 took a single object.
pub async fn put_one(
    State(state): State<AppState>,
    Json(body): Json<StockLevelRequest>,
) -> Result<(StatusCode, JsonResponse<Accepted>), ApiError> {
    let mut f = Fields::new();
    let level = body.check(&mut f);
    f.finish()?;
    accept(&state, &level.into_iter().collect::<Vec<_>>()).await
}

async fn accept(
    state: &AppState,
    levels: &[StockLevel],
) -> Result<(StatusCode, JsonResponse<Accepted>), ApiError> {
    let batch = state.store.store_stock_levels(levels).await?;
    state.wake_engine.notify_one();
    state.metrics.stock_levels_received(batch.item_count);
    tracing::debug!(batch = %batch.id, items = batch.item_count, "stock levels stored");
    Ok((
        StatusCode::ACCEPTED,
        JsonResponse(Accepted {
            batch_id: batch.id,
            item_count: batch.item_count,
            received_on: format_time(&batch.received_on),
        }),
    ))
}
