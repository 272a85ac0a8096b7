//! `restock serve` and `restock migrate`.

use std::io::Write;
use std::process::ExitCode;

use crate::config::Config;
use crate::startup::{connect_store, Application};

pub async fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    connect_store(config).await?;
    writeln!(std::io::stdout().lock(), "the database is up to date")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(config: &Config) -> anyhow::Result<ExitCode> {
    if let Some(warning) = config.public_url_warning() {
        tracing::warn!("{warning}");
    }
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
