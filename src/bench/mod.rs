//! `restock bench …`: reproducible measurements on generated data, each beside a baseline
//! measured in the same run.

mod fanout;
mod memory;

pub use fanout::{fanout, FanoutArgs};
