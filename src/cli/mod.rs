//! The command line: `restock serve | migrate | rules check | rules dry-run | log |
//! outbox | report | templates render | mail check | mail send-test | bench`.

mod inspect;
mod mail;
pub(crate) mod progress;
mod report;
mod serve;
mod templates;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{self, Config};

#[derive(Parser)]
#[command(name = "restock", version, about = "Back-in-stock automation engine")]
pub struct Cli {
    /// Configuration file (default: restock.yaml when present). Every key can also be set
    /// as RESTOCK_<KEY>, e.g. RESTOCK_DATABASE_URL.
    #[arg(long, short, global = true, env = "RESTOCK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the engine (migrating the database first).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Check and try out automations.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Show the integration log: what each stock level did.
    Log(inspect::LogArgs),
    /// See and act on the outbox: list, retry dead letters, purge finished notifications.
    #[command(subcommand)]
    Outbox(inspect::OutboxCommand),
    /// Print the back-in-stock report: subscribed, waiting, triggered, delivered, clicked,
    /// converted, revenue, average wait (the statistics of `GET /api/v3/reports/back-in-stock`).
    Report(report::ReportArgs),
    /// Preview email templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Try the mail transport: `check` it, or `send-test` one message.
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Measure on generated data, beside a baseline measured in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Stock levels matching many subscriptions, to the outbox (SQLite, or PostgreSQL with
    /// several instances).
    Fanout(crate::bench::FanoutArgs),
    /// Generate contacts, subscriptions (skewed over SKUs and locales) and matching feeds.
    Generate(crate::bench::GenerateArgs),
    /// Emails accepted per second by an SMTP server, beside template renders per second.
    Delivery(crate::bench::DeliveryArgs),
    /// A full-catalog sync over HTTP with one restock behind it: ingest, drain, and the
    /// restock's wait, beside the per-level path of before.
    Sync(crate::bench::SyncArgs),
    /// The demand list (waiting subscriptions ranked per SKU and locale) on a generated
    /// dataset: store query and HTTP endpoint, medians, beside a GROUP BY scan.
    Demand(crate::bench::DemandArgs),
    /// Every console page over a million waiting subscriptions and a million
    /// integration-log rows (SQLite): median and maximum render times beside 200 ms.
    Console(crate::bench::ConsoleArgs),
}

#[derive(Subcommand)]
enum TemplatesCommand {
    /// Render a template for a contact and a product from the feed, without sending.
    Render(templates::RenderArgs),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Check rules files (default: the configured rules directory) and print every problem
    /// with file:line:col; exits non-zero on any error.
    Check { paths: Vec<PathBuf> },
    /// Show which subscriptions a stock level would notify, and why the others would not,
    /// without changing anything.
    DryRun(inspect::DryRunArgs),
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let config = self.load_config()?;
        match self.command {
            Command::Serve => serve::serve(&config).await,
            Command::Migrate => serve::migrate(&config).await,
            Command::Rules(RulesCommand::Check { paths }) => inspect::check(&config, &paths),
            Command::Rules(RulesCommand::DryRun(args)) => inspect::dry_run(&config, &args).await,
            Command::Log(args) => inspect::log(&config, &args).await,
            Command::Outbox(command) => inspect::outbox(&config, command).await,
            Command::Report(args) => report::report(&config, &args).await,
            Command::Templates(TemplatesCommand::Render(args)) => {
                templates::render(&config, &args).await
            }
            Command::Mail(command) => mail::run(&config, &command).await,
            Command::Bench(BenchCommand::Delivery(args)) => {
                crate::bench::delivery(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Generate(args)) => {
                crate::bench::generate(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Demand(args)) => {
                crate::bench::demand(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Console(args)) => {
                crate::bench::console(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Fanout(args)) => {
                crate::bench::fanout(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Sync(args)) => {
                crate::bench::sync(&args).await?;
                Ok(ExitCode::SUCCESS)
            }
        }
    }

    fn load_config(&self) -> anyhow::Result<Config> {
        config::load(self.config.as_deref(), std::env::vars())
            .context("cannot load the configuration")
    }
}
