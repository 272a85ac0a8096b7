//! Contacts and their back-in-stock subscriptions: the `contacts` and `subscriptions`
//! tables, [`ContactStore`].

pub(crate) mod model;
pub(crate) mod rows;
pub(crate) mod sql;

pub use model::*;
