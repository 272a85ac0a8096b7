//! Delivery: claims notifications from the outbox and runs their actions, with retries on
//! a schedule and a dead letter for what cannot be delivered, and a pause (not a retry)
//! while a channel such as the mail transport is down.

mod pause;
mod report;
mod retry;
mod run;
mod worker;

pub use retry::RetryPolicy;
pub use worker::{Delivery, DeliverySettings};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
}
