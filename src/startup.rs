//! Builds the running application from a configuration: store, API keys, listener.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::api::{self, ApiKeys, AppState};
use crate::config::{redact_url, Config, Secret};
use crate::store::{self, Store};

/// A bound, ready-to-serve Restock. Tests build it on port 0 and read the real address.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let store = connect_store(config).await?;
        let keys = api_keys(config)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let state = AppState {
            store,
            api_keys: Arc::new(ApiKeys::new(&keys)),
            max_body_bytes: config.max_body_bytes,
        };
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(address = %self.local_addr()?, "serving the API");
        axum::serve(self.listener, api::router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed")
    }
}

/// Opens the configured database and brings its schema up to date.
pub async fn connect_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url.expose();
    tracing::info!(database = %redact_url(url), "opening the store");
    store::connect(url, config.database_max_connections)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(url)))
}

/// The configured keys, or — so that a fresh install is never open — a random key kept in
/// `api_key_file` (created on first start, readable by its owner only).
fn api_keys(config: &Config) -> anyhow::Result<Vec<Secret>> {
    if !config.api_keys.is_empty() {
        return Ok(config.api_keys.clone());
    }
    let path = &config.api_key_file;
    let key = match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => text.trim().to_owned(),
        Ok(_) => write_new_key(path)?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => write_new_key(path)?,
        Err(err) => {
            return Err(err)
                .with_context(|| format!("cannot read the API key file {}", path.display()))
        }
    };
    tracing::warn!(file = %path.display(), "no api_keys configured; using the key kept in this file");
    Ok(vec![Secret::new(key)])
}

fn write_new_key(path: &Path) -> anyhow::Result<String> {
    use rand::Rng;
    let key: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the API key file {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{key}\n").as_bytes())?;
    Ok(key)
}
