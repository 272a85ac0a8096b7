//! `GET /api/v3/feeds`: every configured product feed, what its live version holds and
//! whether its last reload worked — the answer to "why is nobody notified?" when the
//! reason is `noFeedForLocale` or a feed file that stopped parsing.

use axum::extract::State;
use axum::Json as JsonResponse;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::feeds::FeedStatus;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Feeds)]
pub struct FeedsBody {
    /// One entry per configured locale, sorted by locale; empty when no feed is
    /// configured, in which case every subscription is held back (`noFeedForLocale`).
    feeds: Vec<FeedStatus>,
}

#[utoipa::path(
    get,
    path = "/feeds",
    operation_id = "listFeeds",
    tag = "admin",
    responses((status = 200, description = "Every configured feed", body = FeedsBody))
)]
pub async fn list(State(state): State<AppState>) -> JsonResponse<FeedsBody> {
    JsonResponse(FeedsBody {
        feeds: state.engine.catalog().status(),
    })
}
