//! Delivery: rendered emails accepted per second by a local SMTP server over pooled
//! connections, beside template renders per second (the part that is ours alone).
//!
//! Several instances on PostgreSQL are several applications in this process, each with
//! its own pool, delivery worker and SMTP connection pool, sharing only the outbox.

use std::time::Instant;

use std::io::Write;

use clap::Args;

use super::data::{bench_config, write_fixture, Dataset};
use super::db::{is_postgres, BenchDb};
use super::generate::generate;
use super::{memory, wait};
use crate::config::{MailTransport, Secret};
use crate::domain::{Locale, Quantity, Sku};
use crate::startup::Application;
use crate::store::{StockKey, StockLevel};
use crate::templates::{sample_data, Templates};

#[derive(Args, Debug)]
pub struct DeliveryArgs {
    /// Emails to send (one per generated subscriber).
    #[arg(long, default_value_t = 10_000)]
    emails: u64,
    /// The SMTP server to send to, e.g. smtp://127.0.0.1:2525?tls=none (postfix's
    /// smtp-sink or tests/smtp/server.py).
    #[arg(long)]
    smtp_url: String,
    /// Deliveries in flight at once per instance (and SMTP connections in its pool).
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// The templates to render (the shipped ones by default).
    #[arg(long, default_value = "templates")]
    templates: std::path::PathBuf,
    /// postgres://user@host/db: run on PostgreSQL, in a database created on that server
    /// for the run and dropped after it (default: SQLite in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
    /// Delivery workers sharing the outbox, each in an instance of its own (PostgreSQL only).
    #[arg(long, default_value_t = 1)]
    instances: usize,
}

impl DeliveryArgs {
    fn check(&self) -> anyhow::Result<Dataset> {
        anyhow::ensure!(self.concurrency >= 1, "--concurrency must be at least 1");
        anyhow::ensure!(
            (1..=16).contains(&self.instances),
            "--instances must be between 1 and 16"
        );
        anyhow::ensure!(
            self.instances == 1 || self.database_url.as_deref().is_some_and(is_postgres),
            "--instances above 1 needs --database-url postgres://… (instances share PostgreSQL)"
        );
        Dataset::new(self.emails, 1, 2, 1.0)
            .map_err(|_| anyhow::anyhow!("--emails must be at least 1"))
    }
}

pub async fn delivery(args: &DeliveryArgs) -> anyhow::Result<()> {
    let data = args.check()?;
    let renders = renders_per_second(args)?;
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    write_fixture(dir, &data)?;
    let db = BenchDb::create(args.database_url.as_deref(), dir, "delivery.db").await?;
    let result = run(args, &data, dir, &db, renders).await;
    if db.is_postgres() {
        db.drop_db().await;
    }
    result
}

async fn run(
    args: &DeliveryArgs,
    data: &Dataset,
    dir: &std::path::Path,
    db: &BenchDb,
    renders: f64,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    generate(db, data).await?;
    let mut config = bench_config(dir, data, &db.url()?, 2_000)?;
    config.listen = "127.0.0.1:0".parse()?;
    config.api_keys = vec![Secret::new("bench")];
    config.templates_dir = args.templates.clone();
    config.mail.transport = MailTransport::Smtp;
    config.mail.smtp_url = Some(Secret::new(args.smtp_url.clone()));
    config.delivery.concurrency = args.concurrency;
    config.mail.smtp_pool_size = u32::try_from(args.concurrency).unwrap_or(u32::MAX);
    config.delivery.batch_size = 1_000;
    config.unsubscribe_secret_file = dir.join("unsubscribe.key");
    config.webhook.secret_file = dir.join("webhook.key");
    let mut apps = Vec::new();
    for _ in 0..args.instances {
        apps.push(Application::build(&config).await?);
    }
    let level = StockLevel {
        key: StockKey {
            sku: Sku::parse(&Dataset::sku(1))?,
            locale: None,
            external_id: None,
        },
        quantity: Quantity::new(100)?,
    };
    // Filling the outbox is not what this measures.
    apps[0]
        .store()
        .store_stock_levels(std::slice::from_ref(&level))
        .await?;
    apps[0].engine().run_pending().await?;

    memory::reset_peak();
    let started = Instant::now();
    let tasks = apps.iter().map(|app| {
        let delivery = app.delivery();
        tokio::spawn(async move { delivery.run_pending().await })
    });
    let done = wait::with_progress(
        db,
        "SELECT COUNT(*) FROM notifications WHERE status = 'delivered'",
        args.emails,
        "delivering",
        futures::future::join_all(tasks),
    )
    .await?;
    let took = started.elapsed().as_secs_f64();
    let peak = memory::peak_mib();
    let attempts = done
        .into_iter()
        .map(|joined| Ok(joined??))
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let delivered = apps[0]
        .store()
        .outbox(Some(crate::store::DELIVERED), usize::MAX)
        .await?
        .len();
    anyhow::ensure!(
        delivered as u64 == args.emails,
        "only {delivered} of {} emails were delivered (the rest wait for a retry or are \
         dead: does the SMTP server at {} accept them?)",
        args.emails,
        args.smtp_url
    );
    let backend = db.backend_name();
    writeln!(
        out,
        "delivery of {} emails over SMTP ({}) on {backend}, {} instance(s), each {} in flight over as many pooled connections:",
        args.emails, args.smtp_url, args.instances, args.concurrency
    )?;
    writeln!(
        out,
        "  {:.0} emails/s ({took:.2} s), all {delivered} accepted; claimed per instance: {attempts:?}",
        delivered as f64 / took
    )?;
    if let Some(mib) = peak {
        writeln!(
            out,
            "  peak RSS during delivery: {mib:.0} MiB (this process, all instances)"
        )?;
    }
    writeln!(
        out,
        "  baseline, template renders alone: {renders:.0} renders/s"
    )?;
    Ok(())
}

/// Renders of the shipped `back-in-stock` template per second on sample data.
fn renders_per_second(args: &DeliveryArgs) -> anyhow::Result<f64> {
    let locale = Locale::parse("sv-SE")?;
    let templates = Templates::load(&args.templates, &Locale::parse("en-US")?)?;
    let data = sample_data(&locale);
    let rounds = 20_000;
    let started = Instant::now();
    for _ in 0..rounds {
        templates.render("back-in-stock", &locale, &data)?;
    }
    Ok(f64::from(rounds) / started.elapsed().as_secs_f64())
}
