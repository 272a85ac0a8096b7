//! The command line: `restock serve`, `restock migrate`, `restock rules check`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::startup::{connect_store, Application};

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
    /// Run the HTTP API (migrating the database first).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let config = self.load_config()?;
        match self.command {
            Command::Serve => serve(&config).await,
            Command::Migrate => {
                connect_store(&config).await?;
                tracing::info!("database is up to date");
                Ok(ExitCode::SUCCESS)
            }
        }
    }

    fn load_config(&self) -> anyhow::Result<Config> {
        config::load(self.config.as_deref(), std::env::vars())
            .context("cannot load the configuration")
    }
}

async fn serve(config: &Config) -> anyhow::Result<ExitCode> {
    let app = Application::build(config).await?;
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Completes on ctrl-c or SIGTERM, so in-flight requests finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
