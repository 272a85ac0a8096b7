use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, put};
use axum::Router;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use super::{
    auth, automations, completion, contacts, demand, feeds, health, history, integration_log,
    metrics, openapi, outbox, privacy, products, receipts, redirect, reports, server, status,
    stock_levels, subscriptions, templates, unsubscribe, AppState,
};

/// Every route: `/api/v3/…`, its `/api/v2/…` aliases (API key and rate limit), the
/// OpenAPI document, and the probes, `/metrics` and unsubscribe pages (neither), with
/// `pages` (the console's, put together by `startup`) served beside them. Every request,
/// a page's too, is held to the same limits and timed for `/metrics` by route template.
pub fn router(state: AppState, pages: Router) -> Router {
    let (v3, _) = v3().split_for_parts();
    let (v2, _) = engage_routes().split_for_parts();
    let v2 = v2
        .route("/inventory/stock-levels", put(stock_levels::put_one))
        .route("/inventory/stock-levels/batch", put(stock_levels::put_many));
    let (public, _) = openapi::public_routes().split_for_parts();
    let api = Router::new()
        .nest("/api/v3", v3)
        .nest("/api/v2", v2)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_key,
        ));
    Router::new()
        .merge(api)
        .merge(public)
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(metrics::scrape))
        .route("/r/{token}", get(redirect::follow))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .with_state(state.clone())
        .merge(pages)
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
}

/// Every `/api/v3` route, each registered with its documentation (see the `openapi`
/// module for how to add one); the document is built from this same router.
pub fn v3() -> OpenApiRouter<AppState> {
    engage_routes()
        .routes(routes!(stock_levels::put_many))
        .routes(routes!(automations::list))
        .routes(routes!(automations::dry_run))
        .routes(routes!(feeds::list))
        .routes(routes!(integration_log::list))
        .routes(routes!(demand::list))
        .routes(routes!(reports::back_in_stock))
        .routes(routes!(history::get))
        .routes(routes!(products::get))
        .routes(routes!(outbox::list, outbox::purge))
        .routes(routes!(outbox::retry))
        .routes(routes!(status::get))
        .routes(routes!(templates::list))
        .routes(routes!(templates::preview))
}

/// The calls whose shape is the same in v2 and v3 (v2 serves them undocumented).
fn engage_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contacts::create))
        .routes(routes!(contacts::get, contacts::update, contacts::delete))
        .routes(routes!(privacy::export))
        .routes(routes!(privacy::erase))
        .routes(routes!(subscriptions::list_for_contact))
        .routes(routes!(subscriptions::create))
        .routes(routes!(subscriptions::delete))
        .routes(routes!(receipts::create))
}
