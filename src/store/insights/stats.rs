//! Daily statistics: counters added in the transaction of the work they count, so they are
//! exact across crashes and outlive the subscriptions and notifications they count.
//!
//! A writer collects its counts in a [`DailyStats`] (one day, any number of keys) and adds
//! them with [`AddStats::add_stats`] on the open transaction, e.g.
//!
//! ```text
//! let mut stats = DailyStats::new(self.zone.today());
//! stats.add(StatKey::locale("sv-SE"), "clicked", 1);
//! AddStats::add_stats(&mut *tx, &stats).await?;
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;

pub use crate::domain::StatsZone;

/// The dimensions of a counter; `""` where a count has none (an unsubscribe has no
/// automation, a held-back count no branch).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatKey {
    pub automation: String,
    pub branch: String,
    pub locale: String,
}

impl StatKey {
    pub fn locale(locale: &str) -> Self {
        Self {
            locale: locale.to_owned(),
            ..Self::default()
        }
    }

    pub fn new(automation: &str, branch: &str, locale: &str) -> Self {
        Self {
            automation: automation.to_owned(),
            branch: branch.to_owned(),
            locale: locale.to_owned(),
        }
    }
}

/// Counters for one day, summed per key and metric before they are written, and kept in
/// key order: two PostgreSQL transactions then lock shared rows in the same order.
#[derive(Debug, Clone)]
pub struct DailyStats {
    day: String,
    counts: BTreeMap<(StatKey, String), i64>,
}

impl DailyStats {
    pub fn new(day: NaiveDate) -> Self {
        Self {
            day: day.format("%Y-%m-%d").to_string(),
            counts: BTreeMap::new(),
        }
    }

    /// Adds `n` to `metric` (see docs/insights.md for the names); 0 is not written.
    pub fn add(&mut self, key: StatKey, metric: &str, n: i64) {
        if n != 0 {
            *self.counts.entry((key, metric.to_owned())).or_default() += n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Adds `other`'s counts if it is of the same day; false (nothing added) if not.
    pub fn merge(&mut self, other: &DailyStats) -> bool {
        if other.day != self.day {
            return false;
        }
        for (key, n) in &other.counts {
            *self.counts.entry(key.clone()).or_default() += n;
        }
        true
    }

    pub fn day(&self) -> &str {
        &self.day
    }

    fn rows(&self) -> impl Iterator<Item = (&StatKey, &str, i64)> {
        self.counts.iter().map(|((k, m), n)| (k, m.as_str(), *n))
    }
}

/// `held:<reason>` and the other metric names, in one place (docs/insights.md).
pub mod metric {
    pub const SUBSCRIBED: &str = "subscribed";
    /// Stock levels received over the API, by locale (the engine's input, counted at
    /// ingest; no automation, as nothing has been decided yet).
    pub const STOCK_LEVELS: &str = "stock_levels";
    /// Subscriptions a stock level matched, by the level's locale, whatever then became of
    /// them (triggered, held back, expired).
    pub const MATCHED: &str = "matched";
    pub const TRIGGERED: &str = "triggered";
    /// Seconds from subscription to notification, summed over triggered subscriptions.
    pub const WAIT_SECONDS: &str = "wait_seconds";
    pub const EXPIRED: &str = "expired";
    pub const DELIVERED: &str = "delivered";
    pub const DEAD: &str = "dead";
    pub const UNSUBSCRIBED: &str = "unsubscribed";
    pub const CLICKED: &str = "clicked";
    pub const CONVERTED: &str = "converted";
    /// Sign-ups from the shop's pages (a new pending subscription, or one taken at once
    /// where double opt-in is off), by locale.
    pub const SIGNED_UP: &str = "signed_up";
    /// Sign-ups that became subscriptions (confirmed from the email, or at once), by
    /// locale: with `signed_up`, the confirmation rate.
    pub const CONFIRMED: &str = "confirmed";
    pub const HELD_PREFIX: &str = "held:";
    pub const ACTION_PREFIX: &str = "action:";
    pub const REVENUE_PREFIX: &str = "revenue:";
}

/// Adds a counter row to the stored one (its conflict target before it), saturating at the ends of the 64-bit range
/// instead of overflowing: SQLite would turn the sum into a REAL (which no reader
/// takes) and PostgreSQL would fail the whole transaction, the receipt with it.
pub(crate) const SATURATING_UPDATE: &str = "DO UPDATE SET value = CASE \
     WHEN excluded.value > 0 AND daily_stats.value > 9223372036854775807 - excluded.value \
     THEN 9223372036854775807 \
     WHEN excluded.value < 0 AND daily_stats.value < (-9223372036854775807 - 1) - excluded.value \
     THEN (-9223372036854775807 - 1) \
     ELSE daily_stats.value + excluded.value END";

/// Rows per upsert statement (6 binds each).
const STATS_CHUNK: usize = 1_000;

/// Adds counters inside the caller's open transaction (`&mut *tx`), on either backend.
#[async_trait::async_trait]
pub trait AddStats {
    async fn add_stats(&mut self, stats: &DailyStats) -> Result<(), sqlx::Error>;
}

/// `shard`: on PostgreSQL, the expression that picks the row of a counter this connection
/// adds to (migration 0010); `None` where a counter has one row (SQLite).
macro_rules! impl_add_stats {
    ($conn:ty, $db:ty, shard: $shard:expr) => {
        #[async_trait::async_trait]
        impl AddStats for $conn {
            async fn add_stats(&mut self, stats: &DailyStats) -> Result<(), sqlx::Error> {
                let shard: Option<&str> = $shard;
                let rows: Vec<_> = stats.rows().collect();
                for part in rows.chunks(STATS_CHUNK) {
                    let mut upsert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO daily_stats (day, automation, branch, locale, metric, value",
                    );
                    upsert.push(if shard.is_some() { ", shard) " } else { ") " });
                    upsert.push_values(part, |mut row, (key, metric, n)| {
                        row.push_bind(stats.day())
                            .push_bind(key.automation.as_str())
                            .push_bind(key.branch.as_str())
                            .push_bind(key.locale.as_str())
                            .push_bind(*metric)
                            .push_bind(*n);
                        if let Some(shard) = shard {
                            row.push(shard);
                        }
                    });
                    upsert.push(if shard.is_some() {
                        " ON CONFLICT (day, automation, branch, locale, metric, shard) "
                    } else {
                        " ON CONFLICT (day, automation, branch, locale, metric) "
                    });
                    upsert.push(SATURATING_UPDATE);
                    upsert.build().execute(&mut *self).await?;
                }
                Ok(())
            }
        }
    };
}

impl_add_stats!(sqlx::SqliteConnection, sqlx::Sqlite, shard: None);
impl_add_stats!(
    sqlx::PgConnection,
    sqlx::Postgres,
    shard: Some("CAST(pg_backend_pid() % 64 AS SMALLINT)")
);

/// One stored counter, as reports read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatRow {
    pub day: String,
    pub automation: String,
    pub branch: String,
    pub locale: String,
    pub metric: String,
    pub value: i64,
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    #[test]
    fn the_day_is_the_zones_day() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(StatsZone::default().day_of(at).to_string(), "2026-03-01");
        let stockholm = StatsZone::parse("Europe/Stockholm").unwrap();
        assert_eq!(stockholm.day_of(at).to_string(), "2026-03-02");
        assert!(StatsZone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn counts_are_summed_per_key_and_zero_is_not_written() {
        let mut stats = DailyStats::new(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        stats.add(StatKey::locale("sv-SE"), "subscribed", 1);
        stats.add(StatKey::locale("sv-SE"), "subscribed", 2);
        stats.add(StatKey::locale("en-GB"), "expired", 0);
        let rows: Vec<_> = stats.rows().collect();
        assert_eq!(rows, vec![(&StatKey::locale("sv-SE"), "subscribed", 3)]);
        assert_eq!(stats.day(), "2026-01-02");
    }
}
