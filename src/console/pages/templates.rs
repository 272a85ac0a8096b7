//! `/admin/templates`: every email template (and web page) for every configured locale,
//! with the file the engine actually uses there — its own, its language's or the
//! fallback's, decided by the templates' own resolution ([`Templates::resolve`],
//! [`Templates::page_locale`]) — and the last reload error; a preview with a real product
//! and a stored (or the sample) contact, rendered by the delivery's own code; and an
//! editor that checks the whole set before it saves (see [`template_file`]).

use std::collections::BTreeSet;
use std::path::Path;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{blocking, Params};
use crate::console::form::Form;
use crate::console::template_file::{self, relative, Checked, TemplateFile};
use crate::console::versioned::{self, SaveError};
use crate::console::ConsoleState;
use crate::console::{CheckError, ConsoleError};
use crate::domain::{format_time, EmailAddress, Locale, Quantity, Sku};
use crate::plugins::email::{preview, PreviewContact, PreviewError, PreviewRequest};
use crate::templates::{Rendered, TemplateError, Templates};

/// What the preview frame's answer may load: inline styles and images over https (as the
/// email in a mail client), nothing else — no script, no form, no plugin — and it runs
/// sandboxed even when opened on its own; only a console page may frame it.
pub const FRAME_POLICY: &str = "default-src 'none'; img-src https: data:; \
     style-src 'unsafe-inline'; font-src https: data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'self'; sandbox";

const PATH: &str = "/admin/templates";

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, Html<String>), ConsoleError> {
    let params = Params::parse(query.as_deref());
    let console = &state.console;
    let Some(templates) = &state.templates else {
        let data = json!({
            "missing": console.templates_dir.display().to_string(),
        });
        let page = console.views.page("templates", "Templates", PATH, &data)?;
        return Ok((StatusCode::OK, page));
    };
    let status = templates.status();
    let set = templates.current();
    let locales = locales(&state, &set);
    let (status_code, preview) = match params.get("sku") {
        Some(_) => match render(&state, &set, &params).await {
            Ok(shown) => (StatusCode::OK, shown),
            Err(problem) => (problem.status, json!({"error": problem.message})),
        },
        None => (StatusCode::OK, Value::Null),
    };
    let names: Vec<&str> = set.names().collect();
    let data = json!({
        "dir": console.templates_dir.display().to_string(),
        "fallback": set.fallback().as_str(),
        "generation": status.generation,
        "loadedOn": format_time(&status.loaded_on),
        "error": status.last_error.map(|f| f.message),
        "readOnly": console.templates_read_only,
        "rows": rows(&state, &set, &locales),
        "pages": page_rows(&state, &set, &locales),
        "partials": partials(&state, &set),
        "names": names,
        "locales": locales.iter().map(Locale::as_str).collect::<Vec<_>>(),
        "form": {
            "template": params.get("template").unwrap_or("back-in-stock"),
            "locale": params.get("locale"), "sku": params.get("sku"),
            "contact": params.get("contact"), "quantity": params.get("quantity"),
        },
        "preview": preview,
    });
    let page = console.views.page("templates", "Templates", PATH, &data)?;
    Ok((status_code, page))
}

/// `GET /admin/templates.csv`: every template × locale as listed — the locale whose files
/// serve it, whether it is the locale's own, the files, or why it cannot be rendered.
pub async fn csv(State(state): State<ConsoleState>) -> Result<Response, ConsoleError> {
    let rows = match &state.templates {
        Some(templates) => {
            let set = templates.current();
            rows(&state, &set, &locales(&state, &set))
        }
        None => Vec::new(),
    };
    let columns = [
        ("template", "/name"),
        ("locale", "/locale"),
        ("localeUsed", "/used"),
        ("own", "/own"),
        ("files", "/files"),
        ("error", "/error"),
    ];
    crate::console::csv::values("templates.csv", &columns, &rows)
}

/// Every locale the templates may be asked for: each feed's, each locale folder's and
/// the fallback, sorted.
fn locales(state: &ConsoleState, set: &Templates) -> Vec<Locale> {
    let mut all: BTreeSet<Locale> = state.engine.catalog().locales().cloned().collect();
    for entry in set.listing().templates {
        all.extend(
            entry
                .locales
                .iter()
                .filter_map(|v| Locale::parse(&v.locale).ok()),
        );
    }
    all.insert(set.fallback().clone());
    all.into_iter().collect()
}

/// One row per template × locale: the locale whose files serve it, and those files.
fn rows(state: &ConsoleState, set: &Templates, locales: &[Locale]) -> Vec<Value> {
    let dir = &state.console.templates_dir;
    let listing = set.listing();
    let mut rows = Vec::new();
    for entry in &listing.templates {
        for locale in locales {
            let mut row = match set.resolve(&entry.name, locale) {
                Ok(used) => {
                    let files: Vec<String> = entry
                        .locales
                        .iter()
                        .find(|v| v.locale == used.as_str())
                        .map(|v| {
                            [&v.subject_file, &v.html_file, &v.text_file]
                                .map(|f| relative(dir, Path::new(f)))
                                .to_vec()
                        })
                        .unwrap_or_default();
                    json!({"used": used.as_str(), "own": used == *locale, "files": files})
                }
                Err(e) => json!({"error": e.to_string()}),
            };
            row["name"] = json!(entry.name);
            row["locale"] = json!(locale.as_str());
            rows.push(row);
        }
    }
    rows
}

/// The web pages (unsubscribe) per locale, picked as the unsubscribe link picks them.
fn page_rows(state: &ConsoleState, set: &Templates, locales: &[Locale]) -> Vec<Value> {
    let dir = &state.console.templates_dir;
    let listing = set.listing();
    let mut rows = Vec::new();
    for page in &listing.pages {
        for locale in locales {
            let used = set.page_locale(&page.name, std::slice::from_ref(locale));
            let file = used.as_ref().and_then(|used| {
                page.locales
                    .iter()
                    .find(|v| v.locale == used.as_str())
                    .map(|v| relative(dir, Path::new(&v.file)))
            });
            rows.push(json!({
                "name": page.name, "locale": locale.as_str(),
                "used": used.as_ref().map(Locale::as_str),
                "own": used.as_ref() == Some(locale),
                "file": file,
            }));
        }
    }
    rows
}

fn partials(state: &ConsoleState, set: &Templates) -> Vec<String> {
    let dir = &state.console.templates_dir;
    set.listing()
        .partials
        .iter()
        .map(|p| relative(dir, Path::new(p)))
        .collect()
}

/// Why a preview could not be shown: the status and the message the page shows.
struct Unshown {
    status: StatusCode,
    message: String,
}

impl Unshown {
    fn bad(field: &str, why: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: format!("{field}: {why}"),
        }
    }
}

/// The preview the form asks for, as the page shows it.
async fn render(state: &ConsoleState, set: &Templates, params: &Params) -> Result<Value, Unshown> {
    let rendered = rendered(state, set, params).await?;
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            ["template", "locale", "sku", "contact", "quantity"]
                .iter()
                .filter_map(|k| params.get(k).map(|v| (*k, v))),
        )
        .finish();
    Ok(json!({
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "localeUsed": rendered.locale_used.as_str(),
        "frame": format!("{PATH}/frame?{query}"),
    }))
}

/// Renders the asked template with the delivery's own data and rendering
/// ([`crate::plugins::email::preview`]): the feed's product, the contact's attributes.
async fn rendered(
    state: &ConsoleState,
    set: &Templates,
    params: &Params,
) -> Result<Rendered, Unshown> {
    let name = params.get("template").unwrap_or("back-in-stock");
    let locale = params
        .get("locale")
        .map(Locale::parse)
        .unwrap_or_else(|| Ok(set.fallback().clone()))
        .map_err(|e| Unshown::bad("locale", e))?;
    let sku =
        Sku::parse(params.get("sku").unwrap_or_default()).map_err(|e| Unshown::bad("sku", e))?;
    let quantity = params
        .get("quantity")
        .unwrap_or("1")
        .parse::<i64>()
        .map_err(|e| Unshown::bad("quantity", e))
        .and_then(|q| Quantity::new(q).map_err(|e| Unshown::bad("quantity", e)))?;
    let contact = contact(state, params.get("contact")).await?;
    let request = PreviewRequest {
        name,
        locale: &locale,
        sku: sku.as_str(),
        contact,
        quantity: quantity.get(),
    };
    let unsubscribe = (&*state.unsubscribe, state.public_url.as_str());
    let catalog = state.engine.catalog();
    preview(&request, set, catalog, &*state.store, unsubscribe)
        .await
        .map_err(|e| {
            let status = match &e {
                PreviewError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
                PreviewError::Template(TemplateError::NotFound { .. })
                | PreviewError::ContactNotFound
                | PreviewError::NoFeed(_)
                | PreviewError::ProductNotFound(..) => StatusCode::NOT_FOUND,
                PreviewError::Template(_) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Unshown {
                status,
                message: e.to_string(),
            }
        })
}

/// A contact by id or email address; the locale's sample contact when none is given.
async fn contact(state: &ConsoleState, raw: Option<&str>) -> Result<PreviewContact, Unshown> {
    let Some(raw) = raw else {
        return Ok(PreviewContact::Sample);
    };
    if let Ok(id) = raw.parse::<Uuid>() {
        return Ok(PreviewContact::Stored(id));
    }
    let email = EmailAddress::parse(raw).map_err(|_| {
        Unshown::bad(
            "contact",
            format!("{raw:?} is neither a contact id nor an email address"),
        )
    })?;
    let found = state
        .store
        .contact_by_email(&email)
        .await
        .map_err(|e| Unshown {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: e.to_string(),
        })?;
    found
        .map(|c| PreviewContact::Stored(c.id))
        .ok_or_else(|| Unshown {
            status: StatusCode::NOT_FOUND,
            message: format!("no contact with the email address {raw}"),
        })
}

/// `GET /admin/templates/frame?…`: the preview's HTML part alone, for the page's
/// `<iframe sandbox>`, under [`FRAME_POLICY`] instead of the console's own policy (an
/// email needs inline styles and remote images, which the console never allows itself).
pub async fn frame(State(state): State<ConsoleState>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.as_deref());
    let (status, html) = match &state.templates {
        None => (StatusCode::NOT_FOUND, message("No templates are loaded.")),
        Some(templates) => match rendered(&state, &templates.current(), &params).await {
            Ok(rendered) => (StatusCode::OK, rendered.html),
            Err(problem) => (problem.status, message(&problem.message)),
        },
    };
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FRAME_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

fn message(text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Preview</title><p>{}</p></html>",
        handlebars::html_escape(text)
    )
}

/// `GET /admin/templates/edit?file=[&version=]`: the editor, with the file's text (or a
/// kept version's, to restore it by saving).
pub async fn edit(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let file = file(params.get("file").unwrap_or_default())?;
    let dir = &state.console.templates_dir;
    let text =
        super::history::text_to_edit(dir, file.place(), file.as_str(), params.get("version"))?;
    let outcome = json!({"restoring": params.get("version")});
    editor(&state, &file, &text, None, outcome)
}

use super::history::EditForm;

/// `POST /admin/templates/check` (JSON `{file, text}`): whether the templates load with
/// this text as that file, and what stops them — the editor's live check, the same check
/// as its Check button.
pub async fn check(
    State(state): State<ConsoleState>,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, CheckError> {
    let request = super::CheckRequest::parse(&body)?;
    let file = TemplateFile::parse(&request.file).map_err(|e| CheckError::field("file", e))?;
    let Some(templates) = state.templates.clone() else {
        return Err(CheckError::field(
            "file",
            "no templates folder is configured",
        ));
    };
    let dir = state.console.templates_dir.clone();
    let fallback = templates.current().fallback().clone();
    let text = request.text;
    let checked =
        tokio::task::spawn_blocking(move || template_file::check(&dir, &fallback, &file, &text))
            .await?;
    Ok(axum::Json(json!({
        "ok": checked.ok(),
        "problems": checked.problems,
        "summary": "No problems: the templates load with this text.",
    })))
}

/// `POST /admin/templates/edit`: check or save the text. A save checks the whole set
/// with it first, writes only a set that loads, keeps the previous text and reloads.
pub async fn submit(
    State(state): State<ConsoleState>,
    Form(form): Form<EditForm>,
) -> Result<(StatusCode, Html<String>), ConsoleError> {
    let file = file(&form.file)?;
    let text = form.text.replace("\r\n", "\n");
    let Some(templates) = state.templates.clone() else {
        return Err(ConsoleError::NotFound);
    };
    let dir = state.console.templates_dir.clone();
    let fallback = templates.current().fallback().clone();
    if form.action != "save" {
        let checked = {
            let (dir, file, text) = (dir.clone(), file.clone(), text.clone());
            blocking(move || template_file::check(&dir, &fallback, &file, &text)).await?
        };
        let status = match checked.ok() {
            true => StatusCode::OK,
            false => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let page = editor(&state, &file, &text, Some(checked), json!({}))?;
        return Ok((status, page));
    }
    if let Some(reason) = &state.console.templates_read_only {
        let outcome = json!({"refused": true, "readOnlyNow": reason});
        let page = editor(&state, &file, &text, None, outcome)?;
        return Ok((StatusCode::CONFLICT, page));
    }
    let saved = {
        let (file, text) = (file.clone(), text.clone());
        blocking(move || template_file::save(&dir, &fallback, &file, &text)).await?
    };
    match saved {
        Ok(kept) => {
            let outcome = reload(&templates, kept).await?;
            Ok((StatusCode::OK, editor(&state, &file, &text, None, outcome)?))
        }
        Err(SaveError::Invalid(checked)) => {
            let outcome = json!({"refused": true});
            let page = editor(&state, &file, &text, Some(checked), outcome)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(e) => {
            let reason = format!(
                "cannot write into {}: {e}",
                state.console.templates_dir.display()
            );
            let outcome = json!({"refused": true, "readOnlyNow": reason});
            let page = editor(&state, &file, &text, None, outcome)?;
            Ok((StatusCode::CONFLICT, page))
        }
    }
}

/// Reloads the templates after a save, and what the page says about it.
pub(crate) async fn reload(
    templates: &crate::reload::Reloadable<Templates, TemplateError>,
    kept: Option<String>,
) -> Result<Value, ConsoleError> {
    let reloading = templates.clone();
    let reload = blocking(move || reloading.reload_now().map(|_| ())).await?;
    Ok(json!({
        "saved": true, "kept": kept,
        "reloadError": reload.err().map(|f| f.message),
        "generation": templates.status().generation,
    }))
}

fn editor(
    state: &ConsoleState,
    file: &TemplateFile,
    text: &str,
    checked: Option<Checked>,
    outcome: Value,
) -> Result<Html<String>, ConsoleError> {
    let dir = &state.console.templates_dir;
    let data = json!({
        "file": file.as_str(),
        "text": text,
        "checked": checked.as_ref().map(|c| json!({"ok": c.ok(), "problems": c.problems})),
        "outcome": outcome,
        "readOnly": state.console.templates_read_only,
        "history": versioned::history(dir, file.place()),
        "base": PATH,
        "dir": dir.display().to_string(),
    });
    let title = format!("Edit {}", file.as_str());
    state
        .console
        .views
        .page("template_editor", &title, PATH, &data)
}

pub(crate) fn file(raw: &str) -> Result<TemplateFile, ConsoleError> {
    TemplateFile::parse(raw).map_err(|e| ConsoleError::bad("file", e))
}
