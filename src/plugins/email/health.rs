//! Whether mail can leave at all, as the last send or probe found it.
//!
//! A transport fault (no TLS, refused login, nobody listening, a full disk) says nothing
//! about any one email, so it is kept here rather than on a notification: the start log,
//! the delivery worker's back-off, `restock_mail_transport_up` and `GET /api/v3/status`
//! all read the same state. Only a change is logged (ERROR going down, with the cause;
//! INFO coming back), so an outage is one line however many emails wait behind it.

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use serde::Serialize;

type Observer = Box<dyn Fn(bool) + Send + Sync>;

/// The shared state of one mail transport; clones see and change the same state.
#[derive(Clone)]
pub struct TransportHealth {
    inner: Arc<Shared>,
}

struct Shared {
    transport: &'static str,
    state: Mutex<State>,
    observer: OnceLock<Observer>,
}

#[derive(Clone)]
struct State {
    /// False until the first send or probe: the start counts as up, but its first
    /// verdict is always logged.
    checked: bool,
    up: bool,
    since: DateTime<Utc>,
    error: Option<String>,
    last_checked_on: Option<DateTime<Utc>>,
}

/// The transport as the status resource shows it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransportStatus {
    /// `smtp` or `file`.
    pub transport: &'static str,
    pub up: bool,
    /// When `up` last changed (or the process started).
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub since: DateTime<Utc>,
    /// Why it is down; `null` while up.
    pub error: Option<String>,
    /// The last send or probe; `null` before the first.
    #[serde(serialize_with = "serialize_optional_time")]
    pub last_checked_on: Option<DateTime<Utc>>,
}

fn serialize_optional_time<S: serde::Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => crate::domain::serialize_time(time, serializer),
        None => serializer.serialize_none(),
    }
}

impl TransportHealth {
    pub fn new(transport: &'static str) -> Self {
        Self {
            inner: Arc::new(Shared {
                transport,
                state: Mutex::new(State {
                    checked: false,
                    up: true,
                    since: Utc::now(),
                    error: None,
                    last_checked_on: None,
                }),
                observer: OnceLock::new(),
            }),
        }
    }

    /// A send or probe got through to the server (whatever it then said about the email).
    pub fn record_up(&self) {
        if let Some(was) = self.record(true, None) {
            if was.checked {
                tracing::info!(transport = %self.inner.transport, down_since = %was.since, "the mail transport is back up; delivery resumes");
            } else {
                tracing::info!(transport = %self.inner.transport, "the mail transport works");
            }
        }
    }

    /// A send or probe could not reach the point of handing over an email.
    pub fn record_down(&self, cause: &str) {
        if self.record(false, Some(cause)).is_some() {
            tracing::error!(transport = %self.inner.transport, error = cause, "the mail transport is down; notifications wait (none is dead-lettered) until it is back");
        }
    }

    /// Updates the state; the state before when this is a change worth a log line.
    fn record(&self, up: bool, cause: Option<&str>) -> Option<State> {
        let now = Utc::now();
        let changed = {
            let Ok(mut state) = self.inner.state.lock() else {
                return None;
            };
            let was = state.clone();
            state.last_checked_on = Some(now);
            state.checked = true;
            state.error = cause.map(str::to_owned);
            if was.up != up {
                state.up = up;
                state.since = now;
            }
            (!was.checked || was.up != up).then_some(was)
        };
        if let (Some(_), Some(observer)) = (&changed, self.inner.observer.get()) {
            observer(up);
        }
        changed
    }

    pub fn is_up(&self) -> bool {
        self.inner.state.lock().map(|s| s.up).unwrap_or(false)
    }

    pub fn status(&self) -> TransportStatus {
        let state = match self.inner.state.lock() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        TransportStatus {
            transport: self.inner.transport,
            up: state.up,
            since: state.since,
            error: state.error,
            last_checked_on: state.last_checked_on,
        }
    }

    /// Calls `observer(up)` now and on every change (for the gauge). Only the first
    /// observer is kept; false if one was already set.
    pub fn observe(&self, observer: impl Fn(bool) + Send + Sync + 'static) -> bool {
        let set = self.inner.observer.set(Box::new(observer)).is_ok();
        if let Some(observer) = self.inner.observer.get().filter(|_| set) {
            observer(self.is_up());
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;

    #[test]
    fn the_state_follows_the_last_verdict_and_the_observer_sees_each_change() {
        let health = TransportHealth::new("smtp");
        let gauge = Arc::new(AtomicI64::new(-1));
        let seen = gauge.clone();
        assert!(health.observe(move |up| seen.store(i64::from(up), Ordering::SeqCst)));
        assert_eq!(gauge.load(Ordering::SeqCst), 1);
        assert_eq!(health.status().last_checked_on, None);

        health.record_down("connection refused");
        let status = health.status();
        assert!(!status.up);
        assert_eq!(status.error.as_deref(), Some("connection refused"));
        assert!(status.last_checked_on.is_some());
        assert_eq!(gauge.load(Ordering::SeqCst), 0);

        health.record_up();
        let status = health.status();
        assert!(status.up && status.error.is_none());
        assert_eq!(gauge.load(Ordering::SeqCst), 1);
    }
}
