//! What the store holds about one contact, for its export and its erasure,
//! [`PrivacyStore`].

pub(crate) mod model;
pub(crate) mod sql;

pub use model::{ContactNotification, ContactReceipt, Erased, PrivacyStore, ReceiptLine};
