//! The engine as a long-running task beside the API.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::feeds::Catalog;
use crate::metrics::Metrics;
use crate::reload::Reloadable;
use crate::store::Store;

use super::{RuleSet, RulesError};

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
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            worker: format!("engine-{}", uuid::Uuid::now_v7()),
            chunk_size: 2_000,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
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
        }
    }

    /// Counts into `metrics` (the registry `/metrics` serves) instead of a detached one.
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
            self.run_pending()
        })
        .await;
    }
}
