//! The values the store takes and returns, in domain types.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::{Amount, Currency, EmailAddress, ExternalId, Locale, Quantity, Sku};

/// A contact's attributes: a flat JSON object (`email`, `firstName`, `vip`, …).
pub type Attributes = Map<String, Value>;

#[derive(Debug, Clone)]
pub struct NewContact {
    pub email: EmailAddress,
    /// Every attribute, `email` included.
    pub attributes: Attributes,
    pub source: Option<String>,
}

/// Attribute changes: a key with a null value is removed. The API has checked them (an
/// `email` given here is valid and not null), so the unique email key follows the merge.
#[derive(Debug, Clone)]
pub struct ContactChanges {
    pub attributes: Attributes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: Uuid,
    pub attributes: Attributes,
    pub source: Option<String>,
    pub accepts_email: bool,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub contact_id: Uuid,
    pub sku: Sku,
    pub locale: Locale,
    pub external_id: Option<ExternalId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub sku: Sku,
    pub locale: Locale,
    pub external_id: Option<ExternalId>,
    pub created_on: DateTime<Utc>,
}

/// The outcome of a subscribe call: Engage answers 201 for a new one, 200 for a repeat.
#[derive(Debug, Clone)]
pub struct Subscribed {
    pub subscription: Subscription,
    pub created: bool,
}

/// What a stock level is about: the SKU, and the locale and external id when the
/// retailer's system sends them (attributes left out are not compared when matching).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StockKey {
    pub sku: Sku,
    pub locale: Option<Locale>,
    pub external_id: Option<ExternalId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StockLevel {
    pub key: StockKey,
    pub quantity: Quantity,
}

/// A stored batch of stock levels: the engine's input queue.
#[derive(Debug, Clone, PartialEq)]
pub struct StockBatch {
    pub id: Uuid,
    pub received_on: DateTime<Utc>,
    pub item_count: usize,
}

/// A batch a worker holds, with its items in the order they were sent.
#[derive(Debug, Clone)]
pub struct ClaimedBatch {
    pub batch: StockBatch,
    pub attempts: u32,
    /// Where an earlier holder of the batch got to; work before it is committed.
    pub progress: super::Progress,
    pub items: Vec<StockLevel>,
}

#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub contact_id: Uuid,
    pub created_date: DateTime<Utc>,
    /// What the prices are in (Engage's `currency`); required when an item has a price.
    pub currency: Option<Currency>,
    pub items: Vec<ReceiptItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptItem {
    pub sku: Sku,
    pub quantity: Quantity,
    /// What the line was paid in all, VAT included (Engage's `grossPaidPrice`).
    pub paid: Option<Amount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub created_date: DateTime<Utc>,
    pub currency: Option<Currency>,
    pub items: Vec<ReceiptItem>,
}

/// Columns store an absent locale or external id as the empty string, which no valid
/// value can be, so unique keys and equality need no NULL handling.
pub(crate) const ABSENT: &str = "";

pub(crate) fn column<T: AsRef<str>>(value: &Option<T>) -> &str {
    value.as_ref().map_or(ABSENT, AsRef::as_ref)
}
