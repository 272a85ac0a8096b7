//! A hot stock level's fan-out in parts: when a stock level still has more matches than
//! `engine.part_size`, its holder cuts them into ranges of subscription ids that every
//! instance claims, walks and commits on its own (any order, each exactly once, taken over
//! like a batch when its worker dies), then settles the stock level once every part is
//! done. Throttles stay exact: while a throttle could still decide which matches it takes,
//! the holder walks on in order, alone; once none can, each part gets its share of the
//! budget up front (docs/crash-safety.md, "A hot SKU's fan-out in parts").

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use uuid::Uuid;

use crate::store::{ClaimedPart, NewPart, SplitCommit, StoreError};

use super::super::fanout::FanOut;
use super::counts::BatchCounts;
use super::{Engine, EngineError, Item, COMMIT_TRIES, MAX_ATTEMPTS};

/// How often the batch's holder looks whether the parts other instances walk are done.
const SETTLE_POLL: Duration = Duration::from_millis(100);

/// What came of an attempt to split.
pub(super) enum Split {
    /// Split, every part done and the stock level settled.
    Done,
    /// Not split (a throttle may still bind, or too few matches): this many are left.
    NotYet(u64),
}

impl Engine {
    /// Claims and walks one part of a split stock level of any batch, if this instance
    /// shares parts; the part's batch.
    pub(super) async fn help_with_a_part(&self) -> Result<Option<Uuid>, EngineError> {
        if self.settings.part_size.is_none() {
            return Ok(None);
        }
        let worker = &self.settings.worker;
        let claimed = self
            .store
            .claim_part(worker, self.settings.lease, None)
            .await?;
        let Some(part) = claimed else {
            return Ok(None);
        };
        self.work_on_part(&part).await?;
        Ok(Some(part.batch))
    }

    /// Walks a claimed part to its end; gives it back after a failure (or up, after
    /// [`MAX_ATTEMPTS`], so that its stock level can settle).
    pub(super) async fn work_on_part(&self, part: &ClaimedPart) -> Result<(), EngineError> {
        let counts = Mutex::new(BatchCounts::default());
        let rules = self.rules.current();
        let item = Item {
            engine: self,
            batch: part.batch,
            index: part.item,
            level: &part.level,
            counts: &counts,
            plan: &[],
            part: Some(part),
        };
        let worker = &self.settings.worker;
        let (batch, position, number) = (part.batch, part.item, part.part);
        // Boxed: a part's walk is also reached from a stock level's walk (its holder's).
        let walk = Box::pin(item.fan_out(&rules, part.cursor.or(Some(part.after))));
        match walk.await {
            Ok(()) => {
                let counts = counts.into_inner().unwrap_or_else(PoisonError::into_inner);
                counts.log_part(part);
                Ok(())
            }
            Err(EngineError::Store(StoreError::LostClaim(_))) => {
                tracing::warn!(%batch, item = position, part = number, "another worker took this part over; leaving it to them");
                Ok(())
            }
            Err(err) if part.attempts >= MAX_ATTEMPTS => {
                tracing::error!(%batch, item = position, part = number, error = %err, "giving the part up");
                let reason = err.to_string();
                self.store
                    .fail_part(batch, position, number, worker, &reason)
                    .await?;
                Ok(())
            }
            Err(err) => {
                self.store
                    .release_part(batch, position, number, worker)
                    .await?;
                Err(err)
            }
        }
    }
}

impl Item<'_> {
    /// Whether `remaining` matches are worth splitting into parts here: only by the
    /// batch's holder, with splitting on, and more matches than a part holds.
    pub(super) fn worth_splitting(&self, remaining: u64) -> bool {
        self.part.is_none()
            && self
                .engine
                .settings
                .part_size
                .is_some_and(|size| remaining > size)
    }

    /// How many matches are left after `cursor`, when this stock level may be split.
    pub(super) async fn may_split(&self, cursor: Option<Uuid>) -> Result<Option<u64>, EngineError> {
        if self.part.is_some() || self.engine.settings.part_size.is_none() {
            return Ok(None);
        }
        let left = self
            .store()
            .count_matching(&self.level.key, cursor, None)
            .await?;
        Ok(Some(left))
    }

    /// Splits the matches after `cursor` into parts, helps walk them and settles the stock
    /// level; or, when a throttle may bind after all (the exact count is higher than
    /// thought) or too few are left, does nothing.
    pub(super) async fn split(
        &self,
        fan: &FanOut<'_>,
        cursor: Option<Uuid>,
    ) -> Result<Split, EngineError> {
        let size = self.engine.settings.part_size.unwrap_or(u64::MAX);
        let bounds = self
            .store()
            .part_bounds(&self.level.key, cursor, size)
            .await?;
        let total = bounds.last().map_or(0, |b| b.rank);
        if bounds.len() < 2 || !self.worth_splitting(total) || fan.judge.may_bind(total) {
            return Ok(Split::NotYet(total));
        }
        let mut before = 0;
        let counts: Vec<u64> = bounds
            .iter()
            .map(|b| {
                let n = b.rank.saturating_sub(before);
                before = b.rank;
                n
            })
            .collect();
        let budgets = fan.judge.allocate(&counts);
        let mut after = cursor.unwrap_or(Uuid::nil());
        let last = bounds.len() - 1;
        let parts = bounds
            .iter()
            .zip(budgets)
            .enumerate()
            .map(|(k, (bound, budget))| {
                // The last part has no upper bound: a match made meanwhile is walked too.
                let part = NewPart {
                    after,
                    last: (k < last).then_some(bound.last),
                    budget,
                };
                after = bound.last;
                part
            })
            .collect::<Vec<_>>();
        let commit = SplitCommit {
            batch: self.batch,
            worker: &self.engine.settings.worker,
            lease: self.engine.settings.lease,
            item: self.index,
            plan: self.plan,
            parts,
        };
        let mut tries = 0;
        loop {
            tries += 1;
            match self.store().split_level(&commit).await {
                Err(err) if err.is_retryable() && tries < COMMIT_TRIES => {
                    tracing::warn!(batch = %self.batch, error = %err, "split commit failed; trying again");
                }
                result => break result?,
            }
        }
        tracing::info!(
            batch = %self.batch,
            item = self.index,
            parts = commit.parts.len(),
            matches = total,
            "stock level split into parts for every instance to share"
        );
        self.join_split().await?;
        Ok(Split::Done)
    }

    /// Walks parts of this (split) stock level while any is free, then waits for the ones
    /// other workers hold, and settles the stock level when all are done. Each look at
    /// whether all are done extends the batch's lease, which the parts' commits do not.
    pub(super) async fn join_split(&self) -> Result<(), EngineError> {
        let engine = self.engine;
        let (worker, lease) = (&engine.settings.worker, engine.settings.lease);
        let level = Some((self.batch, self.index));
        loop {
            let settled = self
                .store()
                .settle_split(self.batch, self.index, self.level, worker, lease)
                .await?;
            if settled {
                return Ok(());
            }
            match self.store().claim_part(worker, lease, level).await? {
                Some(part) => engine.work_on_part(&part).await?,
                None => tokio::time::sleep(SETTLE_POLL).await,
            }
        }
    }
}
