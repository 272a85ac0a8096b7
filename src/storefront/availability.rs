//! `GET /storefront/availability?sku=…&locale=…`: whether the widget should offer the
//! alert (`data-restock-when="unavailable"`). The latest stock level Restock received
//! decides; without one, the feed's availability; with neither, `null` (the widget then
//! shows itself: better an alert nobody needs than none for a product that is gone).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{StorefrontError, StorefrontState};
use crate::domain::{Locale, Sku};
use crate::store::StockKey;

#[derive(Debug, Deserialize)]
pub struct AvailabilityQuery {
    sku: Option<String>,
    locale: Option<String>,
}

#[derive(Debug, Serialize)]
struct AvailabilityBody {
    sku: String,
    available: Option<bool>,
}

pub async fn availability(
    State(state): State<StorefrontState>,
    Query(query): Query<AvailabilityQuery>,
) -> Result<Response, StorefrontError> {
    let sku = Sku::parse(query.sku.as_deref().unwrap_or_default())
        .map_err(|e| StorefrontError::field("sku", e))?;
    let locale = Locale::parse(query.locale.as_deref().unwrap_or_default())
        .map_err(|e| StorefrontError::field("locale", e))?;
    let mut available = None;
    for locale in [Some(locale.clone()), None] {
        let key = StockKey {
            sku: sku.clone(),
            locale,
            external_id: None,
        };
        if let Some(level) = state.store.latest_stock_level(&key).await? {
            available = Some(level.quantity.get() > 0);
            break;
        }
    }
    if available.is_none() {
        available = state
            .engine
            .catalog()
            .product(&locale, sku.as_str())
            .and_then(|p| match p.availability()? {
                "in_stock" | "preorder" | "backorder" => Some(true),
                "out_of_stock" => Some(false),
                _ => None,
            });
    }
    let body = AvailabilityBody {
        sku: sku.as_str().to_owned(),
        available,
    };
    // Short: a restock should show through within a minute.
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(body)).into_response())
}
