//! Insights and statistics: demand, each subscription's history, daily statistics and
//! retention, [`InsightsStore`]; the counting itself happens in the other aggregates'
//! transactions ([`history`], [`stats`]).

pub(crate) mod history;
pub(crate) mod model;
pub(crate) mod rows;
pub(crate) mod sql;
pub mod stats;

pub use model::{
    DemandPage, DemandQuery, DemandRow, HistoryEntry, InsightsStore, LastLevel, Purged,
};
pub use stats::{AddStats, DailyStats, StatKey, StatsZone};
