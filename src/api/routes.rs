use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::trace::TraceLayer;

use super::error::ApiError;
use super::{
    auth, automations, completion, contacts, demand, feeds, health, history, integration_log,
    metrics, outbox, products, receipts, redirect, reports, server, status, stock_levels,
    subscriptions, templates, unsubscribe, AppState,
};

/// Every route: `/api/v3/…`, its `/api/v2/…` aliases (API key and rate limit), and the
/// probes, `/metrics` and unsubscribe pages (neither). Every request is timed for
/// `/metrics`, by route template.
pub fn router(state: AppState) -> Router {
    let v2 = engage_routes()
        .route("/inventory/stock-levels", put(stock_levels::put_one))
        .route("/inventory/stock-levels/batch", put(stock_levels::put_many));
    let v3 = engage_routes()
        .route("/inventory/stock-levels", put(stock_levels::put_many))
        .route("/automations", get(automations::list))
        .route("/automations/dry-run", post(automations::dry_run))
        .route("/feeds", get(feeds::list))
        .route("/integration-log", get(integration_log::list))
        .route("/inventory/backinstock/demand", get(demand::list))
        .route("/reports/back-in-stock", get(reports::back_in_stock))
        .route("/contacts/{id}/backinstock/history", get(history::get))
        .route("/products/{locale}/{sku}", get(products::get))
        .route("/outbox", get(outbox::list).delete(outbox::purge))
        .route("/outbox/retry", post(outbox::retry))
        .route("/status", get(status::get))
        .route("/templates", get(templates::list))
        .route("/templates/{name}/preview", post(templates::preview));
    let api = Router::new()
        .nest("/api/v3", v3)
        .nest("/api/v2", v2)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_key,
        ));
    Router::new()
        .merge(api)
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(metrics::scrape))
        .route("/r/{token}", get(redirect::follow))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .route_layer(middleware::from_fn(metrics::tag_route))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn(completion::run_to_completion))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.limits.clone(),
            server::guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The calls whose shape is the same in v2 and v3.
fn engage_routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", post(contacts::create))
        .route(
            "/contacts/{id}",
            get(contacts::get)
                .patch(contacts::update)
                .delete(contacts::delete),
        )
        .route(
            "/contacts/{id}/backinstock/subscriptions",
            get(subscriptions::list_for_contact),
        )
        .route(
            "/inventory/backinstock/subscriptions",
            post(subscriptions::create),
        )
        .route(
            "/inventory/backinstock/subscriptions/{id}",
            axum::routing::delete(subscriptions::delete),
        )
        .route("/receipts", post(receipts::create))
}
