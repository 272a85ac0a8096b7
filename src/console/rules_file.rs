//! Editing one rules file from the console: the same checks as `restock rules check`
//! (and as the reload that would follow), an atomic write that keeps the previous version
//! in `rules_dir/.history/`, and the reload's result. Nothing invalid is ever written, so
//! a save never makes an invalid set live.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dsl::{Diagnostic, Schema};
use crate::rules::{load_str, rule_files};

/// Where previous versions of saved files are kept, inside `rules_dir` (not read as rules:
/// only the folder's own `*.yaml` files are).
const HISTORY: &str = ".history";
const MAX_NAME: usize = 100;

/// A rules file's name inside `rules_dir`: letters, digits, `.`, `_`, `-`, ending in
/// `.yaml` or `.yml`, not hidden — never a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let plain = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        let yaml = raw.ends_with(".yaml") || raw.ends_with(".yml");
        if raw.is_empty() || raw.len() > MAX_NAME || !plain || !yaml || raw.starts_with('.') {
            return Err(format!(
                "{raw:?} is not a rules file name: letters, digits, '.', '_' or '-' ending in .yaml or .yml (at most {MAX_NAME} characters)"
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One problem, as the editor shows it: 1-based line and column (in characters), the
/// width to underline, and the suggestion.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub width: usize,
    pub message: String,
    pub help: Option<String>,
    /// The diagnostic as `restock rules check` prints it.
    pub text: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Self {
            file: d.file.as_deref().unwrap_or("<condition>").to_owned(),
            line: d.line,
            column: d.column,
            width: d.width,
            message: d.message.clone(),
            help: d.help.clone(),
            text: d.to_string(),
        }
    }
}

/// What checking a file's new text found.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    /// Problems in this file.
    pub problems: Vec<Problem>,
    /// Other files of the folder that do not load: the set cannot reload until they are fixed.
    pub others: Vec<String>,
    /// Automations the text defines, when it has no problems.
    pub automations: usize,
}

impl Checked {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.others.is_empty()
    }
}

/// Checks `text` as the new content of `name` in `dir`, against `schema` (the live set's),
/// together with the folder's other files: parse and compile errors, and ids used twice.
pub fn check(dir: &Path, schema: &Schema, name: &FileName, text: &str) -> Checked {
    let mut checked = Checked::default();
    let automations = match load_str(text, Path::new(name.as_str()), schema) {
        Ok(found) => found,
        Err(diagnostics) => {
            checked.problems = diagnostics.iter().map(Problem::from).collect();
            Vec::new()
        }
    };
    let mut ids: HashMap<String, String> = HashMap::new();
    for other in rule_files(&[dir.to_owned()]).unwrap_or_default() {
        let other_name = other.file_name().map(|n| n.to_string_lossy().into_owned());
        if other_name.as_deref() == Some(name.as_str()) {
            continue;
        }
        let other_name = other_name.unwrap_or_default();
        let loaded = std::fs::read_to_string(&other)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                load_str(&t, &other, schema).map_err(|d| format!("{} problems", d.len()))
            });
        match loaded {
            Ok(found) => ids.extend(found.into_iter().map(|a| (a.id, other_name.clone()))),
            Err(why) => checked.others.push(format!(
                "{other_name}: {why} (restock rules check shows them)"
            )),
        }
    }
    for a in &automations {
        if let Some(file) = ids.get(&a.id) {
            checked.problems.push(Problem {
                file: name.as_str().to_owned(),
                line: a.origin.line,
                column: 1,
                width: 1,
                message: format!("the automation id {} is used twice", a.id),
                help: Some(format!("it is also the id in {file}")),
                text: format!(
                    "{}:{}:1: error: the automation id {} is also used in {file}",
                    name.as_str(),
                    a.origin.line,
                    a.id
                ),
            });
        }
    }
    if checked.problems.is_empty() {
        checked.automations = automations.len();
    }
    checked
}

/// Why the console cannot save into `dir`, or `None` when it can (a probe file is created
/// and removed, which the rules watcher sees: call it rarely).
pub fn read_only_reason(dir: &Path) -> Option<String> {
    if !dir.is_dir() {
        return Some(format!("the rules folder {} does not exist", dir.display()));
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

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("the file has problems; nothing was saved")]
    Invalid(Checked),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks, then writes `text` to `dir/name` atomically (a temporary file renamed over it,
/// both synced), after copying the current version into the history. Returns the history
/// version kept, if there was a previous file. The caller checks [`read_only_reason`]
/// first; a folder that became read-only since is an [`SaveError::Io`].
pub fn save(
    dir: &Path,
    schema: &Schema,
    name: &FileName,
    text: &str,
) -> Result<Option<String>, SaveError> {
    let checked = check(dir, schema, name, text);
    if !checked.ok() {
        return Err(SaveError::Invalid(checked));
    }
    let path = dir.join(name.as_str());
    let kept = keep_previous(dir, name, &path)?;
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.as_str()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(&path).map_err(|e| e.error)?;
    if let Ok(folder) = std::fs::File::open(dir) {
        // Makes the rename itself durable; not every platform can sync a folder.
        let _ = folder.sync_all();
    }
    Ok(kept)
}

/// Copies the file's current content into `.history/<name>.<UTC time>`.
fn keep_previous(dir: &Path, name: &FileName, path: &Path) -> std::io::Result<Option<String>> {
    let previous = match std::fs::read(path) {
        Ok(previous) => previous,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let history = dir.join(HISTORY);
    std::fs::create_dir_all(&history)?;
    let version = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    std::fs::write(
        history.join(format!("{}.{version}", name.as_str())),
        previous,
    )?;
    Ok(Some(version))
}

/// The folder's rules files, by name.
pub fn files(dir: &Path) -> Vec<String> {
    rule_files(&[dir.to_owned()])
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

/// The file's text; `None` when it does not exist yet.
pub fn read(dir: &Path, name: &FileName) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(dir.join(name.as_str())) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The kept versions of a file, newest first.
pub fn history(dir: &Path, name: &FileName) -> Vec<String> {
    let prefix = format!("{}.", name.as_str());
    let mut versions: Vec<String> = std::fs::read_dir(dir.join(HISTORY))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .map(str::to_owned)
        })
        .filter(|v| is_version(v))
        .collect();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    versions
}

/// A kept version's text, if `version` names one.
pub fn read_version(dir: &Path, name: &FileName, version: &str) -> std::io::Result<Option<String>> {
    if !is_version(version) {
        return Ok(None);
    }
    let path: PathBuf = dir
        .join(HISTORY)
        .join(format!("{}.{version}", name.as_str()));
    match std::fs::read_to_string(path) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_yaml_files() {
        assert!(FileName::parse("vip.yaml").is_ok());
        assert!(FileName::parse("a-b_c.yml").is_ok());
        for bad in [
            "",
            "../x.yaml",
            "x.txt",
            ".hidden.yaml",
            "a/b.yaml",
            "a b.yaml",
        ] {
            assert!(FileName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_timestamps() {
        assert!(is_version("20261201T163000.123Z"));
        assert!(!is_version("../../etc/passwd"));
    }
}
