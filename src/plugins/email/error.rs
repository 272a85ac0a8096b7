use std::path::PathBuf;

/// What can be wrong with the email setup (at start) or with one message (at send).
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("mail.smtp_url is required when mail.transport is smtp")]
    MissingSmtpUrl,
    #[error("mail.smtp_url is not valid: {0}")]
    SmtpUrl(String),
    #[error("{field} is not a valid mailbox ({value:?}): {reason}")]
    Mailbox {
        field: &'static str,
        value: String,
        reason: String,
    },
    #[error("public_url must be an http(s) URL on one line, not {0:?}")]
    PublicUrl(String),
    #[error("cannot create the mail folder {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the message: {0}")]
    Build(String),
}
