//! Console page renders at scale: a SQLite database with a million waiting subscriptions
//! (the generator's), a million integration-log rows over the last 7 days, notifications
//! in the outbox and 30 days of statistics, all made by SQL in the database; then the real
//! server in this process, signed in like a browser, and every console page fetched N
//! times — median and maximum beside the 200 ms goal. Pages another build does not have
//! (404) are skipped with a note, so the list can name pages before they exist.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::data::{serving_config, write_fixture, DataArgs, Dataset};
use super::db::{BenchDb, Pool};
use super::generate::generate;
use crate::startup::Application;

/// The goal every page is measured against.
const GOAL_MS: f64 = 200.0;
const API_KEY: &str = "bench";
/// Rows per generating statement.
const CHUNK: u64 = 100_000;
/// The automation and branch the generated log rows and statistics name (the bench rule's).
const AUTOMATION: &str = "bench";

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// Waiting subscriptions (one contact each), over --skus SKUs.
    #[arg(long, default_value_t = 1_000_000)]
    subscriptions: u64,
    #[arg(long, default_value_t = 10_000)]
    skus: u32,
    /// Integration-log rows: half stock levels (`matched`), half what they did (`sent`,
    /// or held back by `conditionFalse` for one in ten), over the last 7 days.
    #[arg(long, default_value_t = 1_000_000)]
    log_rows: u64,
    /// Notifications in the outbox: one in ten dead, the rest delivered.
    #[arg(long, default_value_t = 1_000_000)]
    notifications: u64,
    /// Timed fetches per page (median and maximum are reported).
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// Where to put the feeds, rules and database (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// What the generator wrote, counted back from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub subscriptions: u64,
    pub waiting: u64,
    pub log_rows: u64,
    pub stock_levels: u64,
    pub notifications: u64,
    pub dead: u64,
}

/// One page to time: what to print and the path to fetch.
struct Case {
    name: &'static str,
    path: String,
}

/// Every console page, with the filters people use. Add a page here; one that answers
/// 404 (not in this build) is skipped with a note.
fn cases(args: &ConsoleArgs) -> Vec<Case> {
    let sku = Dataset::sku(42.min(args.skus));
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M");
    let case = |name, path: &str| Case {
        name,
        path: path.to_owned(),
    };
    vec![
        case("overview", "/admin"),
        case("integration log", "/admin/log"),
        Case {
            name: "log, one SKU",
            path: format!("/admin/log?sku={sku}"),
        },
        Case {
            name: "log, the hot SKU",
            path: format!("/admin/log?sku={}", Dataset::sku(1)),
        },
        case("log, held back only", "/admin/log?held=1"),
        case("log, 1000 a page", "/admin/log?limit=1000"),
        Case {
            name: "log, since a day ago",
            path: format!("/admin/log?since={yesterday}"),
        },
        case("outbox (dead)", "/admin/outbox"),
        case("outbox, delivered", "/admin/outbox?status=delivered"),
        case("automations", "/admin/automations"),
        case("feeds", "/admin/feeds"),
        Case {
            name: "feeds, product lookup",
            path: format!("/admin/feeds?locale=sv-SE&sku={}", Dataset::sku(1)),
        },
        case("demand", "/admin/demand"),
        case("contacts, search", "/admin/contacts?q=c42%40bench.example"),
        case("templates", "/admin/templates"),
    ]
}

pub async fn console(args: &ConsoleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.runs >= 1, "--runs must be at least 1");
    anyhow::ensure!(
        args.log_rows % 2 == 0,
        "--log-rows must be even (two rows per stock level)"
    );
    anyhow::ensure!(
        args.notifications <= args.subscriptions,
        "--notifications must be at most --subscriptions (one contact each)"
    );
    let data = Dataset::try_from(&DataArgs {
        subscriptions: args.subscriptions,
        skus: args.skus,
        locales: 2,
        skew: 1.0,
    })?;
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    write_fixture(&dir, &data)?;
    let db = BenchDb::create(None, &dir, "console.db").await?;
    let mut out = std::io::stdout();
    let started = Instant::now();
    let counted = fill(&db, &data, args.log_rows, args.notifications).await?;
    writeln!(
        out,
        "generated in {:.1} s on SQLite: {} subscriptions ({} waiting), {} integration-log rows \
         ({} stock levels), {} notifications ({} dead), 30 days of statistics",
        started.elapsed().as_secs_f64(),
        counted.subscriptions,
        counted.waiting,
        counted.log_rows,
        counted.stock_levels,
        counted.notifications,
        counted.dead
    )?;
    run(args, &data, &dir, &db, &mut out).await
}

/// Generates the whole dataset into the empty `db` and counts it back.
pub async fn fill(
    db: &BenchDb,
    data: &Dataset,
    log_rows: u64,
    notifications: u64,
) -> anyhow::Result<Counted> {
    generate(db, data).await?;
    let pool = db.pool(1).await?;
    let Pool::Sqlite(sqlite) = &pool else {
        anyhow::bail!("the console bench runs on SQLite");
    };
    integration_log(sqlite, data.skus(), log_rows / 2).await?;
    outbox(sqlite, notifications).await?;
    statistics(sqlite).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(sqlite)
        .await?;
    let counted = Counted {
        subscriptions: pool.count("SELECT COUNT(*) FROM subscriptions").await?,
        waiting: pool
            .count("SELECT COALESCE(SUM(waiting), 0) FROM demand")
            .await?,
        log_rows: pool.count("SELECT COUNT(*) FROM integration_log").await?,
        stock_levels: pool
            .count("SELECT COUNT(*) FROM integration_log WHERE outcome = 'matched'")
            .await?,
        notifications: pool.count("SELECT COUNT(*) FROM notifications").await?,
        dead: pool
            .count("SELECT COUNT(*) FROM notifications WHERE status = 'dead'")
            .await?,
    };
    pool.close().await;
    Ok(counted)
}

/// `n` numbers from `lo` to `hi` for an `INSERT … SELECT … FROM n`.
const SERIES: &str =
    "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) ";

fn chunks(n: u64) -> impl Iterator<Item = (i64, i64)> {
    (0..n.div_ceil(CHUNK)).map(move |c| {
        let lo = c * CHUNK + 1;
        (lo as i64, (lo + CHUNK - 1).min(n) as i64)
    })
}

/// `levels` stock levels spread evenly over the last 7 days (time-ordered batch ids; one in
/// ten for the hot SKU BENCH-SKU-1, the others round robin over the SKUs), each with a `matched` row of 3 and one more: `sent` 3 by the bench
/// automation's sv-SE branch, or for one level in ten 3 held back by `conditionFalse`.
async fn integration_log(pool: &sqlx::SqlitePool, skus: u32, levels: u64) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    let week = 7 * 86_400;
    let mut tx = pool.begin().await?;
    for (lo, hi) in chunks(levels) {
        let at = "strftime('%Y-%m-%dT%H:%M:%f+00:00', $3 - ($4 - i) * $5 / $4, 'unixepoch')";
        let level = "unhex(printf('01920000000070008000%012x', i))";
        let sku =
            "CASE WHEN i % 10 = 1 THEN 'BENCH-SKU-1' ELSE 'BENCH-SKU-' || ((i - 1) % $6 + 1) END";
        sqlx::query(&format!(
            "{SERIES} INSERT INTO integration_log (batch_id, item, outcome, automation, branch, sku, \
             locale, external_id, quantity, count, logged_on) \
             SELECT {level}, 0, 'matched', '', '', {sku}, 'sv-SE', '', 5, 3, {at} FROM n \
             UNION ALL \
             SELECT {level}, 0, CASE WHEN i % 10 = 0 THEN 'conditionFalse' ELSE 'sent' END, \
                    CASE WHEN i % 10 = 0 THEN '' ELSE '{AUTOMATION}' END, \
                    CASE WHEN i % 10 = 0 THEN '' ELSE 'sv-SE' END, {sku}, 'sv-SE', '', 5, 3, {at} FROM n"
        ))
        .bind(lo)
        .bind(hi)
        .bind(now)
        .bind(i64::try_from(levels)?)
        .bind(f64::from(week))
        .bind(i64::from(skus))
        .execute(&mut *tx)
        .await
        .context("generating the integration log")?;
    }
    tx.commit().await?;
    Ok(())
}

/// `n` notifications of the first `n` contacts (one route, one product snapshot), one in
/// ten dead with a reason, the others delivered.
async fn outbox(pool: &sqlx::SqlitePool, n: u64) -> anyhow::Result<()> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    let (route, product) = (
        "unhex('01930000000070008000000000000001')",
        "unhex('01930000000070008000000000000002')",
    );
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO notification_routes (id, automation_id, branch, actions) \
         VALUES ({route}, '{AUTOMATION}', 'sv-SE', '[{{\"email\": {{\"template\": \"back-in-stock\"}}}}]')"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO product_snapshots (id, sku, locale, quantity, data, created_on) \
         VALUES ({product}, 'BENCH-SKU-1', 'sv-SE', 5, '{{}}', $1)"
    ))
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    for (lo, hi) in chunks(n) {
        sqlx::query(&format!(
            "{SERIES} INSERT INTO notifications (id, batch_id, subscription_id, contact_id, locale, \
             subscribed_on, route_id, product_id, status, attempts, last_error, finished_on) \
             SELECT unhex(printf('01940000000070008000%012x', i)), unhex('01920000000070008000000000000001'), \
                    unhex(printf('01950000000070008000%012x', i)), unhex(printf('01900000000070008000%012x', i)), \
                    'sv-SE', $3, {route}, {product}, \
                    CASE WHEN i % 10 = 0 THEN 'dead' ELSE 'delivered' END, \
                    CASE WHEN i % 10 = 0 THEN 8 ELSE 1 END, \
                    CASE WHEN i % 10 = 0 THEN '550 5.1.1 mailbox unavailable' END, $3 FROM n"
        ))
        .bind(lo)
        .bind(hi)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .context("generating the outbox")?;
    }
    // The counts the fan-out and the status triggers keep (migration 0010), for rows
    // written behind their back.
    sqlx::query(
        "UPDATE outbox_counts SET n = (SELECT COUNT(*) FROM notifications \
         WHERE notifications.status = outbox_counts.status)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 30 days of counters for the bench automation's two branches, as the workers would
/// have added them.
async fn statistics(pool: &sqlx::SqlitePool) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let mut tx = pool.begin().await?;
    for back in 0..30u64 {
        let day = (today - chrono::Days::new(back)).to_string();
        for (automation, branch, metric, value) in [
            ("", "", "subscribed", 30_000),
            ("", "", "stock_levels", 70_000),
            ("", "", "matched", 3_500),
            ("", "", "held:conditionFalse", 2_000),
            (AUTOMATION, "sv-SE", "triggered", 1_000),
            (AUTOMATION, "sv-SE", "delivered", 990),
            (AUTOMATION, "sv-SE", "clicked", 300),
            (AUTOMATION, "sv-SE", "converted", 40),
            (AUTOMATION, "sv-SE", "revenue:SEK", 40 * 8_990_000),
            (AUTOMATION, "default", "triggered", 500),
            (AUTOMATION, "default", "delivered", 495),
            (AUTOMATION, "default", "converted", 10),
            (AUTOMATION, "default", "revenue:USD", 10 * 890_000),
        ] {
            sqlx::query(
                "INSERT INTO daily_stats (day, automation, branch, locale, metric, value) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&day)
            .bind(automation)
            .bind(branch)
            .bind(if branch == "default" {
                "en-US"
            } else {
                "sv-SE"
            })
            .bind(metric)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn run(
    args: &ConsoleArgs,
    data: &Dataset,
    dir: &std::path::Path,
    db: &BenchDb,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut config = serving_config(dir, data, &db.url()?, API_KEY)?;
    config.public_url = "http://127.0.0.1".into();
    let app = Application::build(&config).await?;
    let address = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let mut result = time_pages(args, &address, out).await;
    if result.is_ok() {
        result = baseline(args, db, &address, out).await;
    }
    let _ = stop.send(());
    server.await??;
    result
}

/// Migration 0008's indexes, and the pages they are for.
const INDEXES: [(&str, &str); 2] = [
    ("integration_log_by_sku_level", "log, the hot SKU"),
    ("notifications_finished_by_status", "outbox, delivered"),
];

/// The pages migration 0008 is for, timed again without its indexes, as before it.
async fn baseline(
    args: &ConsoleArgs,
    db: &BenchDb,
    address: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let pool = db.pool(1).await?;
    let Pool::Sqlite(sqlite) = &pool else {
        anyhow::bail!("the console bench runs on SQLite");
    };
    for (index, _) in INDEXES {
        sqlx::query(&format!("DROP INDEX {index}"))
            .execute(sqlite)
            .await?;
    }
    pool.close().await;
    writeln!(out, "baseline, without migration 0008's indexes:")?;
    let names: Vec<&str> = INDEXES.iter().map(|(_, page)| *page).collect();
    let cases = cases(args)
        .into_iter()
        .filter(|c| names.contains(&c.name))
        .collect();
    time_cases(args, cases, address, out).await
}

/// Signs in as a browser does and answers the session cookie.
async fn sign_in(client: &reqwest::Client, address: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{address}/admin/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("apikey", API_KEY)])
        .send()
        .await?;
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    cookie.with_context(|| format!("signing in answered {} without a cookie", response.status()))
}

/// Every page, with the load average before and after.
async fn time_pages(args: &ConsoleArgs, address: &str, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "load average before: {}", load_average())?;
    time_cases(args, cases(args), address, out).await?;
    writeln!(out, "load average after: {}", load_average())?;
    Ok(())
}

/// Times each case `args.runs` times and prints a line for it.
async fn time_cases(
    args: &ConsoleArgs,
    cases: Vec<Case>,
    address: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = sign_in(&client, address).await?;
    writeln!(
        out,
        "{:<24} {:<44} {:>10} {:>10} {:>8}  goal {GOAL_MS} ms",
        "page", "path", "median ms", "max ms", "KiB"
    )?;
    let mut missed = Vec::new();
    for case in cases {
        let mut times = Vec::with_capacity(args.runs);
        let mut bytes = 0;
        let mut skipped = false;
        for _ in 0..args.runs {
            let started = Instant::now();
            let response = client
                .get(format!("{address}{}", case.path))
                .header("cookie", &cookie)
                .send()
                .await?;
            let status = response.status();
            let body = response.bytes().await?;
            times.push(started.elapsed());
            if status == reqwest::StatusCode::NOT_FOUND {
                skipped = true;
                break;
            }
            anyhow::ensure!(status.is_success(), "{} answered {status}", case.path);
            bytes = body.len();
        }
        if skipped {
            writeln!(
                out,
                "{:<24} {:<44} skipped: 404, not in this build",
                case.name, case.path
            )?;
            continue;
        }
        let (median, max) = spread(times);
        let verdict = if median <= GOAL_MS { "ok" } else { "MISSED" };
        if median > GOAL_MS {
            missed.push(case.name);
        }
        writeln!(
            out,
            "{:<24} {:<44} {median:>10.1} {max:>10.1} {:>8.1}  {verdict}",
            case.name,
            case.path,
            bytes as f64 / 1024.0
        )?;
    }
    if missed.is_empty() {
        writeln!(out, "every page's median is within {GOAL_MS} ms")?;
    } else {
        writeln!(out, "over {GOAL_MS} ms (median): {}", missed.join(", "))?;
    }
    Ok(())
}

/// Median and maximum, in milliseconds.
fn spread(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
    let max = samples.last().copied().unwrap_or_default();
    (ms(median), ms(max))
}

/// The 1, 5 and 15 minute load averages (Linux), or why not.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|e| format!("unknown ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_generator_makes_the_counts_it_claims() {
        let dir = tempfile::tempdir().unwrap();
        let data = Dataset::new(250, 7, 2, 1.0).unwrap();
        let db = BenchDb::create(None, dir.path(), "console.db")
            .await
            .unwrap();
        let counted = fill(&db, &data, 2 * 123, 40).await.unwrap();
        assert_eq!(
            counted,
            Counted {
                subscriptions: 250,
                waiting: 250,
                log_rows: 246,
                stock_levels: 123,
                notifications: 40,
                dead: 4,
            }
        );
        // The log's stock levels lie within the last 7 days, the newest now.
        let pool = db.pool(1).await.unwrap();
        let Pool::Sqlite(pool) = pool else {
            unreachable!()
        };
        let (oldest, newest): (String, String) =
            sqlx::query_as("SELECT MIN(logged_on), MAX(logged_on) FROM integration_log")
                .fetch_one(&pool)
                .await
                .unwrap();
        let week_ago = (chrono::Utc::now() - chrono::Duration::days(7)).to_rfc3339();
        assert!(oldest >= week_ago, "{oldest} < {week_ago}");
        assert!(newest <= chrono::Utc::now().to_rfc3339(), "{newest}");
    }

    #[test]
    fn medians_and_maxima() {
        let ms = Duration::from_millis;
        assert_eq!(spread(vec![ms(30), ms(10), ms(20)]), (20.0, 30.0));
    }
}
