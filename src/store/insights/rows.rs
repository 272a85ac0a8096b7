//! Demand and stock-level rows as the database returns them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{DemandRow, LastLevel};

#[derive(sqlx::FromRow)]
pub(crate) struct DemandRaw {
    pub sku: String,
    pub locale: String,
    pub external_id: String,
    pub waiting: i64,
    pub created_sum_s: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
    pub pending: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LevelRaw {
    pub quantity: i64,
    pub updated_on: DateTime<Utc>,
    pub locale: String,
    pub external_id: String,
    pub batch_id: Uuid,
    pub item: i64,
}

impl DemandRaw {
    pub(crate) fn into_row(self, last_level: Option<LastLevel>) -> DemandRow {
        let waiting = u64::try_from(self.waiting).unwrap_or_default();
        DemandRow {
            mean_created_s: if self.waiting > 0 {
                self.created_sum_s / self.waiting
            } else {
                0
            },
            sku: self.sku,
            locale: self.locale,
            external_id: self.external_id,
            waiting,
            pending: u64::try_from(self.pending).unwrap_or_default(),
            oldest: self.oldest,
            newest: self.newest,
            last_level,
        }
    }
}

/// Outcomes of the integration log that are not held-back reasons.
pub(crate) fn is_held_reason(outcome: &str) -> bool {
    crate::store::HeldBack::parse(outcome).is_some()
}
