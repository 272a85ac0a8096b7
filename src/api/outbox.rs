//! The outbox for admins: `GET /api/v3/outbox?status=`, `POST /api/v3/outbox/retry`
//! (dead letters get a fresh start), `DELETE /api/v3/outbox?status=delivered|dead`.

use axum::extract::State;
use axum::Json as JsonResponse;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::ApiError;
use super::json::Query;
use super::AppState;
use crate::store::{OutboxEntry, DEAD, DELIVERED, PENDING};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    status: Option<String>,
    limit: Option<usize>,
}

#[derive(Serialize)]
pub struct OutboxBody {
    data: Vec<OutboxEntry>,
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

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
) -> Result<JsonResponse<OutboxBody>, ApiError> {
    let status = status(query.status.as_deref(), &[PENDING, DELIVERED, DEAD])?;
    let limit = query.limit.unwrap_or(100).clamp(1, 10_000);
    let data = state.store.outbox(status, limit).await?;
    Ok(JsonResponse(OutboxBody { data }))
}

pub async fn retry(State(state): State<AppState>) -> Result<JsonResponse<Value>, ApiError> {
    let requeued = state.store.requeue_dead().await?;
    Ok(JsonResponse(json!({ "requeued": requeued })))
}

pub async fn purge(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
) -> Result<JsonResponse<Value>, ApiError> {
    let Some(status) = status(query.status.as_deref(), &[DELIVERED, DEAD])? else {
        return Err(ApiError::field(
            "status",
            "is required: delivered or dead (pending notifications are never purged)",
        ));
    };
    let purged = state.store.purge(status).await?;
    Ok(JsonResponse(json!({ "purged": purged })))
}
