//! The retention task: personal data is kept only as long as configured. History rows of
//! ended subscriptions go after `insights.history_days`, delivered notifications after
//! `insights.delivered_days` (archived into the history first, so a shopper's story
//! survives the outbox). Statistics are never purged: they hold no personal data.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::InsightsConfig;
use crate::store::{Purged, Store, StoreError};

/// The cut-off for an age in days; `None` for 0 (kept).
fn cutoff(now: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    (days > 0).then(|| now - chrono::Duration::days(i64::from(days)))
}

/// One purge, now.
pub async fn purge_once(store: &dyn Store, config: &InsightsConfig) -> Result<Purged, StoreError> {
    let now = Utc::now();
    let purged = store
        .purge_old(
            cutoff(now, config.history_days),
            cutoff(now, config.delivered_days),
        )
        .await?;
    if purged != Purged::default() {
        tracing::info!(
            history = purged.history,
            notifications = purged.notifications,
            "retention: removed what outlived its configured age"
        );
    }
    Ok(purged)
}

/// Purges at start and every `purge_every_secs` until `shutdown`.
pub async fn run(
    store: Arc<dyn Store>,
    config: InsightsConfig,
    shutdown: impl Future<Output = ()>,
) {
    let every = Duration::from_secs(config.purge_every_secs.max(1));
    let never = tokio::sync::Notify::new();
    crate::background::run_until("retention", every, &never, shutdown, || {
        purge_once(&*store, &config)
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_days_keeps_everything() {
        let now = Utc::now();
        assert_eq!(cutoff(now, 0), None);
        assert_eq!(cutoff(now, 2), Some(now - chrono::Duration::days(2)));
    }
}
