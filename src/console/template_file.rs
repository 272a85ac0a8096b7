//! Editing one email template file from the console. A new text is checked the way the
//! reload after the save will check it: the whole folder, with this file's new text, is
//! loaded by [`Templates::load`] (syntax, every template rendered against the sample
//! data, so a missing variable or an unknown helper on a rendered path is found) — in a
//! copy of the folder, so the watcher never sees a candidate. Only a set that loads is
//! written ([`versioned`]), so a save never makes an invalid set live.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::versioned::{self, Place, SaveError};
use crate::domain::Locale;
use crate::templates::{TemplateError, Templates};

/// The folder of shared partials (see `templates/README.md`).
const PARTIALS: &str = "partials";

/// A template file inside `templates_dir`: `<locale>/<name>.<part>.hbs` or
/// `partials/<name>.<part>.hbs` — never a path out of the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile(Place);

impl TemplateFile {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refuse = || {
            format!(
                "{raw:?} is not a template file: <locale>/<name>.<part>.hbs or {PARTIALS}/<name>.<part>.hbs"
            )
        };
        let place = Place::parse(raw).map_err(|_| refuse())?;
        let (folder, name) = raw.split_once('/').ok_or_else(refuse)?;
        let folder_ok = folder == PARTIALS || Locale::parse(folder).is_ok();
        if !folder_ok || !name.ends_with(".hbs") {
            return Err(refuse());
        }
        Ok(Self(place))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn place(&self) -> &Place {
        &self.0
    }
}

/// One problem the load found: the file (relative to the folder), the 1-based line and
/// column when Handlebars knows them, and the message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// What checking a new text found; no problems means the set with it loads.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Loads the folder `dir` as it would be with `text` as `file`.
pub fn check(dir: &Path, fallback: &Locale, file: &TemplateFile, text: &str) -> Checked {
    let candidate = match candidate(dir, file, text) {
        Ok(candidate) => candidate,
        Err(e) => {
            let message = format!("cannot copy {} to check it: {e}", dir.display());
            let problems = vec![Problem {
                file: None,
                line: None,
                column: None,
                message,
            }];
            return Checked { problems };
        }
    };
    let problems = match Templates::load(candidate.path(), fallback) {
        Ok(_) => Vec::new(),
        Err(error) => {
            let mut problems = Vec::new();
            flatten(&error, "", candidate.path(), dir, &mut problems);
            problems
        }
    };
    Checked { problems }
}

/// A copy of the folder's visible files, with `text` as `file`.
fn candidate(dir: &Path, file: &TemplateFile, text: &str) -> std::io::Result<tempfile::TempDir> {
    let copy = tempfile::Builder::new()
        .prefix("restock-template-check")
        .tempdir()?;
    copy_visible(dir, copy.path())?;
    let target = copy.path().join(file.as_str());
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(target, text)?;
    Ok(copy)
}

fn copy_visible(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue; // the history, editors' swap files: the loader skips them too
        }
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_visible(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// One [`Problem`] per error the load collected, with the copy's paths put back to the
/// folder's.
fn flatten(error: &TemplateError, why: &str, copy: &Path, dir: &Path, out: &mut Vec<Problem>) {
    let relative = |path: &Path| {
        path.strip_prefix(copy)
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    let problem = match error {
        TemplateError::Several(all) => {
            for one in all {
                flatten(one, why, copy, dir, out);
            }
            return;
        }
        TemplateError::Validation { sample, source } => {
            let why = format!(" (checked against {sample})");
            return flatten(source, &why, copy, dir, out);
        }
        TemplateError::Syntax { at, message } | TemplateError::Render { at, message } => Problem {
            file: relative(&at.path),
            line: at.line,
            column: at.column,
            message: format!("{message}{why}"),
        },
        TemplateError::Layout { path, .. }
        | TemplateError::MultilineSubject { path }
        | TemplateError::Io { path, .. } => Problem {
            file: relative(path),
            line: None,
            column: None,
            message: shown(&format!("{error}{why}"), copy, dir),
        },
        other => Problem {
            file: None,
            line: None,
            column: None,
            message: shown(&format!("{other}{why}"), copy, dir),
        },
    };
    out.push(problem);
}

/// `text` with the copy's folder named as the real one.
fn shown(text: &str, copy: &Path, dir: &Path) -> String {
    text.replace(&copy.display().to_string(), &dir.display().to_string())
}

/// Checks, then saves `text` as `file` in `dir` through [`versioned::save`].
pub fn save(
    dir: &Path,
    fallback: &Locale,
    file: &TemplateFile,
    text: &str,
) -> Result<Option<String>, SaveError<Checked>> {
    versioned::save(dir, file.place(), text, |text| {
        valid(dir, fallback, file, text)
    })
}

/// Saves kept `version` of `file` back, with [`save`]'s checks.
pub fn restore(
    dir: &Path,
    fallback: &Locale,
    file: &TemplateFile,
    version: &str,
) -> Result<Option<String>, SaveError<Checked>> {
    versioned::restore(dir, file.place(), version, |text| {
        valid(dir, fallback, file, text)
    })
}

fn valid(dir: &Path, fallback: &Locale, file: &TemplateFile, text: &str) -> Result<(), Checked> {
    let checked = check(dir, fallback, file, text);
    match checked.ok() {
        true => Ok(()),
        false => Err(checked),
    }
}

/// `path` relative to `dir`, as the console names template files.
pub fn relative(dir: &Path, path: &Path) -> String {
    let path: PathBuf = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_template_files_of_the_folder() {
        for good in [
            "sv-SE/back-in-stock.html.hbs",
            "partials/footer.txt.hbs",
            "en-US/unsubscribe.page.hbs",
        ] {
            assert!(TemplateFile::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "back-in-stock.html.hbs",
            "README.md",
            "sv-SE/notes.md",
            "../sv-SE/x.hbs",
            "not a locale/x.hbs",
            ".history/x.hbs",
            "sv-SE/.x.hbs",
        ] {
            assert!(TemplateFile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_syntax_error_is_found_at_its_line_in_the_real_folder() {
        let dir = tempfile::tempdir().unwrap();
        let en = dir.path().join("en-US");
        std::fs::create_dir(&en).unwrap();
        std::fs::write(en.join("hi.subject.hbs"), "Hi").unwrap();
        std::fs::write(en.join("hi.html.hbs"), "<p>{{product.sku}}</p>").unwrap();
        std::fs::write(en.join("hi.txt.hbs"), "{{product.sku}}").unwrap();
        let fallback = Locale::parse("en-US").unwrap();
        let file = TemplateFile::parse("en-US/hi.txt.hbs").unwrap();
        assert!(check(dir.path(), &fallback, &file, "ok {{quantity}}\n").ok());
        let text = "line one\n{{#if quantity}}\nline three {{/each}}\nline four\n";
        let checked = check(dir.path(), &fallback, &file, text);
        assert_eq!(checked.problems.len(), 1, "{:?}", checked.problems);
        let problem = &checked.problems[0];
        assert_eq!(problem.file.as_deref(), Some("en-US/hi.txt.hbs"));
        assert_eq!(problem.line, Some(3), "{problem:?}");
        let checked = check(dir.path(), &fallback, &file, "{{shout product.sku}}");
        assert!(
            checked.problems[0]
                .message
                .contains("no helper named \"shout\""),
            "{:?}",
            checked.problems
        );
        assert!(
            !format!("{checked:?}").contains("restock-template-check"),
            "the copy is never named"
        );
    }
}
