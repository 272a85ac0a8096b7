//! One log line per notification the worker settles: INFO delivered, WARN to be retried,
//! ERROR dead-lettered, so what happened to an email can be read from the log alone.
//! Put back during a transport fault or deferred by the daily cap is DEBUG: the fault
//! itself is logged once, when the transport goes down (see `plugins::email`).

use chrono::{DateTime, Utc};

use crate::domain::format_time;
use crate::store::{Finish, OutboxItem};

/// Logs how `item` ended this attempt; `action` is what decided it (the failing action,
/// or every action run when delivered).
pub(super) fn settled(item: &OutboxItem, action: &str, finish: &Finish) {
    let (id, automation, branch) = (&item.id, item.automation.as_str(), item.branch.as_str());
    let attempt = item.attempts;
    match finish {
        Finish::Delivered => tracing::info!(
            notification = %id, automation = %automation, branch = %branch, action = %action, attempt, outcome = %"delivered",
            "notification delivered"
        ),
        Finish::Retry { at_ms, error, .. } => tracing::warn!(
            notification = %id, automation = %automation, branch = %branch, action = %action, attempt, outcome = %"retry",
            reason = error.as_str(), next_attempt = %at(*at_ms), "notification will be retried"
        ),
        Finish::Dead { reason, .. } => tracing::error!(
            notification = %id, automation = %automation, branch = %branch, action = %action, attempt, outcome = %"dead",
            reason = reason.as_str(), "notification dead-lettered"
        ),
        Finish::Defer { at_ms } => tracing::debug!(
            notification = %id, automation = %automation, branch = %branch, outcome = %"deferred",
            reason = "the contact's daily cap is reached", next_attempt = %at(*at_ms),
            "notification deferred"
        ),
        Finish::Release { error, .. } => tracing::debug!(
            notification = %id, automation = %automation, branch = %branch, action = %action, outcome = %"paused",
            reason = error.as_deref().unwrap_or("delivery is paused"),
            "notification put back without spending an attempt"
        ),
    }
}

fn at(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| format_time(&t))
}
