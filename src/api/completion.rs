//! Requests run to completion even when the client goes away.
//!
//! hyper drops a request's future when its connection closes. A handler dropped in the
//! middle of a write would leave the work half done at best, and on PostgreSQL a future
//! cancelled while `BEGIN` is in flight leaves its pooled connection inside a transaction
//! that nothing rolls back: the next borrower's statements run in it and are never
//! committed (sqlx issues #4385/#4393, unfixed in 0.8.6 and 0.9.0). Each request therefore
//! runs as a task of its own: a client that hangs up stops waiting for the answer, and the
//! write it started still commits or rolls back as a whole.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub async fn run_to_completion(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(err) => {
            tracing::error!(error = %err, "a request handler panicked");
            ApiError::Internal(anyhow::anyhow!("the request handler failed")).into_response()
        }
    }
}
