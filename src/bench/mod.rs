//! `restock bench …`: reproducible measurements on generated data, each beside a baseline
//! measured in the same run.

mod data;
mod delivery;
mod fanout;
mod memory;

pub use delivery::{delivery, DeliveryArgs};
pub use fanout::{fanout, FanoutArgs};
