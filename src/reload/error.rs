use std::path::PathBuf;

use thiserror::Error;

/// Why watching could not start. Build failures are not errors of this module: they are
/// recorded as a [`Failure`](super::Failure) on the [`Reloadable`](super::Reloadable).
#[derive(Debug, Error)]
pub enum ReloadError {
    /// The path to watch, or for a file the folder holding it, does not exist.
    #[error("cannot watch {path}: {reason}")]
    Path { path: PathBuf, reason: &'static str },
    /// The operating system refused the watch (inotify limits, permissions).
    #[error("cannot watch {path}: {source}")]
    Notify {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    /// The watcher thread could not be started.
    #[error("cannot start the file watcher thread: {0}")]
    Thread(#[source] std::io::Error),
}
