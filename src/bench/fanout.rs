//! Fan-out: stock levels matching N subscriptions, from the stored batches to every
//! notification in the outbox, beside a bare SQL delete-and-insert of the same rows.
//!
//! Several instances on PostgreSQL are several engines in this process, each with its own
//! pool (`store::connect`) and engine (`build_engine`), as separate processes would have:
//! they share nothing but the database. In one process the clock starts and stops
//! exactly (no polling interval of a child process to subtract) and the peak RSS covers
//! every instance, an upper bound for one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::io::Write;

use clap::Args;

use super::baseline::{self, Baseline};
use super::data::{bench_config, write_fixture, DataArgs, Dataset};
use super::db::{is_postgres, sku_list, BenchDb, Pool};
use super::generate::generate;
use super::{memory, wait};
use crate::startup::build_engine;
use crate::store;

#[derive(Args, Debug)]
pub struct FanoutArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Stock levels to report, one batch each, for the most wanted SKUs first. 1: one stock
    /// level matching every subscriber of the top SKU (one batch: one engine claims it, and
    /// on PostgreSQL every instance shares its parts, `--part-size`); more: batches that
    /// several instances can share.
    #[arg(long, default_value_t = 1)]
    levels: u32,
    /// Subscriptions decided and committed per transaction.
    #[arg(long, default_value_t = 2_000)]
    chunk_size: usize,
    /// postgres://user@host/db: run on PostgreSQL, in a database created on that server
    /// for the run and dropped after it (default: SQLite, a file in --dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Engines sharing the database, each with its own connection pool (PostgreSQL only:
    /// SQLite has one writer).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Connections per instance (PostgreSQL pool; SQLite readers).
    #[arg(long, default_value_t = 8)]
    connections: u32,
    /// `engine.part_size`: a stock level with more matches is fanned out in parts of this
    /// many, shared by the instances (PostgreSQL; 0: never split).
    #[arg(long, default_value_t = crate::config::DEFAULT_PART_SIZE)]
    part_size: u64,
    /// Where to put the feeds, rules and SQLite databases (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

impl FanoutArgs {
    /// The dataset, once every flag is known to fit the others.
    fn check(&self) -> anyhow::Result<Dataset> {
        let data = Dataset::try_from(&self.data)?;
        anyhow::ensure!(
            (1..=data.skus()).contains(&self.levels),
            "--levels must be between 1 and --skus ({})",
            data.skus()
        );
        anyhow::ensure!(self.chunk_size >= 1, "--chunk-size must be at least 1");
        anyhow::ensure!(self.connections >= 1, "--connections must be at least 1");
        anyhow::ensure!(
            (1..=16).contains(&self.instances),
            "--instances must be between 1 and 16"
        );
        let on_postgres = self.database_url.as_deref().is_some_and(is_postgres);
        anyhow::ensure!(
            self.instances == 1 || on_postgres,
            "--instances above 1 needs --database-url postgres://… (instances share PostgreSQL)"
        );
        Ok(data)
    }
}

pub async fn fanout(args: &FanoutArgs) -> anyhow::Result<()> {
    let data = args.check()?;
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    write_fixture(&dir, &data)?;
    let db = BenchDb::create(args.database_url.as_deref(), &dir, "fanout.db").await?;
    let result = run(args, &data, &dir, &db).await;
    if db.is_postgres() {
        db.drop_db().await;
    }
    result
}

/// What the engines did.
struct Measured {
    took: Duration,
    peak: Option<f64>,
    notified: u64,
    batches: Vec<u64>,
    /// Parts of split stock levels each instance finished.
    parts: Vec<u64>,
}

async fn run(
    args: &FanoutArgs,
    data: &Dataset,
    dir: &std::path::Path,
    db: &BenchDb,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let generated = generate(db, data).await?;
    let counts = data.sku_counts();
    let expected: u64 = counts.iter().take(args.levels as usize).sum();
    let skus = sku_list(1..=args.levels);
    writeln!(
        out,
        "generated {} subscriptions over {} SKUs and {} locales (skew {}) in {generated:.1} s; \
         the {} stock level(s) match {expected}, the largest {}",
        data.subscriptions(),
        data.skus(),
        data.locales().count(),
        args.data.skew,
        args.levels,
        counts[0]
    )?;
    let copy = db.copy("baseline.db").await?;
    let baseline = baseline::measure(&copy, &skus).await;
    copy.drop_db().await;
    let baseline = baseline?;

    let mut config = bench_config(dir, data, &db.url()?, args.chunk_size)?;
    config.engine.part_size = args.part_size;
    let mut engines = Vec::new();
    let mut stores = Vec::new();
    for _ in 0..args.instances {
        let store = store::connect(config.database_url.expose(), args.connections).await?;
        engines.push(Arc::new(build_engine(&config, store.clone())?));
        stores.push(store);
    }
    let levels = Dataset::stock_levels(args.levels, 100)?;

    memory::reset_peak();
    let started = Instant::now();
    for level in &levels {
        // One batch per stock level, so that instances can take different ones.
        stores[0]
            .store_stock_levels(std::slice::from_ref(level))
            .await?;
    }
    let watch = Arc::new(db.pool(1).await?);
    let tasks = engines.iter().map(|engine| {
        let (engine, watch) = (engine.clone(), watch.clone());
        tokio::spawn(async move { until_processed(&engine, &watch).await })
    });
    let done = wait::with_progress(
        db,
        "SELECT COUNT(*) FROM notifications",
        expected,
        "fanning out",
        futures::future::join_all(tasks),
    )
    .await?;
    let took = started.elapsed();
    let peak = memory::peak_mib();
    for joined in done {
        joined??;
    }
    let pool = Arc::try_unwrap(watch).map_err(|_| anyhow::anyhow!("the engines still run"))?;
    let (mut batches, mut parts) = (Vec::new(), Vec::new());
    for engine in &engines {
        // Worker names are `engine-<uuid>`: nothing to quote.
        let worker = engine.worker();
        batches.push(
            pool.count(&format!(
                "SELECT COUNT(*) FROM stock_batches WHERE claimed_by = '{worker}'"
            ))
            .await?,
        );
        parts.push(
            pool.count(&format!(
                "SELECT COUNT(*) FROM fan_out_parts WHERE done_by = '{worker}'"
            ))
            .await?,
        );
    }
    let notified = pool.count("SELECT COUNT(*) FROM notifications").await?;
    let left = pool
        .count(&format!(
            "SELECT COUNT(*) FROM subscriptions WHERE sku IN {skus}"
        ))
        .await?;
    pool.close().await;
    anyhow::ensure!(
        batches.iter().sum::<u64>() == levels.len() as u64 && left == 0 && notified == expected,
        "expected {expected} notifications and every matching subscription consumed; \
         got {notified} notifications, {left} subscriptions left"
    );
    let measured = Measured {
        took,
        peak,
        notified,
        batches,
        parts,
    };
    report(args, db, &measured, &baseline)
}

/// Runs `engine` until every stored batch is processed: an instance that finds nothing
/// to claim looks again, for the parts another instance's split makes.
async fn until_processed(engine: &crate::engine::Engine, watch: &Pool) -> anyhow::Result<()> {
    loop {
        engine.run_pending().await?;
        let waiting = watch
            .count("SELECT COUNT(*) FROM stock_batches WHERE processed_on IS NULL")
            .await?;
        if waiting == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn report(
    args: &FanoutArgs,
    db: &BenchDb,
    m: &Measured,
    baseline: &Baseline,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let secs = m.took.as_secs_f64();
    let backend = db.backend_name();
    writeln!(
        out,
        "fan-out of {} stock level(s) to {} subscriptions on {backend}, {} instance(s), chunk {}:",
        args.levels, m.notified, args.instances, args.chunk_size
    )?;
    writeln!(
        out,
        "  engine:   {secs:.2} s from the stored stock level(s) to {} notifications in the outbox, {:.0} notifications/s",
        m.notified,
        m.notified as f64 / secs
    )?;
    writeln!(out, "  batches processed per instance: {:?}", m.batches)?;
    writeln!(
        out,
        "  parts of split stock levels per instance: {:?} (part size {})",
        m.parts, args.part_size
    )?;
    match m.peak {
        Some(mib) => writeln!(
            out,
            "  peak RSS during the fan-out: {mib:.0} MiB (this process, all {} instance(s))",
            args.instances
        )?,
        None => writeln!(out, "  peak RSS: not available on this platform")?,
    }
    writeln!(
        out,
        "  baseline, bare DELETE … RETURNING of the same rows: {:.2} s",
        baseline.delete.as_secs_f64()
    )?;
    writeln!(
        out,
        "  baseline, bare INSERT … SELECT into the outbox + DELETE in one transaction: {:.2} s",
        baseline.moved.as_secs_f64()
    )?;
    writeln!(
        out,
        "  engine / delete-and-insert baseline: {:.2}x",
        secs / baseline.moved.as_secs_f64()
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: FanoutArgs,
    }

    fn check(line: &str) -> anyhow::Result<Dataset> {
        let words = std::iter::once("fanout").chain(line.split_whitespace());
        Cli::try_parse_from(words)?.args.check()
    }

    #[test]
    fn the_defaults_are_one_stock_level_matching_a_million() {
        let data = check("").unwrap();
        assert_eq!(data.subscriptions(), 1_000_000);
        assert_eq!(data.sku_counts(), [1_000_000]);
    }

    #[test]
    fn several_instances_need_postgres() {
        assert!(check("--instances 2").is_err());
        assert!(check("--instances 2 --database-url sqlite://x.db").is_err());
        assert!(check("--instances 2 --database-url postgres://u@h/db").is_ok());
        assert!(check("--instances 0 --database-url postgres://u@h/db").is_err());
    }

    #[test]
    fn levels_must_name_existing_skus() {
        assert!(check("--skus 8 --levels 8").is_ok());
        assert!(check("--skus 8 --levels 9").is_err());
        assert!(check("--levels 0").is_err());
        assert!(check("--chunk-size 0").is_err());
        assert!(check("--skew -1").is_err());
    }
}
