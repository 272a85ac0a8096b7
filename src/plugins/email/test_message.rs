//! The message `restock mail send-test` sends: proof that mail leaves, and arrives, with
//! the configured From, before any real notification depends on it.

use lettre::Message;
use uuid::Uuid;

use super::message::{mailbox, transactional, Sender};
use super::EmailError;

/// A short text and HTML message to `to` from the configured sender, with a Message-ID
/// built like a notification's from `id`.
pub fn test_message(sender: &Sender, to: &str, id: Uuid) -> Result<Message, EmailError> {
    let text = format!(
        "This is a test message from Restock (restock mail send-test), id {id}.\n\
         If you can read it, the mail transport works."
    );
    let html = format!(
        "<!doctype html><html><body><p>This is a test message from Restock \
         (<code>restock mail send-test</code>), id {id}.</p>\
         <p>If you can read it, the mail transport works.</p></body></html>"
    );
    transactional(
        sender,
        mailbox("--to", to)?,
        id,
        "Restock test message",
        text,
        html,
    )
}
