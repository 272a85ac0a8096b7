//! Durable storage behind one trait, with an embedded SQLite implementation (the default)
//! and a PostgreSQL one (several instances sharing a database).
//!
//! One folder per aggregate: its part of the [`Store`] trait and its model types
//! (`model.rs`), its rows as the database returns them (`rows.rs`) and its SQL for both
//! backends (`sql.rs`). [`SqliteStore`] and [`PostgresStore`] open connections and
//! implement every part; docs/design.md ("Adding a table") says where a new one goes.

mod connect;
mod console;
mod contacts;
mod engine;
mod error;
mod group;
mod insights;
mod instances;
mod outbox;
mod postgres;
mod privacy;
mod row;
mod sqlite;
mod stock;
mod storefront;
mod tracking;

pub use connect::{connect, connect_in, connect_with, Store};
pub use console::{
    ConsoleListStore, ConsoleSession, Keyset, LevelKey, LogFilter, Page, SessionStore,
};
pub use contacts::*;
pub use engine::*;
pub use error::StoreError;
pub use insights::{
    stats, AddStats, DailyStats, DemandPage, DemandQuery, DemandRow, HistoryEntry, InsightsStore,
    LastLevel, Purged, StatKey, StatsZone,
};
pub use instances::{keep_alive, InstanceStore, HEARTBEAT_EVERY, STALE_AFTER};
pub use outbox::*;
pub use postgres::PostgresStore;
pub use privacy::*;
pub use sqlite::SqliteStore;
pub use stock::*;
pub use storefront::*;
pub use tracking::*;
