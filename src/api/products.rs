//! `GET /api/v3/products/{locale}/{sku}`: the product exactly as the engine sees it.

use axum::extract::{Path, State};
use axum::Json as JsonResponse;

use super::error::{ApiError, Problem};
use super::AppState;
use crate::domain::{Locale, Sku};
use crate::feeds::Product;

#[utoipa::path(
    get,
    path = "/products/{locale}/{sku}",
    operation_id = "getProduct",
    tag = "admin",
    params(
        ("locale" = Locale, Path, description = "The feed's locale", example = "sv-SE"),
        ("sku" = Sku, Path, description = "The product's SKU", example = "KIRUNA-BLK-M"),
    ),
    responses(
        (status = 200, description = "The product's fields as the engine reads them", body = Product),
        (status = 400, description = "`ValidationFailed`: not a locale or SKU", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`NoFeedForLocale` or `ProductNotFound`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path((locale, sku)): Path<(String, String)>,
) -> Result<JsonResponse<Product>, ApiError> {
    let locale = Locale::parse(&locale).map_err(|e| ApiError::field("locale", e))?;
    let sku = Sku::parse(&sku).map_err(|e| ApiError::field("sku", e))?;
    let catalog = state.engine.catalog();
    if !catalog.has_feed(&locale) {
        return Err(ApiError::NoFeed(locale.to_string()));
    }
    catalog
        .product(&locale, sku.as_str())
        .map(JsonResponse)
        .ok_or(ApiError::ProductNotFound)
}
