//! The application: what it is built from and how it runs.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

use crate::api::{self, AppState, RateLimit};
use crate::config::{read_or_create_key, redact_url, Config, HttpConfig, Secret};
use crate::console::{self, Console, ConsoleState};
use crate::delivery::{Delivery, DeliverySettings, RetryPolicy};
use crate::engine::{self, Engine, EngineSettings, RuleSet};
use crate::feeds::Catalog;
use crate::metrics::Metrics;
use crate::plugins::email::EmailAction;
use crate::plugins::webhook::WebhookAction;
use crate::plugins::{self, Registry};
use crate::reload::{Reloadable, WatchGuard, DEFAULT_DEBOUNCE};
use crate::store::{self, Store};
use crate::storefront::{self, Challenges, ConfirmationMailer, MailerSettings, StorefrontState};
use crate::templates::{TemplateError, Templates};
use crate::web::ApiKeys;

use super::mail::{
    click_key, email_action, load_templates, storefront_links, unsubscribe_key, webhook_action,
};

/// A bound, ready-to-serve Restock. Tests build it on port 0 and read the real address.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    console: Arc<Console>,
    delivery: Arc<Delivery>,
    storefront: Storefront,
    run_engine: bool,
    run_delivery: bool,
    http: HttpConfig,
    insights: crate::config::InsightsConfig,
    _watchers: Vec<WatchGuard>,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let metrics = Metrics::new();
        let store = connect_store(config).await?;
        let engine = Arc::new(build_engine(config, store.clone())?.with_metrics(metrics.clone()));
        log_feeds(engine.catalog());
        let templates = load_templates(config)?;
        let unsubscribe = Arc::new(unsubscribe_key(config)?);
        let email = email_action(config, templates.clone(), unsubscribe.clone())?;
        let mail = email.mailer().health().clone();
        let storefront = build_storefront(
            config,
            &store,
            &engine,
            email.mailer().clone(),
            metrics.clone(),
        )?;
        mail.observe(metrics.mail_transport_observer());
        let webhook = webhook_action(config, unsubscribe.clone())?;
        let delivery = Arc::new(
            build_delivery(config, store.clone(), email, webhook).with_metrics(metrics.clone()),
        );
        count_reloads(&metrics, &engine, templates.as_ref());
        let keys = api_keys(config)?;
        // Before the watchers: the console probes whether rules_dir and templates_dir are
        // writable.
        let console = Arc::new(Console::new(
            config.console.clone(),
            &keys,
            config.rules_dir.clone(),
            config.templates_dir.clone(),
            &config.public_url,
        )?);
        let watchers = watch_sources(config, &engine, templates.as_ref());
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let state = AppState::new(api::Parts {
            store,
            engine,
            wake_engine: Arc::new(Notify::new()),
            api_keys: Arc::new(ApiKeys::new(&keys)),
            rate_limit: Arc::new(RateLimit::new(config.rate_limit.quota())),
            metrics,
            max_body_bytes: config.max_body_bytes,
            limits: Arc::new(api::Limits::new(&config.http, config.max_body_bytes)),
            templates,
            unsubscribe,
            contact_attributes: Arc::new(config.contact_attributes.clone()),
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            mail,
            clicks: Arc::new(api::ClickSettings {
                key: click_key(config)?,
                prefetch_secs: config.tracking.prefetch_secs,
            }),
        });
        Ok(Self {
            listener,
            state,
            console,
            delivery,
            storefront,
            run_engine: config.engine.enabled,
            run_delivery: config.delivery.enabled,
            http: config.http.clone(),
            insights: config.insights.clone(),
            _watchers: watchers,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The engine, for tests that drive it step by step (`run_pending`).
    pub fn engine(&self) -> Arc<Engine> {
        self.state.engine.clone()
    }

    /// The email templates (`None` without a templates_dir), for tests that reload them.
    pub fn templates(&self) -> Option<Reloadable<Templates, TemplateError>> {
        self.state.templates.clone()
    }

    /// The delivery worker, for tests that drive it step by step (`run_pending`).
    pub fn delivery(&self) -> Arc<Delivery> {
        self.delivery.clone()
    }

    /// The confirmation mailer, for tests that drive it step by step (`run_pending`).
    pub fn confirmation_mailer(&self) -> Arc<ConfirmationMailer> {
        self.storefront.mailer.clone()
    }

    /// Serves (and runs the engine and delivery, unless disabled) until `shutdown` completes, then
    /// finishes the requests in flight (for at most `http.shutdown_timeout`) and the engine's
    /// current chunk.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // The engine worker's name is what this process's claims (batches, fan-out parts)
        // carry in the database.
        tracing::info!(
            address = %self.local_addr()?,
            engine = self.run_engine,
            engine_worker = self.state.engine.worker(),
            "serving the API"
        );
        let (stop_tx, stop_rx) = watch::channel(false);
        let workers = self.claiming_workers();
        let store = self.state.store.clone();
        store
            .heartbeat(&workers)
            .await
            .context("cannot register this instance's workers")?;
        let heartbeat = tokio::spawn(store::keep_alive(
            store.clone(),
            workers.clone(),
            stopped(stop_rx.clone()),
        ));
        let engine = self.run_engine.then(|| {
            let (engine, wake) = (self.state.engine.clone(), self.state.wake_engine.clone());
            tokio::spawn(engine.run(wake, stopped(stop_rx.clone())))
        });
        let delivery = self.run_delivery.then(|| {
            let wake = Arc::new(Notify::new());
            tokio::spawn(self.delivery.clone().run(wake, stopped(stop_rx.clone())))
        });
        // Confirmation emails go out where the delivery worker runs.
        let confirmations =
            (self.run_delivery && self.storefront.state.config.enabled).then(|| {
                let mailer = self.storefront.mailer.clone();
                let wake = self.storefront.state.wake_mailer.clone();
                tokio::spawn(mailer.run(wake, stopped(stop_rx.clone())))
            });
        let retention = tokio::spawn(crate::insights::retention::run(
            store.clone(),
            self.insights.clone(),
            stopped(stop_rx.clone()),
        ));
        let stop = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        let pages = console::router(ConsoleState {
            console: self.console,
            store: self.state.store.clone(),
            engine: self.state.engine.clone(),
            templates: self.state.templates.clone(),
            unsubscribe: self.state.unsubscribe.clone(),
            api_keys: self.state.api_keys.clone(),
            metrics: self.state.metrics.clone(),
            public_url: self.state.public_url.clone(),
        });
        let pages = pages.merge(storefront::router(self.storefront.state));
        let app = api::router(self.state, pages);
        api::serve(self.listener, app, &self.http, stop).await;
        if let Some(engine) = engine {
            engine.await.context("the engine task failed")?;
        }
        if let Some(delivery) = delivery {
            delivery.await.context("the delivery task failed")?;
        }
        if let Some(confirmations) = confirmations {
            confirmations
                .await
                .context("the confirmation mailer failed")?;
        }
        heartbeat.await.context("the heartbeat task failed")?;
        retention.await.context("the retention task failed")?;
        // Frees what the stopped workers still hold, so another instance resumes it now.
        if let Err(err) = store.retire(&workers).await {
            tracing::warn!(error = %err, "cannot release this instance's claims; their leases will");
        }
        Ok(())
    }

    /// The names the running workers claim under, heartbeated while this process runs.
    fn claiming_workers(&self) -> Vec<String> {
        let engine = self
            .run_engine
            .then(|| self.state.engine.worker().to_owned());
        let delivery = self.run_delivery.then(|| self.delivery.worker().to_owned());
        engine.into_iter().chain(delivery).collect()
    }
}

/// The storefront's handlers' state and its confirmation mailer.
struct Storefront {
    state: StorefrontState,
    mailer: Arc<ConfirmationMailer>,
}

fn build_storefront(
    config: &Config,
    store: &Arc<dyn Store>,
    engine: &Arc<Engine>,
    mailer: crate::plugins::email::Mailer,
    metrics: Metrics,
) -> anyhow::Result<Storefront> {
    let links = storefront_links(config)?;
    let settings = &config.storefront;
    let public_url = config.public_url.trim_end_matches('/').to_owned();
    let state = StorefrontState::new(storefront::Parts {
        config: settings.clone(),
        store: store.clone(),
        engine: engine.clone(),
        challenges: Challenges::new(
            links.challenge_key(),
            settings.difficulty,
            settings.challenge_ttl,
        ),
        form_tokens: Challenges::new(links.form_key(), 0, Duration::from_secs(3600)),
        ip_key: links.client_key(),
        links: links.clone(),
        public_url: public_url.clone(),
        wake_mailer: Arc::new(Notify::new()),
        metrics: metrics.clone(),
    });
    let sender =
        crate::plugins::email::Sender::parse(&config.mail.from, config.mail.reply_to.as_deref())?;
    let mailer = Arc::new(ConfirmationMailer {
        store: store.clone(),
        mailer,
        sender,
        links,
        engine: engine.clone(),
        public_url,
        worker: format!("confirmations-{}", uuid::Uuid::now_v7()),
        settings: MailerSettings {
            batch: 50,
            lease: Duration::from_secs(60),
            retry: config.delivery.retry_schedule.clone(),
            purge_every: Duration::from_secs(600),
            longest_window: settings
                .limits
                .ip_window
                .max(settings.limits.address_window),
            pending_ttl: settings.pending_ttl,
        },
        metrics,
    });
    Ok(Storefront { state, mailer })
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Opens the configured database and brings its schema up to date.
pub async fn connect_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url.expose();
    tracing::info!(database = %redact_url(url), "opening the store");
    store::connect_with(
        url,
        config.database_max_connections,
        config.insights.time_zone,
        config.attribution.window,
    )
    .await
    .with_context(|| format!("cannot open the database {}", redact_url(url)))
}

/// Feeds and rules as configured; either failing at start stops the start (there is no
/// earlier good version to keep).
pub fn build_engine(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Engine> {
    let catalog = Catalog::load(&config.feeds).context("cannot load the product feeds")?;
    engine::schema(&catalog, &config.contact_attributes)
        .context("cannot build the fields rules may read")?;
    let (dir, attributes, feeds) = (
        config.rules_dir.clone(),
        config.contact_attributes.clone(),
        catalog.clone(),
    );
    // Each rules load reads the feeds' fields as they are now, so a column a feed reload
    // added is usable by the next rules reload, not only after a restart.
    let rules = Reloadable::new("rules", move || {
        let schema = engine::schema(&feeds, &attributes)?;
        RuleSet::load(&dir, &schema)
    })
    .with_context(|| format!("the rules in {} are invalid", config.rules_dir.display()))?;
    let settings = EngineSettings {
        chunk_size: config.engine.chunk_size,
        lease: Duration::from_secs(config.engine.lease_secs.max(1)),
        log_retention: config.engine.log_retention(),
        part_size: part_size(config),
        ..EngineSettings::default()
    };
    Ok(Engine::new(store, rules, catalog, settings))
}

/// `engine.part_size`, where parts pay: on PostgreSQL, where several instances (and
/// their connections) commit at once. SQLite's one writer would only queue them.
fn part_size(config: &Config) -> Option<u64> {
    let url = config.database_url.expose();
    let shared = url.starts_with("postgres://") || url.starts_with("postgresql://");
    (shared && config.engine.part_size > 0).then_some(config.engine.part_size)
}

/// Names every loaded feed at start, or warns that there is none: without a feed for its
/// locale a subscription is never notified, and nothing else would say so.
fn log_feeds(catalog: &Catalog) {
    let feeds = catalog.status();
    if feeds.is_empty() {
        tracing::warn!(
            "no feeds configured: every subscription will be held back: noFeedForLocale"
        );
    }
    for feed in feeds {
        tracing::info!(
            locale = %feed.locale,
            path = %feed.path.display(),
            format = %format!("{:?}", feed.format).to_lowercase(),
            products = feed.products,
            "serving the feed"
        );
    }
}

/// The delivery worker with every action this build provides.
pub fn build_delivery(
    config: &Config,
    store: Arc<dyn Store>,
    email: EmailAction,
    webhook: WebhookAction,
) -> Delivery {
    let mut actions = Registry::new();
    actions
        .register(plugins::log::LogAction)
        .register(email)
        .register(webhook);
    let settings = DeliverySettings {
        lease: Duration::from_secs(config.delivery.lease_secs.max(1)),
        batch_size: config.delivery.batch_size.max(1),
        concurrency: config.delivery.concurrency.max(1),
        daily_cap: config.delivery.daily_cap_per_contact,
        retry: RetryPolicy {
            schedule: config.delivery.retry_schedule.clone(),
            ..RetryPolicy::default()
        },
        ..DeliverySettings::default()
    };
    Delivery::new(store, actions, settings)
}

/// Counts every reload of rules, feeds and templates, and its failures, into `metrics`.
fn count_reloads(
    metrics: &Metrics,
    engine: &Engine,
    templates: Option<&Reloadable<Templates, TemplateError>>,
) {
    engine.rules().observe(metrics.reload_observer("rules"));
    for feed in engine.catalog().reloadables() {
        feed.observe(metrics.reload_observer("feed"));
    }
    if let Some(templates) = templates {
        templates.observe(metrics.reload_observer("templates"));
    }
}

/// Hot reload of rules, feeds and templates. A watcher that cannot start is logged, not
/// fatal: the engine and delivery still run on what they loaded.
fn watch_sources(
    config: &Config,
    engine: &Engine,
    templates: Option<&Reloadable<Templates, TemplateError>>,
) -> Vec<WatchGuard> {
    let mut guards = Vec::new();
    if let Some(templates) = templates {
        match templates.watch([config.templates_dir.clone()], DEFAULT_DEBOUNCE) {
            Ok(guard) => guards.push(guard),
            Err(err) => tracing::warn!(error = %err, "templates will not reload on change"),
        }
    }
    if config.rules_dir.exists() {
        match engine
            .rules()
            .watch([config.rules_dir.clone()], DEFAULT_DEBOUNCE)
        {
            Ok(guard) => guards.push(guard),
            Err(err) => tracing::warn!(error = %err, "rules will not reload on change"),
        }
    }
    match engine.catalog().watch(DEFAULT_DEBOUNCE) {
        Ok(guard) => guards.push(guard),
        Err(err) => tracing::warn!(error = %err, "feeds will not reload on change"),
    }
    guards
}

/// The configured keys, or — so that a fresh install is never open — a random key kept in
/// `api_key_file` (created on first start, readable by its owner only).
fn api_keys(config: &Config) -> anyhow::Result<Vec<Secret>> {
    if !config.api_keys.is_empty() {
        return Ok(config.api_keys.clone());
    }
    let path = &config.api_key_file;
    let key = read_or_create_key(path)?;
    tracing::warn!(file = %path.display(), "no api_keys configured; using the key kept in this file");
    Ok(vec![Secret::new(key)])
}
