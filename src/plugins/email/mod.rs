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
//!   duplicates); `smtp` sends over a pool of connections. What the server says to one
//!   message decides that message: 4xx transient (retried), 5xx permanent. A transport
//!   that cannot carry any message (refused connection, no STARTTLS, refused login, a
//!   folder that cannot be written) is `Outcome::Unavailable`: nothing is spent, delivery
//!   pauses, and [`TransportHealth`] shows it.

mod action;
mod data;
mod error;
mod headers;
mod health;
mod message;
mod preview;
mod smtp_pool;
mod test_message;
mod transport;

pub use action::EmailAction;
pub use data::{notification_data, template_data, TemplateInput};
pub use error::EmailError;
pub use health::{TransportHealth, TransportStatus};
pub use message::{mailbox, transactional, Sender};
pub use preview::{preview, PreviewContact, PreviewError, PreviewRequest};
pub use test_message::test_message;
pub use transport::Mailer;
