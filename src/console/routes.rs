//! The console's routes under `/admin`: the sign-in pages and assets are open, every other
//! page needs a session; every route carries the security headers and the cross-site check.

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use super::pages::{
    automations, contacts, demand, feeds, history, log, outbox, overview, templates,
};
use super::{assets, security, session};
use crate::console::ConsoleState;

/// Every `/admin` route, or none when `console.enabled` is false.
pub fn router(state: ConsoleState) -> Router {
    if !state.console.enabled() {
        return Router::new();
    }
    let signed_in = Router::new()
        .route("/admin", get(overview::show))
        .route("/admin/demand", get(demand::show))
        .route("/admin/demand.csv", get(demand::csv))
        .route("/admin/contacts", get(contacts::show))
        .route("/admin/contacts.csv", get(contacts::csv))
        .route("/admin/contacts/delete", post(contacts::delete))
        .route("/admin/contacts/export", get(contacts::export))
        .route("/admin/feeds", get(feeds::show))
        .route("/admin/feeds.csv", get(feeds::csv))
        .route("/admin/log", get(log::show))
        .route("/admin/log.csv", get(log::csv))
        .route("/admin/outbox", get(outbox::show))
        .route("/admin/outbox.csv", get(outbox::csv))
        .route("/admin/outbox/retry", post(outbox::retry))
        .route("/admin/outbox/purge", post(outbox::purge))
        .route("/admin/automations", get(automations::show))
        .route("/admin/automations.csv", get(automations::csv))
        .route(
            "/admin/automations/edit",
            get(automations::edit).post(automations::submit),
        )
        .route("/admin/automations/check", post(automations::check))
        .route("/admin/automations/diff", get(history::rules_diff))
        .route("/admin/automations/restore", post(history::rules_restore))
        .route("/admin/templates", get(templates::show))
        .route("/admin/templates.csv", get(templates::csv))
        .route("/admin/templates/frame", get(templates::frame))
        .route("/admin/templates/check", post(templates::check))
        .route(
            "/admin/templates/edit",
            get(templates::edit).post(templates::submit),
        )
        .route("/admin/templates/diff", get(history::templates_diff))
        .route("/admin/templates/restore", post(history::templates_restore))
        .route("/admin/sessions/end-all", post(session::end_all))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            session::require,
        ));
    Router::new()
        .route("/admin/login", get(session::form).post(session::sign_in))
        .route("/admin/logout", post(session::sign_out))
        .route("/admin/assets/{name}", get(assets::serve))
        .merge(signed_in)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            security::same_origin,
        ))
        .route_layer(middleware::from_fn(security::headers))
        .with_state(state)
}
