//! Liveness and readiness for orchestrators; no API key needed.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::error::ApiError;
use super::AppState;

/// The process is up and serving HTTP.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The process can do its job: the database answers.
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(json!({"status": "ready"}))),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}
