//! Commands that look without touching: `rules check`, `rules dry-run`, `log`; and the
//! outbox admin (`outbox list | retry | purge`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::config::Config;
use crate::domain::Sku;
use crate::feeds::Catalog;
use crate::startup::connect_store;

mod dry_run;
mod table;

use super::progress;
pub use dry_run::{dry_run, DryRunArgs};
use table::count;

pub fn check(config: &Config, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let spinner = progress::spinner("loading product feeds");
    let catalog = Catalog::load(&config.feeds).context("cannot load the product feeds")?;
    finish_loading(&spinner, &catalog);
    let schema = crate::engine::schema(&catalog, &config.contact_attributes)?;
    let paths = if paths.is_empty() {
        vec![config.rules_dir.clone()]
    } else {
        paths.to_vec()
    };
    let ok = crate::rules::check_paths_with(&paths, &schema, &mut std::io::stdout().lock())?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Ends a feed-loading spinner with what was loaded (on stderr, and only on a terminal).
pub(super) fn finish_loading(spinner: &indicatif::ProgressBar, catalog: &Catalog) {
    let feeds: Vec<_> = catalog.locales().filter_map(|l| catalog.feed(l)).collect();
    let products: usize = feeds.iter().map(|f| f.len()).sum();
    spinner.finish_with_message(format!(
        "loaded {} from {}",
        count(products as u64, "product"),
        count(feeds.len() as u64, "feed")
    ));
}

#[derive(Args)]
pub struct LogArgs {
    #[arg(long)]
    sku: Option<String>,
    /// RFC 3339, e.g. 2026-11-27T00:00:00+01:00
    #[arg(long)]
    since: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

pub async fn log(config: &Config, args: &LogArgs) -> anyhow::Result<ExitCode> {
    let sku = args
        .sku
        .as_deref()
        .map(Sku::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--sku {e}"))?;
    let since = args
        .since
        .as_deref()
        .map(chrono::DateTime::parse_from_rfc3339)
        .transpose()
        .context("--since is not an RFC 3339 timestamp")?
        .map(|t| t.with_timezone(&chrono::Utc));
    let store = connect_store(config).await?;
    let retention = config.engine.log_retention();
    let entries =
        crate::engine::log::read(store.as_ref(), sku.as_ref(), since, args.limit, retention)
            .await?;
    if entries.is_empty() {
        // On stderr: stdout stays one JSON object a line, for jq.
        eprintln!("the integration log has no entries{}", filters(args));
    }
    let mut out = std::io::stdout().lock();
    for e in entries {
        writeln!(out, "{}", serde_json::to_string(&e)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// ` for SKU … since …`, naming the filters that found nothing.
fn filters(args: &LogArgs) -> String {
    let mut text = String::new();
    if let Some(sku) = &args.sku {
        text.push_str(&format!(" for SKU {sku}"));
    }
    if let Some(since) = &args.since {
        text.push_str(&format!(" since {since}"));
    }
    text
}

#[derive(clap::Subcommand)]
pub enum OutboxCommand {
    /// Notifications, newest first, one JSON object a line.
    List {
        /// pending, delivered or dead
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Give every dead notification a fresh start.
    Retry,
    /// Delete finished notifications: --status delivered or dead.
    Purge {
        #[arg(long)]
        status: String,
    },
}

pub async fn outbox(config: &Config, command: OutboxCommand) -> anyhow::Result<ExitCode> {
    use crate::store::{DEAD, DELIVERED, PENDING};
    let store = connect_store(config).await?;
    let mut out = std::io::stdout().lock();
    match command {
        OutboxCommand::List { status, limit } => {
            if let Some(s) = status.as_deref() {
                anyhow::ensure!(
                    [PENDING, DELIVERED, DEAD].contains(&s),
                    "--status must be pending, delivered or dead"
                );
            }
            let entries = store.outbox(status.as_deref(), limit).await?;
            if entries.is_empty() {
                // On stderr: stdout stays one JSON object a line, for jq.
                match status.as_deref() {
                    Some(status) => eprintln!("the outbox has no {status} notifications"),
                    None => eprintln!("the outbox is empty"),
                }
            }
            for entry in entries {
                writeln!(out, "{}", serde_json::to_string(&entry)?)?;
            }
        }
        OutboxCommand::Retry => {
            // One statement requeues them all, so there is no count to show along the way;
            // a spinner says it is working when there are many.
            let spinner = progress::spinner("queueing dead notifications again");
            let requeued = store.requeue_dead().await?;
            spinner.finish_and_clear();
            let requeued = count(requeued, "dead notification");
            writeln!(out, "{requeued} queued again")?;
        }
        OutboxCommand::Purge { status } => {
            anyhow::ensure!(
                [DELIVERED, DEAD].contains(&status.as_str()),
                "--status must be delivered or dead"
            );
            let deleted = count(
                store.purge(&status).await?,
                &format!("{status} notification"),
            );
            writeln!(out, "{deleted} deleted")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
