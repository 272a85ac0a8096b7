//! Pooled SMTP connections, with the connection's set-up kept apart from the message.
//!
//! lettre's own pool leaves Nagle's algorithm on. Every message ends with a small write (the
//! closing `.`) right after the body, so the kernel holds it back until the server
//! acknowledges the body, which the server delays (delayed ACK, ~40 ms) because it is
//! waiting for the rest: each connection then carries ~20 messages a second whatever the
//! machine. Here each plain or STARTTLS connection is opened by us with `TCP_NODELAY` and
//! handed to lettre's protocol code (`connect_with_transport`, STARTTLS, AUTH, `send`), so
//! a message costs its round trips and no more. Implicit TLS (`smtps://`) lets lettre open
//! the socket (it can only wrap a socket it opened itself in TLS before EHLO).
//!
//! Everything up to a ready connection (connect, DNS, greeting, EHLO, STARTTLS, AUTH) is
//! the transport: when it fails, no email could have gone, so the answer is
//! [`Outcome::Unavailable`] and no notification pays for it. Only what the server says to
//! one message (MAIL FROM, RCPT TO, DATA) is that message's verdict.

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

/// How the connection is protected.
pub enum Security {
    /// `?tls=none`: plain text.
    Plain,
    /// `smtp://` (the default): STARTTLS is required, a server without it is a fault.
    StartTls(TlsParameters),
    /// `smtps://`: TLS from the first byte.
    Implicit(TlsParameters),
}

pub struct SmtpPool {
    host: String,
    port: u16,
    security: Security,
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
        security: Security,
        credentials: Option<Credentials>,
        size: u32,
        timeout: Duration,
    ) -> Self {
        Self {
            host,
            port,
            security,
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
            return Outcome::Unavailable("the SMTP pool is closed".to_owned());
        };
        let mut connection = match self.ready_connection().await {
            Ok(connection) => connection,
            Err(cause) => return Outcome::Unavailable(cause),
        };
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.put_back(connection);
                Outcome::Done
            }
            Ok(Err(err)) => classify(&err),
            Err(_) => {
                connection.abort().await;
                Outcome::Transient(format!(
                    "SMTP: no answer to the message within {} s",
                    self.timeout.as_secs()
                ))
            }
        }
    }

    /// Opens (or reuses) a connection as a send would, up to the point of handing over a
    /// message, and keeps it for the next send; the cause when that is not possible.
    pub async fn probe(&self) -> Result<(), String> {
        let Ok(_permit) = self.open.acquire().await else {
            return Err("the SMTP pool is closed".to_owned());
        };
        let connection = self.ready_connection().await?;
        self.put_back(connection);
        Ok(())
    }

    /// [`connection`](Self::connection) within the timeout.
    async fn ready_connection(&self) -> Result<AsyncSmtpConnection, String> {
        match tokio::time::timeout(self.timeout, self.connection()).await {
            Ok(ready) => ready,
            Err(_) => Err(format!(
                "SMTP: {} did not get through the greeting, TLS and login within {} s",
                self.address(),
                self.timeout.as_secs()
            )),
        }
    }

    /// An idle connection that still answers, or a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, String> {
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

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Connect, greeting and EHLO, STARTTLS when required, AUTH when configured; each
    /// failure says which step failed and where.
    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let at = self.address();
        let mut connection = match &self.security {
            Security::Implicit(tls) => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(|e| format!("SMTP: cannot connect to {at} over TLS: {e}"))?,
            Security::Plain | Security::StartTls(_) => {
                let socket = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| format!("SMTP: cannot connect to {at}: {e}"))?;
                socket
                    .set_nodelay(true)
                    .map_err(|e| format!("SMTP: cannot set up the socket to {at}: {e}"))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello)
                    .await
                    .map_err(|e| format!("SMTP: {at} did not greet: {e}"))?
            }
        };
        if let Security::StartTls(tls) = &self.security {
            if !connection.can_starttls() {
                connection.abort().await;
                return Err(format!(
                    "SMTP: {at} does not offer STARTTLS, which an smtp:// URL requires \
                     (add ?tls=none to send unencrypted, or use smtps:// for implicit TLS)"
                ));
            }
            connection
                .starttls(tls.clone(), &self.hello)
                .await
                .map_err(|e| format!("SMTP: STARTTLS with {at} failed: {e}"))?;
        }
        if let Some(credentials) = &self.credentials {
            if let Err(e) = connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
            {
                connection.abort().await;
                return Err(format!("SMTP: {at} refused the login: {e}"));
            }
        }
        Ok(connection)
    }
}

/// What the server said to one message: 5xx replies and messages the client itself
/// refuses (say, 8-bit content to a server without 8BITMIME) cannot succeed later; 4xx
/// replies, and a connection lost in the middle of a message, may.
pub fn classify(err: &lettre::transport::smtp::Error) -> Outcome {
    if err.is_permanent() || err.is_client() {
        Outcome::Permanent(format!("SMTP: {err}"))
    } else {
        Outcome::Transient(format!("SMTP: {err}"))
    }
}
