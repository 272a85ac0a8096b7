//! The unsubscribe link in every email, outside the API key: `GET /unsubscribe/{token}`
//! shows a confirmation page whose button POSTs; `POST /unsubscribe/{token}` (also the
//! RFC 8058 one-click target mail clients call) removes all the contact's back-in-stock
//! subscriptions and records the opt-out. A token that does not verify changes nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:32rem;margin:3rem auto\">\
         <h1>{title}</h1>{body}</body></html>\n"
    );
    (status, Html(html)).into_response()
}

fn invalid() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Invalid link",
        "<p>This unsubscribe link is not valid. Please use the link from your email.</p>",
    )
}

pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if state.unsubscribe.verify(&token).is_none() {
        return invalid();
    }
    // The token is base64url (checked above), so it is safe inside the attribute.
    let form = format!(
        "<p>Stop all back-in-stock emails to you?</p>\
         <form method=\"post\" action=\"/unsubscribe/{token}\">\
         <button type=\"submit\">Unsubscribe</button></form>"
    );
    page(StatusCode::OK, "Unsubscribe", &form)
}

pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(contact) = state.unsubscribe.verify(&token) else {
        return invalid();
    };
    match state.store.opt_out(contact).await {
        // An unknown contact (deleted since) has nothing left to stop: same answer.
        Ok(_) => page(
            StatusCode::OK,
            "You are unsubscribed",
            "<p>You will get no more back-in-stock emails from us.</p>",
        ),
        Err(err) => {
            tracing::error!(error = %err, "unsubscribe failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "<p>We could not unsubscribe you just now. Please try again in a minute.</p>",
            )
        }
    }
}
