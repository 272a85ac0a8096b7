//! A contact's notifications and receipts as the export shows them, and what an erasure
//! removed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::store::StoreError;

/// A notification of the contact, delivered or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactNotification {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub automation: String,
    pub branch: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::domain::serialize_optional_time")]
    pub finished_on: Option<DateTime<Utc>>,
    /// The counted click on its tracked link.
    #[serde(serialize_with = "crate::domain::serialize_optional_time")]
    pub clicked_on: Option<DateTime<Utc>>,
}

/// A receipt of the contact with its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactReceipt {
    pub id: Uuid,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub created_date: DateTime<Utc>,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub received_on: DateTime<Utc>,
    pub currency: Option<String>,
    pub items: Vec<ReceiptLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptLine {
    pub sku: String,
    pub quantity: i64,
    /// The line's total in 1/10000 of the currency, when the receipt gave one.
    pub paid_e4: Option<i64>,
}

/// Rows an erasure removed, per kind. Daily statistics keep their counts: they name no one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    pub contacts: u64,
    pub subscriptions: u64,
    pub pending_subscriptions: u64,
    pub consents: u64,
    pub notifications: u64,
    pub history: u64,
    pub receipts: u64,
    pub clicks: u64,
    pub conversions: u64,
}

/// Reading a contact's data for its export, and erasing it.
#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    /// The contact's notifications (in the outbox), oldest first.
    async fn contact_notifications(
        &self,
        contact: Uuid,
    ) -> Result<Vec<ContactNotification>, StoreError>;
    /// The contact's receipts, oldest first.
    async fn contact_receipts(&self, contact: Uuid) -> Result<Vec<ContactReceipt>, StoreError>;
    /// Removes every row that names the contact or its address, in one transaction: the
    /// contact and what cascades from it, the clicks on its notifications and the
    /// sign-ups waiting for confirmation at its address. `None` if there is no such
    /// contact.
    async fn erase_contact(&self, contact: Uuid) -> Result<Option<Erased>, StoreError>;
}
