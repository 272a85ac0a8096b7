//! Rows of the outbox as the database returns them.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::model::{OutboxEntry, OutboxItem};
use crate::store::row::ABSENT;
use crate::store::Attributes;

#[derive(sqlx::FromRow)]
pub(crate) struct ItemRow {
    id: Uuid,
    subscription_id: Uuid,
    contact_id: Uuid,
    attributes: Json<Attributes>,
    accepts_email: bool,
    sku: String,
    locale: String,
    external_id: String,
    quantity: i64,
    subscribed_on: DateTime<Utc>,
    automation_id: String,
    branch: String,
    actions: Json<serde_json::Value>,
    actions_done: i32,
    attempts: i32,
    product: Json<serde_json::Value>,
    product_id: Uuid,
}

impl From<ItemRow> for OutboxItem {
    fn from(row: ItemRow) -> Self {
        OutboxItem {
            id: row.id,
            subscription_id: row.subscription_id,
            contact_id: row.contact_id,
            contact: row.attributes.0,
            accepts_email: row.accepts_email,
            sku: row.sku,
            locale: row.locale,
            external_id: (row.external_id != ABSENT).then_some(row.external_id),
            quantity: row.quantity,
            subscribed_on: row.subscribed_on,
            automation: row.automation_id,
            branch: row.branch,
            actions: row.actions.0,
            actions_done: u32::try_from(row.actions_done).unwrap_or_default(),
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
            product: row.product.0,
            product_id: row.product_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    id: Uuid,
    contact_id: Uuid,
    sku: String,
    locale: String,
    automation_id: String,
    branch: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_on: DateTime<Utc>,
    next_attempt_ms: i64,
}

impl From<EntryRow> for OutboxEntry {
    fn from(row: EntryRow) -> Self {
        OutboxEntry {
            id: row.id,
            contact_id: row.contact_id,
            sku: row.sku,
            locale: row.locale,
            automation: row.automation_id,
            branch: row.branch,
            status: row.status,
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
            last_error: row.last_error,
            created_on: row.created_on,
            next_attempt_ms: row.next_attempt_ms,
        }
    }
}
