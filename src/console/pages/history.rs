//! The history of an edited file — a rules file (`/admin/automations/diff`) or an email
//! template (`/admin/templates/diff`) — served by one page: the kept versions with time
//! and size, a line diff between one of them and the current file, and **Restore**,
//! which saves that version through the same checks and history as a save
//! ([`crate::console::versioned::restore`]), so the replaced text is kept in turn.

use std::path::PathBuf;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Html;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{blocking, Params};
use crate::console::form::Form;
use crate::console::rules_file::{self, FileName};
use crate::console::versioned::{self, Place, SaveError};
use crate::console::ConsoleState;
use crate::console::{template_file, ConsoleError};

/// What the editor of `place` (shown as `name`) starts with: the file's text, or a kept
/// version's when `version` is given (to restore it by saving).
pub(crate) fn text_to_edit(
    dir: &std::path::Path,
    place: &Place,
    name: &str,
    version: Option<&str>,
) -> Result<String, ConsoleError> {
    match version {
        Some(version) => versioned::read_version(dir, place, version)?.ok_or_else(|| {
            ConsoleError::bad(
                "version",
                format!("{version:?} is not a kept version of {name}"),
            )
        }),
        None => Ok(versioned::read(dir, place)?.unwrap_or_default()),
    }
}

/// The editor's form, for rules files and templates alike.
#[derive(Deserialize)]
pub struct EditForm {
    pub file: String,
    #[serde(default)]
    pub text: String,
    /// `check` or `save`.
    #[serde(default)]
    pub action: String,
}

/// Which edited folder a request is about.
#[derive(Clone, Copy)]
enum Folder {
    Rules,
    Templates,
}

impl Folder {
    /// Where its pages are: the diff is `{base}/diff`, the editor `{base}/edit`.
    fn base(self) -> &'static str {
        match self {
            Folder::Rules => "/admin/automations",
            Folder::Templates => "/admin/templates",
        }
    }

    fn dir(self, state: &ConsoleState) -> PathBuf {
        match self {
            Folder::Rules => state.console.rules_dir.clone(),
            Folder::Templates => state.console.templates_dir.clone(),
        }
    }

    fn read_only(self, state: &ConsoleState) -> Option<String> {
        match self {
            Folder::Rules => state.console.read_only.clone(),
            Folder::Templates => state.console.templates_read_only.clone(),
        }
    }

    /// The file a form or link names, checked as that folder's kind of file.
    fn place(self, raw: &str) -> Result<Place, ConsoleError> {
        let place = match self {
            Folder::Rules => FileName::parse(raw).map(|n| n.place().clone()),
            Folder::Templates => template_file::TemplateFile::parse(raw).map(|f| f.place().clone()),
        };
        place.map_err(|e| ConsoleError::bad("file", e))
    }

    /// Restores `version` of `raw` with the checks of this folder's saves; the problems
    /// as text when they refuse it.
    async fn restore(
        self,
        state: &ConsoleState,
        raw: &str,
        version: &str,
    ) -> Result<Result<Option<String>, SaveError<Vec<String>>>, ConsoleError> {
        let dir = self.dir(state);
        let version = version.to_owned();
        let restored = match self {
            Folder::Rules => {
                let name = FileName::parse(raw).map_err(|e| ConsoleError::bad("file", e))?;
                let schema = state.engine.rules().current().schema.clone();
                blocking(move || {
                    rules_file::restore(&dir, &schema, &name, &version).map_err(|e| {
                        e.map_problems(|c| {
                            let others = c.others.iter().cloned();
                            c.problems
                                .iter()
                                .map(|p| p.text.clone())
                                .chain(others)
                                .collect()
                        })
                    })
                })
                .await?
            }
            Folder::Templates => {
                let file = super::templates::file(raw)?;
                let templates = state.templates.as_ref().ok_or(ConsoleError::NotFound)?;
                let fallback = templates.current().fallback().clone();
                blocking(move || {
                    template_file::restore(&dir, &fallback, &file, &version)
                        .map_err(|e| e.map_problems(|c| c.problems.iter().map(shown).collect()))
                })
                .await?
            }
        };
        Ok(restored)
    }

    /// Reloads what the folder feeds; the outcome the page shows.
    async fn reload(
        self,
        state: &ConsoleState,
        kept: Option<String>,
    ) -> Result<Value, ConsoleError> {
        match self {
            Folder::Rules => {
                let engine = state.engine.clone();
                let reload = blocking(move || engine.rules().reload_now().map(|_| ())).await?;
                Ok(json!({
                    "saved": true, "kept": kept,
                    "reloadError": reload.err().map(|f| f.message),
                    "generation": state.engine.rules().status().generation,
                }))
            }
            Folder::Templates => {
                let templates = state.templates.as_ref().ok_or(ConsoleError::NotFound)?;
                super::templates::reload(templates, kept).await
            }
        }
    }
}

fn shown(p: &template_file::Problem) -> String {
    let mut at = p.file.clone().unwrap_or_default();
    if let Some(line) = p.line {
        at = format!("{at}:{line}");
        if let Some(column) = p.column {
            at = format!("{at}:{column}");
        }
    }
    match at.is_empty() {
        true => p.message.clone(),
        false => format!("{at}: {}", p.message),
    }
}

/// `GET /admin/automations/diff?file=&version=`.
pub async fn rules_diff(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    diff(&state, Folder::Rules, query.as_deref())
}

/// `GET /admin/templates/diff?file=&version=`.
pub async fn templates_diff(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    diff(&state, Folder::Templates, query.as_deref())
}

/// The versions of `file` and, when `version` is given, its diff against the current
/// file (`-` only in the kept version, `+` only in the current file).
fn diff(
    state: &ConsoleState,
    folder: Folder,
    query: Option<&str>,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query);
    let raw = params.get("file").unwrap_or_default();
    let place = folder.place(raw)?;
    let version = params.get("version");
    page(state, folder, &place, version, json!({}))
}

fn page(
    state: &ConsoleState,
    folder: Folder,
    place: &Place,
    version: Option<&str>,
    outcome: Value,
) -> Result<Html<String>, ConsoleError> {
    let dir = folder.dir(state);
    let current = versioned::read(&dir, place)?.unwrap_or_default();
    let compared = match version {
        Some(version) => {
            let kept = versioned::read_version(&dir, place, version)?.ok_or_else(|| {
                ConsoleError::bad(
                    "version",
                    format!("{version:?} is not a kept version of {}", place.as_str()),
                )
            })?;
            let diff = versioned::diff(&kept, &current);
            json!({"version": version, "diff": diff, "same": diff.hunks.is_empty()})
        }
        None => Value::Null,
    };
    let data = json!({
        "base": folder.base(),
        "file": place.as_str(),
        "history": versioned::history(&dir, place),
        "compared": compared,
        "readOnly": folder.read_only(state),
        "outcome": outcome,
    });
    let title = format!("History of {}", place.as_str());
    state
        .console
        .views
        .page("history", &title, folder.base(), &data)
}

#[derive(Deserialize)]
pub struct RestoreForm {
    file: String,
    version: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /admin/automations/restore` (`file`, `version`, `confirm=yes`).
pub async fn rules_restore(
    State(state): State<ConsoleState>,
    Form(form): Form<RestoreForm>,
) -> Result<(StatusCode, Html<String>), ConsoleError> {
    restore(&state, Folder::Rules, form).await
}

/// `POST /admin/templates/restore` (`file`, `version`, `confirm=yes`).
pub async fn templates_restore(
    State(state): State<ConsoleState>,
    Form(form): Form<RestoreForm>,
) -> Result<(StatusCode, Html<String>), ConsoleError> {
    restore(&state, Folder::Templates, form).await
}

async fn restore(
    state: &ConsoleState,
    folder: Folder,
    form: RestoreForm,
) -> Result<(StatusCode, Html<String>), ConsoleError> {
    let place = folder.place(&form.file)?;
    if form.confirm.as_deref() != Some("yes") {
        return Err(ConsoleError::bad(
            "confirm",
            "tick the box to confirm; nothing was changed",
        ));
    }
    let version = Some(form.version.as_str());
    if let Some(reason) = folder.read_only(state) {
        let outcome = json!({"refused": true, "why": reason});
        let page = page(state, folder, &place, version, outcome)?;
        return Ok((StatusCode::CONFLICT, page));
    }
    match folder.restore(state, &form.file, &form.version).await? {
        Ok(kept) => {
            // Compared next: the text just replaced, against the restored one.
            let compare = kept.clone();
            let mut outcome = folder.reload(state, kept).await?;
            outcome["restored"] = json!(form.version);
            let page = page(state, folder, &place, compare.as_deref(), outcome)?;
            Ok((StatusCode::OK, page))
        }
        Err(SaveError::Invalid(problems)) => {
            let outcome = json!({"refused": true, "problems": problems});
            let page = page(state, folder, &place, version, outcome)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(SaveError::NoSuchVersion(v)) => Err(ConsoleError::bad(
            "version",
            format!("{v:?} is not a kept version of {}", place.as_str()),
        )),
        Err(SaveError::Io(e)) => {
            let why = format!("cannot write into {}: {e}", folder.dir(state).display());
            let outcome = json!({"refused": true, "why": why});
            let page = page(state, folder, &place, version, outcome)?;
            Ok((StatusCode::CONFLICT, page))
        }
    }
}
