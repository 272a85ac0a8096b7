//! Set-based settling of a claimed batch: one query finds the stock levels that match any
//! subscription, and one commit settles every stock level that needs no walk over its
//! matches — those that match nothing (most of a full-catalog sync) and those held back as
//! a whole (no stock, superseded, below every threshold, no feed, no product) — and records
//! which positions are left to fan out one by one. After that commit a resumed batch fans
//! out exactly those positions, so each stock level is settled once.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use crate::feeds::Catalog;
use crate::store::{
    ChunkApplied, ClaimedBatch, HeldBack, SettleCommit, SettledLevel, StockLevel, StoreError,
};

use super::counts::BatchCounts;
use super::{Engine, EngineError, RuleSet, COMMIT_TRIES};

impl Engine {
    /// Settles what needs no walk and commits the plan for the rest; the positions left to
    /// fan out, ascending.
    pub(super) async fn settle(
        &self,
        claimed: &ClaimedBatch,
        rules: &RuleSet,
        counts: &Mutex<BatchCounts>,
    ) -> Result<Vec<usize>, EngineError> {
        let commit = self.plan(claimed, rules).await?;
        if commit.held.is_empty() && !commit.fan_out.is_empty() {
            // Nothing to log and the batch not done: the commit would only record the plan.
            // Without it a resumed batch plans again from its progress, which is as exact:
            // what it passed needed no trace, and nothing else was decided.
            return Ok(commit.fan_out);
        }
        let mut tries = 0;
        loop {
            tries += 1;
            match self.store.settle_batch(&commit).await {
                Err(err) if err.is_retryable() && tries < COMMIT_TRIES => {
                    tracing::warn!(batch = %commit.batch, error = %err, "settle commit failed; trying again");
                }
                result => {
                    result?;
                    self.count_settled(&commit.held, counts);
                    return Ok(commit.fan_out);
                }
            }
        }
    }

    /// Decides, from one query for the whole batch, which stock levels are held back as a
    /// whole and which are walked. A stock level an earlier holder was walking (a cursor)
    /// is walked on from its cursor, whatever it matches now.
    async fn plan<'a>(
        &'a self,
        claimed: &'a ClaimedBatch,
        rules: &RuleSet,
    ) -> Result<SettleCommit<'a>, EngineError> {
        let start = claimed.progress;
        let batch = claimed.batch.id;
        let walking = start.cursor.map(|_| start.item);
        let mut commit = SettleCommit {
            batch,
            worker: &self.settings.worker,
            lease: self.settings.lease,
            levels: &claimed.items,
            held: Vec::new(),
            fan_out: walking.into_iter().collect(),
        };
        for found in self.store.level_matches(batch, start.item).await? {
            if Some(found.item) == walking {
                continue;
            }
            let Some(level) = claimed.items.get(found.item) else {
                return Err(
                    StoreError::Corrupt(format!("batch {batch}: no item {}", found.item)).into(),
                );
            };
            match held_without_walking(level, found.latest, rules, &self.catalog) {
                Some(reason) => commit.held.push(SettledLevel {
                    item: found.item,
                    reason,
                    matched: found.matches,
                }),
                None => commit.fan_out.push(found.item),
            }
        }
        commit.fan_out.sort_unstable();
        Ok(commit)
    }

    /// Counts the held-back stock levels in the metrics and the batch's log line.
    fn count_settled(&self, held: &[SettledLevel], counts: &Mutex<BatchCounts>) {
        let mut by_reason: BTreeMap<HeldBack, u64> = BTreeMap::new();
        for level in held {
            *by_reason.entry(level.reason).or_default() += level.matched;
        }
        let by_reason: Vec<(HeldBack, u64)> = by_reason.into_iter().collect();
        let matched = held.iter().map(|h| h.matched).sum();
        self.metrics
            .chunk_committed(matched, &by_reason, ChunkApplied::default());
        counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add_settled(matched, &by_reason);
    }
}

/// A reason that holds back every match of this stock level, known without walking them:
/// no stock, an outdated level (`latest` false), no automation or threshold that fits, or
/// no product for the level's own locale.
pub(super) fn held_without_walking(
    level: &StockLevel,
    latest: bool,
    rules: &RuleSet,
    catalog: &Catalog,
) -> Option<HeldBack> {
    let quantity = level.quantity.get();
    if quantity <= 0 {
        return Some(HeldBack::NoStock);
    }
    if !latest {
        return Some(HeldBack::Superseded);
    }
    match rules.enabled().map(|a| a.threshold).min() {
        None => return Some(HeldBack::NoAutomation),
        Some(min) if u64::try_from(quantity).unwrap_or_default() < min => {
            return Some(HeldBack::BelowThreshold)
        }
        Some(_) => {}
    }
    if let Some(locale) = &level.key.locale {
        if !catalog.has_feed(locale) {
            return Some(HeldBack::NoFeed);
        }
        if catalog.product(locale, level.key.sku.as_str()).is_none() {
            return Some(HeldBack::NoProductData);
        }
    }
    None
}
