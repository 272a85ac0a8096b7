//! Stock levels and the batches they arrive in: the `stock_batches`, `stock_batch_items`
//! and `stock_levels` tables, [`StockStore`].

pub(crate) mod model;
pub(crate) mod rows;
pub(crate) mod sql;

pub use model::*;
