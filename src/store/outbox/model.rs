//! What the delivery worker reads from and writes to the outbox.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::store::{Attributes, StoreError};

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

/// What the delivery worker and the outbox admin need.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims up to `limit` due notifications (pending, their retry time reached, not held
    /// by a live worker: see [`InstanceStore`]), counting an attempt on each; oldest due
    /// first.
    async fn claim_notifications(
        &self,
        worker: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// Records how attempts ended, in one transaction; how many `worker` still held.
    async fn finish_notifications(
        &self,
        worker: &str,
        finished: &[(Uuid, Finish)],
    ) -> Result<u64, StoreError>;
    /// Notifications for an admin, newest first, optionally of one status.
    async fn outbox(
        &self,
        status: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError>;
    /// When each of `contacts` was delivered to since `since` (one row per delivery).
    async fn delivered_since(
        &self,
        contacts: &[Uuid],
        since: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError>;
    /// How many notifications there are per status (the metrics scrape and every console
    /// page with outbox counts read it): on SQLite the counts migration 0010 keeps in the
    /// transactions that change them, on PostgreSQL one grouped `COUNT`.
    async fn outbox_depth(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Gives every dead notification a fresh start; how many.
    async fn requeue_dead(&self) -> Result<u64, StoreError>;
    /// Deletes finished notifications of `status` (`delivered` or `dead`); how many.
    async fn purge(&self, status: &str) -> Result<u64, StoreError>;
}
