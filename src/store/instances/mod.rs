//! Worker liveness: every claiming worker heartbeats while its process lives, so the claims
//! of a killed process are taken over within seconds instead of when their lease runs out.
//!
//! A claim may be taken over when nobody holds it, when its worker's heartbeat is older
//! than [`STALE_AFTER`], or when its lease ran out and its worker has no fresh heartbeat
//! (a worker that never registered, such as one a test drives, keeps the lease rule). A
//! live worker that is slow keeps its claim past the lease: its process still heartbeats.

pub(crate) mod model;
pub(crate) mod sql;

pub(crate) use model::{forget_before_ms, stale_before_ms};
pub use model::{keep_alive, InstanceStore, HEARTBEAT_EVERY, STALE_AFTER};
pub(crate) use sql::claimable;
