//! A hot SKU's fan-out shared by two real `restock` processes on one PostgreSQL database:
//! one mixed batch (stock levels nobody waits for, a few with some subscribers, one SKU
//! with [`HOT`] subscribers, split into parts of [`PART_SIZE`]), the batch's holder killed
//! with SIGKILL while parts are in flight, and restarted. At the end every triggered
//! subscriber has exactly one email (one `.eml` file), both processes finished parts, the
//! killed one's part was taken over, every stock level is settled with exact counts in the
//! integration log, and the VIP automation's throttle (shared by every part) sent exactly
//! its budget, to the oldest VIP subscribers.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::binary::{shop_config, Instance};
use crate::helpers::{api_key, Backend};

/// Subscribers of the hot SKU; every tenth is a VIP.
const HOT: i64 = 20_000;
const HOT_SKU: &str = "HOT-1";
/// The hot stock level's quantity: with `throttle: {per_unit: 1}` the VIP automation may
/// send this many for it.
const HOT_QUANTITY: i64 = 100;
/// SKUs with a few subscribers each (none VIP), in the same batch.
const WARM_SKUS: i64 = 5;
const WARM_EACH: i64 = 30;
/// Stock levels in the batch that nobody waits for.
const UNWANTED: usize = 500;
/// `engine.part_size` of both instances.
const PART_SIZE: u64 = 1_000;
/// Everything delivered within this long of the restart.
const FINISH: Duration = Duration::from_secs(120);

const VIP_RULE: &str = "
id: vip
priority: 1
when: contact.attributes.vip == true
throttle: {per_unit: 1}
split:
  by: locale
  branches:
    default:
      - email: {template: back-in-stock}
";

const EVERYONE_RULE: &str = "
id: everyone
priority: 2
split:
  by: locale
  branches:
    default:
      - email: {template: back-in-stock}
";

fn warm_sku(k: i64) -> String {
    format!("WARM-{k}")
}

fn email(i: i64) -> String {
    format!("s{i}@split.example")
}

fn is_vip(i: i64) -> bool {
    i <= HOT && i % 10 == 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_skus_parts_are_shared_by_two_instances_exactly_once_through_a_kill() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    restock::store::connect(&backend.url(), 1)
        .await
        .expect("migrate");
    let probe = sqlx::PgPool::connect(&backend.url())
        .await
        .expect("connect");
    seed(&probe).await;
    let files = tempfile::tempdir().expect("temp dir");
    write_rules_and_feed(files.path());
    let mut instances: Vec<Instance> = (0..2)
        .map(|n| instance(files.path(), n, &backend.url()))
        .collect();
    for instance in &mut instances {
        instance.start();
    }
    for instance in &instances {
        instance.wait_ready().await;
    }
    let workers: Vec<String> = instances.iter().map(engine_worker).collect();
    send_the_batch(&instances[0].address()).await;

    // The batch's holder, killed while it walks a part and after each instance finished one.
    let (holder, part) = wait_for_parts_in_flight(&probe, &workers).await;
    let killed = workers[holder].clone();
    let survivor = workers[1 - holder].clone();
    instances[holder].kill();
    eprintln!("killed the holder {killed} while it walked part {part}");
    instances[holder].start();
    instances[holder].wait_ready().await;
    let restarted = Instant::now();
    wait_until_delivered(&probe, files.path(), restarted).await;
    for instance in &mut instances {
        instance.kill();
    }

    check_parts(&probe, &killed, &survivor, part).await;
    check_integration_log(&probe).await;
    check_throttle_and_waiting(&probe).await;
    check_emails(&files.path().join("outbox"));
    drop(backend);
}

/// The batch: the warm SKUs around the unwanted ones, the hot SKU in the middle.
async fn send_the_batch(address: &str) {
    let mut levels = Vec::new();
    for k in 0..WARM_SKUS {
        levels.push(json!({"sku": warm_sku(k), "quantity": 5}));
        for u in 0..UNWANTED / WARM_SKUS as usize {
            levels.push(json!({"sku": format!("NOBODY-{k}-{u}"), "quantity": 3}));
        }
        if k == 2 {
            levels.push(json!({"sku": HOT_SKU, "quantity": HOT_QUANTITY}));
        }
    }
    let response = reqwest::Client::new()
        .put(format!("{address}/api/v3/inventory/stock-levels"))
        .header("apikey", api_key())
        .json(&levels)
        .send()
        .await
        .expect("PUT stock-levels");
    assert_eq!(response.status(), 202, "{:?}", response.text().await);
}

/// Waits until the batch's holder walks a part while both workers have finished at least
/// one; the holder's index in `workers` and the part it walks.
async fn wait_for_parts_in_flight(probe: &sqlx::PgPool, workers: &[String]) -> (usize, i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let holder: Option<String> =
            sqlx::query_scalar("SELECT claimed_by FROM stock_batches WHERE processed_on IS NULL")
                .fetch_optional(probe)
                .await
                .expect("holder")
                .flatten();
        let parts: Vec<(i64, Option<String>, Option<String>, bool)> = sqlx::query_as(
            "SELECT part, claimed_by, done_by, done_on IS NOT NULL FROM fan_out_parts ORDER BY part",
        )
        .fetch_all(probe)
        .await
        .expect("parts");
        if let Some(holder) = holder.and_then(|h| workers.iter().position(|w| *w == h)) {
            let finished_by = |w: &str| parts.iter().any(|p| p.2.as_deref() == Some(w));
            let walking = parts
                .iter()
                .find(|p| !p.3 && p.1.as_deref() == Some(workers[holder].as_str()));
            if let (Some(walking), true) = (walking, workers.iter().all(|w| finished_by(w))) {
                return (holder, walking.0);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no moment when the holder walked a part after both instances finished one: {parts:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the batch is processed and every notification delivered.
async fn wait_until_delivered(probe: &sqlx::PgPool, dir: &Path, since: Instant) {
    loop {
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM stock_batches WHERE processed_on IS NULL")
                .fetch_one(probe)
                .await
                .expect("batches");
        let undelivered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE status <> 'delivered'")
                .fetch_one(probe)
                .await
                .expect("outbox");
        if open == 0 && undelivered == 0 {
            eprintln!("all delivered {:?} after the restart", since.elapsed());
            return;
        }
        assert!(
            since.elapsed() < FINISH,
            "not done {FINISH:?} after the restart: {open} batches open, {undelivered} undelivered; logs in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Both workers finished parts, the part the killed one walked was taken over, and every
/// part is done with its counts moved into the integration log.
async fn check_parts(probe: &sqlx::PgPool, killed: &str, survivor: &str, walked: i64) {
    // Part, done by, attempts, why given up, done.
    type Part = (i64, Option<String>, i32, Option<String>, bool);
    let parts: Vec<Part> = sqlx::query_as(
        "SELECT part, done_by, attempts, failed_reason, done_on IS NOT NULL FROM fan_out_parts ORDER BY part",
    )
    .fetch_all(probe)
    .await
    .expect("parts");
    assert!(parts.len() >= 10, "the hot stock level in parts: {parts:?}");
    assert!(
        parts.iter().all(|p| p.4 && p.3.is_none()),
        "every part done, none given up: {parts:?}"
    );
    let mut by_worker: BTreeMap<&str, usize> = BTreeMap::new();
    for part in &parts {
        *by_worker
            .entry(part.1.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    eprintln!("parts finished per worker: {by_worker:?}");
    assert!(
        by_worker.contains_key(killed) && by_worker.contains_key(survivor),
        "both instances finished parts ({killed} killed, {survivor} survived): {by_worker:?}"
    );
    let taken_over = parts.iter().find(|p| p.0 == walked).expect("walked part");
    assert!(
        taken_over.1.as_deref() != Some(killed) && taken_over.2 >= 2,
        "the part the killed instance walked was taken over: {taken_over:?}"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fan_out_part_log")
        .fetch_one(probe)
        .await
        .expect("part log");
    assert_eq!(
        left, 0,
        "every part's counts settled into the integration log"
    );
    let failed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stock_batches WHERE failed_reason IS NOT NULL")
            .fetch_one(probe)
            .await
            .expect("batches");
    assert_eq!(failed, 0);
}

/// Every match counted once: the hot stock level's, each warm one's; none for the others.
async fn check_integration_log(probe: &sqlx::PgPool) {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT sku, outcome, automation, count FROM integration_log ORDER BY sku, outcome, automation",
    )
    .fetch_all(probe)
    .await
    .expect("log");
    let log: BTreeMap<(String, String, String), i64> = rows
        .into_iter()
        .map(|(sku, outcome, automation, n)| ((sku, outcome, automation), n))
        .collect();
    let mut expected = BTreeMap::new();
    let vips = HOT / 10;
    let row = |sku: &str, outcome: &str, automation: &str| {
        (sku.to_owned(), outcome.to_owned(), automation.to_owned())
    };
    expected.insert(row(HOT_SKU, "matched", ""), HOT);
    expected.insert(row(HOT_SKU, "sent", "vip"), HOT_QUANTITY);
    expected.insert(row(HOT_SKU, "sent", "everyone"), HOT - vips);
    expected.insert(row(HOT_SKU, "throttled", ""), vips - HOT_QUANTITY);
    for k in 0..WARM_SKUS {
        expected.insert(row(&warm_sku(k), "matched", ""), WARM_EACH);
        expected.insert(row(&warm_sku(k), "sent", "everyone"), WARM_EACH);
    }
    assert_eq!(log, expected, "the integration log, one count per match");
}

/// The VIP automation sent exactly its budget, to the oldest VIPs; the other VIPs wait.
async fn check_throttle_and_waiting(probe: &sqlx::PgPool) {
    let vip_sent: Vec<String> = sqlx::query_scalar(
        "SELECT c.email_key FROM notifications n JOIN notification_routes r ON r.id = n.route_id \
         JOIN contacts c ON c.id = n.contact_id WHERE r.automation_id = 'vip' ORDER BY n.subscription_id",
    )
    .fetch_all(probe)
    .await
    .expect("vip notifications");
    let oldest: Vec<String> = (1..=HOT)
        .filter(|i| is_vip(*i))
        .take(HOT_QUANTITY as usize)
        .map(email)
        .collect();
    assert_eq!(
        vip_sent, oldest,
        "the throttle's budget went to the oldest VIPs"
    );
    let waiting: Vec<(String, i64)> =
        sqlx::query_as("SELECT sku, COUNT(*) FROM subscriptions GROUP BY sku")
            .fetch_all(probe)
            .await
            .expect("waiting");
    assert_eq!(
        waiting,
        vec![(HOT_SKU.to_owned(), HOT / 10 - HOT_QUANTITY)],
        "only the throttled VIPs still wait"
    );
}

/// One `.eml` per triggered subscriber, nobody else.
fn check_emails(dir: &Path) {
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for entry in std::fs::read_dir(dir).expect("outbox folder").flatten() {
        let path = entry.path();
        if path.extension() != Some(std::ffi::OsStr::new("eml")) {
            continue;
        }
        let eml = std::fs::read_to_string(&path).expect("read eml");
        let to = eml
            .lines()
            .find_map(|l| l.strip_prefix("To: "))
            .unwrap_or_else(|| panic!("no To: in {}", path.display()));
        // `Name <address>` or the bare address.
        let to = match (to.rfind('<'), to.rfind('>')) {
            (Some(open), Some(close)) if open < close => &to[open + 1..close],
            _ => to.trim(),
        }
        .to_owned();
        *per_recipient.entry(to).or_default() += 1;
    }
    let mut expected: Vec<String> = (1..=HOT)
        .filter(|i| !is_vip(*i))
        .chain((1..=HOT).filter(|i| is_vip(*i)).take(HOT_QUANTITY as usize))
        .chain(HOT + 1..=HOT + WARM_SKUS * WARM_EACH)
        .map(email)
        .collect();
    expected.sort();
    let twice: Vec<(&String, &usize)> = per_recipient
        .iter()
        .filter(|(_, n)| **n > 1)
        .take(5)
        .collect();
    assert!(twice.is_empty(), "emailed more than once: {twice:?}");
    let mut got: Vec<String> = per_recipient.into_keys().collect();
    got.sort();
    assert_eq!(
        got.len(),
        expected.len(),
        "one email per triggered subscriber"
    );
    assert!(
        got == expected,
        "the emails went to exactly the triggered subscribers"
    );
}

/// Contacts and subscriptions by SQL (the API would test the API, not the fan-out): the hot
/// SKU's in id order (oldest first), then the warm SKUs', all en-US.
async fn seed(pool: &sqlx::PgPool) {
    let total = HOT + WARM_SKUS * WARM_EACH;
    let now = chrono::Utc::now();
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query(
        "INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) \
         SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                's' || i || '@split.example', \
                jsonb_build_object('email', 's' || i || '@split.example', \
                                   'vip', i <= $2 AND i % 10 = 0), \
                $3, $3 FROM generate_series(1, $1::bigint) AS i",
    )
    .bind(total)
    .bind(HOT)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("contacts");
    sqlx::query(
        "INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
         SELECT ('01910000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, \
                CASE WHEN i <= $2 THEN $3 ELSE 'WARM-' || (i % $4) END, 'en-US', '', $5 \
         FROM generate_series(1, $1::bigint) AS i",
    )
    .bind(total)
    .bind(HOT)
    .bind(HOT_SKU)
    .bind(WARM_SKUS)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("subscriptions");
    tx.commit().await.expect("commit");
}

fn write_rules_and_feed(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("rules/vip.yaml"), VIP_RULE).expect("rule");
    std::fs::write(dir.join("rules/everyone.yaml"), EVERYONE_RULE).expect("rule");
    let lines: Vec<String> = std::iter::once(HOT_SKU.to_owned())
        .chain((0..WARM_SKUS).map(warm_sku))
        .map(|sku| {
            json!({"id": sku, "title": format!("Product {sku}"), "price": "19.00 USD",
                   "link": format!("https://shop.example/{sku}"),
                   "image_link": format!("https://shop.example/{sku}.jpg")})
            .to_string()
        })
        .collect();
    std::fs::write(dir.join("en-US.jsonl"), lines.join("\n") + "\n").expect("feed");
}

/// Instance `n`'s configuration: the file transport, small chunks and parts.
fn instance(dir: &Path, n: usize, database_url: &str) -> Instance {
    let mut config = shop_config(dir, database_url, "split-test-secret");
    config["mail"] =
        json!({"transport": "file", "dir": dir.join("outbox"), "from": "shop@split.example"});
    config["engine"] = json!({"chunk_size": 50, "part_size": PART_SIZE});
    config["delivery"] = json!({"batch_size": 100, "concurrency": 8});
    config["rate_limit"] = json!({"enabled": false});
    Instance::new(dir, n, config, "info,sqlx=warn")
}

/// The name the running process's engine claims under, from its (last) start line.
fn engine_worker(instance: &Instance) -> String {
    let log = std::fs::read_to_string(&instance.log).unwrap_or_default();
    let after = log
        .rsplit("engine_worker=")
        .next()
        .filter(|_| log.contains("engine_worker="))
        .unwrap_or_else(|| panic!("no engine_worker in the log:\n{log}"));
    after
        .trim_start_matches('"')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
