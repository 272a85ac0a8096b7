//! Rows as the database returns them, and their conversion into domain types. The derived
//! `FromRow` impls are generic, so both backends share them.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::model::*;
use super::StoreError;
use crate::domain::{DomainError, ExternalId, Locale, Quantity, Sku};

/// The current time at the precision both databases keep (microseconds), so a value we
/// return equals the value we later read back.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn new_id() -> Uuid {
    Uuid::now_v7()
}

fn corrupt(what: &str, value: &str, err: DomainError) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?} {err}"))
}

fn optional<T>(
    raw: &str,
    what: &str,
    parse: fn(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, StoreError> {
    if raw == ABSENT {
        return Ok(None);
    }
    parse(raw).map(Some).map_err(|e| corrupt(what, raw, e))
}

pub(crate) fn sku(raw: &str) -> Result<Sku, StoreError> {
    Sku::parse(raw).map_err(|e| corrupt("sku", raw, e))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub id: Uuid,
    pub attributes: Json<Attributes>,
    pub source: Option<String>,
    pub accepts_email: bool,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub version: i64,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Self {
        Contact {
            id: row.id,
            attributes: row.attributes.0,
            source: row.source,
            accepts_email: row.accepts_email,
            created_on: row.created_on,
            modified_on: row.modified_on,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SubscriptionRow {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub external_id: String,
    pub created_on: DateTime<Utc>,
}

impl TryFrom<SubscriptionRow> for Subscription {
    type Error = StoreError;

    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        Ok(Subscription {
            id: row.id,
            contact_id: row.contact_id,
            sku: sku(&row.sku)?,
            locale: Locale::parse(&row.locale).map_err(|e| corrupt("locale", &row.locale, e))?,
            external_id: optional(&row.external_id, "externalId", ExternalId::parse)?,
            created_on: row.created_on,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StockLevelRow {
    pub sku: String,
    pub locale: String,
    pub external_id: String,
    pub quantity: i64,
}

impl TryFrom<StockLevelRow> for StockLevel {
    type Error = StoreError;

    fn try_from(row: StockLevelRow) -> Result<Self, StoreError> {
        Ok(StockLevel {
            key: StockKey {
                sku: sku(&row.sku)?,
                locale: optional(&row.locale, "locale", Locale::parse)?,
                external_id: optional(&row.external_id, "externalId", ExternalId::parse)?,
            },
            quantity: Quantity::new(row.quantity)
                .map_err(|e| corrupt("quantity", &row.quantity.to_string(), e))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BatchRow {
    pub id: Uuid,
    pub received_on: DateTime<Utc>,
    pub item_count: i64,
    pub attempts: i32,
    pub progress_item: i64,
    pub progress_cursor: Option<Uuid>,
}

impl BatchRow {
    pub fn progress(&self) -> super::Progress {
        super::Progress {
            item: usize::try_from(self.progress_item).unwrap_or_default(),
            cursor: self.progress_cursor,
        }
    }
}

impl From<&BatchRow> for StockBatch {
    fn from(row: &BatchRow) -> Self {
        StockBatch {
            id: row.id,
            received_on: row.received_on,
            item_count: usize::try_from(row.item_count).unwrap_or_default(),
        }
    }
}

/// The latest level per key in a batch, with its position: later items win, as the
/// retailer sent them.
pub(crate) fn latest_per_key(levels: &[StockLevel]) -> Vec<(usize, &StockLevel)> {
    let mut seen = std::collections::HashSet::with_capacity(levels.len());
    let mut latest: Vec<(usize, &StockLevel)> = levels
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| seen.insert(&l.key))
        .collect();
    latest.reverse();
    latest
}
