//! Editing one rules file from the console: the same checks as `restock rules check`
//! (and as the reload that would follow), then the write every edited file gets
//! ([`versioned`]: atomic, the previous version kept in `rules_dir/.history/`). Nothing
//! invalid is ever written, so a save never makes an invalid set live.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::versioned::{self, Place, SaveError};
use crate::dsl::{Diagnostic, Schema};
use crate::rules::{load_str, rule_files};

const MAX_NAME: usize = 100;

/// A rules file's name inside `rules_dir`: letters, digits, `.`, `_`, `-`, ending in
/// `.yaml` or `.yml`, not hidden — never a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(Place);

impl FileName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let yaml = raw.ends_with(".yaml") || raw.ends_with(".yml");
        match Place::parse(raw) {
            Ok(place) if yaml && !raw.contains('/') && raw.len() <= MAX_NAME => Ok(Self(place)),
            _ => Err(format!(
                "{raw:?} is not a rules file name: letters, digits, '.', '_' or '-' ending in .yaml or .yml (at most {MAX_NAME} characters)"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Where it is in `rules_dir`, for [`versioned`].
    pub fn place(&self) -> &Place {
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

/// Checks, then saves `text` as `name` through [`versioned::save`] (the current version
/// kept in `rules_dir/.history/`, an atomic write). The caller checks the folder is
/// writable first; a folder that became read-only since is a [`SaveError::Io`].
pub fn save(
    dir: &Path,
    schema: &Schema,
    name: &FileName,
    text: &str,
) -> Result<Option<String>, SaveError<Checked>> {
    versioned::save(dir, name.place(), text, |text| {
        valid(dir, schema, name, text)
    })
}

/// Saves kept `version` of `name` back as the file, with [`save`]'s checks.
pub fn restore(
    dir: &Path,
    schema: &Schema,
    name: &FileName,
    version: &str,
) -> Result<Option<String>, SaveError<Checked>> {
    versioned::restore(dir, name.place(), version, |text| {
        valid(dir, schema, name, text)
    })
}

fn valid(dir: &Path, schema: &Schema, name: &FileName, text: &str) -> Result<(), Checked> {
    let checked = check(dir, schema, name, text);
    match checked.ok() {
        true => Ok(()),
        false => Err(checked),
    }
}

/// The folder's rules files, by name.
pub fn files(dir: &Path) -> Vec<String> {
    rule_files(&[dir.to_owned()])
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
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
}
