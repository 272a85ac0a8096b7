//! The delivery worker: claims due notifications and runs each one's actions in order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use tokio::sync::Notify;
use uuid::Uuid;

use super::pause::{Due, Pause};
use super::{report, DeliveryError, RetryPolicy};
use crate::metrics::Metrics;
use crate::plugins::Registry;
use crate::store::{Finish, OutboxItem, Store};

/// Most outcomes recorded in one transaction.
const RECORD_GROUP: usize = 64;

#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// This worker's name in claims (unique per process).
    pub worker: String,
    /// How long a claim holds before another worker may take the notification over
    /// (longer than any one delivery can take).
    pub lease: Duration,
    /// Notifications claimed at a time.
    pub batch_size: usize,
    /// Notifications delivered at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// At most this many notifications per contact in any 24 hours (0: no cap); the rest
    /// wait until the contact is below the cap again, they are never dropped.
    pub daily_cap: u32,
    /// How often to look for due notifications when not woken.
    pub poll: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            worker: format!("delivery-{}", uuid::Uuid::now_v7()),
            lease: Duration::from_secs(300),
            batch_size: 200,
            concurrency: 32,
            retry: RetryPolicy::default(),
            daily_cap: 0,
            poll: Duration::from_secs(1),
        }
    }
}

pub struct Delivery {
    store: Arc<dyn Store>,
    pub(super) actions: Registry,
    pub(super) settings: DeliverySettings,
    pub(super) metrics: Metrics,
    /// Set while an action's channel is down: nothing is claimed, the action is probed.
    pub(super) pause: Pause,
}

impl Delivery {
    pub fn new(store: Arc<dyn Store>, actions: Registry, settings: DeliverySettings) -> Self {
        Self {
            store,
            actions,
            settings,
            metrics: Metrics::new(),
            pause: Pause::default(),
        }
    }

    /// Counts every action run into `metrics`, by action and by what happens next; each
    /// action's series exist at 0 from the start, so a dashboard shows it before its first
    /// run.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        for name in self.actions.names() {
            metrics.delivery_action(name);
        }
        self.metrics = metrics;
        self
    }

    /// The name this worker claims notifications under (and heartbeats as).
    pub fn worker(&self) -> &str {
        &self.settings.worker
    }

    /// Claims one batch of due notifications and delivers it; how many were claimed.
    /// While a channel is down (see [`Outcome::Unavailable`]) nothing is claimed: when
    /// its next probe is due the channel is probed, and claiming resumes if it answers.
    pub async fn run_once(self: &Arc<Self>) -> Result<usize, DeliveryError> {
        if !self.may_claim().await {
            return Ok(0);
        }
        let settings = &self.settings;
        let items = self
            .store
            .claim_notifications(&settings.worker, settings.lease, settings.batch_size)
            .await?;
        let claimed = items.len();
        let deferred = self.over_daily_cap(&items).await?;
        // Outcomes are recorded in groups (one transaction, one fsync each) as they come
        // in, not one transaction per email: a crash between a send and its record can
        // re-send at most a group, with the same Message-ID.
        // Each delivery is a task of its own, so rendering and building messages use every
        // core rather than the one polling this loop.
        let outcomes = stream::iter(items)
            .map(|item| {
                let (me, defer) = (self.clone(), deferred.get(&item.id).copied());
                tokio::spawn(async move {
                    let paused = defer.is_none().then(|| me.pause.cause()).flatten();
                    let (finish, action) = match (defer, paused) {
                        (Some(at_ms), _) => (Finish::Defer { at_ms }, String::new()),
                        // Claimed before the pause began: put back untried.
                        (None, Some(cause)) => (
                            Finish::Release {
                                actions_done: item.actions_done,
                                error: Some(format!("not tried while delivery is paused: {cause}")),
                            },
                            String::new(),
                        ),
                        (None, None) => me.deliver(&item).await,
                    };
                    report::settled(&item, &action, &finish);
                    (item.id, finish)
                })
            })
            .buffer_unordered(settings.concurrency.max(1))
            .filter_map(|done| async move {
                // A delivery that panicked is recorded nowhere: its claim runs out and it
                // is tried again.
                done.map_err(|err| tracing::error!(error = %err, "a delivery task failed"))
                    .ok()
            })
            .ready_chunks(RECORD_GROUP);
        let mut outcomes = std::pin::pin!(outcomes);
        while let Some(group) = outcomes.next().await {
            let held = self
                .store
                .finish_notifications(&settings.worker, &group)
                .await?;
            if held < group.len() as u64 {
                tracing::warn!(
                    lost = group.len() as u64 - held,
                    "claims ran out before their deliveries finished"
                );
            }
        }
        Ok(claimed)
    }

    /// Whether to claim now: yes unless paused; when paused, only once a due probe of
    /// the channel that was down succeeds.
    async fn may_claim(&self) -> bool {
        match self.pause.due() {
            Due::Claim => true,
            Due::Wait => false,
            Due::Probe(action) => {
                let ok = match self.actions.get(action) {
                    Some(plugin) => plugin.probe().await.is_ok(),
                    None => true,
                };
                self.pause.probed(ok);
                ok
            }
        }
    }

    /// Delivers until nothing is due; how many notifications were claimed. Tests drive delivery
    /// with this instead of sleeping.
    pub async fn run_pending(self: &Arc<Self>) -> Result<usize, DeliveryError> {
        let mut total = 0;
        loop {
            match self.run_once().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// Delivers until `shutdown` completes, woken by `wake` or every `poll` (see
    /// [`crate::background::run_until`]).
    pub async fn run(
        self: Arc<Self>,
        wake: Arc<Notify>,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        crate::background::run_until("delivery", self.settings.poll, &wake, shutdown, || {
            self.run_pending()
        })
        .await;
    }

    /// The claimed notifications that would take their contact over the daily cap (oldest
    /// first within the cap), each with when it may go: when the contact's oldest delivery
    /// in the last 24 hours leaves the window.
    async fn over_daily_cap(
        &self,
        items: &[OutboxItem],
    ) -> Result<HashMap<Uuid, i64>, DeliveryError> {
        let cap = usize::try_from(self.settings.daily_cap).unwrap_or(usize::MAX);
        if cap == 0 || items.is_empty() {
            return Ok(HashMap::new());
        }
        let day = chrono::Duration::hours(24);
        let now = chrono::Utc::now();
        let contacts: Vec<Uuid> = items.iter().map(|i| i.contact_id).collect();
        let mut recent: HashMap<Uuid, Vec<i64>> = HashMap::new();
        for (contact, at) in self.store.delivered_since(&contacts, now - day).await? {
            recent
                .entry(contact)
                .or_default()
                .push(at.timestamp_millis());
        }
        let mut deferred = HashMap::new();
        for item in items {
            let sent = recent.entry(item.contact_id).or_default();
            if sent.len() < cap {
                sent.push(now.timestamp_millis());
                continue;
            }
            let oldest = sent.iter().min().copied().unwrap_or(now.timestamp_millis());
            deferred.insert(item.id, oldest.saturating_add(day.num_milliseconds()));
        }
        Ok(deferred)
    }
}
