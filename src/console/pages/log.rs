//! `/admin/log`: Engage's integration log screen — per stock level received: time, SKU,
//! locale, externalId, quantity, whether the predefined conditions passed, how many
//! subscriptions matched, what was sent per automation and branch, what was held back and
//! why. Filters: SKU, since, held back only; keyset paging (`after`/`before`, `limit`
//! rows a page); the CSV holds every selected stock level up to [`CSV_MAX`](crate::console::csv::CSV_MAX).

use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use serde_json::{json, Value};

use super::{paging, parse_time, Params};
use crate::console::csv::{every_row, CSV_MAX};
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::{format_time, Sku};
use crate::engine::log::{group, LogEntry};
use crate::store::{Keyset, LevelKey, LogFilter, Page};

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let filter = filter(&params)?;
    let size = paging::size(&params)?;
    let at = paging::keyset(&params, parse_key, "a stock level's key")?;
    let page = read_page(&state, &filter, at, size).await?;
    let kept = [
        ("sku", params.get("sku").map(str::to_owned)),
        ("since", params.get("since").map(str::to_owned)),
        ("held", filter.held_only.then(|| "1".to_owned())),
        ("limit", params.get("limit").map(str::to_owned)),
    ];
    let nav = paging::links("/admin/log", &kept, &page, key);
    let csv_query = csv_query(&kept);
    let entries: Vec<Value> = page.rows.iter().map(entry).collect();
    let data = json!({
        "entries": entries,
        "sku": params.get("sku"),
        "since": params.get("since"),
        "held": filter.held_only,
        "limit": size,
        "pages": nav,
        "csv": csv_query,
        "csvMax": CSV_MAX,
    });
    state
        .console
        .views
        .page("log", "Integration log", "/admin/log", &data)
}

/// `/admin/log.csv` with the page's filters (not its paging: the download holds every
/// selected stock level, up to [`CSV_MAX`](crate::console::csv::CSV_MAX)).
fn csv_query(kept: &[(&str, Option<String>)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in kept.iter().filter(|(n, _)| *n != "limit") {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    format!("/admin/log.csv?{}", query.finish())
}

/// A stock level's key in links: `BATCH.ITEM`.
fn key(e: &LogEntry) -> String {
    format!("{}.{}", e.batch_id, e.item)
}

fn parse_key(raw: &str) -> Option<LevelKey> {
    let (batch, item) = raw.split_once('.')?;
    Some((batch.parse().ok()?, item.parse().ok()?))
}

/// `GET /admin/log.csv`: every stock level the filters select (newest first, at most
/// [`CSV_MAX`](crate::console::csv::CSV_MAX)), one line each, streamed a thousand at a time.
pub async fn csv(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let filter = filter(&params)?;
    let read = move |at, size| {
        let (state, filter) = (state.clone(), filter.clone());
        async move { read_page(&state, &filter, at, size).await }
    };
    every_row(
        "integration-log.csv",
        &HEADERS,
        rows,
        |l| (l.batch_id, l.item),
        read,
    )
    .await
}

const HEADERS: [&str; 10] = [
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

fn rows(entries: &[LogEntry]) -> Vec<Vec<String>> {
    let joined = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    entries
        .iter()
        .map(|e| {
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
        })
        .collect()
}

/// The filters of the page and of its CSV.
fn filter(params: &Params) -> Result<LogFilter, ConsoleError> {
    let sku = params
        .get("sku")
        .map(|s| Sku::parse(s).map_err(|e| ConsoleError::bad("sku", e.to_string())))
        .transpose()?;
    let since = params
        .get("since")
        .map(|s| parse_time("since", s))
        .transpose()?;
    Ok(LogFilter {
        sku,
        since,
        held_only: params.get("held") == Some("1"),
    })
}

/// One page of stock levels, newest first.
async fn read_page(
    state: &ConsoleState,
    filter: &LogFilter,
    at: Keyset<LevelKey>,
    size: usize,
) -> Result<Page<LogEntry>, ConsoleError> {
    let rows = state.store.log_page(filter, at, size).await?;
    Ok(Page::from_found(group(rows), size, &at))
}

fn entry(e: &LogEntry) -> Value {
    let pairs = |map: &std::collections::BTreeMap<String, u64>| -> Vec<Value> {
        map.iter()
            .map(|(k, v)| json!({"name": k, "count": v}))
            .collect()
    };
    json!({
        "key": key(e),
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
