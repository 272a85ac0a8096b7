//! The engine worker: claims stored stock-level batches and fans each stock level out,
//! resuming where an earlier (crashed) holder of the batch stopped.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::store::{ChunkCommit, ClaimedBatch, StockLevel, StoreError, Trigger};

use super::decide::Decision;
use super::fanout::{FanOut, HeldCounts, Judged};
use super::{Engine, EngineError};

impl Engine {
    /// Claims and processes one batch; `None` when no batch is waiting.
    pub async fn run_once(&self) -> Result<Option<Uuid>, EngineError> {
        let Some(claimed) = self
            .store
            .claim_stock_batch(&self.settings.worker, self.settings.lease)
            .await?
        else {
            return Ok(None);
        };
        let id = claimed.batch.id;
        match self.process(&claimed).await {
            Ok(()) => {
                self.store
                    .complete_stock_batch(id, &self.settings.worker)
                    .await?;
                tracing::info!(batch = %id, items = claimed.items.len(), "stock-level batch processed");
                Ok(Some(id))
            }
            Err(EngineError::Store(StoreError::LostClaim(batch))) => {
                tracing::warn!(%batch, "another worker took this batch over; leaving it to them");
                Ok(Some(id))
            }
            Err(err) => Err(err),
        }
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

    async fn process(&self, claimed: &ClaimedBatch) -> Result<(), EngineError> {
        let rules = self.rules.current();
        let start = claimed.progress;
        for (index, level) in claimed.items.iter().enumerate().skip(start.item) {
            let cursor = if index == start.item {
                start.cursor
            } else {
                None
            };
            let ctx = Item {
                engine: self,
                batch: claimed.batch.id,
                index,
                level,
            };
            ctx.fan_out(&rules, cursor).await?;
        }
        Ok(())
    }
}

/// One stock level of a claimed batch.
struct Item<'a> {
    engine: &'a Engine,
    batch: Uuid,
    index: usize,
    level: &'a StockLevel,
}

impl Item<'_> {
    async fn fan_out(
        &self,
        rules: &super::RuleSet,
        mut cursor: Option<Uuid>,
    ) -> Result<(), EngineError> {
        let store = self.engine.store.as_ref();
        if self.level.quantity.get() == 0 {
            // Sold out: nothing can trigger, but the log still says how many wait.
            let waiting = store.count_matching(&self.level.key).await?;
            let mut commit = self.commit(cursor, true);
            commit.matched = waiting;
            commit.held.push((crate::store::HeldBack::NoStock, waiting));
            store.commit_chunk(commit).await?;
            return Ok(());
        }
        let sent: HashMap<String, u64> = store
            .sent_for_item(self.batch, self.index)
            .await?
            .into_iter()
            .collect();
        let mut fan = FanOut::new(
            store,
            rules,
            &self.engine.catalog,
            self.level,
            &sent,
            self.engine.settings.chunk_size,
        );
        loop {
            let Some(judged) = fan.next(cursor).await? else {
                store.commit_chunk(self.commit(cursor, true)).await?;
                return Ok(());
            };
            let last = judged.decisions.last().map(|(c, _)| c.id);
            let done = judged.decisions.len() < fan.chunk_size;
            let commit = self.chunk(&mut fan, judged, last, done);
            store.commit_chunk(commit).await?;
            if done {
                return Ok(());
            }
            cursor = last;
        }
    }

    fn commit(&self, cursor: Option<Uuid>, item_done: bool) -> ChunkCommit<'_> {
        ChunkCommit {
            batch: self.batch,
            worker: &self.engine.settings.worker,
            lease: self.engine.settings.lease,
            item: self.index,
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
        let mut commit = self.commit(cursor, done);
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
