//! `/admin/log`: Engage's integration log screen — per stock level received: time, SKU,
//! locale, externalId, quantity, whether the predefined conditions passed, how many
//! subscriptions matched, what was sent per automation and branch, what was held back and
//! why. Filters: SKU, since, held back only.

use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use serde_json::{json, Value};

use super::{parse_time, Params};
use crate::api::AppState;
use crate::console::csv::download;
use crate::console::ConsoleError;
use crate::domain::{format_time, Sku};
use crate::engine::log::{group, LogEntry};

pub async fn show(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let (entries, limit) = entries(&state, &params).await?;
    let entries: Vec<Value> = entries.iter().map(entry).collect();
    let data = json!({
        "entries": entries,
        "sku": params.get("sku"),
        "since": params.get("since"),
        "held": params.get("held") == Some("1"),
        "limit": limit,
        "query": query.unwrap_or_default(),
    });
    state
        .console
        .views
        .page("log", "Integration log", "/admin/log", &data)
}

/// `GET /admin/log.csv`: the same rows as the page, one line per stock level.
pub async fn csv(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let (entries, _) = entries(&state, &params).await?;
    let joined = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let rows = entries.iter().map(|e| {
        vec![
            format_time(&e.logged_on),
            e.sku.clone(),
            e.locale.clone().unwrap_or_default(),
            e.external_id.clone().unwrap_or_default(),
            e.quantity.to_string(),
            e.predefined_conditions_passed.to_string(),
            e.matched.to_string(),
            e.sent
                .iter()
                .map(|s| format!("{} / {}: {}", s.automation, s.branch, s.count))
                .collect::<Vec<_>>()
                .join("; "),
            joined(&e.held_back),
            joined(&e.expired),
        ]
    });
    let headers = [
        "loggedOn",
        "sku",
        "locale",
        "externalId",
        "quantity",
        "predefinedConditionsPassed",
        "matched",
        "sent",
        "heldBack",
        "expired",
    ];
    download("integration-log.csv", &headers, rows)
}

/// The stock levels the filters select, and the limit used.
async fn entries(
    state: &AppState,
    params: &Params,
) -> Result<(Vec<LogEntry>, usize), ConsoleError> {
    let sku = params
        .get("sku")
        .map(|s| Sku::parse(s).map_err(|e| ConsoleError::bad("sku", e.to_string())))
        .transpose()?;
    let since = params
        .get("since")
        .map(|s| parse_time("since", s))
        .transpose()?;
    let limit = params.number("limit", 100, 1..=10_000)?;
    let held_only = params.get("held") == Some("1");
    let limit = usize::try_from(limit).unwrap_or(100);
    let rows = state
        .store
        .integration_log(sku.as_ref(), since, limit)
        .await?;
    let mut entries = group(rows);
    entries.retain(|e| !held_only || !e.held_back.is_empty());
    Ok((entries, limit))
}

fn entry(e: &LogEntry) -> Value {
    let pairs = |map: &std::collections::BTreeMap<String, u64>| -> Vec<Value> {
        map.iter()
            .map(|(k, v)| json!({"name": k, "count": v}))
            .collect()
    };
    json!({
        "loggedOn": format_time(&e.logged_on),
        "sku": e.sku,
        "locale": e.locale,
        "externalId": e.external_id,
        "quantity": e.quantity,
        "passed": e.predefined_conditions_passed,
        "matched": e.matched,
        "sentToAutomations": e.sent_to_automations,
        "sent": e.sent.iter().map(|s| json!({"automation": s.automation, "branch": s.branch, "count": s.count})).collect::<Vec<_>>(),
        "expired": pairs(&e.expired),
        "held": pairs(&e.held_back),
    })
}
