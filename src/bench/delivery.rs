//! Delivery: rendered emails accepted per second by a local SMTP server over pooled
//! connections, beside template renders per second (the part that is ours alone).

use std::time::Instant;

use clap::Args;

use super::data::{bench_config, generate, write_fixture, SKU};
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
    /// Deliveries in flight at once (and SMTP connections in the pool).
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// The templates to render (the shipped ones by default).
    #[arg(long, default_value = "templates")]
    templates: std::path::PathBuf,
}

pub async fn delivery(args: &DeliveryArgs) -> anyhow::Result<()> {
    let renders = renders_per_second(args)?;
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    write_fixture(dir)?;
    let db = dir.join("delivery.db");
    generate(&db, args.emails).await?;
    let mut config = bench_config(dir, &db, 2_000)?;
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
    let app = Application::build(&config).await?;
    let level = StockLevel {
        key: StockKey {
            sku: Sku::parse(SKU)?,
            locale: None,
            external_id: None,
        },
        quantity: Quantity::new(100)?,
    };
    app.store()
        .store_stock_levels(std::slice::from_ref(&level))
        .await?;
    app.engine().run_pending().await?;
    let started = Instant::now();
    app.delivery().run_pending().await?;
    let took = started.elapsed().as_secs_f64();
    let delivered = app
        .store()
        .outbox(Some(crate::store::DELIVERED), usize::MAX)
        .await?
        .len();
    anyhow::ensure!(
        delivered as u64 == args.emails,
        "only {delivered} of {} emails were delivered",
        args.emails
    );
    println!(
        "delivery of {} emails over SMTP ({}), {} in flight over as many pooled connections:",
        args.emails, args.smtp_url, args.concurrency
    );
    println!(
        "  {:.0} emails/s ({took:.2} s), all {delivered} accepted",
        delivered as f64 / took
    );
    println!("  baseline, template renders alone: {renders:.0} renders/s");
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
