//! What the API and the console both stand on, so that neither imports the other: the
//! keys the server accepts ([`keys`]), failed attempts per client address ([`throttle`])
//! and the problem+json body a JSON client gets for a failure ([`problem`]). The two
//! surfaces are put together in `startup`, the one module above both.

pub mod keys;
pub mod problem;
pub mod throttle;

pub use keys::{ApiKeys, KeyId};
