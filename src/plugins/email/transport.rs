//! Where messages go: `.eml` files (the embedded default) or an SMTP server.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::percent_decode_str;
use uuid::Uuid;

use super::smtp_pool::{classify, SmtpPool};
use super::EmailError;
use crate::config::{MailConfig, MailTransport};
use crate::plugins::Outcome;

/// How long one SMTP exchange may take before it counts as a (transient) timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub enum Mailer {
    /// Writes `<notification id>.eml` into the folder.
    File { dir: PathBuf },
    /// Plain SMTP or STARTTLS: our pool of `TCP_NODELAY` connections (see `smtp_pool`).
    Smtp(Arc<SmtpPool>),
    /// Implicit TLS (`smtps://`): lettre's async SMTP transport, which pools its connections.
    SmtpTls(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// The configured transport (call it inside the tokio runtime: the SMTP pool starts a
    /// task). Validates the SMTP URL now, so a typo stops the start
    /// instead of dead-lettering every email.
    pub fn from_config(mail: &MailConfig) -> Result<Self, EmailError> {
        match mail.transport {
            MailTransport::File => {
                std::fs::create_dir_all(&mail.dir).map_err(|source| EmailError::Dir {
                    path: mail.dir.clone(),
                    source,
                })?;
                Ok(Mailer::File {
                    dir: mail.dir.clone(),
                })
            }
            MailTransport::Smtp => {
                let url = mail.smtp_url.as_ref().ok_or(EmailError::MissingSmtpUrl)?;
                smtp(url.expose(), mail.smtp_pool_size)
            }
        }
    }

    /// Sends one message and says what the delivery worker should do next.
    pub async fn send(&self, notification: Uuid, message: Message) -> Outcome {
        match self {
            Mailer::File { dir } => write_eml(dir.clone(), notification, message.formatted()).await,
            Mailer::Smtp(pool) => pool.send(message.envelope(), &message.formatted()).await,
            Mailer::SmtpTls(transport) => match transport.send(message).await {
                Ok(_) => Outcome::Done,
                Err(err) => classify(&err),
            },
        }
    }
}

/// Writes atomically (temp file, then rename), so a reader never sees half a message and
/// a retry replaces rather than duplicates.
async fn write_eml(dir: PathBuf, notification: Uuid, bytes: Vec<u8>) -> Outcome {
    let written = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        let temp = dir.join(format!(".{notification}.eml.tmp"));
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, dir.join(format!("{notification}.eml")))
    })
    .await;
    match written {
        Ok(Ok(())) => Outcome::Done,
        Ok(Err(err)) => Outcome::Transient(format!("cannot write the .eml file: {err}")),
        Err(err) => Outcome::Transient(format!("the file writer failed: {err}")),
    }
}

/// `smtp://user:pass@host:port?tls=starttls|tls|none` (`smtps://` means `tls=tls`).
fn smtp(raw: &str, pool_size: u32) -> Result<Mailer, EmailError> {
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
    let (starttls, port) = match mode {
        "tls" => {
            return Ok(Mailer::SmtpTls(implicit_tls(
                &url,
                host,
                params()?,
                credentials,
                pool_size,
            )))
        }
        "starttls" => (Some(params()?), url.port().unwrap_or(587)),
        _ => (None, url.port().unwrap_or(25)),
    };
    let pool = SmtpPool::new(
        host.to_owned(),
        port,
        starttls,
        credentials,
        pool_size,
        SMTP_TIMEOUT,
    );
    Ok(Mailer::Smtp(Arc::new(pool)))
}

fn implicit_tls(
    url: &url::Url,
    host: &str,
    tls: TlsParameters,
    credentials: Option<Credentials>,
    pool_size: u32,
) -> AsyncSmtpTransport<Tokio1Executor> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(465))
        .tls(Tls::Wrapper(tls))
        .timeout(Some(SMTP_TIMEOUT))
        .pool_config(PoolConfig::new().max_size(pool_size.max(1)));
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::smtp;

    /// lettre's pool starts a task when the transport is built: it needs a runtime.
    #[tokio::test]
    async fn smtp_urls() {
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
