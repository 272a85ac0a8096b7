use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::ReloadError;

/// How long changes must be quiet before a reload: editors and `cp` write a file in several
/// steps, and one reload after the last step beats several on half-written files.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_secs(1);

/// Stops watching when dropped. Dropping waits for a callback that is running to finish,
/// so no reload starts or completes after the guard is gone.
#[must_use = "watching stops when the guard is dropped"]
pub struct WatchGuard {
    stop: Sender<Message>,
    thread: Option<JoinHandle<()>>,
    watcher: Option<RecommendedWatcher>,
}

enum Message {
    Event(notify::Result<Event>),
    Stop,
}

/// What one configured path means: a folder is watched recursively; a file is watched
/// through its folder, because writers that replace a file by renaming a new one over it
/// (the safe way to publish a feed) would leave a watch on the old file's inode deaf.
enum Target {
    Folder(PathBuf),
    File(PathBuf),
}

impl Target {
    fn matches(&self, path: &Path) -> bool {
        match self {
            Target::Folder(folder) => path.starts_with(folder),
            Target::File(file) => path == file,
        }
    }

    fn path(&self) -> &Path {
        match self {
            Target::Folder(path) | Target::File(path) => path,
        }
    }
}

/// Calls `on_change` on a dedicated thread with the configured paths that changed, once
/// events for them have been quiet for `debounce`. A file need not exist yet (it may be
/// created later), but its folder must.
pub fn watch_paths<I, P, F>(
    paths: I,
    debounce: Duration,
    mut on_change: F,
) -> Result<WatchGuard, ReloadError>
where
    I: IntoIterator<Item = P>,
    P: Into<PathBuf>,
    F: FnMut(&[PathBuf]) + Send + 'static,
{
    let targets = paths
        .into_iter()
        .map(|path| target(path.into()))
        .collect::<Result<Vec<_>, _>>()?;
    let (sender, receiver) = mpsc::channel();
    let events = sender.clone();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = events.send(Message::Event(event));
    })
    .map_err(|source| ReloadError::Notify {
        path: PathBuf::new(),
        source,
    })?;
    let mut watched = BTreeSet::new();
    for target in &targets {
        let (path, mode) = match target {
            Target::Folder(folder) => (folder.as_path(), RecursiveMode::Recursive),
            Target::File(file) => (file.parent().unwrap_or(file), RecursiveMode::NonRecursive),
        };
        if watched.insert(path.to_path_buf()) {
            watcher
                .watch(path, mode)
                .map_err(|source| ReloadError::Notify {
                    path: path.to_path_buf(),
                    source,
                })?;
        }
    }
    let thread = thread::Builder::new()
        .name("restock-watch".into())
        .spawn(move || run(&receiver, &targets, debounce, &mut on_change))
        .map_err(ReloadError::Thread)?;
    tracing::debug!(paths = ?watched, "watching for changes");
    Ok(WatchGuard {
        stop: sender,
        thread: Some(thread),
        watcher: Some(watcher),
    })
}

fn target(path: PathBuf) -> Result<Target, ReloadError> {
    let path = std::path::absolute(&path).map_err(|_| ReloadError::Path {
        path: path.clone(),
        reason: "cannot make the path absolute",
    })?;
    if path.is_dir() {
        return Ok(Target::Folder(path));
    }
    match path.parent() {
        Some(folder) if folder.is_dir() => Ok(Target::File(path)),
        _ => Err(ReloadError::Path {
            path,
            reason: "its folder does not exist",
        }),
    }
}

/// The watcher thread: collect relevant paths, and once nothing has arrived for
/// `debounce`, report them in one call.
fn run(
    receiver: &mpsc::Receiver<Message>,
    targets: &[Target],
    debounce: Duration,
    on_change: &mut dyn FnMut(&[PathBuf]),
) {
    let mut changed = BTreeSet::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let message = match deadline {
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        match message {
            Ok(Message::Event(event)) => {
                if collect(targets, event, &mut changed) {
                    deadline = Some(Instant::now() + debounce);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                deadline = None;
                let paths: Vec<PathBuf> = std::mem::take(&mut changed).into_iter().collect();
                tracing::debug!(?paths, "change settled");
                on_change(&paths);
            }
            Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Adds the targets an event touches to `changed`; true if there were any.
fn collect(
    targets: &[Target],
    event: notify::Result<Event>,
    changed: &mut BTreeSet<PathBuf>,
) -> bool {
    let event = match event {
        Ok(event) => event,
        Err(error) => {
            // Lost events (e.g. an overflowing queue): assume everything changed.
            tracing::warn!(%error, "file watcher error; reloading everything watched");
            changed.extend(targets.iter().map(|t| t.path().to_path_buf()));
            return true;
        }
    };
    // Reading a file (our own reloads included) must not look like a change.
    if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write))
    {
        return false;
    }
    let mut hit = false;
    for target in targets {
        if event.need_rescan() || event.paths.iter().any(|path| target.matches(path)) {
            changed.insert(target.path().to_path_buf());
            hit = true;
        }
    }
    hit
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        // Stop the OS watch first so no new events arrive, then end the thread.
        drop(self.watcher.take());
        let _ = self.stop.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.thread().id() != thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}
