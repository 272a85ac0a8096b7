//! `/admin/automations`: the live automations in priority order, the rules' load status,
//! a dry-run form, and an editor for each rules file that checks as you type (through
//! `POST /admin/automations/check`), saves atomically with history, and reloads.

use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use axum::Json;
use serde_json::{json, Value};

use super::Params;
use crate::console::form::Form;
use crate::console::rules_file::{self, Checked, FileName};
use crate::console::versioned::{self, SaveError};
use crate::console::ConsoleState;
use crate::console::{CheckError, ConsoleError};
use crate::domain::{format_time, ExternalId, Locale, Quantity, Sku};
use crate::rules::Automation;
use crate::store::{StockKey, StockLevel};

const DRY_RUN_LIMIT: usize = 100;

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let rules = state.engine.rules();
    let status = rules.status();
    let automations: Vec<Value> = rules.current().all().iter().map(automation).collect();
    let ids: Vec<String> = rules
        .current()
        .all()
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    let numbers = super::numbers::automations(&state, &ids).await?;
    let dry_run = dry_run(&state, &params).await?;
    let dir = &state.console.rules_dir;
    let data = json!({
        "automations": automations,
        "generation": status.generation,
        "loadedOn": format_time(&status.loaded_on),
        "error": status.last_error.map(|f| f.message),
        "files": rules_file::files(dir),
        "rulesDir": dir.display().to_string(),
        "readOnly": state.console.read_only,
        "dryRun": dry_run,
        "numbers": numbers,
        "form": {
            "sku": params.get("sku"), "quantity": params.get("quantity"),
            "locale": params.get("locale"), "externalId": params.get("externalId"),
        },
    });
    state
        .console
        .views
        .page("automations", "Automations", "/admin/automations", &data)
}

/// `GET /admin/automations.csv`: the live automations in priority order, as listed, each
/// split as `locale: actions` per branch.
pub async fn csv(State(state): State<ConsoleState>) -> Result<Response, ConsoleError> {
    let rows: Vec<Value> = state
        .engine
        .rules()
        .current()
        .all()
        .iter()
        .map(|a| {
            let mut row = automation(a);
            let split: Vec<String> = row["branches"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|b| {
                    format!(
                        "{}: {}",
                        b["locale"].as_str().unwrap_or(""),
                        b["actions"].as_str().unwrap_or("")
                    )
                })
                .collect();
            row["split"] = json!(split);
            row
        })
        .collect();
    let columns = [
        ("id", "/id"),
        ("name", "/name"),
        ("enabled", "/enabled"),
        ("priority", "/priority"),
        ("threshold", "/threshold"),
        ("expiresAfter", "/expiresAfter"),
        ("throttlePerUnit", "/throttle"),
        ("when", "/when"),
        ("split", "/split"),
        ("file", "/file"),
        ("line", "/line"),
    ];
    crate::console::csv::values("automations.csv", &columns, &rows)
}

fn automation(a: &Automation) -> Value {
    let names = |actions: &[crate::rules::Action]| {
        actions
            .iter()
            .map(|x| x.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut branches: Vec<Value> = a
        .split
        .branches
        .iter()
        .map(|b| json!({"locale": b.locale, "actions": names(&b.actions)}))
        .collect();
    branches.push(json!({"locale": "default", "actions": names(&a.split.default)}));
    let file = a
        .origin
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    json!({
        "id": a.id, "name": a.name, "enabled": a.enabled, "priority": a.priority,
        "threshold": a.threshold,
        "expiresAfter": a.expires_after.map(|d| d.to_string()),
        "throttle": a.throttle.map(|t| t.per_unit),
        "when": a.when.as_ref().map(|c| c.source().to_owned()),
        "branches": branches,
        "file": file, "line": a.origin.line,
    })
}

/// The dry run the form asked for (`?sku=&quantity=`), or null.
async fn dry_run(state: &ConsoleState, params: &Params) -> Result<Value, ConsoleError> {
    let Some(sku) = params.get("sku") else {
        return Ok(Value::Null);
    };
    let sku = Sku::parse(sku).map_err(|e| ConsoleError::bad("sku", e.to_string()))?;
    let quantity = params.number("quantity", 1, i64::MIN..=i64::MAX)?;
    let quantity =
        Quantity::new(quantity).map_err(|e| ConsoleError::bad("quantity", e.to_string()))?;
    let locale = params
        .get("locale")
        .map(|l| Locale::parse(l).map_err(|e| ConsoleError::bad("locale", e.to_string())))
        .transpose()?;
    let external_id = params
        .get("externalId")
        .map(|x| ExternalId::parse(x).map_err(|e| ConsoleError::bad("externalId", e.to_string())))
        .transpose()?;
    let level = StockLevel {
        key: StockKey {
            sku,
            locale,
            external_id,
        },
        quantity,
    };
    let report = state.engine.dry_run(&level, DRY_RUN_LIMIT).await?;
    let held: Vec<Value> = report
        .held_back
        .iter()
        .map(|(reason, n)| json!({"reason": reason, "count": n}))
        .collect();
    Ok(json!({
        "matched": report.matched, "wouldTrigger": report.would_trigger,
        "wouldExpire": report.would_expire, "held": held,
        "subscriptions": report.subscriptions, "truncated": report.truncated,
    }))
}

/// `GET /admin/automations/edit?file=[&version=]`: the editor, with the file's text (or a
/// kept version's, to restore it by saving).
pub async fn edit(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let name = file_name(params.get("file").unwrap_or("new-automation.yaml"))?;
    let dir = &state.console.rules_dir;
    let text =
        super::history::text_to_edit(dir, name.place(), name.as_str(), params.get("version"))?;
    let outcome = json!({"restoring": params.get("version")});
    editor(&state, &name, &text, None, outcome)
}

use super::history::EditForm;

/// `POST /admin/automations/edit`: check (without JavaScript) or save the text.
pub async fn submit(
    State(state): State<ConsoleState>,
    Form(form): Form<EditForm>,
) -> Result<(axum::http::StatusCode, Html<String>), ConsoleError> {
    use axum::http::StatusCode;
    let name = file_name(&form.file)?;
    let text = form.text.replace("\r\n", "\n");
    let dir = state.console.rules_dir.clone();
    let schema = state.engine.rules().current().schema.clone();
    if form.action != "save" {
        let checked = rules_file::check(&dir, &schema, &name, &text);
        let status = if checked.ok() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((
            status,
            editor(&state, &name, &text, Some(checked), json!({}))?,
        ));
    }
    if let Some(reason) = &state.console.read_only {
        let outcome = json!({"refused": true, "readOnlyNow": reason});
        return Ok((
            StatusCode::CONFLICT,
            editor(&state, &name, &text, None, outcome)?,
        ));
    }
    let saved = {
        let (dir, name, text) = (dir.clone(), name.clone(), text.clone());
        tokio::task::spawn_blocking(move || rules_file::save(&dir, &schema, &name, &text))
            .await
            .map_err(|e| ConsoleError::Io(std::io::Error::other(e)))?
    };
    match saved {
        Ok(kept) => {
            let engine = state.engine.clone();
            let reload =
                tokio::task::spawn_blocking(move || engine.rules().reload_now().map(|_| ()))
                    .await
                    .map_err(|e| ConsoleError::Io(std::io::Error::other(e)))?;
            let outcome = json!({
                "saved": true, "kept": kept,
                "reloadError": reload.err().map(|f| f.message),
                "generation": state.engine.rules().status().generation,
            });
            Ok((StatusCode::OK, editor(&state, &name, &text, None, outcome)?))
        }
        Err(SaveError::Invalid(checked)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            editor(
                &state,
                &name,
                &text,
                Some(checked),
                json!({"refused": true}),
            )?,
        )),
        Err(e) => {
            let reason = format!("cannot write into {}: {e}", dir.display());
            let outcome = json!({"refused": true, "readOnlyNow": reason});
            Ok((
                StatusCode::CONFLICT,
                editor(&state, &name, &text, None, outcome)?,
            ))
        }
    }
}

fn editor(
    state: &ConsoleState,
    name: &FileName,
    text: &str,
    checked: Option<Checked>,
    outcome: Value,
) -> Result<Html<String>, ConsoleError> {
    let dir = &state.console.rules_dir;
    let data = json!({
        "file": name.as_str(),
        "text": text,
        "lines": text.lines().count().max(1),
        "checked": checked.as_ref().map(|c| json!({"ok": c.ok(), "problems": c.problems, "others": c.others, "automations": c.automations})),
        "outcome": outcome,
        "readOnly": state.console.read_only,
        "history": versioned::history(dir, name.place()),
        "base": "/admin/automations",
        "rulesDir": dir.display().to_string(),
    });
    let title = format!("Edit {}", name.as_str());
    state
        .console
        .views
        .page("editor", &title, "/admin/automations", &data)
}

fn file_name(raw: &str) -> Result<FileName, ConsoleError> {
    FileName::parse(raw).map_err(|e| ConsoleError::bad("file", e))
}

/// `POST /admin/automations/check` (JSON `{file, text}`): what `restock rules check`
/// would say about this text as that file, for the editor's live check.
pub async fn check(
    State(state): State<ConsoleState>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, CheckError> {
    let request = super::CheckRequest::parse(&body)?;
    let name = FileName::parse(&request.file).map_err(|e| CheckError::field("file", e))?;
    let dir = state.console.rules_dir.clone();
    let schema = state.engine.rules().current().schema.clone();
    let checked =
        tokio::task::spawn_blocking(move || rules_file::check(&dir, &schema, &name, &request.text))
            .await?;
    Ok(Json(
        json!({"ok": checked.ok(), "problems": checked.problems, "others": checked.others,
               "automations": checked.automations,
               "summary": format!("No problems: {} automations.", checked.automations)}),
    ))
}
