//! `/admin`: what is waiting to go out, what the engine did in the last 7 days (from the
//! daily statistics), the insights' numbers of the last 7 days (the back-in-stock report,
//! read by the same code as `GET /api/v3/reports/back-in-stock`), and whether rules,
//! templates and feeds loaded.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Html;
use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::console::chart::{bars, Series};
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::format_time;
use crate::store::stats::{metric, StatRow};
use crate::store::{DEAD, DELIVERED, PENDING};

pub async fn show(State(state): State<ConsoleState>) -> Result<Html<String>, ConsoleError> {
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

async fn outbox(state: &ConsoleState) -> Result<Value, ConsoleError> {
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

/// One day's engine activity, from the daily statistics.
#[derive(Default, Clone)]
struct Day {
    levels: i64,
    matched: i64,
    triggered: i64,
    delivered: i64,
    dead: i64,
    /// Held back per reason.
    held: BTreeMap<String, i64>,
}

impl Day {
    fn add(&mut self, row: &StatRow) {
        let slot = match row.metric.as_str() {
            metric::STOCK_LEVELS => &mut self.levels,
            metric::MATCHED => &mut self.matched,
            metric::TRIGGERED => &mut self.triggered,
            metric::DELIVERED => &mut self.delivered,
            metric::DEAD => &mut self.dead,
            other => match other.strip_prefix(metric::HELD_PREFIX) {
                Some(reason) => self.held.entry(reason.to_owned()).or_default(),
                None => return,
            },
        };
        *slot += row.value;
    }

    fn merge(&mut self, other: &Day) {
        self.levels += other.levels;
        self.matched += other.matched;
        self.triggered += other.triggered;
        self.delivered += other.delivered;
        self.dead += other.dead;
        for (reason, n) in &other.held {
            *self.held.entry(reason.clone()).or_default() += n;
        }
    }

    fn held_total(&self) -> i64 {
        self.held.values().sum()
    }
}

/// The engine's last 7 days (today included, in `insights.time_zone`): stock levels
/// received, subscriptions matched, triggered, held back by reason, delivered and dead,
/// per day (a chart and its table) and for today, yesterday and the week. Read from the
/// daily statistics the ingest, the fan-out and the delivery count in their own
/// transactions, so it costs the same after a million stock levels as after ten.
async fn week(state: &ConsoleState) -> Result<Value, ConsoleError> {
    let zone = state.store.stats_zone();
    let today = zone.today();
    let first = today.checked_sub_days(Days::new(6)).unwrap_or(today);
    let mut days: BTreeMap<NaiveDate, Day> = first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| (d, Day::default()))
        .collect();
    for row in state.store.daily_stats(first, today, None, None).await? {
        if let Some(day) = parse_day(&row.day).and_then(|d| days.get_mut(&d)) {
            day.add(&row);
        }
    }
    let categories: Vec<String> = days.keys().map(|d| d.format("%m-%d").to_string()).collect();
    let column = |f: fn(&Day) -> i64| -> Vec<u64> {
        days.values()
            .map(|d| u64::try_from(f(d)).unwrap_or(0))
            .collect()
    };
    let chart = bars(
        "Stock levels received, subscriptions matched, triggered and held back per day, last 7 days",
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
                name: "triggered",
                class: "s3",
                values: column(|d| d.triggered),
            },
            Series {
                name: "held back",
                class: "s4",
                values: column(|d| d.held_total()),
            },
        ],
    );
    let rows: Vec<Value> = days
        .iter()
        .map(|(day, d)| {
            json!({"day": day.to_string(), "levels": d.levels, "matched": d.matched,
                   "sent": d.triggered, "held": d.held_total()})
        })
        .collect();
    let pick = |day: Option<NaiveDate>| day.and_then(|d| days.get(&d)).cloned().unwrap_or_default();
    let mut whole = Day::default();
    for day in days.values() {
        whole.merge(day);
    }
    let windows = [pick(Some(today)), pick(today.pred_opt()), whole];
    Ok(json!({
        "rows": rows,
        "chart": chart,
        "zone": zone.name(),
        "totals": totals(&windows),
    }))
}

/// The rows of the today / yesterday / 7 days table: one per count, one per reason held.
fn totals(windows: &[Day; 3]) -> Vec<Value> {
    let line = |key: &str, name: &str, f: &dyn Fn(&Day) -> i64, reason: bool| {
        let values: Vec<i64> = windows.iter().map(f).collect();
        json!({"key": key, "name": name, "reason": reason, "values": values})
    };
    let mut out = vec![
        line("levels", "Stock levels received", &|d| d.levels, false),
        line("matched", "Subscriptions matched", &|d| d.matched, false),
        line("triggered", "Triggered", &|d| d.triggered, false),
        line("held", "Held back", &|d| d.held_total(), false),
    ];
    let reasons: std::collections::BTreeSet<&String> =
        windows.iter().flat_map(|d| d.held.keys()).collect();
    for reason in reasons {
        let n = |d: &Day| d.held.get(reason).copied().unwrap_or(0);
        out.push(line(&format!("held:{reason}"), reason, &n, true));
    }
    out.push(line(
        "delivered",
        "Emails delivered",
        &|d| d.delivered,
        false,
    ));
    out.push(line("dead", "Dead-lettered", &|d| d.dead, false));
    out
}

fn parse_day(day: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Rules, templates and every feed: generation, load time, and the last error if any.
fn loads(state: &ConsoleState) -> Vec<Value> {
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
