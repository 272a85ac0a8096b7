//! `GET /api/v3/status`: what the process can do right now, one object per part, each
//! saying whether it is up, since when and why not. Today that is the mail transport;
//! the database, rules and feeds can join as siblings of `mail` without changing it.
//!
//! Always 200 while the process answers: the status is the payload. `/ready` is the
//! probe for orchestrators.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::plugins::email::TransportStatus;

#[derive(Serialize, ToSchema)]
pub struct Status {
    /// Whether emails can leave: a transport fault holds every email back (none is
    /// dead-lettered for it) until this is up again.
    mail: TransportStatus,
}

#[utoipa::path(
    get,
    path = "/status",
    operation_id = "getStatus",
    tag = "admin",
    responses((status = 200, description = "What works right now", body = Status))
)]
pub async fn get(State(state): State<AppState>) -> Json<Status> {
    Json(Status {
        mail: state.mail.status(),
    })
}
