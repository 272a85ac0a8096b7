//! Worker liveness: every claiming worker heartbeats while its process lives, so the claims
//! of a killed process are taken over within seconds instead of when their lease runs out.
//!
//! A claim may be taken over when nobody holds it, when its worker's heartbeat is older
//! than [`STALE_AFTER`], or when its lease ran out and its worker has no fresh heartbeat
//! (a worker that never registered, such as one a test drives, keeps the lease rule). A
//! live worker that is slow keeps its claim past the lease: its process still heartbeats.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;

/// How often a running process refreshes its workers' heartbeats.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);
/// A heartbeat this old means the process is gone: five missed beats, so a write queue
/// that holds one heartbeat up for a few seconds does not hand live work to another worker.
pub const STALE_AFTER: Duration = Duration::from_secs(10);
/// Rows of processes gone this long are deleted when another registers: every lease has
/// run out by then, so the row no longer decides anything.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Registering, heartbeating and retiring the workers of one process.
#[async_trait]
pub trait InstanceStore: Send + Sync + 'static {
    /// Records that `workers` are alive now (creating their rows), and forgets workers
    /// gone for a day.
    async fn heartbeat(&self, workers: &[String]) -> Result<(), StoreError>;
    /// A clean stop: frees every claim `workers` still hold, for the next worker to take at
    /// once, and deletes their rows.
    async fn retire(&self, workers: &[String]) -> Result<(), StoreError>;
}

/// The heartbeat older than which a worker counts as gone, in the claims' milliseconds.
pub(crate) fn stale_before_ms(now_ms: i64) -> i64 {
    now_ms.saturating_sub(millis(STALE_AFTER))
}

pub(crate) fn forget_before_ms(now_ms: i64) -> i64 {
    now_ms.saturating_sub(millis(FORGET_AFTER))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The claim condition both backends share: `$now` is the time, `$stale` the
/// [`stale_before_ms`] cutoff (both bound by the caller).
macro_rules! claimable {
    ($now:literal, $stale:literal) => {
        concat!(
            "(lease_until_ms IS NULL \
              OR claimed_by IN (SELECT worker FROM instances WHERE heartbeat_ms < ",
            $stale,
            ") \
              OR (lease_until_ms < ",
            $now,
            " AND claimed_by NOT IN \
                  (SELECT worker FROM instances WHERE heartbeat_ms >= ",
            $stale,
            ")))"
        )
    };
}

pub(crate) use claimable;

/// Implements [`InstanceStore`] for `$store` (see `impl_store!`).
macro_rules! impl_instance_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::InstanceStore for $store {
            async fn heartbeat(&self, workers: &[String]) -> Result<(), StoreError> {
                let workers = workers.to_vec();
                self.write(workers.len(), move |conn| Box::pin(async move {
                    let now_ms = rows::now().timestamp_millis();
                    for worker in &workers {
                        sqlx::query(
                            "INSERT INTO instances (worker, heartbeat_ms) VALUES ($1, $2) \
                             ON CONFLICT (worker) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms",
                        )
                        .bind(worker)
                        .bind(now_ms)
                        .execute(&mut *conn)
                        .await?;
                    }
                    sqlx::query("DELETE FROM instances WHERE heartbeat_ms < $1")
                        .bind(instances::forget_before_ms(now_ms))
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                }))
                .await
            }

            async fn retire(&self, workers: &[String]) -> Result<(), StoreError> {
                let workers = workers.to_vec();
                self.write(workers.len(), move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    for worker in &workers {
                        sqlx::query(
                            "UPDATE stock_batches SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND processed_on IS NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE fan_out_parts SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND done_on IS NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE notifications SET lease_until_ms = NULL \
                             WHERE claimed_by = $1 AND status = 'pending' AND lease_until_ms IS NOT NULL",
                        )
                        .bind(worker)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("DELETE FROM instances WHERE worker = $1")
                            .bind(worker)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }))
                .await
            }
        }
    };
}

pub(crate) use impl_instance_store;

/// Heartbeats `workers` every [`HEARTBEAT_EVERY`] until `shutdown` completes. A failed
/// heartbeat is logged and retried at the next beat: missing a few is harmless, and only
/// [`STALE_AFTER`] without one lets another worker take these workers' claims.
pub async fn keep_alive(
    store: std::sync::Arc<dyn super::Store>,
    workers: Vec<String>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = beat.tick() => {
                if let Err(err) = store.heartbeat(&workers).await {
                    tracing::warn!(error = %err, "cannot record this instance's heartbeat");
                }
            }
        }
    }
}
