//! Demand: the ranked list of waiting subscriptions per SKU and locale, read from the
//! counts the subscription writes keep, beside the scan it replaces (a `GROUP BY` over
//! every subscription). Timed on the store query and on the HTTP endpoint of a running
//! server, medians of several runs per variant (first page, a locale, a SKU prefix, a deep
//! page, CSV).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;

use super::data::{serving_config, write_fixture, DataArgs, Dataset};
use super::db::BenchDb;
use super::generate::generate;
use crate::startup::Application;
use crate::store::{self, DemandQuery};

#[derive(Args, Debug)]
pub struct DemandArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Timed runs per variant (the median is reported).
    #[arg(long, default_value_t = 21)]
    runs: usize,
    /// postgres://user@host/db: run on PostgreSQL, in a database created for the run and
    /// dropped after it (default: SQLite, a file in --dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Where to put the feeds, rules and SQLite database (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// One way of asking: a name, the store query and the endpoint's query string.
struct Variant {
    name: &'static str,
    query: DemandQuery,
    path: String,
    csv: bool,
}

fn variants(data: &Dataset) -> Vec<Variant> {
    let page = |offset: usize| DemandQuery {
        limit: 100,
        offset,
        ..DemandQuery::default()
    };
    let last_page = (data.skus() as usize * data.locales().count()).saturating_sub(100);
    let locale = data.locales().last().unwrap_or("sv-SE").to_owned();
    vec![
        Variant {
            name: "first page (100)",
            query: page(0),
            path: "limit=100".into(),
            csv: false,
        },
        Variant {
            name: "one locale",
            query: DemandQuery {
                locale: Some(locale.clone()),
                ..page(0)
            },
            path: format!("limit=100&locale={locale}"),
            csv: false,
        },
        Variant {
            name: "SKU prefix BENCH-SKU-99",
            query: DemandQuery {
                sku_prefix: Some("BENCH-SKU-99".into()),
                ..page(0)
            },
            path: "limit=100&skuPrefix=BENCH-SKU-99".into(),
            csv: false,
        },
        Variant {
            name: "last page",
            query: page(last_page),
            path: format!("limit=100&offset={last_page}"),
            csv: false,
        },
        Variant {
            name: "first page as CSV",
            query: page(0),
            path: "limit=100".into(),
            csv: true,
        },
    ]
}

pub async fn demand(args: &DemandArgs) -> anyhow::Result<()> {
    let data = Dataset::try_from(&args.data)?;
    anyhow::ensure!(args.runs >= 1, "--runs must be at least 1");
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    write_fixture(&dir, &data)?;
    let db = BenchDb::create(args.database_url.as_deref(), &dir, "demand.db").await?;
    let result = run(args, &data, &dir, &db).await;
    if db.is_postgres() {
        db.drop_db().await;
    }
    result
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort_unstable();
    samples[samples.len() / 2].as_secs_f64() * 1_000.0
}

async fn run(
    args: &DemandArgs,
    data: &Dataset,
    dir: &std::path::Path,
    db: &BenchDb,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    let generated = generate(db, data).await?;
    let store = store::connect(&db.url()?, 8).await?;
    // A stock level of 0 for every SKU (not processed: the engine does not run), so every
    // row looks its latest level up as a real one would.
    let levels = Dataset::stock_levels(data.skus(), 0)?;
    store.store_stock_levels(&levels).await?;
    writeln!(
        out,
        "generated {} subscriptions over {} SKUs and {} locales (skew {}) in {generated:.1} s, \
         on {}",
        data.subscriptions(),
        data.skus(),
        data.locales().count(),
        args.data.skew,
        db.backend_name()
    )?;

    let pool = db.pool(1).await?;
    let started = Instant::now();
    pool.count(
        "SELECT COUNT(*) FROM (SELECT sku, locale, external_id, COUNT(*) AS n FROM subscriptions \
         GROUP BY sku, locale, external_id ORDER BY n DESC LIMIT 100) t",
    )
    .await?;
    let baseline = started.elapsed().as_secs_f64() * 1_000.0;
    pool.close().await;
    writeln!(
        out,
        "baseline: GROUP BY over every subscription, top 100: {baseline:.1} ms (one run)"
    )?;

    let config = serving_config(dir, data, &db.url()?, "bench")?;
    let app = Application::build(&config).await?;
    let address = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    writeln!(
        out,
        "{:<26} {:>10} {:>10} {:>8}",
        "variant", "query ms", "HTTP ms", "rows"
    )?;
    for v in variants(data) {
        let mut query_times = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for _ in 0..args.runs {
            let started = Instant::now();
            rows = store.demand(&v.query).await?.rows.len();
            query_times.push(started.elapsed());
        }
        let mut http_times = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let mut request = client
                .get(format!(
                    "{address}/api/v3/inventory/backinstock/demand?{}",
                    v.path
                ))
                .header("apikey", "bench");
            if v.csv {
                request = request.header("accept", "text/csv");
            }
            let started = Instant::now();
            let response = request.send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{}: {}",
                v.name,
                response.status()
            );
            response.bytes().await?;
            http_times.push(started.elapsed());
        }
        writeln!(
            out,
            "{:<26} {:>10.1} {:>10.1} {:>8}",
            v.name,
            median(query_times),
            median(http_times),
            rows
        )?;
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}
