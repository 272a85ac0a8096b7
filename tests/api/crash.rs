//! Crash safety: the real `restock` binary, killed with SIGKILL at random moments while it
//! fans ~50,000 triggered subscriptions out and while it delivers them to a real SMTP server
//! (aiosmtpd), and restarted each time. At the end every triggered subscription has had its
//! one email (one Message-ID, to its contact), nothing was sent to anyone else, every
//! subscription the rule held back or whose SKU got no stock is still waiting, and nothing
//! is left in the outbox.
//!
//! SMTP cannot make a send and our record of it one atomic step: a kill after the server's
//! "250" and before the outcome is committed sends that notification again, with the same
//! Message-ID (RFC 1047). The test counts those re-sends by Message-ID and bounds them by
//! what one kill can leave unrecorded (one claimed batch); it fails on any second
//! notification for a subscription, which would carry a different Message-ID.
//!
//! The instances run with the default leases (60 s for a batch, 300 s for a notification):
//! what frees a killed instance's claims is its stopped heartbeat. The last kill comes near
//! the end of delivery, while the killed instance holds a claimed batch of notifications,
//! and everything must be delivered within [`RECOVERY`] of it: on SQLite counted from the
//! restart, on PostgreSQL from the kill (the surviving instance takes the claims over).
//!
//! `CRASH_SEED` replays a run's kill timings (each run prints its seed).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::binary::{shop_config, Instance};
use crate::helpers::{api_key, Backend};
use crate::smtp_server::SmtpServer;

/// Subscriptions that trigger: VIP contacts on the restocked SKUs.
const TRIGGERED: u64 = 50_000;
/// Non-VIP contacts on the restocked SKUs: the rule holds them back.
const HELD: u64 = 2_000;
/// Subscriptions on a SKU that never gets stock.
const WAITING: u64 = 2_000;
/// Restocked SKUs, one stock-level batch each.
const SKUS: u64 = 10;
const NO_STOCK_SKU: &str = "CRASH-NOSTOCK";
/// Notifications one delivery worker claims at a time: the most one kill can leave sent
/// but unrecorded.
const DELIVERY_BATCH: u64 = 100;
/// Kills at least, and at least this many during fan-out and during delivery.
const KILLS: usize = 10;
const FAN_OUT_KILLS: usize = 5;
const DELIVERY_KILLS: usize = 3;
/// Milliseconds between kills during delivery, at least (plus up to 1.5 s at random).
const DELIVERY_KILL_EVERY_MS: u64 = 2_000;
/// The last kill waits until at most this many notifications are left to deliver, so what
/// follows it is mostly the takeover of the killed instance's claims.
const LAST_KILL_LEFT: i64 = 3 * DELIVERY_BATCH as i64;
/// From the last restart (SQLite) or kill (PostgreSQL) to the last email, at most.
const RECOVERY: Duration = Duration::from_secs(15);

const RULE: &str = "
id: vip-back-in-stock
priority: 1
when: contact.attributes.vip == true
split:
  by: locale
  branches:
    default:
      - email: {template: back-in-stock}
";

fn sku(i: u64) -> String {
    format!("CRASH-{}", i % SKUS)
}

fn email(i: u64) -> String {
    format!("c{i}@crash.example")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_instance_killed_during_fan_out_and_delivery_loses_nothing_and_repeats_nothing() {
    let Some(smtp) = SmtpServer::start_tally() else {
        return;
    };
    let backend = Backend::sqlite();
    let mut run = Run::prepare(backend, &smtp, 1).await;
    run.crash_repeatedly().await;
    run.verify(&smtp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances_one_killed_repeatedly_lose_nothing_and_repeat_nothing() {
    let Some(smtp) = SmtpServer::start_tally() else {
        return;
    };
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let mut run = Run::prepare(backend, &smtp, 2).await;
    run.crash_repeatedly().await;
    run.verify(&smtp).await;
}

/// A crash run: the database, the instances (the first is the one killed), and counts.
struct Run {
    backend: Backend,
    files: tempfile::TempDir,
    instances: Vec<Instance>,
    probe: Probe,
    rng: SplitMix,
    kills: BTreeMap<Phase, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    FanOut,
    Delivery,
    Idle,
}

impl Run {
    async fn prepare(backend: Backend, smtp: &SmtpServer, instances: usize) -> Self {
        // Migrates the database, as the first start would.
        restock::store::connect(&backend.url(), 1)
            .await
            .expect("migrate");
        let probe = Probe::open(&backend).await;
        probe.seed().await;
        let files = tempfile::tempdir().expect("temp dir");
        write_rules_and_feed(files.path());
        let instances = (0..instances)
            .map(|n| instance(files.path(), n, &backend.url(), &smtp.url()))
            .collect();
        let seed = std::env::var("CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("crash run: CRASH_SEED={seed}");
        Self {
            backend,
            files,
            instances,
            probe,
            rng: SplitMix(seed),
            kills: BTreeMap::new(),
        }
    }

    /// Starts every instance, then kills and restarts the first one: during fan-out (a
    /// stock level sent before each of those kills, so that there is one to interrupt),
    /// then during delivery, until it has been killed often enough in both phases.
    async fn crash_repeatedly(&mut self) {
        for instance in &mut self.instances {
            instance.start();
        }
        for instance in &self.instances {
            instance.wait_ready().await;
        }
        let mut skus = 0..SKUS;
        while self.kills_in(Phase::FanOut) < FAN_OUT_KILLS {
            let Some(k) = skus.next() else { break };
            let before = self.probe.notifications().await;
            self.send_stock_level(k).await;
            // Once this fan-out has committed its first chunk, at a random moment within
            // the next few chunks (a SKU's 5,000 take longer than that).
            self.probe.wait_for_notifications(before + 1).await;
            let ms = self.rng.below(200);
            self.kill_after(ms).await;
        }
        for k in skus {
            self.send_stock_level(k).await;
        }
        while !self.killed_enough() {
            let ms = DELIVERY_KILL_EVERY_MS + self.rng.below(1_500);
            self.kill_after(ms).await;
        }
        self.probe.wait_for_last_notifications(LAST_KILL_LEFT).await;
        let (killed, restarted) = self.kill_after(0).await;
        eprintln!("kills by phase: {:?}", self.kills);
        // With two instances the survivor takes the claims over: counted from the kill.
        let since = if self.instances.len() > 1 {
            killed
        } else {
            restarted
        };
        self.wait_until_done(since).await;
    }

    /// Kills the first instance `ms` from now (noting what it was doing), then restarts it;
    /// when it was killed, and when it was ready again.
    async fn kill_after(&mut self, ms: u64) -> (Instant, Instant) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        let phase = self.probe.phase().await;
        assert_ne!(
            phase,
            Phase::Idle,
            "everything was done after {:?} kills: the run is too short to crash it often enough",
            self.kills
        );
        self.instances[0].kill();
        let killed = Instant::now();
        *self.kills.entry(phase).or_default() += 1;
        self.instances[0].start();
        self.instances[0].wait_ready().await;
        (killed, Instant::now())
    }

    fn kills_in(&self, phase: Phase) -> usize {
        self.kills.get(&phase).copied().unwrap_or(0)
    }

    fn killed_enough(&self) -> bool {
        let (fan_out, delivery) = (self.kills_in(Phase::FanOut), self.kills_in(Phase::Delivery));
        fan_out + delivery >= KILLS && fan_out >= FAN_OUT_KILLS && delivery >= DELIVERY_KILLS
    }

    /// One SKU back in stock: a batch of its own, answered 202.
    async fn send_stock_level(&self, k: u64) {
        let response = reqwest::Client::new()
            .put(format!(
                "{}/api/v3/inventory/stock-levels",
                self.instances[0].address()
            ))
            .header("apikey", api_key())
            .json(&json!([{"sku": sku(k), "quantity": 25}]))
            .send()
            .await
            .expect("PUT stock-levels");
        assert_eq!(response.status(), 202, "{:?}", response.text().await);
    }

    /// Waits for every notification to be delivered (and recorded, which comes after the
    /// SMTP server's "250"): within [`RECOVERY`] of `since`.
    async fn wait_until_done(&self, since: Instant) {
        loop {
            if self.probe.phase().await == Phase::Idle {
                eprintln!(
                    "recovered: all delivered {:?} after the last kill or restart",
                    since.elapsed()
                );
                return;
            }
            assert!(
                since.elapsed() < RECOVERY,
                "not all delivered within {RECOVERY:?} of the last kill or restart: outbox {:?}, logs in {}",
                self.probe.outbox().await,
                self.files.path().display()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn verify(mut self, smtp: &SmtpServer) {
        for instance in &mut self.instances {
            instance.kill();
        }
        let received = smtp.tally();
        let mut ids_by_recipient: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut copies: HashMap<&str, usize> = HashMap::new();
        for (id, recipient) in &received {
            assert!(
                !id.is_empty(),
                "an email without a Message-ID to {recipient}"
            );
            ids_by_recipient
                .entry(recipient)
                .or_default()
                .insert(id.as_str());
            *copies.entry(id.as_str()).or_default() += 1;
        }
        let expected: HashSet<String> = (1..=TRIGGERED).map(email).collect();
        let lost: Vec<&String> = expected
            .iter()
            .filter(|e| !ids_by_recipient.contains_key(e.as_str()))
            .take(5)
            .collect();
        assert!(lost.is_empty(), "lost emails, e.g. to {lost:?}");
        let strangers: Vec<&&str> = ids_by_recipient
            .keys()
            .filter(|r| !expected.contains(**r))
            .take(5)
            .collect();
        assert!(
            strangers.is_empty(),
            "emails to {strangers:?}, who were not triggered"
        );
        let twice: Vec<(&&str, &HashSet<&str>)> = ids_by_recipient
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .take(5)
            .collect();
        assert!(
            twice.is_empty(),
            "notified twice (two Message-IDs): {twice:?}"
        );
        assert_eq!(
            copies.len() as u64,
            TRIGGERED,
            "one Message-ID per triggered subscription"
        );
        let resent = received.len() - copies.len();
        let delivery_kills = self.kills_in(Phase::Delivery);
        eprintln!(
            "{} emails, {} Message-IDs, {resent} re-sent with the same Message-ID after {delivery_kills} kills during delivery",
            received.len(),
            copies.len()
        );
        assert!(
            resent as u64 <= delivery_kills as u64 * DELIVERY_BATCH,
            "{resent} re-sends: more than {delivery_kills} kills can leave unrecorded"
        );
        assert_eq!(
            self.probe.outbox().await,
            BTreeMap::from([("delivered".to_owned(), TRIGGERED as i64)])
        );
        assert_eq!(self.probe.waiting_by_sku().await, expected_waiting());
        drop(self.backend);
    }
}

/// Subscriptions still waiting at the end, by SKU: the held-back ones and the no-stock ones.
fn expected_waiting() -> BTreeMap<String, i64> {
    let mut waiting = BTreeMap::new();
    for i in TRIGGERED + 1..=TRIGGERED + HELD {
        *waiting.entry(sku(i)).or_default() += 1;
    }
    waiting.insert(NO_STOCK_SKU.to_owned(), WAITING as i64);
    waiting
}

fn write_rules_and_feed(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("rules/vip.yaml"), RULE).expect("rule");
    let lines: Vec<String> = (0..SKUS)
        .map(sku)
        .chain([NO_STOCK_SKU.to_owned()])
        .map(|sku| {
            json!({"id": sku, "title": format!("Product {sku}"), "price": "19.00 USD",
                   "link": format!("https://shop.example/{sku}"),
                   "image_link": format!("https://shop.example/{sku}.jpg")})
            .to_string()
        })
        .collect();
    std::fs::write(dir.join("en-US.jsonl"), lines.join("\n") + "\n").expect("feed");
}

/// Instance `n`'s configuration: SMTP to the test server, default leases (the heartbeat,
/// not a short lease, frees a killed one's claims).
fn instance(dir: &Path, n: usize, database_url: &str, smtp_url: &str) -> Instance {
    let mut config = shop_config(dir, database_url, "crash-test-secret");
    config["mail"] =
        json!({"transport": "smtp", "smtp_url": smtp_url, "from": "shop@crash.example"});
    config["engine"] = json!({"chunk_size": 100});
    config["delivery"] = json!({"batch_size": DELIVERY_BATCH, "concurrency": 16,
                                "retry_schedule": ["1s", "2s", "5s"]});
    Instance::new(dir, n, config, "warn")
}

/// The test's own look into the database: seeding by SQL, and reading progress.
enum Probe {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Probe {
    async fn open(backend: &Backend) -> Self {
        let url = backend.url();
        if url.starts_with("sqlite:") {
            Probe::Sqlite(sqlx::SqlitePool::connect(&url).await.expect("sqlite"))
        } else {
            Probe::Postgres(sqlx::PgPool::connect(&url).await.expect("postgres"))
        }
    }

    /// Contacts 1..=N (VIP but for the held-back range) and one subscription each, in
    /// en-US, written by SQL: 54,000 API calls would test the API, not crashes.
    async fn seed(&self) {
        let total = i64::try_from(TRIGGERED + HELD + WAITING).expect("count");
        let (held_from, held_to) = (TRIGGERED as i64 + 1, (TRIGGERED + HELD) as i64);
        let now = chrono::Utc::now();
        match self {
            Probe::Sqlite(pool) => {
                let now = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                     INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) \
                     SELECT unhex(printf('01900000000070008000%012x', i)), 'c' || i || '@crash.example', \
                            json_object('email', 'c' || i || '@crash.example', \
                                        'vip', json(CASE WHEN i BETWEEN $2 AND $3 THEN 'false' ELSE 'true' END)), \
                            $4, $4 FROM n",
                )
                .bind(total)
                .bind(held_from)
                .bind(held_to)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .expect("contacts");
                sqlx::query(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                     INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
                     SELECT unhex(printf('01910000000070008000%012x', i)), \
                            unhex(printf('01900000000070008000%012x', i)), \
                            CASE WHEN i <= $2 THEN 'CRASH-' || (i % $3) ELSE $4 END, 'en-US', '', $5 FROM n",
                )
                .bind(total)
                .bind(held_to)
                .bind(SKUS as i64)
                .bind(NO_STOCK_SKU)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .expect("subscriptions");
                tx.commit().await.expect("commit");
            }
            Probe::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query(
                    "INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) \
                     SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                            'c' || i || '@crash.example', \
                            jsonb_build_object('email', 'c' || i || '@crash.example', \
                                               'vip', NOT (i BETWEEN $2 AND $3)), \
                            $4, $4 FROM generate_series(1, $1::bigint) AS i",
                )
                .bind(total)
                .bind(held_from)
                .bind(held_to)
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("contacts");
                sqlx::query(
                    "INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
                     SELECT ('01910000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                            ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                            CASE WHEN i <= $2 THEN 'CRASH-' || (i % $3) ELSE $4 END, 'en-US', '', $5 \
                     FROM generate_series(1, $1::bigint) AS i",
                )
                .bind(total)
                .bind(held_to)
                .bind(SKUS as i64)
                .bind(NO_STOCK_SKU)
                .bind(now)
                .execute(&mut *tx)
                .await
                .expect("subscriptions");
                tx.commit().await.expect("commit");
            }
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        match self {
            Probe::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Probe::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count")
    }

    async fn pairs(&self, sql: &str) -> BTreeMap<String, i64> {
        match self {
            Probe::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            Probe::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        }
        .expect("query")
        .into_iter()
        .collect()
    }

    /// Where the work is: batches still to fan out, else notifications still to deliver.
    async fn phase(&self) -> Phase {
        let batches = self
            .count("SELECT COUNT(*) FROM stock_batches WHERE processed_on IS NULL")
            .await;
        if batches > 0 {
            return Phase::FanOut;
        }
        let undelivered = self
            .count("SELECT COUNT(*) FROM notifications WHERE status <> 'delivered'")
            .await;
        if undelivered > 0 {
            Phase::Delivery
        } else {
            Phase::Idle
        }
    }

    async fn notifications(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM notifications").await
    }

    async fn wait_for_notifications(&self, at_least: i64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.notifications().await < at_least {
            assert!(Instant::now() < deadline, "the fan-out did not start");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Until every batch is fanned out and at most `left` notifications are undelivered.
    async fn wait_for_last_notifications(&self, left: i64) {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let undelivered = self
                .count("SELECT COUNT(*) FROM notifications WHERE status <> 'delivered'")
                .await;
            if self.phase().await == Phase::Delivery && undelivered <= left {
                return;
            }
            assert!(Instant::now() < deadline, "delivery did not near its end");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn outbox(&self) -> BTreeMap<String, i64> {
        self.pairs("SELECT status, COUNT(*) FROM notifications GROUP BY status")
            .await
    }

    async fn waiting_by_sku(&self) -> BTreeMap<String, i64> {
        self.pairs("SELECT sku, COUNT(*) FROM subscriptions GROUP BY sku")
            .await
    }
}

/// A small seeded generator (SplitMix64), so a failing run can be replayed by its seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
