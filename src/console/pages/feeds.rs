//! `/admin/feeds`: every configured feed (file, format, products, loaded on, last error),
//! and `?locale=&sku=` looks a product up exactly as the engine sees it.

use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use serde_json::{json, Value};

use super::Params;
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::{format_time, Locale, Sku};

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let feeds = feeds(&state);
    let lookup = lookup(&state, &params)?;
    let data = json!({
        "feeds": feeds,
        "lookup": lookup,
        "locale": params.get("locale"),
        "sku": params.get("sku"),
    });
    state
        .console
        .views
        .page("feeds", "Feeds", "/admin/feeds", &data)
}

/// `GET /admin/feeds.csv`: the feeds as listed.
pub async fn csv(State(state): State<ConsoleState>) -> Result<Response, ConsoleError> {
    let columns = [
        ("locale", "/locale"),
        ("file", "/path"),
        ("format", "/format"),
        ("products", "/products"),
        ("loadedOn", "/loadedOn"),
        ("version", "/generation"),
        ("warnings", "/warnings"),
        ("lastError", "/error"),
    ];
    crate::console::csv::values("feeds.csv", &columns, &feeds(&state))
}

/// Every configured feed's load status, one row each.
fn feeds(state: &ConsoleState) -> Vec<Value> {
    state
        .engine
        .catalog()
        .status()
        .into_iter()
        .map(|f| {
            json!({
                "locale": f.locale,
                "path": f.path.display().to_string(),
                "format": format!("{:?}", f.format).to_lowercase(),
                "products": f.products,
                "loadedOn": format_time(&f.loaded_on),
                "generation": f.generation,
                "warnings": f.warnings,
                "error": f.last_error.map(|e| e.message),
            })
        })
        .collect()
}

/// The product's fields as (name, value) rows, `found: false` when the feed lacks it;
/// null when nothing was asked.
fn lookup(state: &ConsoleState, params: &Params) -> Result<Value, ConsoleError> {
    let (Some(locale), Some(sku)) = (params.get("locale"), params.get("sku")) else {
        return Ok(Value::Null);
    };
    let locale = Locale::parse(locale).map_err(|e| ConsoleError::bad("locale", e.to_string()))?;
    let sku = Sku::parse(sku).map_err(|e| ConsoleError::bad("sku", e.to_string()))?;
    let catalog = state.engine.catalog();
    if !catalog.has_feed(&locale) {
        return Err(ConsoleError::bad(
            "locale",
            format!("no feed is configured for {locale}"),
        ));
    }
    let Some(product) = catalog.product(&locale, sku.as_str()) else {
        return Ok(json!({"found": false}));
    };
    let fields = match serde_json::to_value(&product) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .map(|(name, value)| json!({"name": name, "value": shown(&value)}))
            .collect(),
        _ => Vec::new(),
    };
    Ok(json!({"found": true, "fields": fields}))
}

/// A field's value as text: strings bare, lists joined, anything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
