//! The HTTP server: our own accept loop over hyper, because `axum::serve` has no way to time
//! out a client. Every connection is bounded in time — the head within
//! `header_read_timeout`, the body within `body_read_timeout`, silence between requests
//! within `keep_alive_timeout` — and a shutdown waits at most `shutdown_timeout` for the
//! requests in flight before it drops the connections still open.

mod activity;
mod connection;
mod guard;
mod io;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::HttpConfig;

pub use guard::{guard, Limits};

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in flight
/// finish for at most `http.shutdown_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    http: &HttpConfig,
    shutdown: impl Future<Output = ()>,
) {
    let settings = Arc::new(connection::Settings::new(http));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let (app, settings, stop) = (app.clone(), settings.clone(), stop_rx.clone());
                    connections.spawn(connection::run(stream, peer, app, settings, stop));
                }
                Err(err) => {
                    // Out of file descriptors, typically: wait rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drain(connections, http.shutdown_timeout).await;
}

/// Waits for the connections to close, then drops those still open after `deadline`.
async fn drain(mut connections: JoinSet<()>, deadline: Duration) {
    let all_closed = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(deadline, all_closed).await.is_err() {
        tracing::warn!(
            open = connections.len(),
            deadline_secs = deadline.as_secs_f64(),
            "shutdown deadline passed; dropping the connections still open"
        );
        connections.shutdown().await;
    }
}
