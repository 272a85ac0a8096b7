//! `restock bench …`: reproducible measurements on generated data, each beside a baseline
//! measured in the same run, on SQLite or on PostgreSQL with several instances.

mod baseline;
mod console;
mod data;
mod db;
mod delivery;
mod demand;
mod fanout;
mod generate;
mod generate_cmd;
mod memory;
mod sync;
mod wait;

pub use console::{console, ConsoleArgs};
pub use data::DataArgs;
pub use delivery::{delivery, DeliveryArgs};
pub use demand::{demand, DemandArgs};
pub use fanout::{fanout, FanoutArgs};
pub use generate_cmd::{generate, GenerateArgs};
pub use sync::{sync, SyncArgs};
