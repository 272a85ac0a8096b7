//! `email: {template: back-in-stock}` — renders the notification's template in the
//! subscription's locale and sends it as a multipart (text + HTML) email.
//!
//! - Each message carries `Message-ID: <{notification id}@{domain of mail.from}>`, so a
//!   retried send is recognisable downstream as the same email, plus
//!   `List-Unsubscribe` / `List-Unsubscribe-Post` (RFC 8058 one-click) with a signed link.
//! - A contact who opted out (`accepts_email == false`) gets nothing: the action succeeds
//!   without sending and logs it, because the notification did what the contact asked.
//!   A contact without a valid email address is a permanent failure (dead letter).
//! - `mail.transport: file` writes `<notification id>.eml` (a retry overwrites, never
//!   duplicates); `smtp` sends through a pooled lettre transport. SMTP 4xx, timeouts and
//!   refused connections are transient (retried), 5xx permanent.

mod action;
mod data;
mod error;
mod headers;
mod message;
mod preview;
mod smtp_pool;
mod transport;

pub use action::EmailAction;
pub use data::{notification_data, template_data, TemplateInput};
pub use error::EmailError;
pub use message::Sender;
pub use preview::{preview, PreviewError, PreviewRequest};
pub use transport::Mailer;
