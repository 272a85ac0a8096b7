//! The values the store takes and returns, in domain types.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::{EmailAddress, ExternalId, Locale, Sku};
use crate::store::StoreError;

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

/// Contacts and their back-in-stock subscriptions. Every method that returns `Ok` has
/// committed its change.
#[async_trait]
pub trait ContactStore: Send + Sync + 'static {
    async fn create_contact(&self, new: NewContact) -> Result<Contact, StoreError>;
    async fn get_contact(&self, id: Uuid) -> Result<Option<Contact>, StoreError>;
    /// The contact with this address (compared as [`EmailAddress::key`]), for the
    /// console's contact search.
    async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>, StoreError>;
    /// Contacts whose address starts with `prefix` (case-insensitive), by address, at most
    /// `limit`. On PostgreSQL this reads every contact: for a person searching, not for a
    /// hot path.
    async fn contacts_by_email_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Contact>, StoreError>;
    /// Merges `changes` into the attributes (a null value removes an attribute).
    async fn update_contact(
        &self,
        id: Uuid,
        changes: ContactChanges,
    ) -> Result<Contact, StoreError>;
    /// Removes the contact with everything stored about them (their subscriptions,
    /// purchases, sign-ups and clicks: an erasure, [`crate::store::PrivacyStore::erase_contact`]);
    /// false if unknown.
    async fn delete_contact(&self, id: Uuid) -> Result<bool, StoreError>;

    /// Creates a subscription, or returns the identical active one (`created == false`).
    async fn subscribe(&self, new: NewSubscription) -> Result<Subscribed, StoreError>;
    async fn unsubscribe(&self, id: Uuid) -> Result<bool, StoreError>;
    /// The contact's opt-out from back-in-stock email (the unsubscribe link): removes all
    /// their subscriptions and sets `accepts_email` false in one transaction. How many
    /// subscriptions went; `None` if the contact is unknown.
    async fn opt_out(&self, contact: Uuid) -> Result<Option<u64>, StoreError>;
    /// The contact's active subscriptions, oldest first; `None` if the contact is unknown.
    async fn contact_subscriptions(
        &self,
        contact: Uuid,
    ) -> Result<Option<Vec<Subscription>>, StoreError>;
}
