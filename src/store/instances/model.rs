//! Heartbeats and how long they keep a worker's claims: [`InstanceStore`].

use std::time::Duration;

use async_trait::async_trait;

use crate::store::StoreError;

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

/// Heartbeats `workers` every [`HEARTBEAT_EVERY`] until `shutdown` completes. A failed
/// heartbeat is logged and retried at the next beat: missing a few is harmless, and only
/// [`STALE_AFTER`] without one lets another worker take these workers' claims.
pub async fn keep_alive(
    store: std::sync::Arc<dyn crate::store::Store>,
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
