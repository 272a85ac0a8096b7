//! The one log line per processed stock-level batch.

use std::collections::BTreeMap;

use crate::store::{ChunkApplied, ChunkCommit, ClaimedBatch, ClaimedPart, HeldBack};

/// What the chunks of one batch committed in this run: one log line per batch, however
/// many stock levels and chunks it had.
#[derive(Default)]
pub(super) struct BatchCounts {
    matched: u64,
    sent: u64,
    expired: u64,
    held: BTreeMap<&'static str, u64>,
}

impl BatchCounts {
    pub(super) fn add(&mut self, commit: &ChunkCommit<'_>, applied: ChunkApplied) {
        self.matched += commit.matched;
        self.sent += applied.triggered;
        self.expired += applied.expired;
        for (reason, count) in &commit.held {
            *self.held.entry(reason.as_str()).or_default() += count;
        }
    }

    /// Stock levels a settle commit held back as a whole: `matched` subscriptions, `held`
    /// per reason.
    pub(super) fn add_settled(&mut self, matched: u64, held: &[(HeldBack, u64)]) {
        self.matched += matched;
        for (reason, count) in held {
            *self.held.entry(reason.as_str()).or_default() += count;
        }
    }

    /// The line of one part of a split stock level, as [`BatchCounts::log`] for a batch.
    pub(super) fn log_part(&self, part: &ClaimedPart) {
        tracing::info!(
            batch = %part.batch,
            item = part.item,
            part = part.part,
            matched = self.matched,
            sent = self.sent,
            expired = self.expired,
            held_back = %self.held_list(),
            resumed = part.cursor.is_some(),
            "fan-out part processed"
        );
    }

    fn held_list(&self) -> String {
        let held: Vec<String> = self
            .held
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(reason, count)| format!("{reason}:{count}"))
            .collect();
        if held.is_empty() {
            "none".to_owned()
        } else {
            held.join(",")
        }
    }

    /// `held_back=noFeedForLocale:2,throttled:3` (or `none`), reasons as the integration
    /// log names them. A resumed batch counts only what this run did.
    pub(super) fn log(&self, claimed: &ClaimedBatch) {
        let held = self.held_list();
        tracing::info!(
            batch = %claimed.batch.id,
            levels = claimed.items.len(),
            matched = self.matched,
            sent = self.sent,
            expired = self.expired,
            held_back = %held,
            resumed = claimed.progress != Default::default(),
            "stock-level batch processed"
        );
    }
}
