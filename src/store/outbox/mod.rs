//! The outbox: notifications waiting for, in or done with delivery, [`OutboxStore`].

pub(crate) mod model;
pub(crate) mod rows;
pub(crate) mod sql;

pub use model::*;
