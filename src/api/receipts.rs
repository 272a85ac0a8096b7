//! Purchases, so rules can ask whether a contact already bought what they waited for, and
//! so a purchase after a notification counts as its conversion (see `docs/api.md`). The
//! money fields are Engage's: the receipt's `currency`, each item's `grossPaidPrice`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, Problem};
use super::json::Json;
use super::validate::{format_time, guid, timestamp, Fields};
use super::AppState;
use crate::domain::{Amount, Currency, Quantity, Sku};
use crate::store::{NewReceipt, Receipt, ReceiptItem};

const MAX_ITEMS: usize = 1_000;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewReceipt)]
pub struct ReceiptRequest {
    #[schema(value_type = Uuid)]
    contact_id: Option<String>,
    /// When the purchase was made; now when left out.
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    created_date: Option<String>,
    /// What the prices are in: an ISO 4217 code; required when an item has a
    /// `grossPaidPrice`.
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{3}$", example = "SEK")]
    currency: Option<String>,
    #[schema(value_type = Vec<ItemRequest>, min_items = 1, max_items = 1000)]
    items: Option<Vec<ItemRequest>>,
}

impl super::json::Body for ReceiptRequest {}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewReceiptItem)]
pub struct ItemRequest {
    #[schema(value_type = Sku, example = "KIRUNA-BLK-M")]
    sku: Option<String>,
    /// 1 when left out.
    #[schema(minimum = 1)]
    quantity: Option<i64>,
    /// What the line was paid in all, VAT included, in the receipt's `currency`; at
    /// most 4 decimals and at most 922337203685477.5807, kept exactly.
    #[schema(value_type = Option<f64>, minimum = 0, example = 1299.0)]
    gross_paid_price: Option<Box<RawValue>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Receipt)]
pub struct ReceiptBody {
    id: Uuid,
    contact_id: Uuid,
    #[schema(format = DateTime)]
    created_date: String,
    /// Absent when the receipt gave none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "SEK")]
    currency: Option<String>,
    items: Vec<ItemBody>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReceiptItem)]
pub struct ItemBody {
    sku: String,
    quantity: i64,
    /// As sent (`199.95`); absent when the item had no price.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    gross_paid_price: Option<Box<RawValue>>,
}

/// `199.95` as a JSON number written from the exact amount: a float would round
/// `12345678901234.5678`.
fn number(amount: Amount) -> Option<Box<RawValue>> {
    RawValue::from_string(amount.to_string()).ok()
}

/// The amount from the number's own text, so no digit passes through binary floating
/// point; a string or any other JSON type is refused as such.
fn paid(raw: &RawValue) -> Result<Amount, String> {
    let text = raw.get().trim();
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(format!("must be a number such as 199.95, not {text}"));
    }
    Amount::parse(text).map_err(|e| e.to_string())
}

impl From<Receipt> for ReceiptBody {
    fn from(r: Receipt) -> Self {
        Self {
            id: r.id,
            contact_id: r.contact_id,
            created_date: format_time(&r.created_date),
            currency: r.currency.map(|c| c.to_string()),
            items: r
                .items
                .into_iter()
                .map(|i| ItemBody {
                    sku: i.sku.to_string(),
                    quantity: i.quantity.get(),
                    gross_paid_price: i.paid.and_then(number),
                })
                .collect(),
        }
    }
}

fn check_item(index: usize, item: ItemRequest, f: &mut Fields) -> Option<ReceiptItem> {
    let field = |name: &str| format!("items[{index}].{name}");
    let sku = f.required(&field("sku"), item.sku.as_deref(), Sku::parse);
    let quantity = match item.quantity.unwrap_or(1) {
        q if q >= 1 => Quantity::new(q).ok(),
        _ => {
            f.error(&field("quantity"), "must be at least 1");
            None
        }
    };
    let paid = item
        .gross_paid_price
        .map(|raw| paid(&raw))
        .transpose()
        .map_err(|e| f.error(&field("grossPaidPrice"), e))
        .ok()?;
    Some(ReceiptItem {
        sku: sku?,
        quantity: quantity?,
        paid,
    })
}

#[utoipa::path(
    post,
    path = "/receipts",
    operation_id = "createReceipt",
    tag = "receipts",
    request_body = ReceiptRequest,
    responses(
        (status = 201, description = "The recorded receipt", body = ReceiptBody),
        (status = 404, description = "`ContactNotFound`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<ReceiptRequest>,
) -> Result<(StatusCode, JsonResponse<ReceiptBody>), ApiError> {
    let mut f = Fields::new();
    let contact_id = f.required("contactId", body.contact_id.as_deref(), guid);
    let created_date = f.optional("createdDate", body.created_date.as_deref(), timestamp);
    let currency = f.optional("currency", body.currency.as_deref(), Currency::parse);
    let items = body.items.unwrap_or_default();
    if items.is_empty() {
        f.error("items", "must contain at least one item");
    } else if items.len() > MAX_ITEMS {
        f.error(
            "items",
            format!("has {} items; at most {MAX_ITEMS}", items.len()),
        );
    }
    let items: Vec<ReceiptItem> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| check_item(i, item, &mut f))
        .collect();
    if matches!(currency, Some(None)) && items.iter().any(|i| i.paid.is_some()) {
        f.error("currency", "is required when an item has a grossPaidPrice");
    }
    f.finish()?;
    let (Some(contact_id), Some(created_date), Some(currency)) =
        (contact_id, created_date, currency)
    else {
        return Err(ApiError::field("body", "is invalid"));
    };
    let receipt = NewReceipt {
        contact_id,
        created_date: created_date.unwrap_or_else(chrono::Utc::now),
        currency,
        items,
    };
    let receipt = state.store.record_receipt(receipt).await?;
    Ok((StatusCode::CREATED, JsonResponse(receipt.into())))
}
