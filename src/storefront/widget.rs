//! `GET /storefront/widget.js`: the sign-up widget, one script built into the binary.

use axum::http::header;
use axum::response::IntoResponse;

const WIDGET: &str = include_str!("assets/widget.js");

/// The script, cacheable for an hour (a new binary's widget reaches shops within it).
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        WIDGET,
    )
}
