//! Stock levels and batches as the database returns them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::*;
use crate::domain::{ExternalId, Locale, Quantity};
use crate::store::row::{corrupt, optional, sku};
use crate::store::StoreError;

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
    pub fn progress(&self) -> crate::store::Progress {
        crate::store::Progress {
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
