//! The outbox for admins: `GET /api/v3/outbox?status=`, `POST /api/v3/outbox/retry`
//! (dead letters get a fresh start), `DELETE /api/v3/outbox?status=delivered|dead`.

use axum::extract::State;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Problem};
use super::json::Query;
use super::AppState;
use crate::store::{OutboxEntry, DEAD, DELIVERED, PENDING};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only notifications in this state.
    #[param(pattern = "^(pending|delivered|dead)$")]
    status: Option<String>,
    /// At most this many entries (clamped to 1..=10000; 100 when left out).
    limit: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PurgeQuery {
    /// Which finished notifications to delete (pending ones are never purged).
    #[param(value_type = String, pattern = "^(delivered|dead)$")]
    status: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Outbox)]
pub struct OutboxBody {
    data: Vec<OutboxEntry>,
}

/// How many dead letters were given a fresh start.
#[derive(Serialize, ToSchema)]
pub struct Requeued {
    requeued: u64,
}

/// How many finished notifications were deleted.
#[derive(Serialize, ToSchema)]
pub struct Purged {
    purged: u64,
}

fn status(raw: Option<&str>, allowed: &[&'static str]) -> Result<Option<&'static str>, ApiError> {
    match raw {
        None => Ok(None),
        Some(raw) => allowed
            .iter()
            .find(|s| **s == raw)
            .map(|s| Some(*s))
            .ok_or_else(|| {
                ApiError::field("status", format!("must be one of {}", allowed.join(", ")))
            }),
    }
}

#[utoipa::path(
    get,
    path = "/outbox",
    operation_id = "listOutbox",
    tag = "admin",
    params(OutboxQuery),
    responses(
        (status = 200, description = "Notifications and their delivery state", body = OutboxBody),
        (status = 400, description = "`ValidationFailed`: a bad or unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
) -> Result<JsonResponse<OutboxBody>, ApiError> {
    let status = status(query.status.as_deref(), &[PENDING, DELIVERED, DEAD])?;
    let limit = query.limit.unwrap_or(100).clamp(1, 10_000);
    let data = state.store.outbox(status, limit).await?;
    Ok(JsonResponse(OutboxBody { data }))
}

#[utoipa::path(
    post,
    path = "/outbox/retry",
    operation_id = "retryOutbox",
    tag = "admin",
    responses((status = 200, description = "Dead letters requeued", body = Requeued))
)]
pub async fn retry(State(state): State<AppState>) -> Result<JsonResponse<Requeued>, ApiError> {
    let requeued = state.store.requeue_dead().await?;
    Ok(JsonResponse(Requeued { requeued }))
}

#[utoipa::path(
    delete,
    path = "/outbox",
    operation_id = "purgeOutbox",
    tag = "admin",
    params(PurgeQuery),
    responses(
        (status = 200, description = "Finished notifications deleted", body = Purged),
        (status = 400, description = "`ValidationFailed`: no status, `pending`, or unknown", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn purge(
    State(state): State<AppState>,
    Query(query): Query<PurgeQuery>,
) -> Result<JsonResponse<Purged>, ApiError> {
    let Some(status) = status(query.status.as_deref(), &[DELIVERED, DEAD])? else {
        return Err(ApiError::field(
            "status",
            "is required: delivered or dead (pending notifications are never purged)",
        ));
    };
    let purged = state.store.purge(status).await?;
    Ok(JsonResponse(Purged { purged }))
}
