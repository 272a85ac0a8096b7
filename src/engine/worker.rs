//! The engine worker: claims stored stock-level batches, settles every stock level that
//! needs no walk over its matches in one commit (settle.rs), then fans the others out one
//! by one, resuming where an earlier (crashed) holder of the batch stopped.

mod counts;
mod settle;
mod split;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

use crate::store::{
    ChunkApplied, ChunkCommit, ClaimedBatch, ClaimedPart, HeldBack, StockLevel, Store, StoreError,
    Trigger,
};

use super::decide::{Decision, Judge};
use super::fanout::{FanOut, HeldCounts, Judged};
use super::{Engine, EngineError, RuleSet};
use counts::BatchCounts;

/// A batch that failed this many times is given up (and says why), so one poisoned batch
/// cannot hold the queue forever.
const MAX_ATTEMPTS: u32 = 5;
/// Tries of one chunk commit that hit a deadlock or a busy database.
const COMMIT_TRIES: u32 = 3;
/// Waiting batches looked at per claim, newest first, for whether anyone waits for them:
/// enough to find a restock reported behind a full sync at the next claim, few enough that
/// the look costs little beside the batch claimed.
const TRIAGE_PER_CLAIM: usize = 4;

impl Engine {
    /// Claims and processes one batch; `None` when no batch is waiting.
    pub async fn run_once(&self) -> Result<Option<Uuid>, EngineError> {
        let worker = &self.settings.worker;
        if let Some(batch) = self.help_with_a_part().await? {
            return Ok(Some(batch));
        }
        if self.settings.set_based {
            self.store.triage_batches(TRIAGE_PER_CLAIM).await?;
        }
        let Some(claimed) = self
            .store
            .claim_stock_batch(worker, self.settings.lease)
            .await?
        else {
            return Ok(None);
        };
        let id = claimed.batch.id;
        let counts = Mutex::new(BatchCounts::default());
        let outcome = self.process(&claimed, &counts).await;
        match outcome {
            Ok(completed) => {
                if !completed {
                    self.store.complete_stock_batch(id, worker).await?;
                }
                let counts = counts.into_inner().unwrap_or_else(PoisonError::into_inner);
                counts.log(&claimed);
            }
            Err(EngineError::Store(StoreError::LostClaim(batch))) => {
                tracing::warn!(%batch, "another worker took this batch over; leaving it to them");
            }
            Err(err) if claimed.attempts >= MAX_ATTEMPTS => {
                tracing::error!(batch = %id, attempts = claimed.attempts, error = %err, "giving the batch up");
                self.store
                    .fail_stock_batch(id, worker, &err.to_string())
                    .await?;
            }
            Err(err) => {
                self.store.release_stock_batch(id, worker).await?;
                return Err(err);
            }
        }
        Ok(Some(id))
    }

    /// Processes every waiting batch; how many there were. Tests drive the engine with
    /// this instead of sleeping.
    pub async fn run_pending(&self) -> Result<usize, EngineError> {
        let mut done = 0;
        while self.run_once().await?.is_some() {
            done += 1;
        }
        Ok(done)
    }

    /// Settles the batch (unless an earlier holder did), then fans out the stock levels the
    /// settle left to walk; whether the settle already completed the batch.
    async fn process(
        &self,
        claimed: &ClaimedBatch,
        counts: &Mutex<BatchCounts>,
    ) -> Result<bool, EngineError> {
        let rules = self.rules.current();
        let batch = claimed.batch.id;
        let plan = match self.store.fan_out_plan(batch).await? {
            _ if !self.settings.set_based => (0..claimed.items.len()).collect(),
            Some(plan) => plan,
            None => {
                let plan = self.settle(claimed, &rules, counts).await?;
                if plan.is_empty() {
                    return Ok(true);
                }
                plan
            }
        };
        let start = claimed.progress;
        for &index in plan.iter().filter(|i| **i >= start.item) {
            let Some(level) = claimed.items.get(index) else {
                return Err(StoreError::Corrupt(format!(
                    "fan-out plan of {batch}: no item {index}"
                ))
                .into());
            };
            let cursor = if index == start.item {
                start.cursor
            } else {
                None
            };
            let item = Item {
                engine: self,
                batch,
                index,
                level,
                counts,
                plan: &plan,
                part: None,
            };
            if index == start.item && self.store.has_parts(batch, index).await? {
                // An earlier holder split this stock level: help with its parts, settle it.
                item.join_split().await?;
                continue;
            }
            item.fan_out(&rules, cursor).await?;
        }
        Ok(false)
    }
}

/// One stock level of a claimed batch.
struct Item<'a> {
    engine: &'a Engine,
    batch: Uuid,
    index: usize,
    level: &'a StockLevel,
    /// What this run of the batch committed, for its log line.
    counts: &'a Mutex<BatchCounts>,
    /// The positions the batch fans out (recorded when a stock level is split).
    plan: &'a [usize],
    /// The part walked, when this is one part of a split stock level.
    part: Option<&'a ClaimedPart>,
}

impl Item<'_> {
    fn store(&self) -> &dyn Store {
        self.engine.store.as_ref()
    }

    async fn fan_out(&self, rules: &RuleSet, mut cursor: Option<Uuid>) -> Result<(), EngineError> {
        if let Some(reason) = self.nothing_can_trigger(rules).await? {
            return self.hold_the_rest(cursor, reason).await;
        }
        let sent: HashMap<String, u64> = match self.part {
            None => self.store().sent_for_item(self.batch, self.index).await?,
            Some(p) => self.store().sent_for_part(p.batch, p.item, p.part).await?,
        }
        .into_iter()
        .collect();
        let settings = &self.engine.settings;
        let mut fan = FanOut::new(
            self.store(),
            rules,
            &self.engine.catalog,
            self.level,
            &sent,
            settings.chunk_size,
        );
        if let Some(part) = self.part {
            let quantity = self.level.quantity.get();
            fan.judge = Judge::allocated(rules, quantity, &part.budget, &sent);
            fan.until = part.last;
        }
        let mut split = self.may_split(cursor).await?;
        loop {
            let judge = &fan.judge;
            if split.is_some_and(|r| {
                self.worth_splitting(r) && !judge.may_bind(r) && !judge.exhausted()
            }) {
                match self.split(&fan, cursor).await? {
                    split::Split::Done => return Ok(()),
                    split::Split::NotYet(exact) => split = Some(exact),
                }
            }
            let Some(judged) = fan.next(cursor).await? else {
                self.commit(&self.chunk_commit(cursor, true)).await?;
                return Ok(());
            };
            let last = judged.decisions.last().map(|(c, _)| c.id);
            let done = judged.decisions.len() < fan.chunk_size;
            split = split.map(|r| r.saturating_sub(judged.decisions.len() as u64));
            let commit = self.chunk(&mut fan, judged, last, done);
            self.commit(&commit).await?;
            if done {
                return Ok(());
            }
            cursor = last;
            if fan.judge.exhausted() {
                // Every automation that could take more has spent its throttle budget.
                return self.hold_the_rest(cursor, HeldBack::Throttled).await;
            }
        }
    }

    /// A reason that holds back every match of this stock level, known without walking
    /// them (see [`settle::held_without_walking`]).
    async fn nothing_can_trigger(&self, rules: &RuleSet) -> Result<Option<HeldBack>, EngineError> {
        let latest = self.level.quantity.get() <= 0
            || self.store().latest_origin(&self.level.key).await? == Some((self.batch, self.index));
        Ok(settle::held_without_walking(
            self.level,
            latest,
            rules,
            &self.engine.catalog,
        ))
    }

    /// Logs every remaining match (after `cursor`) as held back, and finishes the item.
    async fn hold_the_rest(
        &self,
        cursor: Option<Uuid>,
        reason: HeldBack,
    ) -> Result<(), EngineError> {
        let until = self.part.and_then(|p| p.last);
        let waiting = self
            .store()
            .count_matching(&self.level.key, cursor, until)
            .await?;
        let mut commit = self.chunk_commit(cursor, true);
        commit.matched = waiting;
        commit.held.push((reason, waiting));
        self.commit(&commit).await?;
        Ok(())
    }

    /// Commits a chunk, trying again when the database reports a deadlock or is busy
    /// (the failed transaction changed nothing).
    async fn commit(&self, commit: &ChunkCommit<'_>) -> Result<ChunkApplied, EngineError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.store().commit_chunk(commit).await {
                Err(err) if err.is_retryable() && tries < COMMIT_TRIES => {
                    tracing::warn!(batch = %self.batch, error = %err, "chunk commit failed; trying again");
                }
                result => {
                    let applied = result?;
                    let metrics = &self.engine.metrics;
                    metrics.chunk_committed(commit.matched, &commit.held, applied);
                    self.counts
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .add(commit, applied);
                    return Ok(applied);
                }
            }
        }
    }

    fn chunk_commit(&self, cursor: Option<Uuid>, item_done: bool) -> ChunkCommit<'_> {
        ChunkCommit {
            batch: self.batch,
            worker: &self.engine.settings.worker,
            lease: self.engine.settings.lease,
            item: self.index,
            part: self.part.map(|p| p.part),
            level: self.level,
            cursor,
            item_done,
            snapshots: Vec::new(),
            routes: Vec::new(),
            triggered: Vec::new(),
            expired: Vec::new(),
            matched: 0,
            held: Vec::new(),
        }
    }

    /// Turns decisions into the chunk's writes.
    fn chunk(
        &self,
        fan: &mut FanOut<'_>,
        judged: Judged,
        cursor: Option<Uuid>,
        done: bool,
    ) -> ChunkCommit<'_> {
        let mut commit = self.chunk_commit(cursor, done);
        commit.matched = judged.decisions.len() as u64;
        let mut held = HeldCounts::default();
        for (candidate, decision) in judged.decisions {
            match decision {
                Decision::Trigger(automation) => {
                    let route =
                        fan.lookups
                            .take_route(automation, &candidate.locale, &mut commit.routes);
                    let Some(product) = fan
                        .lookups
                        .take_snapshot(&candidate.locale, &mut commit.snapshots)
                    else {
                        // Unreachable: a trigger needs product data. Count it rather than lose it.
                        held.add(HeldBack::NoProductData);
                        continue;
                    };
                    commit.triggered.push(Trigger {
                        candidate,
                        route,
                        product,
                    });
                }
                Decision::Expired(automation) => {
                    let id: Arc<str> = fan
                        .lookups
                        .route(automation, &candidate.locale)
                        .automation
                        .clone();
                    commit.expired.push((candidate.id, id));
                }
                Decision::Held(reason) => held.add(reason),
            }
        }
        commit.held = held.into_vec();
        commit
    }
}
