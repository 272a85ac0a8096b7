//! `GET /api/v3/inventory/backinstock/demand?locale=&skuPrefix=&minWaiting=&limit=&offset=`:
//! SKUs ranked by waiting subscriptions, per SKU, locale and external id, with what the
//! latest stock level for them did. JSON, or CSV with `Accept: text/csv`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json as JsonResponse;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Problem};
use super::json::Query;
use super::reports::{csv_answer, wants_csv};
use super::validate::{format_time, Fields};
use super::AppState;
use crate::domain::{Locale, Sku};
use crate::store::{DemandQuery, DemandRow, LastLevel};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1_000;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DemandParams {
    /// Only this locale.
    #[param(value_type = Option<String>)]
    locale: Option<String>,
    /// Only SKUs starting with this.
    sku_prefix: Option<String>,
    /// Only rows with at least this many waiting (1 when left out).
    #[param(value_type = Option<u64>)]
    min_waiting: Option<String>,
    /// Rows per page, 1 to 1000 (100 when left out).
    #[param(value_type = Option<u32>)]
    limit: Option<String>,
    /// Rows to skip (0 when left out).
    #[param(value_type = Option<u64>)]
    offset: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Demand)]
pub struct DemandBody {
    data: Vec<DemandItem>,
    /// Rows matching the filters, over all pages.
    total: u64,
    limit: usize,
    offset: usize,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DemandItem {
    sku: String,
    locale: String,
    external_id: Option<String>,
    waiting: u64,
    /// Sign-ups on the shop's pages for the same product not confirmed yet (not waiting:
    /// no stock level matches them).
    pending: u64,
    oldest_subscription: Option<String>,
    newest_subscription: Option<String>,
    average_wait_seconds: i64,
    last_stock_level: Option<LevelItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct LevelItem {
    quantity: i64,
    reported_on: String,
    locale: Option<String>,
    external_id: Option<String>,
    /// False while the engine has not processed it (or its log rows were purged).
    processed: bool,
    held_back: Vec<HeldItem>,
}

#[derive(Serialize, ToSchema)]
struct HeldItem {
    reason: String,
    count: u64,
}

fn present(raw: String) -> Option<String> {
    (!raw.is_empty()).then_some(raw)
}

impl DemandItem {
    fn new(row: DemandRow, now: i64) -> Self {
        Self {
            average_wait_seconds: (now - row.mean_created_s).max(0),
            oldest_subscription: row.oldest.as_ref().map(format_time),
            newest_subscription: row.newest.as_ref().map(format_time),
            last_stock_level: row.last_level.map(LevelItem::new),
            external_id: present(row.external_id),
            sku: row.sku,
            locale: row.locale,
            waiting: row.waiting,
            pending: row.pending,
        }
    }
}

impl LevelItem {
    fn new(level: LastLevel) -> Self {
        Self {
            quantity: level.quantity,
            reported_on: format_time(&level.reported_on),
            locale: present(level.locale),
            external_id: present(level.external_id),
            processed: level.processed,
            held_back: level
                .held_back
                .into_iter()
                .map(|(reason, count)| HeldItem { reason, count })
                .collect(),
        }
    }
}

fn number(max: usize) -> impl Fn(&str) -> Result<usize, String> {
    move |raw| match raw.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("is not a whole number from 0 to {max}")),
    }
}

/// The largest count or offset a parameter takes: the document's `int64` bound, which
/// is also what the database compares with.
const LARGEST: usize = i64::MAX as usize;

/// The checked filters; every bad parameter is named.
fn parse(params: DemandParams) -> Result<DemandQuery, ApiError> {
    let mut f = Fields::new();
    let locale = f.optional("locale", params.locale.as_deref(), Locale::parse);
    // A prefix is any start of a SKU: checked as a SKU (no control characters, length).
    let prefix = f.optional("skuPrefix", params.sku_prefix.as_deref(), Sku::parse);
    let min = f.optional("minWaiting", params.min_waiting.as_deref(), number(LARGEST));
    let limit = f.optional("limit", params.limit.as_deref(), |raw| {
        match number(MAX_LIMIT)(raw) {
            Ok(0) => Err(format!("is not a whole number from 1 to {MAX_LIMIT}")),
            other => other,
        }
    });
    let offset = f.optional("offset", params.offset.as_deref(), number(LARGEST));
    f.finish()?;
    Ok(DemandQuery {
        locale: locale.flatten().map(|l| l.as_str().to_owned()),
        sku_prefix: prefix.flatten().map(|s| s.as_str().to_owned()),
        min_waiting: min.flatten().unwrap_or(1) as u64,
        limit: limit.flatten().unwrap_or(DEFAULT_LIMIT),
        offset: offset.flatten().unwrap_or(0),
    })
}

#[utoipa::path(
    get,
    path = "/inventory/backinstock/demand",
    operation_id = "getDemand",
    tag = "insights",
    params(DemandParams),
    responses(
        (status = 200, description = "Most waiting first; `Accept: text/csv` for CSV", content(
            (DemandBody = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`ValidationFailed`: a bad or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<DemandParams>,
) -> Result<Response, ApiError> {
    let query = parse(params)?;
    let page = state.store.demand(&query).await?;
    let now = Utc::now().timestamp();
    if wants_csv(&headers) {
        let body = crate::insights::csv::demand(&page.rows, now)
            .map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(csv_answer(body));
    }
    let body = DemandBody {
        total: page.total,
        limit: query.limit,
        offset: query.offset,
        data: page
            .rows
            .into_iter()
            .map(|r| DemandItem::new(r, now))
            .collect(),
    };
    Ok(JsonResponse(body).into_response())
}
