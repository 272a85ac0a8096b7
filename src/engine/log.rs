//! The integration log, read back: per stock level of a batch, what happened to the
//! subscriptions it matched.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::store::{HeldBack, LogRow};

/// One stock level of one batch.
#[derive(Serialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub batch_id: Uuid,
    pub item: usize,
    pub sku: String,
    pub locale: Option<String>,
    pub external_id: Option<String>,
    pub quantity: i64,
    #[serde(serialize_with = "crate::domain::serialize_time")]
    pub logged_on: chrono::DateTime<chrono::Utc>,
    /// Whether any matched subscription passed the predefined conditions (stock, feed for
    /// its locale, product data).
    pub predefined_conditions_passed: bool,
    pub matched: u64,
    /// Matched subscriptions that passed the predefined conditions and went on to the
    /// automations.
    pub sent_to_automations: u64,
    /// Notified, per automation and branch.
    pub sent: Vec<Sent>,
    /// Dropped by an automation's `expires_after`, per automation.
    pub expired: BTreeMap<String, u64>,
    /// Still subscribed, per reason.
    pub held_back: BTreeMap<String, u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Sent {
    pub automation: String,
    pub branch: String,
    pub count: u64,
}

/// Folds log rows (one per outcome) into one entry per stock level, in row order.
pub fn group(rows: Vec<LogRow>) -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = Vec::new();
    for row in rows {
        let same = entries
            .last()
            .is_some_and(|e| e.batch_id == row.batch && e.item == row.item);
        if !same {
            entries.push(LogEntry {
                batch_id: row.batch,
                item: row.item,
                sku: row.level.key.sku.to_string(),
                locale: row.level.key.locale.as_ref().map(ToString::to_string),
                external_id: row.level.key.external_id.as_ref().map(ToString::to_string),
                quantity: row.level.quantity.get(),
                logged_on: row.logged_on,
                ..LogEntry::default()
            });
        }
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        match row.outcome.as_str() {
            "matched" => entry.matched += row.count,
            "sent" => entry.sent.push(Sent {
                automation: row.automation,
                branch: row.branch,
                count: row.count,
            }),
            "expired" => *entry.expired.entry(row.automation).or_default() += row.count,
            other => *entry.held_back.entry(other.to_owned()).or_default() += row.count,
        }
    }
    for entry in &mut entries {
        let failed_predefined: u64 = [HeldBack::NoStock, HeldBack::NoFeed, HeldBack::NoProductData]
            .iter()
            .filter_map(|h| entry.held_back.get(h.as_str()))
            .sum();
        entry.sent_to_automations = entry.matched.saturating_sub(failed_predefined);
        entry.predefined_conditions_passed =
            entry.quantity > 0 && (entry.matched == 0 || entry.sent_to_automations > 0);
    }
    entries
}
