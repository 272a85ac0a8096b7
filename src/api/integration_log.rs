//! `GET /api/v3/integration-log?sku=&since=&limit=`: for every stock level received, what
//! happened to the subscriptions it matched.

use axum::extract::State;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Problem};
use super::json::Query;
use super::validate::{timestamp, Fields};
use super::AppState;
use crate::domain::Sku;
use crate::engine::log::{group, LogEntry};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Only stock levels of this SKU.
    #[param(value_type = Option<Sku>)]
    sku: Option<String>,
    /// Only stock levels received at or after this time (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    since: Option<String>,
    /// At most this many entries (clamped to 1..=10000; 100 when left out).
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = IntegrationLog)]
pub struct LogBody {
    data: Vec<LogEntry>,
}
const DEFAULT_LIMIT: usize = 100;

#[utoipa::path(
    get,
    path = "/integration-log",
    operation_id = "getIntegrationLog",
    tag = "admin",
    params(LogQuery),
    responses(
        (status = 200, description = "Newest first", body = LogBody),
        (status = 400, description = "`ValidationFailed`: a bad or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<LogQuery>,
) -> Result<JsonResponse<LogBody>, ApiError> {
    let mut f = Fields::new();
    let sku = f.optional("sku", query.sku.as_deref(), Sku::parse);
    // A `+` in a query string arrives as a space unless encoded; read it as the offset.
    let since = query.since.map(|s| s.replace(' ', "+"));
    let since = f.optional("since", since.as_deref(), timestamp);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 10_000);
    f.finish()?;
    let (sku, since) = (sku.flatten(), since.flatten());
    let rows = state
        .store
        .integration_log(sku.as_ref(), since, limit)
        .await?;
    Ok(JsonResponse(LogBody { data: group(rows) }))
}
