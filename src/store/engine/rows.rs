//! Rows of the engine's tables, and the log counts a chunk adds up.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::model::*;
use crate::domain::{ExternalId, Locale, Quantity};
use crate::store::row::{sku, ABSENT};
use crate::store::{Attributes, StockKey, StockLevel, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct CandidateRow {
    id: Uuid,
    contact_id: Uuid,
    locale: String,
    external_id: String,
    created_on: DateTime<Utc>,
    attributes: Option<Json<Attributes>>,
}

impl From<CandidateRow> for Candidate {
    fn from(row: CandidateRow) -> Self {
        Candidate {
            id: row.id,
            contact_id: row.contact_id,
            locale: row.locale,
            external_id: row.external_id,
            created_on: row.created_on,
            attributes: row.attributes.map(|a| a.0),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LogRowRaw {
    batch_id: Uuid,
    item: i64,
    outcome: String,
    automation: String,
    branch: String,
    sku: String,
    locale: String,
    external_id: String,
    quantity: i64,
    count: i64,
    logged_on: DateTime<Utc>,
}

impl TryFrom<LogRowRaw> for LogRow {
    type Error = StoreError;

    fn try_from(row: LogRowRaw) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("integration log {what}"));
        let locale = match row.locale.as_str() {
            ABSENT => None,
            raw => Some(Locale::parse(raw).map_err(|_| corrupt("locale"))?),
        };
        let external_id = match row.external_id.as_str() {
            ABSENT => None,
            raw => Some(ExternalId::parse(raw).map_err(|_| corrupt("external id"))?),
        };
        Ok(LogRow {
            batch: row.batch_id,
            item: usize::try_from(row.item).map_err(|_| corrupt("item"))?,
            outcome: row.outcome,
            automation: row.automation,
            branch: row.branch,
            level: StockLevel {
                key: StockKey {
                    sku: sku(&row.sku)?,
                    locale,
                    external_id,
                },
                quantity: Quantity::new(row.quantity).map_err(|_| corrupt("quantity"))?,
            },
            count: u64::try_from(row.count).unwrap_or_default(),
            logged_on: row.logged_on,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    batch_id: Uuid,
    subscription_id: Uuid,
    contact_id: Uuid,
    sku: String,
    locale: String,
    external_id: String,
    quantity: i64,
    subscribed_on: DateTime<Utc>,
    automation_id: String,
    branch: String,
    actions: Json<serde_json::Value>,
    product_id: Uuid,
    status: String,
    attempts: i32,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Self {
        Notification {
            id: row.id,
            batch: row.batch_id,
            subscription: row.subscription_id,
            contact: row.contact_id,
            sku: row.sku,
            locale: row.locale,
            external_id: (row.external_id != ABSENT).then_some(row.external_id),
            quantity: row.quantity,
            subscribed_on: row.subscribed_on,
            automation: row.automation_id,
            branch: row.branch,
            actions: row.actions.0,
            product: row.product_id,
            status: row.status,
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
        }
    }
}

/// One integration-log row to add: an outcome, with its automation and branch when sent.
pub(crate) struct LogEntry {
    pub outcome: &'static str,
    pub automation: Arc<str>,
    pub branch: Arc<str>,
    pub count: u64,
}

/// Counts per (outcome, automation, branch) for one chunk; keys share the routes' `Arc`s
/// so counting a million sends allocates nothing.
pub(crate) struct LogCounts {
    counts: BTreeMap<(&'static str, Arc<str>, Arc<str>), u64>,
    none: Arc<str>,
}

impl LogCounts {
    pub fn new(chunk: &ChunkCommit<'_>) -> Self {
        let none: Arc<str> = Arc::from("");
        let mut counts = BTreeMap::new();
        // `matched` is always written, so a stock level that matched nothing is logged too.
        counts.insert(("matched", none.clone(), none.clone()), chunk.matched);
        let mut add = |outcome: &'static str, n: u64| {
            if n > 0 {
                *counts
                    .entry((outcome, none.clone(), none.clone()))
                    .or_default() += n;
            }
        };
        for (reason, n) in &chunk.held {
            add(reason.as_str(), *n);
        }
        Self { counts, none }
    }

    pub fn sent(&mut self, route: &Route) {
        *self
            .counts
            .entry(("sent", route.automation.clone(), route.branch.clone()))
            .or_default() += 1;
    }

    pub fn expired(&mut self, automation: &Arc<str>) {
        *self
            .counts
            .entry(("expired", automation.clone(), self.none.clone()))
            .or_default() += 1;
    }

    pub fn into_entries(self) -> Vec<LogEntry> {
        self.counts
            .into_iter()
            .map(|((outcome, automation, branch), count)| LogEntry {
                outcome,
                automation,
                branch,
                count,
            })
            .collect()
    }
}
