//! Signing in to the console: `POST /admin/login` with a configured API key (form field
//! `apikey`) starts a session whose random id travels only in an `HttpOnly`,
//! `SameSite=Strict` cookie; the database keeps the id's digest, so a session can be ended
//! from anywhere and holds on every instance sharing the database. A session unused for
//! `console.session_idle_minutes` ends.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;

use super::{digest, ConsoleError};
use crate::console::form::Form;
use crate::console::ConsoleState;
use crate::web::throttle::ClientAddress;

/// The cookie that carries the session id (and nothing else).
pub const SESSION_COOKIE: &str = "restock_console";

/// A session is marked as used at most this often, so reading pages is not a write each.
const TOUCH_EVERY_MS: i64 = 60_000;

/// `GET /admin/login`.
pub async fn form(State(state): State<ConsoleState>) -> Result<Response, ConsoleError> {
    let page = state.console.views.login(&json!({}))?;
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    apikey: String,
}

/// `POST /admin/login`: a session and a redirect to the overview, or the form again (401)
/// saying the key was not accepted. Never echoes the key.
pub async fn sign_in(
    State(state): State<ConsoleState>,
    ClientAddress(client): ClientAddress,
    Form(body): Form<SignIn>,
) -> Result<Response, ConsoleError> {
    let console = &state.console;
    if let Some(wait) = console.failures.wait(client) {
        state.metrics.wrong_key("console", true);
        return Err(ConsoleError::TooManySignIns(wait.as_secs().max(1)));
    }
    let key = body.apikey.trim();
    if key.is_empty() || !state.api_keys.accepts(key) {
        console.failures.record(client);
        state.metrics.wrong_key("console", false);
        let page = console
            .views
            .login(&json!({"error": "That key is not one this server accepts."}))?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
    }
    let id = new_session_id();
    let now = now_ms();
    let idle = idle_ms(&state);
    state
        .store
        .create_session(&digest(&id), &digest(key), now, now.saturating_sub(idle))
        .await?;
    let mut response = Redirect::to("/admin").into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={id}; Path=/admin; HttpOnly; SameSite=Strict{}",
        if console.secure_cookie {
            "; Secure"
        } else {
            ""
        }
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `POST /admin/logout`: ends the session in the database and clears the cookie.
pub async fn sign_out(
    State(state): State<ConsoleState>,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    if let Some(id) = session_id(&headers) {
        state.store.delete_session(&digest(id)).await?;
    }
    Ok(signed_out())
}

/// `POST /admin/sessions/end-all`: signs everyone out, on every instance.
pub async fn end_all(State(state): State<ConsoleState>) -> Result<Response, ConsoleError> {
    state.store.delete_all_sessions().await?;
    Ok(signed_out())
}

fn signed_out() -> Response {
    let mut response = Redirect::to("/admin/login").into_response();
    let clear = format!("{SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Lets requests with a live session through; others go to the sign-in form.
pub async fn require(
    State(state): State<ConsoleState>,
    req: Request,
    next: Next,
) -> Result<Response, ConsoleError> {
    if !live_session(&state, req.headers()).await? {
        return Ok(Redirect::to("/admin/login").into_response());
    }
    Ok(next.run(req).await)
}

/// The request's session, if it exists, is not idle too long and its key is still
/// accepted; an expired one is deleted.
async fn live_session(state: &ConsoleState, headers: &HeaderMap) -> Result<bool, ConsoleError> {
    let Some(id) = session_id(headers) else {
        return Ok(false);
    };
    let id_digest = digest(id);
    let Some(session) = state.store.console_session(&id_digest).await? else {
        return Ok(false);
    };
    let now = now_ms();
    let idle = now.saturating_sub(session.last_seen_ms);
    let key_known = state.console.key_digests.contains(&session.key_digest);
    if idle > idle_ms(state) || !key_known {
        state.store.delete_session(&id_digest).await?;
        return Ok(false);
    }
    if idle > TOUCH_EVERY_MS {
        state.store.touch_session(&id_digest, now).await?;
    }
    Ok(true)
}

/// The session cookie's value, if the request has one that looks like our ids.
fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// 256 random bits, URL-safe base64 without padding (43 characters).
fn new_session_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn idle_ms(state: &ConsoleState) -> i64 {
    let idle = state.console.settings.idle_timeout().as_millis();
    i64::try_from(idle).unwrap_or(i64::MAX)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_random_and_cookie_safe() {
        let (a, b) = (new_session_id(), new_session_id());
        assert_ne!(a, b);
        let mut headers = HeaderMap::new();
        let cookie = format!("other=1; {SESSION_COOKIE}={a}");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(session_id(&headers), Some(a.as_str()));
    }
}
