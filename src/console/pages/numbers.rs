//! The insights' numbers on console pages: the overview's last 7 days (the back-in-stock
//! report, through [`report::load`] like the API) and each automation's and split
//! branch's 7- and 30-day numbers (the daily statistics, folded by [`report::build`]).
//! Both read the `daily_stats` counters, never the subscriptions or the outbox, so they
//! cost the same at a million subscriptions as at ten.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::console::chart::{bars, Series};
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::insights::report::{self, Granularity, ReportQuery, Summary};
use crate::store::stats::StatRow;

/// `to` and the day `days - 1` before it: the last `days` days, today included.
fn last_days(today: NaiveDate, days: u64) -> ReportQuery {
    ReportQuery {
        from: today.checked_sub_days(Days::new(days - 1)).unwrap_or(today),
        to: today,
        granularity: Granularity::Day,
        automation: None,
        locale: None,
    }
}

/// The overview's insights: the summary of the last 7 days (today included, in
/// `insights.time_zone`), a chart per day with its table, and revenue per currency.
pub async fn overview(state: &ConsoleState) -> Result<Value, ConsoleError> {
    let query = last_days(state.store.stats_zone().today(), 7);
    let report = report::load(state.store.as_ref(), &query).await?;
    let s = &report.summary;
    let days: Vec<String> = report
        .series
        .iter()
        .map(|p| p.period.get(5..).unwrap_or(&p.period).to_owned())
        .collect();
    let column = |f: fn(&report::Counts) -> i64| -> Vec<u64> {
        report
            .series
            .iter()
            .map(|p| u64::try_from(f(&p.counts)).unwrap_or(0))
            .collect()
    };
    let chart = bars(
        "Subscribed, triggered, delivered, clicked and converted per day, last 7 days",
        &days,
        &[
            Series {
                name: "subscribed",
                class: "s1",
                values: column(|c| c.subscribed),
            },
            Series {
                name: "triggered",
                class: "s2",
                values: column(|c| c.triggered),
            },
            Series {
                name: "delivered",
                class: "s3",
                values: column(|c| c.delivered),
            },
            Series {
                name: "clicked",
                class: "s4",
                values: column(|c| c.clicked),
            },
            Series {
                name: "converted",
                class: "s5",
                values: column(|c| c.converted),
            },
        ],
    );
    let series: Vec<Value> = report
        .series
        .iter()
        .map(|p| {
            let c = &p.counts;
            json!({"day": p.period, "subscribed": c.subscribed, "triggered": c.triggered,
                   "delivered": c.delivered, "clicked": c.clicked, "converted": c.converted})
        })
        .collect();
    Ok(json!({
        "from": report.from,
        "to": report.to,
        "zone": state.store.stats_zone().name(),
        "summary": summary(s),
        "chart": chart,
        "series": series,
        "api": format!("/api/v3/reports/back-in-stock?from={}&to={}", report.from, report.to),
    }))
}

/// The report's summary as the pages show it: counts, the rate as a percentage, revenue
/// one row per currency (never added together), the wait in days, hours and minutes.
fn summary(s: &Summary) -> Value {
    let c = &s.counts;
    let revenue: Vec<Value> = s
        .revenue
        .iter()
        .map(|(currency, amount)| json!({"currency": currency, "amount": amount}))
        .collect();
    json!({
        "subscribed": c.subscribed,
        "waitingNow": s.waiting_now,
        "triggered": c.triggered,
        "delivered": c.delivered,
        "clicked": c.clicked,
        "converted": c.converted,
        "conversionRate": s.conversion_rate.map(percent),
        "signedUp": c.signed_up,
        "confirmed": c.confirmed,
        "confirmationRate": s.confirmation_rate.map(percent),
        "revenue": revenue,
        "averageWait": s.average_wait_seconds.map(duration),
    })
}

/// 0.5 → "50.0 %".
fn percent(rate: f64) -> String {
    format!("{:.1} %", rate * 100.0)
}

/// Seconds as the largest two units: "3 d 4 h", "2 h 5 min", "42 s".
pub(crate) fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min {} s", s % 60),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// The two windows the automations page shows.
const WINDOWS: [u64; 2] = [7, 30];

/// Per automation (`ids`, in the order given, then any other automation the statistics
/// name, e.g. one since removed) and per split branch: the 7- and 30-day numbers; and
/// what was held back in each window, which is counted per stock level before an
/// automation is chosen and so belongs to none.
pub async fn automations(state: &ConsoleState, ids: &[String]) -> Result<Value, ConsoleError> {
    let today = state.store.stats_zone().today();
    let windows: Vec<ReportQuery> = WINDOWS.iter().map(|d| last_days(today, *d)).collect();
    let widest = windows.last().map_or(today, |q| q.from);
    let rows = state.store.daily_stats(widest, today, None, None).await?;
    let mut by_key: BTreeMap<(String, String), Vec<StatRow>> = BTreeMap::new();
    let mut held: Vec<StatRow> = Vec::new();
    for row in rows {
        if row.automation.is_empty() {
            held.push(row);
            continue;
        }
        let whole = (row.automation.clone(), String::new());
        by_key.entry(whole).or_default().push(row.clone());
        if !row.branch.is_empty() {
            by_key
                .entry((row.automation.clone(), row.branch.clone()))
                .or_default()
                .push(row);
        }
    }
    let mut order: Vec<String> = ids.to_vec();
    for (automation, _) in by_key.keys() {
        if !order.contains(automation) {
            order.push(automation.clone());
        }
    }
    let mut out = Vec::new();
    for id in order {
        let live = ids.contains(&id);
        let empty = Vec::new();
        let whole = by_key.get(&(id.clone(), String::new())).unwrap_or(&empty);
        let branches: Vec<Value> = by_key
            .iter()
            .filter(|((a, b), _)| *a == id && !b.is_empty())
            .map(
                |((_, branch), rows)| json!({"branch": branch, "windows": numbers(&windows, rows)}),
            )
            .collect();
        out.push(json!({"id": id, "live": live, "windows": numbers(&windows, whole), "branches": branches}));
    }
    let held_back: Vec<Value> = windows
        .iter()
        .map(|q| {
            let s = fold(q, &held);
            let reasons: Vec<Value> = s
                .counts
                .held_back
                .iter()
                .map(|(reason, n)| json!({"reason": reason, "count": n}))
                .collect();
            json!({"days": days_of(q), "total": s.counts.held_back.values().sum::<i64>(), "reasons": reasons})
        })
        .collect();
    Ok(
        json!({"automations": out, "heldBack": held_back, "windows": WINDOWS, "to": today.to_string()}),
    )
}

fn days_of(q: &ReportQuery) -> i64 {
    (q.to - q.from).num_days() + 1
}

/// The report's summary of the `rows` that fall in `query`'s days.
fn fold(query: &ReportQuery, rows: &[StatRow]) -> Summary {
    let (from, to) = (query.from.to_string(), query.to.to_string());
    let inside: Vec<StatRow> = rows
        .iter()
        .filter(|r| r.day >= from && r.day <= to)
        .cloned()
        .collect();
    report::build(query, &inside, 0).summary
}

/// One automation's or branch's numbers per window.
fn numbers(windows: &[ReportQuery], rows: &[StatRow]) -> Vec<Value> {
    windows
        .iter()
        .map(|q| {
            let s = fold(q, rows);
            let c = &s.counts;
            let revenue: Vec<String> = s
                .revenue
                .iter()
                .map(|(currency, amount)| format!("{amount} {currency}"))
                .collect();
            json!({"days": days_of(q), "triggered": c.triggered, "expired": c.expired,
                   "delivered": c.delivered, "clicked": c.clicked, "converted": c.converted,
                   "revenue": revenue})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_two_largest_units() {
        assert_eq!(duration(42), "42 s");
        assert_eq!(duration(125), "2 min 5 s");
        assert_eq!(duration(7_500), "2 h 5 min");
        assert_eq!(duration(3 * 86_400 + 4 * 3_600 + 59), "3 d 4 h");
        assert_eq!(duration(-1), "0 s");
    }

    #[test]
    fn windows_include_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let week = last_days(today, 7);
        assert_eq!(week.from.to_string(), "2026-11-25");
        assert_eq!(days_of(&week), 7);
    }
}
