//! Builds the running application from a configuration: store, feeds, rules, engine,
//! templates, email, API keys and listener; runs the API, the engine and delivery side by
//! side.

mod app;
mod mail;

pub use app::{build_delivery, build_engine, connect_store, Application};
pub use mail::{load_templates, unsubscribe_key};
