//! Receipts, click tracking and conversions, [`TrackingStore`].

pub(crate) mod model;
pub(crate) mod sql;

pub use model::{Click, ClickTarget, Conversion, NewReceipt, Receipt, ReceiptItem, TrackingStore};
