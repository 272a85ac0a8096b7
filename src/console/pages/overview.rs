//! `/admin`: what is waiting to go out, what the engine did in the last 7 days (from the
//! integration log), the insights' numbers of the last 7 days (the back-in-stock report,
//! read by the same code as `GET /api/v3/reports/back-in-stock`), and whether rules,
//! templates and feeds loaded.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Html;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::api::AppState;
use crate::console::chart::{bars, Series};
use crate::console::ConsoleError;
use crate::domain::format_time;
use crate::engine::log::{group, LogEntry};
use crate::store::{DEAD, DELIVERED, PENDING};

/// The stock levels the week's chart reads at most (the newest first), so the page stays
/// fast whatever the log's size; the page says when it stopped there.
const WEEK_LIMIT: usize = 5_000;

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, ConsoleError> {
    let data = json!({
        "outbox": outbox(&state).await?,
        "week": week(&state).await?,
        "insights": super::numbers::overview(&state).await?,
        "loads": loads(&state),
    });
    state
        .console
        .views
        .page("overview", "Overview", "/admin", &data)
}

async fn outbox(state: &AppState) -> Result<Value, ConsoleError> {
    let depth: BTreeMap<String, u64> = state.store.outbox_depth().await?.into_iter().collect();
    let statuses = [PENDING, DELIVERED, DEAD];
    let rows: Vec<Value> = statuses
        .iter()
        .map(|s| json!({"status": s, "count": depth.get(*s).copied().unwrap_or(0)}))
        .collect();
    let categories: Vec<String> = statuses.iter().map(|s| (*s).to_owned()).collect();
    let values = statuses
        .iter()
        .map(|s| depth.get(*s).copied().unwrap_or(0))
        .collect();
    let chart = bars(
        "Notifications in the outbox by status",
        &categories,
        &[Series {
            name: "notifications",
            class: "s1",
            values,
        }],
    );
    Ok(json!({"rows": rows, "chart": chart}))
}

#[derive(Default, Clone, Copy)]
struct Day {
    levels: u64,
    matched: u64,
    sent: u64,
    held: u64,
}

/// Per UTC day of the last 7: stock levels received, subscriptions matched, sent, held.
async fn week(state: &AppState) -> Result<Value, ConsoleError> {
    let since = Utc::now() - Duration::days(6);
    let since = since
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let rows = state
        .store
        .integration_log(None, Some(since), WEEK_LIMIT)
        .await?;
    let entries = group(rows);
    let truncated = entries.len() >= WEEK_LIMIT;
    let mut days: BTreeMap<String, Day> = (0..7)
        .map(|i| {
            (
                (since + Duration::days(i)).format("%Y-%m-%d").to_string(),
                Day::default(),
            )
        })
        .collect();
    for entry in &entries {
        let day = days
            .entry(entry.logged_on.format("%Y-%m-%d").to_string())
            .or_default();
        add(day, entry);
    }
    let categories: Vec<String> = days.keys().map(|d| d[5..].to_owned()).collect();
    let column = |f: fn(&Day) -> u64| days.values().map(f).collect::<Vec<u64>>();
    let chart = bars(
        "Stock levels received and notifications sent per day, last 7 days",
        &categories,
        &[
            Series {
                name: "stock levels",
                class: "s1",
                values: column(|d| d.levels),
            },
            Series {
                name: "matched",
                class: "s2",
                values: column(|d| d.matched),
            },
            Series {
                name: "sent",
                class: "s3",
                values: column(|d| d.sent),
            },
            Series {
                name: "held back",
                class: "s4",
                values: column(|d| d.held),
            },
        ],
    );
    let rows: Vec<Value> = days
        .iter()
        .map(|(day, d)| json!({"day": day, "levels": d.levels, "matched": d.matched, "sent": d.sent, "held": d.held}))
        .collect();
    Ok(json!({"rows": rows, "chart": chart, "truncated": truncated, "limit": WEEK_LIMIT}))
}

fn add(day: &mut Day, entry: &LogEntry) {
    day.levels += 1;
    day.matched += entry.matched;
    day.sent += entry.sent.iter().map(|s| s.count).sum::<u64>();
    day.held += entry.held_back.values().sum::<u64>();
}

/// Rules, templates and every feed: generation, load time, and the last error if any.
fn loads(state: &AppState) -> Vec<Value> {
    let rules = state.engine.rules().status();
    let count = state.engine.rules().current().all().len();
    let mut out = vec![json!({
        "name": "Rules",
        "detail": format!("{count} automations"),
        "href": "/admin/automations",
        "generation": rules.generation,
        "loadedOn": format_time(&rules.loaded_on),
        "error": rules.last_error.map(|f| f.message),
    })];
    match &state.templates {
        Some(templates) => {
            let status = templates.status();
            out.push(json!({
                "name": "Templates",
                "detail": "email templates",
                "href": "/admin/templates",
                "generation": status.generation,
                "loadedOn": format_time(&status.loaded_on),
                "error": status.last_error.map(|f| f.message),
            }));
        }
        None => out.push(json!({
            "name": "Templates",
            "detail": "no templates_dir: emails cannot be rendered",
            "error": "templates_dir does not exist",
        })),
    }
    for feed in state.engine.catalog().status() {
        out.push(json!({
            "name": format!("Feed {}", feed.locale),
            "detail": format!("{} products", feed.products),
            "href": "/admin/feeds",
            "generation": feed.generation,
            "loadedOn": format_time(&feed.loaded_on),
            "error": feed.last_error.map(|f| f.message),
        }));
    }
    out
}
