//! What the automation engine stores: matching subscriptions chunk by chunk, the chunks'
//! commits and the integration log ([`EngineStore`]), fan-out parts ([`PartStore`]) and
//! set-based settling of a batch ([`SettleStore`]).

pub(crate) mod model;
pub(crate) mod parts;
pub(crate) mod parts_sql;
mod postgres_chunks;
pub(crate) mod rows;
pub(crate) mod settle;
pub(crate) mod settle_sql;
pub(crate) mod sql;
mod sqlite_chunks;

pub use model::*;
pub use parts::{ClaimedPart, NewPart, PartBound, PartStore, SplitCommit};
pub use settle::{LevelMatches, SettleCommit, SettleStore, SettledLevel};
