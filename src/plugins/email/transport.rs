//! Where messages go: `.eml` files (the embedded default) or an SMTP server.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::Message;
use percent_encoding::percent_decode_str;
use uuid::Uuid;

use super::health::TransportHealth;
use super::smtp_pool::{Security, SmtpPool};
use super::EmailError;
use crate::config::{MailConfig, MailTransport};
use crate::plugins::Outcome;

/// How long connecting (with its TLS and login) or one message may take before it counts
/// as a timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The configured transport and what it last found; clones share both.
#[derive(Clone)]
pub struct Mailer {
    route: Route,
    health: TransportHealth,
}

#[derive(Clone)]
enum Route {
    /// Writes `<notification id>.eml` into the folder.
    File { dir: PathBuf },
    /// Our pool of connections (see `smtp_pool`).
    Smtp(Arc<SmtpPool>),
}

impl Mailer {
    /// The configured transport. Validates the SMTP URL now, so a typo stops the start
    /// instead of holding every email back.
    pub fn from_config(mail: &MailConfig) -> Result<Self, EmailError> {
        let route = match mail.transport {
            MailTransport::File => {
                std::fs::create_dir_all(&mail.dir).map_err(|source| EmailError::Dir {
                    path: mail.dir.clone(),
                    source,
                })?;
                Route::File {
                    dir: mail.dir.clone(),
                }
            }
            MailTransport::Smtp => {
                let url = mail.smtp_url.as_ref().ok_or(EmailError::MissingSmtpUrl)?;
                Route::Smtp(Arc::new(smtp(url.expose(), mail.smtp_pool_size)?))
            }
        };
        let health = TransportHealth::new(match route {
            Route::File { .. } => "file",
            Route::Smtp(_) => "smtp",
        });
        Ok(Self { route, health })
    }

    /// Whether mail can leave, shared with the status resource and the gauge.
    pub fn health(&self) -> &TransportHealth {
        &self.health
    }

    /// Sends one message and says what the delivery worker should do next; a transport
    /// fault is [`Outcome::Unavailable`] and marks the transport down, anything else
    /// marks it up.
    pub async fn send(&self, notification: Uuid, message: Message) -> Outcome {
        let outcome = self.send_unrecorded(notification, message).await;
        match &outcome {
            Outcome::Unavailable(cause) => self.health.record_down(cause),
            _ => self.health.record_up(),
        }
        outcome
    }

    /// Goes as far as a send would without sending (SMTP: connect, EHLO, STARTTLS and AUTH
    /// as configured; file: write and remove a file in the folder), records the result
    /// and gives the cause of a failure.
    pub async fn probe(&self) -> Result<(), String> {
        let probed = self.check().await;
        match &probed {
            Ok(()) => self.health.record_up(),
            Err(cause) => self.health.record_down(cause),
        }
        probed
    }

    /// [`probe`](Self::probe) without recording or logging the result (`restock mail
    /// check` reports it itself).
    pub async fn check(&self) -> Result<(), String> {
        match &self.route {
            Route::File { dir } => probe_dir(dir.clone()).await,
            Route::Smtp(pool) => pool.probe().await,
        }
    }

    /// [`send`](Self::send) without recording or logging the result (`restock mail
    /// send-test` reports it itself).
    pub async fn send_unrecorded(&self, notification: Uuid, message: Message) -> Outcome {
        match &self.route {
            Route::File { dir } => write_eml(dir.clone(), notification, message.formatted()).await,
            Route::Smtp(pool) => pool.send(message.envelope(), &message.formatted()).await,
        }
    }

    /// Where the file transport puts the message of `notification`; `None` over SMTP.
    pub fn eml_path(&self, notification: Uuid) -> Option<PathBuf> {
        match &self.route {
            Route::File { dir } => Some(eml_path(dir, notification)),
            Route::Smtp(_) => None,
        }
    }
}

fn eml_path(dir: &Path, notification: Uuid) -> PathBuf {
    dir.join(format!("{notification}.eml"))
}

/// Writes atomically (temp file, then rename), so a reader never sees half a message and
/// a retry replaces rather than duplicates. A folder that cannot be written (full disk,
/// permissions) is the transport's fault, not the email's.
async fn write_eml(dir: PathBuf, notification: Uuid, bytes: Vec<u8>) -> Outcome {
    let written = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        let temp = dir.join(format!(".{notification}.eml.tmp"));
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, eml_path(&dir, notification))
    })
    .await;
    match written {
        Ok(Ok(())) => Outcome::Done,
        Ok(Err(err)) => Outcome::Unavailable(format!("cannot write the .eml file: {err}")),
        Err(err) => Outcome::Transient(format!("the file writer failed: {err}")),
    }
}

/// Writes and removes a small file, as [`write_eml`] would write a message.
async fn probe_dir(dir: PathBuf) -> Result<(), String> {
    let probed = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        let probe = dir.join(format!(".probe-{}.tmp", Uuid::now_v7()));
        std::fs::write(&probe, b"probe")?;
        std::fs::remove_file(&probe)
    })
    .await;
    match probed {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(format!("cannot write the .eml file: {err}")),
        Err(err) => Err(format!("the file writer failed: {err}")),
    }
}

/// `smtp://user:pass@host:port?tls=starttls|tls|none` (`smtps://` means `tls=tls`).
fn smtp(raw: &str, pool_size: u32) -> Result<SmtpPool, EmailError> {
    // The error names what is wrong, never the URL itself: it carries the password.
    let bad = |what: &str| EmailError::SmtpUrl(what.to_owned());
    let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    let host = url.host_str().ok_or_else(|| bad("it has no host"))?;
    let mode = url
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let mode = match (url.scheme(), mode.as_deref()) {
        ("smtps", None | Some("tls")) | ("smtp", Some("tls")) => "tls",
        ("smtp", None | Some("starttls")) => "starttls",
        ("smtp", Some("none")) => "none",
        ("smtp" | "smtps", Some(_)) => return Err(bad("tls must be starttls, tls or none")),
        _ => return Err(bad("the scheme must be smtp or smtps")),
    };
    let params = || TlsParameters::new(host.to_owned()).map_err(|e| bad(&e.to_string()));
    let credentials = (!url.username().is_empty()).then(|| {
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let password = url.password().map(decode).unwrap_or_default();
        Credentials::new(decode(url.username()), password)
    });
    let (security, port) = match mode {
        "tls" => (Security::Implicit(params()?), url.port().unwrap_or(465)),
        "starttls" => (Security::StartTls(params()?), url.port().unwrap_or(587)),
        _ => (Security::Plain, url.port().unwrap_or(25)),
    };
    Ok(SmtpPool::new(
        host.to_owned(),
        port,
        security,
        credentials,
        pool_size,
        SMTP_TIMEOUT,
    ))
}

#[cfg(test)]
mod tests {
    use super::smtp;

    #[test]
    fn smtp_urls() {
        assert!(smtp("smtp://user:p%40ss@mail.example:2525?tls=starttls", 4).is_ok());
        assert!(smtp("smtp://127.0.0.1:2525?tls=none", 4).is_ok());
        assert!(smtp("smtps://mail.example", 4).is_ok());
        let err = smtp("smtp://u:hunter2@mail.example?tls=maybe", 4)
            .err()
            .unwrap();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(smtp("http://mail.example", 4).is_err());
    }
}
