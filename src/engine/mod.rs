//! The automation engine: turns stored stock-level batches into triggered subscriptions
//! (docs/design.md, section 1) — matching, predefined conditions, automations in priority
//! order, value split, throttle, expiry — and consumes each triggered subscription in the
//! transaction that puts its notification in the outbox.

mod binding;
mod decide;
mod dry_run;
mod fanout;
pub mod log;
mod products;
mod ruleset;
mod runner;
mod worker;

pub use crate::domain::AttributeType;
pub use binding::schema;
pub use decide::Decision;
pub use dry_run::{DryRun, Verdict};
pub use ruleset::{RuleSet, RulesError};
pub use runner::{Engine, EngineSettings};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}
