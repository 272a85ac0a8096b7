//! A full-catalog sync: stock levels for SKUs nobody waits for, sent over HTTP in calls of
//! 10,000 while the engine runs, then one real restock with one waiting subscriber right
//! behind them. Measures how long the ingest took, how long until every stock level was
//! settled, and how long the restock waited from its 202 to its notification in the
//! outbox; beside it, in the same run, the engine's per-level path of before on fewer
//! stock levels.
//!
//! Several instances on PostgreSQL are several applications in this process (HTTP API and
//! engine each, with their own pools), the calls spread over them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use futures::StreamExt;

use super::data::{bench_config, write_fixture, DataArgs, Dataset};
use super::db::{is_postgres, BenchDb, Pool};
use super::generate::generate;
use crate::config::{Config, Secret};
use crate::domain::{EmailAddress, Locale, Quantity, Sku};
use crate::startup::{build_engine, Application};
use crate::store::{NewContact, NewSubscription, StockKey, StockLevel, Store};

/// The SKU restocked behind the flood, with one VIP subscriber in sv-SE.
const RESTOCK_SKU: &str = "BENCH-RESTOCK";
/// The bench's API key.
const API_KEY: &str = "bench";
/// The most stock levels the API takes in one call.
const MAX_PER_CALL: usize = 10_000;
/// How often the bench looks whether the restock is notified and the sync settled.
const POLL: Duration = Duration::from_millis(10);

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Stock levels in the sync, each for a SKU nobody subscribed to.
    #[arg(long, default_value_t = 800_000)]
    levels: u64,
    /// Stock levels per call (at most the API's 10,000).
    #[arg(long, default_value_t = 10_000)]
    per_call: usize,
    /// Calls in flight at once (over all instances).
    #[arg(long, default_value_t = 4)]
    http_connections: usize,
    /// Stock levels the per-level baseline walks (fewer: it is slow); 0 skips it.
    #[arg(long, default_value_t = 20_000)]
    baseline_levels: u64,
    /// Subscriptions waiting on other SKUs, generated first, so that matching looks in a
    /// database that is not empty.
    #[arg(long, default_value_t = 100_000)]
    subscriptions: u64,
    /// SKUs those subscriptions are spread over (none of them in the sync).
    #[arg(long, default_value_t = 1_000)]
    skus: u32,
    /// postgres://user@host/db: run on PostgreSQL, in a database created on that server
    /// for the run and dropped after it (default: SQLite, a file in --dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Instances sharing the database, each an HTTP API with its engine (PostgreSQL only).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Where to put the feeds, rules and SQLite database (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

impl SyncArgs {
    fn check(&self) -> anyhow::Result<Dataset> {
        anyhow::ensure!(self.levels >= 1, "--levels must be at least 1");
        anyhow::ensure!(
            (1..=MAX_PER_CALL).contains(&self.per_call),
            "--per-call must be between 1 and {MAX_PER_CALL}"
        );
        anyhow::ensure!(
            self.http_connections >= 1,
            "--http-connections must be at least 1"
        );
        anyhow::ensure!(
            (1..=16).contains(&self.instances),
            "--instances must be between 1 and 16"
        );
        anyhow::ensure!(
            self.instances == 1 || self.database_url.as_deref().is_some_and(is_postgres),
            "--instances above 1 needs --database-url postgres://… (instances share PostgreSQL)"
        );
        Dataset::try_from(&DataArgs {
            subscriptions: self.subscriptions,
            skus: self.skus,
            locales: 2,
            skew: 1.0,
        })
    }
}

pub async fn sync(args: &SyncArgs) -> anyhow::Result<()> {
    let data = args.check()?;
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    write_fixture(&dir, &data)?;
    add_restock_product(&dir, &data)?;
    let db = BenchDb::create(args.database_url.as_deref(), &dir, "sync.db").await?;
    let result = run(args, &data, &dir, &db).await;
    if db.is_postgres() {
        db.drop_db().await;
    }
    result
}

/// What the full-sync scenario measured.
struct Measured {
    ingest: Duration,
    /// From the first call to the last stock level settled.
    drain: Duration,
    /// From the restock's 202 to its notification in the outbox.
    restock: Duration,
}

async fn run(args: &SyncArgs, data: &Dataset, dir: &Path, db: &BenchDb) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let generated = generate(db, data).await?;
    writeln!(
        out,
        "generated {} subscriptions over {} other SKUs in {generated:.1} s",
        data.subscriptions(),
        data.skus()
    )?;
    let config = config(dir, data, db)?;
    let mut apps = Vec::new();
    for _ in 0..args.instances {
        apps.push(Application::build(&config).await?);
    }
    let store = apps[0].store();
    subscribe_one(store.as_ref()).await?;
    let addresses = apps
        .iter()
        .map(|a| Ok(format!("http://{}", a.local_addr()?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let servers: Vec<_> = apps
        .into_iter()
        .map(|app| {
            let mut stopped = stopped.clone();
            tokio::spawn(app.run_until(async move {
                let _ = stopped.wait_for(|s| *s).await;
            }))
        })
        .collect();
    let load = load_average();
    let measured = full_sync(args, db, &addresses).await;
    let _ = stop.send(true);
    for server in servers {
        server.await??;
    }
    let measured = measured?;
    report_sync(args, db, &measured, &load)?;
    if args.baseline_levels > 0 {
        baseline(args, &config, store).await?;
    }
    Ok(())
}

fn config(dir: &Path, data: &Dataset, db: &BenchDb) -> anyhow::Result<Config> {
    let mut config = bench_config(dir, data, &db.url()?, 2_000)?;
    config.listen = "127.0.0.1:0".parse()?;
    config.api_keys = vec![Secret::new(API_KEY.to_owned())];
    config.rate_limit.enabled = false;
    config.delivery.enabled = false;
    config.unsubscribe_secret_file = dir.join("unsubscribe.key");
    config.webhook.secret_file = dir.join("webhook.key");
    Ok(config)
}

/// The restock's product in every locale's feed.
fn add_restock_product(dir: &Path, data: &Dataset) -> anyhow::Result<()> {
    for locale in data.locales() {
        let line = serde_json::json!({"id": RESTOCK_SKU, "title": "Restocked", "price": "9.00 USD",
            "link": "https://shop.example/restock", "image_link": "https://shop.example/restock.jpg"});
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join(format!("{locale}.jsonl")))?;
        writeln!(file, "{line}")?;
    }
    Ok(())
}

/// The restock's one waiting subscriber: a VIP, as the bench rule wants.
async fn subscribe_one(store: &dyn Store) -> anyhow::Result<()> {
    let email = "restock@bench.example";
    let mut attributes = serde_json::Map::new();
    attributes.insert("email".into(), email.into());
    attributes.insert("vip".into(), true.into());
    let contact = store
        .create_contact(NewContact {
            email: EmailAddress::parse(email)?,
            attributes,
            source: None,
        })
        .await?;
    store
        .subscribe(NewSubscription {
            contact_id: contact.id,
            sku: Sku::parse(RESTOCK_SKU)?,
            locale: Locale::parse("sv-SE")?,
            external_id: None,
        })
        .await?;
    Ok(())
}

/// The flood over HTTP, the restock right behind it, and the waits for both.
async fn full_sync(
    args: &SyncArgs,
    db: &BenchDb,
    addresses: &[String],
) -> anyhow::Result<Measured> {
    let bodies = flood_bodies(args);
    let client = reqwest::Client::new();
    let pool = db.pool(1).await?;
    let started = Instant::now();
    let calls = futures::stream::iter(bodies.into_iter().enumerate())
        .map(|(n, body)| put(&client, &addresses[n % addresses.len()], body))
        .buffer_unordered(args.http_connections);
    let answered: Vec<anyhow::Result<()>> = calls.collect().await;
    answered.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    let ingest = started.elapsed();
    let restock = serde_json::json!([{"sku": RESTOCK_SKU, "quantity": 5}]).to_string();
    put(&client, &addresses[0], restock).await?;
    let accepted = Instant::now();
    let notified = wait_for(&pool, "SELECT COUNT(*) FROM notifications", 1).await?;
    let restock = notified.duration_since(accepted);
    let settled = wait_for_zero(
        &pool,
        "SELECT COUNT(*) FROM stock_batches WHERE processed_on IS NULL",
    )
    .await?;
    let drain = settled.duration_since(started);
    pool.close().await;
    Ok(Measured {
        ingest,
        drain,
        restock,
    })
}

/// The sync's calls, serialized before the clock starts.
fn flood_bodies(args: &SyncArgs) -> Vec<String> {
    let skus: Vec<u64> = (1..=args.levels).collect();
    skus.chunks(args.per_call)
        .map(|chunk| {
            let levels: Vec<serde_json::Value> = chunk
                .iter()
                .map(|n| serde_json::json!({"sku": format!("SYNC-{n}"), "quantity": 5}))
                .collect();
            serde_json::Value::from(levels).to_string()
        })
        .collect()
}

async fn put(client: &reqwest::Client, address: &str, body: String) -> anyhow::Result<()> {
    let response = client
        .put(format!("{address}/api/v3/inventory/stock-levels"))
        .header("apikey", API_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().as_u16() == 202,
        "PUT stock-levels answered {}: {}",
        response.status(),
        response.text().await.unwrap_or_default()
    );
    Ok(())
}

/// When `count_sql` first answered at least `at_least` (within an hour).
async fn wait_for(pool: &Pool, count_sql: &str, at_least: u64) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        if pool.count(count_sql).await? >= at_least {
            return Ok(Instant::now());
        }
        anyhow::ensure!(Instant::now() < deadline, "waited an hour for: {count_sql}");
        tokio::time::sleep(POLL).await;
    }
}

async fn wait_for_zero(pool: &Pool, count_sql: &str) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        if pool.count(count_sql).await? == 0 {
            return Ok(Instant::now());
        }
        anyhow::ensure!(Instant::now() < deadline, "waited an hour for: {count_sql}");
        tokio::time::sleep(POLL).await;
    }
}

fn report_sync(args: &SyncArgs, db: &BenchDb, m: &Measured, load: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let (ingest, drain) = (m.ingest.as_secs_f64(), m.drain.as_secs_f64());
    let levels = args.levels as f64;
    writeln!(
        out,
        "full sync of {} stock levels nobody waits for on {}, {} instance(s), calls of {} ({} at once); load average before: {load}",
        args.levels,
        db.backend_name(),
        args.instances,
        args.per_call,
        args.http_connections
    )?;
    writeln!(
        out,
        "  ingest over HTTP: {ingest:.2} s ({:.0} stock levels/s), every call answered 202",
        levels / ingest
    )?;
    writeln!(
        out,
        "  drain: {drain:.2} s from the first call to the last stock level settled ({:.0} levels/s; {:.2} s after the last 202)",
        levels / drain,
        (drain - ingest).max(0.0)
    )?;
    writeln!(out, "  drain / ingest: {:.2}x", drain / ingest)?;
    writeln!(
        out,
        "  restock behind the flood: notified {:.3} s after its 202",
        m.restock.as_secs_f64()
    )?;
    Ok(())
}

/// The same kind of stock levels, stored directly (no HTTP), drained by the engine alone:
/// per level as before, and set-based, each on stock levels of its own.
async fn baseline(args: &SyncArgs, config: &Config, store: Arc<dyn Store>) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let n = args.baseline_levels;
    let per_level = build_engine(config, store.clone())?.per_level();
    let old = drain_alone(&per_level, store.as_ref(), "OLD", n, args.per_call).await?;
    let set_based = build_engine(config, store.clone())?;
    let new = drain_alone(&set_based, store.as_ref(), "NEW", n, args.per_call).await?;
    writeln!(
        out,
        "baseline, same run, {n} such stock levels stored directly and drained by one engine alone:"
    )?;
    let (old_rate, new_rate) = (n as f64 / old.as_secs_f64(), n as f64 / new.as_secs_f64());
    writeln!(
        out,
        "  per-level path (before): {:.2} s, {old_rate:.0} levels/s → {} levels would take {:.0} s, and a restock behind them wait as long",
        old.as_secs_f64(),
        args.levels,
        args.levels as f64 / old_rate
    )?;
    writeln!(
        out,
        "  set-based path (now):    {:.2} s, {new_rate:.0} levels/s ({:.1}x the per-level path)",
        new.as_secs_f64(),
        new_rate / old_rate
    )?;
    Ok(())
}

/// Stores `n` stock levels for SKUs `{prefix}-…` and times `engine` draining them.
async fn drain_alone(
    engine: &crate::engine::Engine,
    store: &dyn Store,
    prefix: &str,
    n: u64,
    per_call: usize,
) -> anyhow::Result<Duration> {
    let levels = (1..=n)
        .map(|i| {
            Ok(StockLevel {
                key: StockKey {
                    sku: Sku::parse(&format!("{prefix}-{i}"))?,
                    locale: None,
                    external_id: None,
                },
                quantity: Quantity::new(5)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    for chunk in levels.chunks(per_call) {
        store.store_stock_levels(chunk).await?;
    }
    let started = Instant::now();
    engine.run_pending().await?;
    Ok(started.elapsed())
}

/// The 1-minute load average, as `/proc/loadavg` says (`?` where there is none).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SyncArgs,
    }

    fn check(line: &str) -> anyhow::Result<Dataset> {
        let words = std::iter::once("sync").chain(line.split_whitespace());
        Cli::try_parse_from(words)?.args.check()
    }

    #[test]
    fn flags_that_do_not_fit_are_refused() {
        assert!(check("").is_ok());
        assert!(check("--levels 0").is_err());
        assert!(check("--per-call 10001").is_err());
        assert!(check("--per-call 0").is_err());
        assert!(check("--http-connections 0").is_err());
        assert!(check("--instances 2").is_err());
        assert!(check("--instances 2 --database-url postgres://u@h/db").is_ok());
    }

    #[test]
    fn the_flood_is_cut_into_calls() {
        let words = ["sync", "--levels", "25", "--per-call", "10"];
        let args = Cli::try_parse_from(words).unwrap().args;
        let bodies = flood_bodies(&args);
        assert_eq!(bodies.len(), 3);
        let last: serde_json::Value = serde_json::from_str(&bodies[2]).unwrap();
        assert_eq!(last.as_array().unwrap().len(), 5);
        assert_eq!(last[4]["sku"], "SYNC-25");
    }
}
