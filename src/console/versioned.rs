//! The files the console edits — rules files and email templates — saved one way: check
//! the new text first (nothing invalid is written, so a save never makes an invalid set
//! live), keep the current version in `<folder>/.history/`, write atomically (a synced
//! temporary file renamed over the old one), and let the caller reload. The same path
//! restores a kept version, so the version it replaces is kept in turn.
//!
//! Both loaders skip hidden names (rules read only `*.yaml` in the folder itself,
//! templates skip names starting with `.`), so neither ever loads the history.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Where previous versions are kept, inside the edited folder.
const HISTORY: &str = ".history";
const MAX_PART: usize = 100;
/// Unchanged lines shown around each change in a diff.
const CONTEXT: usize = 3;

/// One save (check and write) at a time in this process, so a check always sees the
/// folder the write lands in.
static SAVING: Mutex<()> = Mutex::new(());

/// A file's place inside its folder: one or two parts (`vip.yaml`,
/// `sv-SE/back-in-stock.html.hbs`), each letters, digits, `.`, `_` or `-` and not hidden,
/// so it never leaves the folder nor names the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place(String);

impl Place {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let parts: Vec<&str> = raw.split('/').collect();
        let plain = |p: &&str| {
            !p.is_empty()
                && p.len() <= MAX_PART
                && !p.starts_with('.')
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if parts.len() > 2 || !parts.iter().all(plain) {
            return Err(format!(
                "{raw:?} is not a file of this folder: at most one folder and a file name, each letters, digits, '.', '_' or '-', not starting with '.' (at most {MAX_PART} characters)"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file's name, without its folder.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    fn path_in(&self, dir: &Path) -> PathBuf {
        dir.join(&self.0)
    }

    /// `.history/<folder>/<name>.<version>`.
    fn kept(&self, dir: &Path, version: &str) -> PathBuf {
        dir.join(HISTORY).join(format!("{}.{version}", self.0))
    }
}

/// Why the console cannot save into `dir` (`what` names it: "rules folder"), or `None`
/// when it can. A probe file is created and removed, which a watcher of the folder sees:
/// call it once, before the watchers start.
pub fn read_only_reason(dir: &Path, what: &str) -> Option<String> {
    if !dir.is_dir() {
        return Some(format!("the {what} {} does not exist", dir.display()));
    }
    match tempfile::Builder::new()
        .prefix(".restock-probe")
        .tempfile_in(dir)
    {
        Ok(_) => None,
        Err(e) => Some(format!(
            "this server cannot write into {}: {e}",
            dir.display()
        )),
    }
}

/// Why a save or a restore did not happen; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError<P> {
    /// The check refused the text; `P` says why (the caller's problem list).
    #[error("the text has problems; nothing was saved")]
    Invalid(P),
    /// The version to restore is not kept.
    #[error("{0:?} is not a kept version of this file")]
    NoSuchVersion(String),
    /// Writing failed (a folder that became read-only since the start, a full disk).
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
}

impl<P> SaveError<P> {
    /// The same error with the problems put another way (as text, for a page).
    pub fn map_problems<Q>(self, f: impl FnOnce(&P) -> Q) -> SaveError<Q> {
        match self {
            SaveError::Invalid(p) => SaveError::Invalid(f(&p)),
            SaveError::NoSuchVersion(v) => SaveError::NoSuchVersion(v),
            SaveError::Io(e) => SaveError::Io(e),
        }
    }
}

/// Checks `text` with `check`, then writes it to `place` in `dir` after keeping the
/// current version in the history. Returns the kept version, if there was a file.
pub fn save<P>(
    dir: &Path,
    place: &Place,
    text: &str,
    check: impl FnOnce(&str) -> Result<(), P>,
) -> Result<Option<String>, SaveError<P>> {
    let _saving = SAVING.lock().unwrap_or_else(PoisonError::into_inner);
    check(text).map_err(SaveError::Invalid)?;
    write(dir, place, text)
}

/// Saves kept `version` of `place` as its current text, through [`save`]'s checks: the
/// version it replaces is kept in turn.
pub fn restore<P>(
    dir: &Path,
    place: &Place,
    version: &str,
    check: impl FnOnce(&str) -> Result<(), P>,
) -> Result<Option<String>, SaveError<P>> {
    let text = read_version(dir, place, version)?
        .ok_or_else(|| SaveError::NoSuchVersion(version.to_owned()))?;
    save(dir, place, &text, check)
}

fn write<P>(dir: &Path, place: &Place, text: &str) -> Result<Option<String>, SaveError<P>> {
    let path = place.path_in(dir);
    let folder = path.parent().unwrap_or(dir).to_owned();
    let kept = keep_current(dir, place, &path)?;
    let prefix = format!(".{}.", place.file_name());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // A new file gets what any program's new file gets (0666 less the umask), not a
        // temporary file's 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(&folder)?;
    if let Ok(current) = std::fs::metadata(&path) {
        // The saved file keeps the mode it had, so whatever read it before still can.
        std::fs::set_permissions(temp.path(), current.permissions())?;
    }
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(&path).map_err(|e| e.error)?;
    if let Ok(folder) = std::fs::File::open(&folder) {
        // Makes the rename itself durable; not every platform can sync a folder.
        let _ = folder.sync_all();
    }
    Ok(kept)
}

/// Copies the file's current content into the history under a new version.
fn keep_current(dir: &Path, place: &Place, path: &Path) -> std::io::Result<Option<String>> {
    let current = match std::fs::read(path) {
        Ok(current) => current,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    loop {
        let version = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
        let kept = place.kept(dir, &version);
        if let Some(parent) = kept.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // A new name each time: two saves within one millisecond never share a version.
        match std::fs::File::create_new(&kept) {
            Ok(mut file) => {
                file.write_all(&current)?;
                file.sync_all()?;
                return Ok(Some(version));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The file's text; `None` when it does not exist yet.
pub fn read(dir: &Path, place: &Place) -> std::io::Result<Option<String>> {
    missing_is_none(std::fs::read_to_string(place.path_in(dir)))
}

/// One kept version, as the history lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// `20261201T163000.123Z`: what links and forms name it by.
    pub version: String,
    /// When it was replaced, for people: `2026-12-01 16:30:00.123 UTC`.
    pub replaced_on: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The kept versions of a file, newest first.
pub fn history(dir: &Path, place: &Place) -> Vec<Version> {
    let probe = place.kept(dir, "");
    let (Some(folder), Some(prefix)) = (probe.parent(), probe.file_name()) else {
        return Vec::new();
    };
    let prefix = prefix.to_string_lossy().into_owned();
    let mut versions: Vec<Version> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let version = name.to_str()?.strip_prefix(&prefix)?;
            let bytes = entry.metadata().ok().filter(|m| m.is_file())?.len();
            is_version(version).then(|| Version {
                replaced_on: shown_time(version),
                version: version.to_owned(),
                bytes,
            })
        })
        .collect();
    versions.sort_unstable_by(|a, b| b.version.cmp(&a.version));
    versions
}

/// A kept version's text, if `version` names one.
pub fn read_version(dir: &Path, place: &Place, version: &str) -> std::io::Result<Option<String>> {
    if !is_version(version) {
        return Ok(None);
    }
    missing_is_none(std::fs::read_to_string(place.kept(dir, version)))
}

fn missing_is_none(read: std::io::Result<String>) -> std::io::Result<Option<String>> {
    match read {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `20261201T163000.123Z`: only these name history files, so a version is never a path.
fn is_version(v: &str) -> bool {
    v.len() == 20
        && v.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'T' | b'.' | b'Z'))
}

/// `2026-12-01 16:30:00.123 UTC` of `20261201T163000.123Z`.
fn shown_time(v: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S%.3fZ")
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string())
        .unwrap_or_else(|_| v.to_owned())
}

/// One line of a diff: `-` only in the old text, `+` only in the new, ` ` in both; the
/// line numbers are 1-based, each `None` where the line is not in that text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    pub sign: &'static str,
    /// `del`, `add` or `same`: the row's class.
    pub kind: &'static str,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

/// A line diff: the changed lines with a few unchanged ones around each change, in
/// hunks; no hunks when the texts are the same.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub hunks: Vec<Vec<DiffLine>>,
    pub added: usize,
    pub removed: usize,
}

/// How `new` differs from `old`, line by line.
pub fn diff(old: &str, new: &str) -> Diff {
    let lines = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    let hunks = lines
        .grouped_ops(CONTEXT)
        .iter()
        .map(|group| {
            group
                .iter()
                .flat_map(|op| lines.iter_changes(op))
                .map(|change| {
                    let (sign, kind) = match change.tag() {
                        ChangeTag::Delete => ("-", "del"),
                        ChangeTag::Insert => ("+", "add"),
                        ChangeTag::Equal => (" ", "same"),
                    };
                    match change.tag() {
                        ChangeTag::Delete => removed += 1,
                        ChangeTag::Insert => added += 1,
                        ChangeTag::Equal => {}
                    }
                    DiffLine {
                        sign,
                        kind,
                        old: change.old_index().map(|i| i + 1),
                        new: change.new_index().map(|i| i + 1),
                        text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                    }
                })
                .collect()
        })
        .collect();
    Diff {
        hunks,
        added,
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_stay_inside_the_folder() {
        for good in [
            "vip.yaml",
            "sv-SE/back-in-stock.html.hbs",
            "partials/a_b.txt.hbs",
        ] {
            assert!(Place::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../x.yaml",
            "a/../b",
            "/etc/passwd",
            ".history/x.yaml",
            "a/b/c.hbs",
            "a b.yaml",
            "sv-SE/",
            "a\\b.yaml",
        ] {
            assert!(Place::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_timestamps() {
        assert!(is_version("20261201T163000.123Z"));
        assert!(!is_version("../../etc/passwd"));
        assert_eq!(
            shown_time("20261201T163000.123Z"),
            "2026-12-01 16:30:00.123 UTC"
        );
    }

    #[test]
    fn a_save_keeps_the_replaced_text_and_a_refused_one_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let place = Place::parse("sv-SE/a.txt.hbs").unwrap();
        std::fs::create_dir(dir.path().join("sv-SE")).unwrap();
        let ok = |_: &str| Ok::<(), ()>(());
        assert_eq!(save(dir.path(), &place, "one\n", ok).unwrap(), None);
        let kept = save(dir.path(), &place, "two\n", ok).unwrap().unwrap();
        assert_eq!(read(dir.path(), &place).unwrap().unwrap(), "two\n");
        let refused = save(dir.path(), &place, "bad", |_: &str| Err("no"));
        assert!(matches!(refused, Err(SaveError::Invalid("no"))));
        assert_eq!(read(dir.path(), &place).unwrap().unwrap(), "two\n");
        let history = history(dir.path(), &place);
        assert_eq!(history.len(), 1);
        assert_eq!(
            (history[0].version.as_str(), history[0].bytes),
            (kept.as_str(), 4)
        );

        restore(dir.path(), &place, &kept, ok).unwrap();
        assert_eq!(read(dir.path(), &place).unwrap().unwrap(), "one\n");
        let history = super::history(dir.path(), &place);
        assert_eq!(history.len(), 2, "the replaced text is kept too");
        let newest = read_version(dir.path(), &place, &history[0].version).unwrap();
        assert_eq!(newest.as_deref(), Some("two\n"));
        assert!(matches!(
            restore(dir.path(), &place, "20000101T000000.000Z", ok),
            Err(SaveError::NoSuchVersion(_))
        ));
    }

    #[test]
    fn a_diff_marks_removed_and_added_lines_with_their_numbers() {
        let old = "a\nb\nc\n";
        let new = "a\nB\nc\nd\n";
        let d = diff(old, new);
        assert_eq!((d.added, d.removed), (2, 1));
        let rows: Vec<(&str, Option<usize>, Option<usize>, &str)> = d.hunks[0]
            .iter()
            .map(|l| (l.sign, l.old, l.new, l.text.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (" ", Some(1), Some(1), "a"),
                ("-", Some(2), None, "b"),
                ("+", None, Some(2), "B"),
                (" ", Some(3), Some(3), "c"),
                ("+", None, Some(4), "d"),
            ]
        );
        assert!(diff(old, old).hunks.is_empty());
    }
}
