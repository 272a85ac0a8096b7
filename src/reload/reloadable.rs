use std::fmt::Display;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use super::{watch_paths, Failure, ReloadError, ReloadStatus, WatchGuard};

type Builder<T, E> = dyn Fn() -> Result<T, E> + Send + Sync;
type Observer = dyn Fn(bool) + Send + Sync;

/// A value rebuilt from files on demand and swapped in atomically, keeping the last good
/// version when a rebuild fails.
///
/// Cloning is cheap and every clone shares the same value, so one clone can sit in the
/// HTTP state while another is driven by the file watcher. Readers call [`current`] and
/// keep the returned `Arc` for as long as they need a consistent snapshot: a reload never
/// changes a value someone already holds.
///
/// [`current`]: Reloadable::current
pub struct Reloadable<T, E> {
    inner: Arc<Inner<T, E>>,
}

struct Inner<T, E> {
    name: String,
    current: ArcSwap<T>,
    build: Box<Builder<T, E>>,
    state: Mutex<State<E>>,
    /// Held for the whole build-and-swap, so two reloads never race and an older build
    /// never replaces a newer one.
    building: Mutex<()>,
    /// Told the result of every reload (metrics); set at most once.
    observer: OnceLock<Box<Observer>>,
}

struct State<E> {
    generation: u64,
    loaded_at: DateTime<Utc>,
    last_error: Option<Failure<E>>,
}

impl<T, E> Clone for Reloadable<T, E> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T, E> Reloadable<T, E>
where
    T: Send + Sync + 'static,
    E: Display + Send + Sync + 'static,
{
    /// Builds the first value; fails, without anything to fall back on, if that build does.
    pub fn new<F>(name: impl Into<String>, build: F) -> Result<Self, E>
    where
        F: Fn() -> Result<T, E> + Send + Sync + 'static,
    {
        let first = build()?;
        Ok(Self::with_value(name, first, build))
    }

    /// Starts from a value built elsewhere (an empty set, a value restored from a cache),
    /// using `build` only for later reloads.
    pub fn with_value<F>(name: impl Into<String>, value: T, build: F) -> Self
    where
        F: Fn() -> Result<T, E> + Send + Sync + 'static,
    {
        Self {
            inner: Arc::new(Inner {
                name: name.into(),
                current: ArcSwap::from_pointee(value),
                build: Box::new(build),
                state: Mutex::new(State {
                    generation: 1,
                    loaded_at: Utc::now(),
                    last_error: None,
                }),
                building: Mutex::new(()),
                observer: OnceLock::new(),
            }),
        }
    }

    /// The live value. Lock-free; hold the `Arc` for a consistent view across calls.
    pub fn current(&self) -> Arc<T> {
        self.inner.current.load_full()
    }

    /// The name given at construction, used in logs and status.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Rebuilds now and swaps the new value in if the build succeeds; otherwise keeps the
    /// live value and records the failure. Runs on the calling thread, which is what tests
    /// and admin "reload" buttons want; the watcher calls it from its own thread.
    pub fn reload_now(&self) -> Result<Arc<T>, Failure<E>> {
        let inner = &*self.inner;
        let _building = lock(&inner.building);
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| (inner.build)()));
        let elapsed_ms = elapsed_ms(started.elapsed());
        let failure = match outcome {
            Ok(Ok(value)) => {
                let value = Arc::new(value);
                inner.current.store(Arc::clone(&value));
                let mut state = lock(&inner.state);
                state.generation += 1;
                state.loaded_at = Utc::now();
                state.last_error = None;
                tracing::info!(name = %inner.name, generation = state.generation, elapsed_ms, "reloaded");
                inner.notify(true);
                return Ok(value);
            }
            Ok(Err(error)) => Failure {
                at: Utc::now(),
                message: error.to_string(),
                error: Some(Arc::new(error)),
            },
            Err(panic) => Failure {
                at: Utc::now(),
                message: format!("the builder panicked: {}", panic_text(panic.as_ref())),
                error: None,
            },
        };
        tracing::error!(
            name = %inner.name,
            error = %failure.message,
            elapsed_ms,
            "reload failed; the last good version stays live"
        );
        lock(&inner.state).last_error = Some(failure.clone());
        inner.notify(false);
        Err(failure)
    }

    /// Calls `observer(ok)` after every later reload, whether the watcher or a caller of
    /// [`reload_now`](Self::reload_now) started it, so metrics can count reloads and
    /// failures without the watcher knowing about them. Only the first observer is kept;
    /// false if one was already set.
    pub fn observe(&self, observer: impl Fn(bool) + Send + Sync + 'static) -> bool {
        self.inner.observer.set(Box::new(observer)).is_ok()
    }

    /// The failure of the most recent reload, if it failed (cleared by a later success).
    pub fn last_error(&self) -> Option<Failure<E>> {
        lock(&self.inner.state).last_error.clone()
    }

    /// Name, generation, load time and last error, for admin endpoints.
    pub fn status(&self) -> ReloadStatus<E> {
        let state = lock(&self.inner.state);
        ReloadStatus {
            name: self.inner.name.clone(),
            generation: state.generation,
            loaded_on: state.loaded_at,
            last_error: state.last_error.clone(),
        }
    }

    /// Reloads whenever any of `paths` (files or folders) changes, once changes have been
    /// quiet for `debounce`. Watching stops when the returned guard is dropped.
    pub fn watch<I, P>(&self, paths: I, debounce: Duration) -> Result<WatchGuard, ReloadError>
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        let this = self.clone();
        watch_paths(paths, debounce, move |_changed| {
            // The outcome is already logged and recorded in the status.
            let _ = this.reload_now();
        })
    }
}

impl<T, E> Inner<T, E> {
    fn notify(&self, ok: bool) {
        if let Some(observer) = self.observer.get() {
            observer(ok);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn elapsed_ms(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}
