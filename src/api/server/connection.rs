//! One client connection: HTTP/1.1 over hyper, with a header-read timeout (hyper's own),
//! an idle watchdog, and a graceful close when the server stops.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::ServiceExt;

use super::activity::{Activity, InFlight};
use super::io::Io;
use crate::config::HttpConfig;

/// hyper's smallest allowed read buffer.
const MIN_BUF: usize = 8 * 1024;
/// hyper's default header count.
const HYPER_MAX_HEADERS: usize = 100;
/// hyper's default read buffer (about 400 KiB).
const DEFAULT_BUF: usize = 8 * 1024 + 4096 * 100;

/// What every connection is bounded by, derived once from `http:`.
pub struct Settings {
    header_read_timeout: Duration,
    keep_alive_timeout: Duration,
    /// hyper's own header count: twice ours when ours is above hyper's default of 100, so
    /// that our guard, which names the limit, refuses first; otherwise `None`, which keeps
    /// hyper's default (a head past 100 fields gets hyper's 431, in problem+json too).
    /// A count that is set costs two heap arrays of that size, initialised on every
    /// request; the default parses into arrays on the stack.
    hyper_max_headers: Option<usize>,
    hyper_max_buf: usize,
}

impl Settings {
    pub fn new(http: &HttpConfig) -> Self {
        let head = http.max_uri_bytes.saturating_add(http.max_header_bytes);
        Self {
            header_read_timeout: http.header_read_timeout,
            keep_alive_timeout: http.keep_alive_timeout,
            hyper_max_headers: (http.max_headers > HYPER_MAX_HEADERS)
                .then(|| http.max_headers.saturating_mul(2)),
            hyper_max_buf: head.saturating_mul(2).max(DEFAULT_BUF).max(MIN_BUF),
        }
    }

    /// How often the idle watchdog looks: often enough to close within a quarter of the
    /// timeout, never more than every second.
    fn tick(&self) -> Duration {
        (self.keep_alive_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }
}

/// Serves one connection until the client closes it, it times out, or the server stops.
pub async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    settings: Arc<Settings>,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(Io::new(stream, activity.clone()));
    let service = Counted {
        app,
        peer,
        activity: activity.clone(),
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_buf_size(settings.hyper_max_buf)
        .keep_alive(true);
    if let Some(max) = settings.hyper_max_headers {
        builder.max_headers(max);
    }
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let stopping = stopped(stop);
    tokio::pin!(stopping);
    let mut watchdog = tokio::time::interval(settings.tick());
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return;
            }
            () = &mut stopping, if !closing => {
                closing = true;
                if activity.never_served() {
                    return; // no request has reached us: nothing to finish
                }
                connection.as_mut().graceful_shutdown();
            }
            _ = watchdog.tick() => {
                if activity.idle_for().is_some_and(|idle| idle >= settings.keep_alive_timeout) {
                    tracing::debug!("closing a connection idle for keep_alive_timeout");
                    return;
                }
            }
        }
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// The application, counting the requests it is working on into the connection's
/// [`Activity`].
#[derive(Clone)]
struct Counted {
    app: Router,
    /// The client's address, handed to the handlers as axum's `ConnectInfo`.
    peer: SocketAddr,
    activity: Arc<Activity>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl hyper::service::Service<hyper::Request<Incoming>> for Counted {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        let in_flight: InFlight = self.activity.begin();
        let app = self.app.clone();
        let mut request = request;
        request.extensions_mut().insert(ConnectInfo(self.peer));
        Box::pin(async move {
            let response = app.oneshot(request.map(Body::new)).await;
            drop(in_flight);
            response
        })
    }
}
