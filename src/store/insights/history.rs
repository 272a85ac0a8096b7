//! What the insights add to the transactions that do the work: daily statistics and the
//! history of ended subscriptions, written in the same transaction so both are exact
//! across crashes. Each writer calls one method here (see `contacts/sql.rs`,
//! `engine/sql.rs`, `outbox/sql.rs`); the demand counts need no call (triggers,
//! see migration 0005).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::stats::{metric, AddStats, DailyStats, StatKey, StatsZone};
use crate::store::contacts::rows::SubscriptionRow;
use crate::store::row::{self, column};
use crate::store::{ChunkCommit, Trigger};

/// Rows per multi-row statement here (15 binds each for history rows).
const CHUNK: usize = 500;

/// How a subscription ended, as the history names it.
pub(crate) const DELETED: &str = "deleted";
pub(crate) const UNSUBSCRIBED: &str = "unsubscribed";
pub(crate) const EXPIRED: &str = "expired";
pub(crate) const TRIGGERED: &str = "triggered";

/// A subscription that ended without a notification, ready for its history row.
struct Ended<'a> {
    row: &'a SubscriptionRow,
    status: &'static str,
    automation: &'a str,
}

/// The hooks, on an open transaction of either backend (`&mut *tx`).
#[async_trait::async_trait]
pub(crate) trait InsightsTx {
    /// Subscriptions removed by the API (`deleted`) or the shopper (`unsubscribed`): their
    /// history rows, and the `unsubscribed` count either way.
    async fn subscriptions_removed(
        &mut self,
        zone: StatsZone,
        removed: &[SubscriptionRow],
        status: &'static str,
    ) -> Result<(), sqlx::Error>;
    /// Before a chunk deletes its subscriptions: the expiring ones as they are (their
    /// history needs them after the delete). On SQLite it also turns the demand trigger
    /// off for the chunk's delete ([`InsightsTx::chunk_committed`] subtracts instead).
    async fn read_expiring(
        &mut self,
        expired: &[(Uuid, Arc<str>)],
    ) -> Result<Vec<SubscriptionRow>, sqlx::Error>;
    /// After a chunk deleted `gone`: statistics for what it triggered, expired and held
    /// back, the expired ones' history, and (SQLite) the demand counts it consumed and the
    /// outbox's pending count it added to.
    async fn chunk_committed(
        &mut self,
        zone: StatsZone,
        chunk: &ChunkCommit<'_>,
        consumed: &[&Trigger],
        expiring: Vec<SubscriptionRow>,
        gone: &HashSet<Uuid>,
    ) -> Result<(), sqlx::Error>;
    /// Notifications whose delivery finished now: counted per action kind.
    async fn deliveries_finished(
        &mut self,
        zone: StatsZone,
        delivered: &[Uuid],
        dead: &[Uuid],
    ) -> Result<(), sqlx::Error>;
    /// Copies the notifications of `status` (finished before `before`, if given) into the
    /// history, before they are deleted from the outbox.
    async fn archive_notifications(
        &mut self,
        status: &str,
        before: Option<DateTime<Utc>>,
    ) -> Result<(), sqlx::Error>;
}

/// The statistics of a committed chunk.
fn chunk_stats(
    zone: StatsZone,
    chunk: &ChunkCommit<'_>,
    consumed: &[&Trigger],
    expired: &[Ended<'_>],
) -> DailyStats {
    let now = row::now();
    let mut stats = DailyStats::new(zone.day_of(now));
    for t in consumed {
        let key = StatKey::new(&t.route.automation, &t.route.branch, &t.candidate.locale);
        let waited = (now - t.candidate.created_on).num_seconds().max(0);
        stats.add(key.clone(), metric::TRIGGERED, 1);
        stats.add(key, metric::WAIT_SECONDS, waited);
    }
    for e in expired {
        stats.add(
            StatKey::new(e.automation, "", &e.row.locale),
            metric::EXPIRED,
            1,
        );
    }
    let level_locale = column(&chunk.level.key.locale);
    stats.add(
        StatKey::locale(level_locale),
        metric::MATCHED,
        i64::try_from(chunk.matched).unwrap_or(i64::MAX),
    );
    for (reason, n) in &chunk.held {
        let name = format!("{}{}", metric::HELD_PREFIX, reason.as_str());
        stats.add(
            StatKey::locale(level_locale),
            &name,
            i64::try_from(*n).unwrap_or(i64::MAX),
        );
    }
    stats
}

/// The statistics of finished deliveries: `delivered` for a notification with an email
/// action, `action:<kind>` for each other action, `dead` for a dead letter.
fn delivery_stats(zone: StatsZone, delivered: &[RouteRow], dead: &[RouteRow]) -> DailyStats {
    let mut stats = DailyStats::new(zone.today());
    for r in delivered {
        let key = StatKey::new(&r.automation_id, &r.branch, &r.locale);
        for kind in action_kinds(&r.actions.0) {
            let name = if kind == "email" {
                metric::DELIVERED.to_owned()
            } else {
                format!("{}{kind}", metric::ACTION_PREFIX)
            };
            stats.add(key.clone(), &name, 1);
        }
    }
    for r in dead {
        stats.add(
            StatKey::new(&r.automation_id, &r.branch, &r.locale),
            metric::DEAD,
            1,
        );
    }
    stats
}

/// The names of a route's actions (`[{"email": {…}}, {"webhook": {…}}]`).
fn action_kinds(actions: &serde_json::Value) -> Vec<&str> {
    actions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_object()?.keys().next().map(String::as_str))
        .collect()
}

/// What a chunk took out of the demand counts, per (locale, external id) of its SKU, in
/// key order: how many, and the sum of their creation times (Unix seconds).
fn consumed_counts<'a>(
    consumed: &[&'a Trigger],
    expired: &[Ended<'a>],
) -> BTreeMap<(&'a str, &'a str), (i64, i64)> {
    let mut counts: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    let rows = consumed
        .iter()
        .map(|t| {
            (
                t.candidate.locale.as_str(),
                t.candidate.external_id.as_str(),
                t.candidate.created_on,
            )
        })
        .chain(expired.iter().map(|e| {
            (
                e.row.locale.as_str(),
                e.row.external_id.as_str(),
                e.row.created_on,
            )
        }));
    for (locale, external_id, created_on) in rows {
        let slot = counts.entry((locale, external_id)).or_default();
        slot.0 += 1;
        slot.1 += created_on.timestamp();
    }
    counts
}

/// What a new subscription counts: `subscribed` for its locale, today. The subscribing
/// write returns it to `write_counted`, which adds it in the same transaction.
pub(crate) fn subscribed_stats(zone: StatsZone, locale: &str) -> DailyStats {
    let mut stats = DailyStats::new(zone.today());
    stats.add(StatKey::locale(locale), metric::SUBSCRIBED, 1);
    stats
}

fn removed_stats(zone: StatsZone, removed: &[SubscriptionRow]) -> DailyStats {
    let mut stats = DailyStats::new(zone.today());
    for row in removed {
        stats.add(StatKey::locale(&row.locale), metric::UNSUBSCRIBED, 1);
    }
    stats
}

#[derive(sqlx::FromRow)]
struct RouteRow {
    automation_id: String,
    branch: String,
    locale: String,
    actions: sqlx::types::Json<serde_json::Value>,
}

macro_rules! impl_insights_tx {
    // `sqlite`: the fan-out's chunk keeps, in one statement each, the counts that row
    // triggers would keep per row — the demand counts it consumes (their trigger turned
    // off for its delete) and the outbox's pending count (migration 0010).
    ($conn:ty, $db:ty, sqlite: $sqlite:literal) => {
        #[async_trait::async_trait]
        impl InsightsTx for $conn {
            async fn subscriptions_removed(
                &mut self,
                zone: StatsZone,
                removed: &[SubscriptionRow],
                status: &'static str,
            ) -> Result<(), sqlx::Error> {
                let ended: Vec<Ended<'_>> =
                    removed.iter().map(|row| Ended { row, status, automation: "" }).collect();
                write_ended(self, &ended).await?;
                self.add_stats(&removed_stats(zone, removed)).await
            }

            async fn read_expiring(
                &mut self,
                expired: &[(Uuid, Arc<str>)],
            ) -> Result<Vec<SubscriptionRow>, sqlx::Error> {
                if $sqlite {
                    sqlx::query("UPDATE demand_bypass SET active = 1 WHERE id = 1").execute(&mut *self).await?;
                }
                let mut found = Vec::new();
                for part in expired.chunks(CHUNK) {
                    let mut sql = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, contact_id, sku, locale, external_id, created_on FROM subscriptions WHERE id IN (",
                    );
                    let mut list = sql.separated(", ");
                    for (id, _) in part {
                        list.push_bind(*id);
                    }
                    sql.push(")");
                    found.extend(sql.build_query_as::<SubscriptionRow>().fetch_all(&mut *self).await?);
                }
                Ok(found)
            }

            async fn chunk_committed(
                &mut self,
                zone: StatsZone,
                chunk: &ChunkCommit<'_>,
                consumed: &[&Trigger],
                expiring: Vec<SubscriptionRow>,
                gone: &HashSet<Uuid>,
            ) -> Result<(), sqlx::Error> {
                let automations: HashMap<Uuid, &str> =
                    chunk.expired.iter().map(|(id, a)| (*id, &**a)).collect();
                let expired: Vec<Ended<'_>> = expiring
                    .iter()
                    .filter(|row| gone.contains(&row.id))
                    .map(|row| Ended {
                        row,
                        status: EXPIRED,
                        automation: automations.get(&row.id).copied().unwrap_or_default(),
                    })
                    .collect();
                write_ended(self, &expired).await?;
                if $sqlite {
                    // The chunk's new notifications: migration 0010's triggers count every
                    // other change of the outbox.
                    sqlx::query("UPDATE outbox_counts SET n = n + $1 WHERE status = 'pending'")
                        .bind(i64::try_from(consumed.len()).unwrap_or(i64::MAX))
                        .execute(&mut *self)
                        .await?;
                    sqlx::query("UPDATE demand_bypass SET active = 0 WHERE id = 1").execute(&mut *self).await?;
                    let sku = chunk.level.key.sku.as_str();
                    for ((locale, external_id), (n, sum)) in consumed_counts(consumed, &expired) {
                        sqlx::query(
                            "UPDATE demand SET waiting = waiting - $1, created_sum_s = created_sum_s - $2 \
                             WHERE sku = $3 AND locale = $4 AND external_id = $5",
                        )
                        .bind(n)
                        .bind(sum)
                        .bind(sku)
                        .bind(locale)
                        .bind(external_id)
                        .execute(&mut *self)
                        .await?;
                    }
                }
                self.add_stats(&chunk_stats(zone, chunk, consumed, &expired)).await
            }

            async fn deliveries_finished(
                &mut self,
                zone: StatsZone,
                delivered: &[Uuid],
                dead: &[Uuid],
            ) -> Result<(), sqlx::Error> {
                let delivered = routes_of(self, delivered).await?;
                let dead = routes_of(self, dead).await?;
                self.add_stats(&delivery_stats(zone, &delivered, &dead)).await
            }

            async fn archive_notifications(
                &mut self,
                status: &str,
                before: Option<DateTime<Utc>>,
            ) -> Result<(), sqlx::Error> {
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO backinstock_history (subscription_id, contact_id, sku, locale, external_id, \
                     subscribed_on, status, ended_on, notification_id, automation, branch, notification_status, \
                     attempts, last_error, finished_on) \
                     SELECT n.subscription_id, n.contact_id, p.sku, n.locale, n.external_id, n.subscribed_on, ",
                );
                sql.push_bind(TRIGGERED).push(
                    ", p.created_on, n.id, r.automation_id, r.branch, n.status, n.attempts, n.last_error, \
                     n.finished_on FROM notifications n JOIN notification_routes r ON r.id = n.route_id \
                     JOIN product_snapshots p ON p.id = n.product_id WHERE n.status <> 'pending' AND n.status = ",
                );
                sql.push_bind(status);
                if let Some(before) = before {
                    sql.push(" AND n.finished_on < ").push_bind(before);
                }
                sql.push(" ON CONFLICT (subscription_id) DO NOTHING");
                sql.build().execute(&mut *self).await?;
                Ok(())
            }
        }
    };
}

macro_rules! impl_helpers {
    ($conn:ty, $db:ty, $write:ident, $routes:ident) => {
        async fn $write(conn: &mut $conn, ended: &[Ended<'_>]) -> Result<(), sqlx::Error> {
            let now = row::now();
            for part in ended.chunks(CHUNK) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO backinstock_history (subscription_id, contact_id, sku, locale, external_id, \
                     subscribed_on, status, ended_on, automation) ",
                );
                insert.push_values(part, |mut row, e| {
                    row.push_bind(e.row.id)
                        .push_bind(e.row.contact_id)
                        .push_bind(e.row.sku.as_str())
                        .push_bind(e.row.locale.as_str())
                        .push_bind(e.row.external_id.as_str())
                        .push_bind(e.row.created_on)
                        .push_bind(e.status)
                        .push_bind(now)
                        .push_bind(e.automation);
                });
                insert.push(" ON CONFLICT (subscription_id) DO NOTHING");
                insert.build().execute(&mut *conn).await?;
            }
            Ok(())
        }

        async fn $routes(conn: &mut $conn, ids: &[Uuid]) -> Result<Vec<RouteRow>, sqlx::Error> {
            let mut found = Vec::new();
            for part in ids.chunks(CHUNK) {
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT r.automation_id, r.branch, n.locale, r.actions FROM notifications n \
                     JOIN notification_routes r ON r.id = n.route_id WHERE n.id IN (",
                );
                let mut list = sql.separated(", ");
                for id in part {
                    list.push_bind(*id);
                }
                sql.push(")");
                found.extend(sql.build_query_as::<RouteRow>().fetch_all(&mut *conn).await?);
            }
            Ok(found)
        }
    };
}

mod sqlite_tx {
    use super::*;
    impl_helpers!(sqlx::SqliteConnection, sqlx::Sqlite, write_ended, routes_of);
    impl_insights_tx!(sqlx::SqliteConnection, sqlx::Sqlite, sqlite: true);
}

mod postgres_tx {
    use super::*;
    impl_helpers!(sqlx::PgConnection, sqlx::Postgres, write_ended, routes_of);
    impl_insights_tx!(sqlx::PgConnection, sqlx::Postgres, sqlite: false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_kinds_are_the_keys_of_the_route_actions() {
        let actions = serde_json::json!([{"email": {"template": "x"}}, {"webhook": {}}, 3]);
        assert_eq!(action_kinds(&actions), vec!["email", "webhook"]);
    }
}
