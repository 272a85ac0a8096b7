//! Pooled SMTP connections over sockets with `TCP_NODELAY`.
//!
//! lettre's own pool leaves Nagle's algorithm on. Every message ends with a small write (the
//! closing `.`) right after the body, so the kernel holds it back until the server
//! acknowledges the body, which the server delays (delayed ACK, ~40 ms) because it is
//! waiting for the rest: each connection then carries ~20 messages a second whatever the
//! machine. Here each connection is opened by us with `TCP_NODELAY` and handed to lettre's
//! protocol code (`connect_with_transport`, STARTTLS, AUTH, `send`), so a message costs its
//! round trips and no more. Implicit TLS (`smtps://`) still goes through lettre's pool
//! (`transport.rs`): lettre can only wrap a socket it opened itself in TLS before EHLO.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::Semaphore;

use crate::plugins::Outcome;

/// A connection idle longer than this is closed rather than reused (servers drop idle
/// clients after a minute or more; RFC 5321 asks for at least five).
const MAX_IDLE: Duration = Duration::from_secs(60);
/// A connection idle longer than this is checked with NOOP before it carries a message.
const CHECK_AFTER: Duration = Duration::from_secs(5);

pub struct SmtpPool {
    host: String,
    port: u16,
    /// `Some` to require STARTTLS before anything else is said.
    starttls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<Idle>>,
    /// At most this many connections exist at once.
    open: Semaphore,
}

struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

impl SmtpPool {
    pub fn new(
        host: String,
        port: u16,
        starttls: Option<TlsParameters>,
        credentials: Option<Credentials>,
        size: u32,
        timeout: Duration,
    ) -> Self {
        Self {
            host,
            port,
            starttls,
            credentials,
            hello: ClientId::default(),
            timeout,
            idle: Mutex::new(Vec::new()),
            open: Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1)),
        }
    }

    /// Sends one message on a pooled connection (opening one when none is idle) and says
    /// what the delivery worker should do next. A connection that failed is closed.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Outcome {
        let Ok(_permit) = self.open.acquire().await else {
            return Outcome::Transient("the SMTP pool is closed".to_owned());
        };
        let attempt = async {
            let mut connection = self.connection().await?;
            let sent = connection.send(envelope, message).await;
            if sent.is_ok() {
                self.put_back(connection);
            }
            sent.map(|_| ()).map_err(Failure::Smtp)
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(())) => Outcome::Done,
            Ok(Err(Failure::Smtp(err))) => classify(&err),
            Ok(Err(Failure::Connect(err))) => Outcome::Transient(format!(
                "SMTP: cannot connect to {}:{}: {err}",
                self.host, self.port
            )),
            Err(_) => Outcome::Transient(format!(
                "SMTP: no answer within {} s",
                self.timeout.as_secs()
            )),
        }
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, Failure> {
        while let Some(Idle {
            mut connection,
            since,
        }) = self.take_idle()
        {
            let idle = since.elapsed();
            if idle > MAX_IDLE || (idle > CHECK_AFTER && !connection.test_connected().await) {
                connection.abort().await;
                continue;
            }
            return Ok(connection);
        }
        self.connect().await
    }

    fn take_idle(&self) -> Option<Idle> {
        self.idle.lock().ok()?.pop()
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let socket = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(Failure::Connect)?;
        socket.set_nodelay(true).map_err(Failure::Connect)?;
        self.handshake(socket).await.map_err(Failure::Smtp)
    }

    /// Greeting, EHLO, STARTTLS when required, AUTH when configured.
    async fn handshake(
        &self,
        socket: tokio::net::TcpStream,
    ) -> Result<AsyncSmtpConnection, lettre::transport::smtp::Error> {
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello).await?;
        if let Some(tls) = &self.starttls {
            connection.starttls(tls.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(connection)
    }
}

/// Why a send failed before any SMTP reply could say.
enum Failure {
    Connect(std::io::Error),
    Smtp(lettre::transport::smtp::Error),
}

/// 5xx replies and messages the client itself refuses cannot succeed later; 4xx,
/// timeouts, refused or dropped connections and TLS hiccups may.
pub fn classify(err: &lettre::transport::smtp::Error) -> Outcome {
    if err.is_permanent() || err.is_client() {
        Outcome::Permanent(format!("SMTP: {err}"))
    } else {
        Outcome::Transient(format!("SMTP: {err}"))
    }
}
