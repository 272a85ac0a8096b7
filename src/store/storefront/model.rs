//! What the storefront's sign-up, confirmation and mailer read and write.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{EmailAddress, ExternalId, Locale, Sku};
use crate::store::StoreError;

/// How a consent was given: confirmed from the email, or taken at the form (double opt-in
/// off for the locale).
pub const DOUBLE_OPT_IN: &str = "double_opt_in";
pub const SINGLE_OPT_IN: &str = "single_opt_in";

/// At most `max` sign-ups in `bucket` per `window`: the window opens with the bucket's
/// first sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupLimit {
    /// `ip:<client>` or `email:<address key>`.
    pub bucket: String,
    pub max: u32,
    pub window: Duration,
}

/// A shopper's sign-up, its proof already checked (all but its being unspent).
#[derive(Debug, Clone)]
pub struct NewSignup {
    pub email: EmailAddress,
    pub sku: Sku,
    pub locale: Locale,
    pub external_id: Option<ExternalId>,
    pub consent_version: String,
    pub source_page: String,
    /// The client address as the configuration keeps it (truncated or hashed).
    pub ip: String,
    pub user_agent: String,
    /// The proof's challenge, spent by this sign-up, and when it would expire anyway.
    pub proof: String,
    pub proof_expires_ms: i64,
    /// Checked in order; the first one exceeded refuses the sign-up.
    pub limits: Vec<SignupLimit>,
    /// Pending subscriptions an address may have at once.
    pub pending_cap: u32,
    /// Pending (a confirmation email) rather than subscribed at once.
    pub double_opt_in: bool,
    /// How long a pending subscription waits for its confirmation.
    pub pending_ttl: Duration,
    /// A repeated sign-up sends the confirmation again only this long after the last.
    pub cooldown: Duration,
}

/// What a sign-up did. The shopper sees one answer for all but `Limited` and `Replayed`,
/// so nobody learns from it whether an address is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupOutcome {
    /// A pending subscription; `mail`: a confirmation email is on its way (false when one
    /// was sent within the cool-down, or is still queued).
    Pending { id: Uuid, mail: bool },
    /// Subscribed at once (single opt-in), or already was (`created` false).
    Subscribed { subscription: Uuid, created: bool },
    /// The address already waits for this product: nothing changed, nothing is sent.
    AlreadySubscribed,
    /// The address has as many pending subscriptions as it may: nothing stored or sent.
    Capped,
    /// A limit was reached: nothing stored or sent; try again after this long.
    Limited {
        bucket: String,
        retry_after: Duration,
    },
    /// The proof was used before.
    Replayed,
}

/// A pending subscription as the confirmation page and "my alerts" show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingSubscription {
    pub id: Uuid,
    pub email: String,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub created_on: DateTime<Utc>,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub expires_on: DateTime<Utc>,
}

/// A confirmed pending subscription: the contact (found or created) and its subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub contact_id: Uuid,
    pub subscription_id: Uuid,
    /// False when the contact already had this subscription.
    pub created: bool,
    pub sku: String,
    pub locale: String,
    /// The address's key: the "my alerts" link names it.
    pub email_key: String,
}

/// A consent record, as the export and the console show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    /// `double_opt_in` or `single_opt_in`.
    pub method: String,
    pub consent_version: String,
    pub source_page: String,
    pub ip: String,
    pub user_agent: String,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub signed_up_on: DateTime<Utc>,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub confirmed_on: DateTime<Utc>,
}

/// A confirmation email to send: the pending subscription it confirms.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmationMail {
    pub id: Uuid,
    pub email: String,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    pub expires_on: DateTime<Utc>,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// How sending a confirmation email ended.
#[derive(Debug, Clone, PartialEq)]
pub enum MailFinish {
    Sent,
    Retry {
        at_ms: i64,
        error: String,
    },
    Dead {
        error: String,
    },
    /// The transport was down: back to the queue, not an attempt.
    Release {
        error: String,
    },
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StorefrontPurge {
    pub pending: u64,
    pub proofs: u64,
    pub limits: u64,
}

/// Sign-ups, their confirmation and the confirmation emails' queue.
#[async_trait]
pub trait StorefrontStore: Send + Sync + 'static {
    /// Spends the proof, applies the limits and records the sign-up, all in one
    /// transaction: a refused sign-up stores nothing but its proof and its count.
    async fn sign_up(&self, signup: NewSignup) -> Result<SignupOutcome, StoreError>;
    /// The pending subscription `id`, unless it was confirmed, expired or purged.
    async fn pending_subscription(
        &self,
        id: Uuid,
    ) -> Result<Option<PendingSubscription>, StoreError>;
    /// Makes the pending subscription a subscription of the contact with its address
    /// (created if there is none, and accepting email again if it had opted out: this is
    /// an explicit opt-in), with its consent record; `None` when it is no longer pending.
    async fn confirm_pending(&self, id: Uuid) -> Result<Option<Confirmed>, StoreError>;
    /// The pending subscriptions of an address (its key), oldest first.
    async fn pending_for(&self, email_key: &str) -> Result<Vec<PendingSubscription>, StoreError>;
    /// Cancels one pending subscription of an address; false if there was none.
    async fn cancel_pending(&self, email_key: &str, id: Uuid) -> Result<bool, StoreError>;
    /// A contact's consent records, newest first.
    async fn consents(&self, contact: Uuid) -> Result<Vec<Consent>, StoreError>;
    /// Claims up to `limit` due confirmation emails for `worker`, counting an attempt.
    async fn claim_confirmation_mails(
        &self,
        worker: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ConfirmationMail>, StoreError>;
    /// Records how sending ended (only while `worker` still holds the claim).
    async fn finish_confirmation_mail(
        &self,
        worker: &str,
        id: Uuid,
        finish: MailFinish,
    ) -> Result<(), StoreError>;
    /// Removes pending subscriptions past their expiry, spent proofs past theirs and
    /// limit windows that closed before `now` minus `longest_window`.
    async fn purge_storefront(
        &self,
        now: DateTime<Utc>,
        longest_window: Duration,
    ) -> Result<StorefrontPurge, StoreError>;
}
