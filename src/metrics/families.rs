use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::store::{ChunkApplied, HeldBack};

/// The content type of the Prometheus text exposition format the scrape answers with.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The outbox statuses the depth gauge always reports (0 when there are none), so an
/// alert on `dead > 0` sees a series from the first scrape.
const OUTBOX_STATUSES: [&str; 3] = ["pending", "delivered", "dead"];

/// How one run of an action ended, as the delivery worker will record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The action succeeded.
    Sent,
    /// A transient failure with a retry still on the schedule.
    Retry,
    /// A permanent failure, or a transient one after the last retry: the dead letter.
    Dead,
}

impl DeliveryOutcome {
    const ALL: [DeliveryOutcome; 3] = [Self::Sent, Self::Retry, Self::Dead];

    fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Retry => "retry",
            Self::Dead => "dead",
        }
    }
}

/// Every metric Restock exports. Cloning is cheap and every clone counts into the same
/// registry, so the API, the engine and the delivery worker each hold one.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Families>,
}

struct Families {
    registry: Registry,
    stock_levels: IntCounter,
    matched: IntCounter,
    triggered: IntCounter,
    expired: IntCounter,
    held_back: IntCounterVec,
    outbox: IntGaugeVec,
    deliveries: IntCounterVec,
    reloads: IntCounterVec,
    mail_transport_up: IntGauge,
    http: HistogramVec,
    wrong_keys: IntCounterVec,
    signups: IntCounterVec,
    confirmation_emails: IntCounterVec,
}

/// What became of a sign-up on the shop's pages (`restock_signups_total`).
pub const SIGNUP_OUTCOMES: [&str; 5] = ["accepted", "honeypot", "limited", "refused", "origin"];
/// How sending a confirmation email ended (`restock_confirmation_emails_total`).
pub const CONFIRMATION_OUTCOMES: [&str; 4] = ["sent", "retry", "dead", "released"];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every family registered and the fixed label values (reasons,
    /// outbox statuses) present at 0.
    pub fn new() -> Self {
        // The names and labels below are constants: registering them cannot fail unless
        // this function itself is wrong, which every test that builds an app would show.
        Self::build().expect("the metric definitions are valid and unique")
    }

    fn build() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| -> prometheus::Result<IntCounter> {
            let c = IntCounter::new(name, help)?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        let counters =
            |name: &str, help: &str, labels: &[&str]| -> prometheus::Result<IntCounterVec> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(c.clone()))?;
                Ok(c)
            };
        let families = Families {
            stock_levels: counter(
                "restock_stock_levels_received_total",
                "Stock levels accepted by PUT stock-levels (v2 and v3), counted per item.",
            )?,
            matched: counter(
                "restock_subscriptions_matched_total",
                "Subscriptions matched by processed stock levels (integration log: matched).",
            )?,
            triggered: counter(
                "restock_subscriptions_triggered_total",
                "Subscriptions consumed into a notification (integration log: sent).",
            )?,
            expired: counter(
                "restock_subscriptions_expired_total",
                "Subscriptions dropped by an automation's expires_after (integration log: expired).",
            )?,
            held_back: counters(
                "restock_subscriptions_held_back_total",
                "Matched subscriptions left waiting, by the integration log's reason.",
                &["reason"],
            )?,
            outbox: {
                let g = IntGaugeVec::new(
                    Opts::new(
                        "restock_outbox_notifications",
                        "Notifications in the outbox by status, read from the database at scrape time.",
                    ),
                    &["status"],
                )?;
                registry.register(Box::new(g.clone()))?;
                g
            },
            deliveries: counters(
                "restock_delivery_attempts_total",
                "Action runs by the delivery worker, by action and outcome (sent, retry, dead); failures are the retry and dead outcomes.",
                &["action", "outcome"],
            )?,
            reloads: counters(
                "restock_reloads_total",
                "Reloads of rules, templates and feeds, by what reloaded and result (ok, error).",
                &["what", "result"],
            )?,
            mail_transport_up: {
                let g = IntGauge::new(
                    "restock_mail_transport_up",
                    "1 while the mail transport can carry messages, 0 while it is down (a transport fault: delivery is paused, nothing is dead-lettered).",
                )?;
                g.set(1);
                registry.register(Box::new(g.clone()))?;
                g
            },
            http: {
                let h = HistogramVec::new(
                    HistogramOpts::new(
                        "restock_http_request_duration_seconds",
                        "HTTP request latency until the response head, by method, route template and status code.",
                    ),
                    &["method", "route", "status"],
                )?;
                registry.register(Box::new(h.clone()))?;
                h
            },
            wrong_keys: counters(
                "restock_wrong_keys_total",
                "Requests with a wrong or missing key, by surface (api, console) and outcome (refused: 401; throttled: 429, the client address sent too many).",
                &["surface", "outcome"],
            )?,
            signups: counters(
                "restock_signups_total",
                "Sign-ups on the shop's pages by outcome: accepted (the one answer, whatever the address), honeypot (dropped unseen), limited (429), refused (a bad field or proof, 400), origin (another site's page, 403).",
                &["outcome"],
            )?,
            confirmation_emails: counters(
                "restock_confirmation_emails_total",
                "Confirmation emails of sign-ups by outcome: sent, retry (a transient failure), dead (given up), released (the transport was down).",
                &["outcome"],
            )?,
            registry,
        };
        for outcome in SIGNUP_OUTCOMES {
            families.signups.with_label_values(&[outcome]);
        }
        for outcome in CONFIRMATION_OUTCOMES {
            families.confirmation_emails.with_label_values(&[outcome]);
        }
        for surface in ["api", "console"] {
            for outcome in ["refused", "throttled"] {
                families.wrong_keys.with_label_values(&[surface, outcome]);
            }
        }
        for reason in HeldBack::ALL {
            families.held_back.with_label_values(&[reason.as_str()]);
        }
        for status in OUTBOX_STATUSES {
            families.outbox.with_label_values(&[status]);
        }
        Ok(Self {
            inner: Arc::new(families),
        })
    }

    /// Stock levels accepted by one PUT (after validation, once durable).
    pub fn stock_levels_received(&self, count: usize) {
        self.inner
            .stock_levels
            .inc_by(u64::try_from(count).unwrap_or(u64::MAX));
    }

    /// One committed chunk of the engine's fan-out: what it matched and held back, and
    /// what the store says it really consumed (a subscription another instance took
    /// meanwhile is not counted, as in the integration log).
    pub fn chunk_committed(&self, matched: u64, held: &[(HeldBack, u64)], applied: ChunkApplied) {
        let f = &self.inner;
        f.matched.inc_by(matched);
        f.triggered.inc_by(applied.triggered);
        f.expired.inc_by(applied.expired);
        for (reason, count) in held {
            f.held_back
                .with_label_values(&[reason.as_str()])
                .inc_by(*count);
        }
    }

    /// Makes the series of an action exist at 0 for every outcome (called at registration).
    pub fn delivery_action(&self, action: &str) {
        for outcome in DeliveryOutcome::ALL {
            self.inner
                .deliveries
                .with_label_values(&[action, outcome.as_str()]);
        }
    }

    /// One run of `action` for one notification.
    pub fn delivery_attempt(&self, action: &str, outcome: DeliveryOutcome) {
        self.inner
            .deliveries
            .with_label_values(&[action, outcome.as_str()])
            .inc();
    }

    /// A reload of `what` (`rules`, `templates`, `feed`) that succeeded or failed.
    pub fn reload(&self, what: &str, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.inner.reloads.with_label_values(&[what, result]).inc();
    }

    /// A callback for [`crate::reload::Reloadable::observe`] counting reloads of `what`,
    /// with both results present at 0 from the start.
    pub fn reload_observer(&self, what: &'static str) -> impl Fn(bool) + Send + Sync + 'static {
        for result in ["ok", "error"] {
            self.inner.reloads.with_label_values(&[what, result]);
        }
        let metrics = self.clone();
        move |ok| metrics.reload(what, ok)
    }

    /// A callback for [`crate::plugins::email::TransportHealth::observe`] keeping
    /// `restock_mail_transport_up` at 1 (up) or 0 (down).
    pub fn mail_transport_observer(&self) -> impl Fn(bool) + Send + Sync + 'static {
        let gauge = self.inner.mail_transport_up.clone();
        move |up| gauge.set(i64::from(up))
    }

    /// One answered HTTP request. `route` must be a route template or a fixed word, never
    /// the raw path.
    pub fn http_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        self.inner
            .http
            .with_label_values(&[method, route, status.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// A wrong key on `surface` (`api`, `console`): refused, or `throttled` because its
    /// client address had already sent too many.
    pub fn wrong_key(&self, surface: &str, throttled: bool) {
        let outcome = if throttled { "throttled" } else { "refused" };
        self.inner
            .wrong_keys
            .with_label_values(&[surface, outcome])
            .inc();
    }

    /// A sign-up on the shop's pages ended as `outcome` (one of [`SIGNUP_OUTCOMES`]).
    pub fn signup(&self, outcome: &str) {
        self.inner.signups.with_label_values(&[outcome]).inc();
    }

    /// A confirmation email's attempt ended as `outcome` (one of [`CONFIRMATION_OUTCOMES`]).
    pub fn confirmation_email(&self, outcome: &str) {
        self.inner
            .confirmation_emails
            .with_label_values(&[outcome])
            .inc();
    }

    /// Sets the outbox gauge from `(status, count)` rows; statuses without a row are 0.
    pub fn set_outbox_depth(&self, counts: &[(String, u64)]) {
        let gauge = &self.inner.outbox;
        for status in OUTBOX_STATUSES {
            gauge.with_label_values(&[status]).set(0);
        }
        for (status, count) in counts {
            gauge
                .with_label_values(&[status.as_str()])
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
    }

    /// Everything, in the Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> prometheus::Result<String> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.inner.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
