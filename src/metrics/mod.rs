//! Operational metrics in the Prometheus text format (`GET /metrics`).
//!
//! One [`Metrics`] value owns a registry of its own (no process-global state, so every
//! test server counts alone) and is handed to the API, the engine, the delivery worker and
//! the reloadable sources when the application is built. Counting is in-memory atomics on
//! values those paths already have: nothing here touches the database, except the outbox
//! depth, which is read with one grouped `COUNT` when Prometheus scrapes.
//!
//! Labels come from fixed vocabularies only — the integration log's reasons, action
//! names, route templates, HTTP methods and status codes — never ids, SKUs or addresses,
//! so the output carries no contact data and its size does not grow with traffic.

mod families;

pub use families::{DeliveryOutcome, Metrics, CONTENT_TYPE};
