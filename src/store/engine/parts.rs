//! Parts of one stock level's fan-out, shared by the instances: a stock level matching
//! many subscriptions is cut into ranges of subscription ids that any instance claims,
//! walks and commits on its own, while the batch's holder waits for them and then settles
//! the stock level (docs/crash-safety.md, "A hot SKU's fan-out in parts").

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use crate::store::{StockKey, StockLevel, StoreError};

/// One part to create: the subscription ids `(after, last]` (`last` `None`: no upper
/// bound), and what each throttled automation may send from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPart {
    pub after: Uuid,
    pub last: Option<Uuid>,
    pub budget: BTreeMap<String, u64>,
}

/// The commit that splits one stock level of a claimed batch into parts.
#[derive(Debug)]
pub struct SplitCommit<'a> {
    pub batch: Uuid,
    pub worker: &'a str,
    pub lease: Duration,
    /// The stock level's position in the batch.
    pub item: usize,
    /// The positions the batch fans out, recorded if the batch had no plan yet, so that a
    /// holder taking the batch over comes back to this stock level and finds its parts.
    pub plan: &'a [usize],
    pub parts: Vec<NewPart>,
}

/// A part claimed by a worker, with its stock level.
#[derive(Debug, Clone)]
pub struct ClaimedPart {
    pub batch: Uuid,
    pub item: usize,
    pub part: usize,
    pub after: Uuid,
    pub last: Option<Uuid>,
    pub budget: BTreeMap<String, u64>,
    /// The last subscription an earlier holder of the part committed.
    pub cursor: Option<Uuid>,
    pub attempts: u32,
    pub level: StockLevel,
}

/// An id that closes a part, with its rank among the matches walked (1 = the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartBound {
    pub last: Uuid,
    pub rank: u64,
}

/// What splitting needs from the store.
#[async_trait]
pub trait PartStore: Send + Sync + 'static {
    /// Every `size`-th subscription matching `key` after `after`, in id order, and the last
    /// one: the ends of parts of `size` matches (fewer in the last). One query.
    async fn part_bounds(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        size: u64,
    ) -> Result<Vec<PartBound>, StoreError>;
    /// Creates the parts of a stock level if `worker` still holds the batch
    /// ([`StoreError::LostClaim`] otherwise), and records the batch's progress at it.
    async fn split_level(&self, commit: &SplitCommit<'_>) -> Result<(), StoreError>;
    /// Whether this stock level of the batch has been split.
    async fn has_parts(&self, batch: Uuid, item: usize) -> Result<bool, StoreError>;
    /// Claims a part not done that no live worker holds (the rule of batches, see
    /// [`crate::store::InstanceStore`]), of this stock level only if given; the first by batch,
    /// position and part.
    async fn claim_part(
        &self,
        worker: &str,
        lease: Duration,
        level: Option<(Uuid, usize)>,
    ) -> Result<Option<ClaimedPart>, StoreError>;
    /// What a part's committed chunks sent, per automation (its throttle budget spent).
    async fn sent_for_part(
        &self,
        batch: Uuid,
        item: usize,
        part: usize,
    ) -> Result<Vec<(String, u64)>, StoreError>;
    /// Gives a claimed part back at once (after a failure).
    async fn release_part(
        &self,
        batch: Uuid,
        item: usize,
        part: usize,
        worker: &str,
    ) -> Result<(), StoreError>;
    /// Gives a part up after too many failed attempts, recording why: its stock level can
    /// settle, with what the part did.
    async fn fail_part(
        &self,
        batch: Uuid,
        item: usize,
        part: usize,
        worker: &str,
        reason: &str,
    ) -> Result<(), StoreError>;
    /// If every part of the stock level is done: adds their counts to the integration log
    /// and moves the batch's progress past the stock level, in one transaction; true. If
    /// not: only extends the batch's lease; false. [`StoreError::LostClaim`] when `worker`
    /// no longer holds the batch.
    async fn settle_split(
        &self,
        batch: Uuid,
        item: usize,
        level: &StockLevel,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError>;
}

/// Row of a claimed part, before its stock level is read.
#[derive(sqlx::FromRow)]
pub(crate) struct PartRow {
    pub batch_id: Uuid,
    pub item: i64,
    pub part: i64,
    pub after_id: Uuid,
    pub last_id: Option<Uuid>,
    pub budget: String,
    pub progress_cursor: Option<Uuid>,
    pub attempts: i32,
}

impl PartRow {
    pub(crate) fn into_claimed(self, level: StockLevel) -> Result<ClaimedPart, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("fan-out part {what}"));
        Ok(ClaimedPart {
            batch: self.batch_id,
            item: usize::try_from(self.item).map_err(|_| corrupt("item"))?,
            part: usize::try_from(self.part).map_err(|_| corrupt("number"))?,
            after: self.after_id,
            last: self.last_id,
            budget: serde_json::from_str(&self.budget).map_err(|_| corrupt("budget"))?,
            cursor: self.progress_cursor,
            attempts: u32::try_from(self.attempts).unwrap_or_default(),
            level,
        })
    }
}
