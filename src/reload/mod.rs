//! Hot reload: watch files, rebuild, swap atomically, keep the last good version.
//!
//! Feeds, automations and templates all follow one rule: a change on disk produces a
//! *complete* new value with a fallible builder, and that value replaces the live one in a
//! single atomic swap only when the build succeeds. A failed build never takes down what is
//! already running: the last good value stays live and the failure is recorded, with its
//! time, for the admin endpoints.
//!
//! [`Reloadable`] holds the value and the builder; [`watch_paths`] turns file system events
//! into debounced callbacks; [`Reloadable::watch`] connects the two. Tests drive reloads
//! with [`Reloadable::reload_now`] instead of touching files and sleeping.

mod error;
mod reloadable;
mod status;
#[cfg(test)]
mod tests;
mod watch;

pub use error::ReloadError;
pub use reloadable::Reloadable;
pub use status::{Failure, ReloadFailure, ReloadStatus};
pub use watch::{watch_paths, WatchGuard, DEFAULT_DEBOUNCE};
