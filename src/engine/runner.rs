//! The engine as a long-running task beside the API.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::feeds::Catalog;
use crate::metrics::Metrics;
use crate::reload::Reloadable;
use crate::store::Store;

use super::{EngineError, RuleSet, RulesError};

/// Integration-log rows older than this are deleted unless configured otherwise.
pub const DEFAULT_LOG_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);
/// How often the engine deletes integration-log rows past their retention.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// How the engine works through batches.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// This worker's name in claims (unique per process).
    pub worker: String,
    /// Subscriptions decided and committed per transaction.
    pub chunk_size: usize,
    /// How long a claim holds without a commit before another worker may take the batch.
    pub lease: Duration,
    /// How often to look for batches when not woken by the API.
    pub poll: Duration,
    /// How long integration-log rows are kept (`None`: for ever). Stock levels that matched
    /// nothing have no rows: their latest report stays readable whatever this is.
    pub log_retention: Option<Duration>,
    /// Settle the stock levels that need no walk over their matches together, one commit
    /// per batch (the default). `false` walks every stock level on its own, with its own
    /// queries and commit, as the engine did before: `restock bench sync` measures it as
    /// its baseline.
    pub set_based: bool,
    /// A stock level with more matches left than this is split into parts of about this
    /// many, which every instance claims (`engine.part_size`; `None`: never split, and no
    /// parts of others' splits claimed but the batch's own). Only worth it where several
    /// instances write at once (PostgreSQL).
    pub part_size: Option<u64>,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            worker: format!("engine-{}", uuid::Uuid::now_v7()),
            chunk_size: 2_000,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            log_retention: Some(DEFAULT_LOG_RETENTION),
            set_based: true,
            part_size: None,
        }
    }
}

pub struct Engine {
    pub(super) store: Arc<dyn Store>,
    pub(super) rules: Reloadable<RuleSet, RulesError>,
    pub(super) catalog: Catalog,
    pub(super) settings: EngineSettings,
    /// Where committed chunks are counted; a detached registry unless
    /// [`with_metrics`](Engine::with_metrics) connects the application's.
    pub(super) metrics: Metrics,
    /// When the integration log was last purged by this engine.
    purged: Mutex<Option<Instant>>,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        rules: Reloadable<RuleSet, RulesError>,
        catalog: Catalog,
        settings: EngineSettings,
    ) -> Self {
        Self {
            store,
            rules,
            catalog,
            settings,
            metrics: Metrics::new(),
            purged: Mutex::new(None),
        }
    }

    /// Counts into `metrics` (the registry `/metrics` serves) instead of a detached one.
    /// Walks every stock level on its own (see [`EngineSettings::set_based`]).
    pub fn per_level(mut self) -> Self {
        self.settings.set_based = false;
        self
    }

    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn rules(&self) -> &Reloadable<RuleSet, RulesError> {
        &self.rules
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How long integration-log rows are kept (`None`: for ever).
    pub fn log_retention(&self) -> Option<Duration> {
        self.settings.log_retention
    }

    /// The name this engine claims batches under.
    pub fn worker(&self) -> &str {
        &self.settings.worker
    }

    /// Works through batches until `shutdown` completes, woken at once by `wake` (the API
    /// stored a batch) and otherwise every `poll` (see [`crate::background::run_until`]).
    pub async fn run(
        self: Arc<Self>,
        wake: Arc<Notify>,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        crate::background::run_until("engine", self.settings.poll, &wake, shutdown, || {
            self.work()
        })
        .await;
    }

    async fn work(&self) -> Result<usize, EngineError> {
        self.purge_log_if_due().await;
        self.run_pending().await
    }

    /// Deletes integration-log rows past their retention, at most every [`PURGE_EVERY`]. A
    /// failure is logged and tried again at the next purge: old rows cost only space.
    pub async fn purge_log_if_due(&self) {
        let Some(retention) = self.settings.log_retention else {
            return;
        };
        {
            let mut purged = self.purged.lock().unwrap_or_else(PoisonError::into_inner);
            if purged.is_some_and(|at| at.elapsed() < PURGE_EVERY) {
                return;
            }
            *purged = Some(Instant::now());
        }
        let Ok(retention) = chrono::Duration::from_std(retention) else {
            return;
        };
        let before = chrono::Utc::now() - retention;
        match self.store.purge_integration_log(before).await {
            Ok(0) => {}
            Ok(rows) => {
                tracing::info!(rows, %before, "integration-log rows past their retention deleted")
            }
            Err(err) => tracing::warn!(error = %err, "cannot purge the integration log"),
        }
    }
}
