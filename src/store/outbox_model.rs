//! What the delivery worker reads from and writes to the outbox.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::model::Attributes;

/// A claimed notification with everything needed to deliver it: the route's actions, the
/// product as the engine saw it, and the contact as they are now.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    /// Stable across retries: the basis of the email's Message-ID.
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub contact_id: Uuid,
    pub contact: Attributes,
    pub accepts_email: bool,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    pub quantity: i64,
    pub subscribed_on: DateTime<Utc>,
    pub automation: String,
    pub branch: String,
    /// `[{"email": {...}}, {"log": {}}]`, run in order.
    pub actions: serde_json::Value,
    /// How many of `actions` already succeeded in earlier attempts.
    pub actions_done: u32,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub product: serde_json::Value,
    /// The product snapshot's id: tracked links lead to its fields.
    pub product_id: Uuid,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    Delivered,
    /// Try again at `at_ms`, resuming after `actions_done` actions.
    Retry {
        at_ms: i64,
        error: String,
        actions_done: u32,
    },
    /// Give up: a permanent failure or retries exhausted.
    Dead {
        reason: String,
        actions_done: u32,
    },
    /// Not now (the contact's daily cap is reached): try at `at_ms`, and this claim does
    /// not count as an attempt.
    Defer {
        at_ms: i64,
    },
    /// Back to pending as it was due, keeping the actions already done, and this claim
    /// does not count as an attempt: the channel was down (a transport fault), or the
    /// worker paused before trying. `error`, when given, becomes the last error.
    Release {
        actions_done: u32,
        error: Option<String>,
    },
}

/// A notification as an admin sees it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub automation: String,
    pub branch: String,
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub created_on: DateTime<Utc>,
    pub next_attempt_ms: i64,
}

/// The states a notification moves through.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const DEAD: &str = "dead";
