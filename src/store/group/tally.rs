//! Daily statistics counted by the writes of a group, added once for the whole group just
//! before its COMMIT. A counting write (a subscription's `subscribed`, a stock-level call's
//! `stock_levels`) would otherwise pay one more statement on the one connection every
//! write waits for, and most writes of a group add to the same counter row.

use std::sync::{Mutex, MutexGuard, PoisonError};

use sqlx::sqlite::SqliteConnection;

use crate::store::{AddStats, DailyStats};

/// The counts of the current group's writes that succeeded.
#[derive(Default)]
pub(super) struct Tally(Mutex<Vec<DailyStats>>);

impl Tally {
    /// Counts a write that has succeeded: its savepoint stays, so the group's COMMIT keeps
    /// its rows and these counts together, or neither.
    pub(super) fn add(&self, stats: DailyStats) {
        if !stats.is_empty() {
            self.lock().push(stats);
        }
    }

    /// Adds what the group's writes counted, inside the group's transaction.
    pub(super) async fn flush(&self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        let pending = std::mem::take(&mut *self.lock());
        let mut days: Vec<DailyStats> = Vec::new();
        for stats in pending {
            if !days.iter_mut().any(|day| day.merge(&stats)) {
                days.push(stats);
            }
        }
        for stats in &days {
            conn.add_stats(stats).await?;
        }
        Ok(())
    }

    /// Forgets the counts of a group that is rolled back with them.
    pub(super) fn discard(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, Vec<DailyStats>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
