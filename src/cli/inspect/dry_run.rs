//! `restock rules dry-run`: who a stock level would notify, as a table.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::finish_loading;
use super::table::{count, write_table};
use crate::cli::progress;
use crate::config::Config;
use crate::domain::{ExternalId, Locale, Quantity, Sku};
use crate::startup::{build_engine, connect_store};
use crate::store::{StockKey, StockLevel};

#[derive(Args)]
pub struct DryRunArgs {
    #[arg(long)]
    sku: String,
    #[arg(long)]
    quantity: i64,
    #[arg(long)]
    locale: Option<String>,
    #[arg(long)]
    external_id: Option<String>,
    /// How many subscriptions to list (the counts always cover all).
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

pub async fn dry_run(config: &Config, args: &DryRunArgs) -> anyhow::Result<ExitCode> {
    let level = StockLevel {
        key: StockKey {
            sku: Sku::parse(&args.sku).map_err(|e| anyhow::anyhow!("--sku {e}"))?,
            locale: args
                .locale
                .as_deref()
                .map(Locale::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--locale {e}"))?,
            external_id: args
                .external_id
                .as_deref()
                .map(ExternalId::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--external-id {e}"))?,
        },
        quantity: Quantity::new(args.quantity).map_err(|e| anyhow::anyhow!("--quantity {e}"))?,
    };
    let store = connect_store(config).await?;
    let spinner = progress::spinner("loading rules and product feeds");
    let engine = build_engine(config, store)?;
    finish_loading(&spinner, engine.catalog());
    let report = engine.dry_run(&level, args.limit).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} matched: {} would be notified, {} dropped as expired",
        count(report.matched, "subscription"),
        report.would_trigger,
        report.would_expire
    )?;
    for (reason, held) in &report.held_back {
        writeln!(out, "  held back, {reason}: {held}")?;
    }
    let rows: Vec<Vec<String>> = report
        .subscriptions
        .iter()
        .map(|v| {
            let verdict = match (v.outcome, &v.automation, &v.branch, v.reason) {
                ("trigger", Some(a), Some(b), _) => format!("notify via {a} / {b}"),
                ("expire", Some(a), _, _) => format!("drop (expired for {a})"),
                (_, _, _, Some(reason)) => format!("hold ({reason})"),
                _ => v.outcome.to_owned(),
            };
            let ids = (v.subscription_id.to_string(), v.contact_id.to_string());
            vec![ids.0, ids.1, v.locale.to_string(), verdict]
        })
        .collect();
    if !rows.is_empty() {
        writeln!(out)?;
        let headers = ["SUBSCRIPTION", "CONTACT", "LOCALE", "VERDICT"];
        write_table(&mut out, &headers, &rows)?;
    }
    if report.truncated {
        writeln!(
            out,
            "… (listed the first {}; use --limit for more)",
            args.limit
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
