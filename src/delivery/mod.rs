//! Delivery: claims notifications from the outbox and runs their actions, with retries on
//! a schedule and a dead letter for what cannot be delivered.

mod retry;
mod worker;

pub use retry::RetryPolicy;
pub use worker::{Delivery, DeliverySettings};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
}
