//! The back-in-stock report: a summary and a time series, folded from the daily
//! statistics (no scan of subscriptions or notifications, which may long be gone).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::stats::StatRow;
use crate::store::{InsightsStore, StoreError};

/// Longest range one report covers (about ten years of days).
pub const MAX_DAYS: i64 = 3_660;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    Month,
}

impl Granularity {
    pub fn parse(raw: &str) -> Result<Self, ReportError> {
        match raw {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            _ => Err(ReportError::Granularity),
        }
    }

    /// The first day of the period `day` is in.
    pub fn period_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
            Self::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("is not one of day, week, month")]
    Granularity,
    #[error("is not a date (YYYY-MM-DD)")]
    Date,
    #[error("is outside the days a report covers, {FIRST_DAY} to {LAST_DAY}")]
    OutOfRange,
    #[error("is before from")]
    ToBeforeFrom,
    #[error("spans more than {MAX_DAYS} days")]
    TooLong,
}

/// The first and last day a report may name: statistics start with the Unix epoch, and
/// a four-digit year keeps every day's arithmetic (weeks, months, the day after `to`)
/// far inside what a date can hold.
pub const FIRST_DAY: &str = "1970-01-01";
pub const LAST_DAY: &str = "9999-12-31";

/// A day as the query string gives it, within [`FIRST_DAY`]..=[`LAST_DAY`].
pub fn parse_day(raw: &str) -> Result<NaiveDate, ReportError> {
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| ReportError::Date)?;
    let bound = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    match (bound(FIRST_DAY), bound(LAST_DAY)) {
        (Some(first), Some(last)) if (first..=last).contains(&day) => Ok(day),
        _ => Err(ReportError::OutOfRange),
    }
}

/// What a report covers, already checked.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
    pub automation: Option<String>,
    pub locale: Option<String>,
}

impl ReportQuery {
    /// Checks the range: `to` not before `from`, at most [`MAX_DAYS`] long. The error
    /// names the parameter at fault.
    pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), (&'static str, ReportError)> {
        if to < from {
            return Err(("to", ReportError::ToBeforeFrom));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(("to", ReportError::TooLong));
        }
        Ok(())
    }
}

/// The counts of one period (or of the whole range), by metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub subscribed: i64,
    pub triggered: i64,
    pub expired: i64,
    pub delivered: i64,
    pub dead: i64,
    pub unsubscribed: i64,
    pub clicked: i64,
    pub converted: i64,
    /// Sign-ups on the shop's pages (the storefront), and those that became subscriptions.
    pub signed_up: i64,
    pub confirmed: i64,
    /// Non-email actions delivered, by kind (`webhook`).
    pub actions: BTreeMap<String, i64>,
    /// Subscriptions held back, by the engine's reason; one subscription held back by
    /// three stock levels counts three times.
    pub held_back: BTreeMap<String, i64>,
    /// Revenue per currency, in 1/10000 of the unit (see [`format_revenue`]), summed
    /// wide: each daily row holds up to `i64::MAX`, and no number of rows can wrap it.
    #[serde(skip)]
    pub revenue_e4: BTreeMap<String, i128>,
    #[serde(skip)]
    pub wait_seconds: i64,
}

impl Counts {
    /// Adds one statistics row; counts saturate at `i64::MAX` rather than wrap.
    fn add(&mut self, metric: &str, value: i64) {
        use crate::store::stats::metric as m;
        if let Some(currency) = metric.strip_prefix(m::REVENUE_PREFIX) {
            *self.revenue_e4.entry(currency.to_owned()).or_default() += i128::from(value);
            return;
        }
        let slot = match metric {
            m::SUBSCRIBED => &mut self.subscribed,
            m::TRIGGERED => &mut self.triggered,
            m::EXPIRED => &mut self.expired,
            m::DELIVERED => &mut self.delivered,
            m::DEAD => &mut self.dead,
            m::UNSUBSCRIBED => &mut self.unsubscribed,
            m::CLICKED => &mut self.clicked,
            m::CONVERTED => &mut self.converted,
            m::SIGNED_UP => &mut self.signed_up,
            m::CONFIRMED => &mut self.confirmed,
            m::WAIT_SECONDS => &mut self.wait_seconds,
            other => {
                let (map, name) = if let Some(kind) = other.strip_prefix(m::ACTION_PREFIX) {
                    (&mut self.actions, kind)
                } else if let Some(reason) = other.strip_prefix(m::HELD_PREFIX) {
                    (&mut self.held_back, reason)
                } else {
                    return;
                };
                map.entry(name.to_owned()).or_default()
            }
        };
        *slot = slot.saturating_add(value);
    }
}

/// The whole range at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    /// Subscriptions waiting now (not a count over the range).
    pub waiting_now: u64,
    /// converted / delivered, `null` before anything was delivered.
    pub conversion_rate: Option<f64>,
    /// confirmed / signedUp, `null` without sign-ups (a single opt-in counts as confirmed).
    pub confirmation_rate: Option<f64>,
    /// Revenue of converted notifications per currency, as decimal strings.
    pub revenue: BTreeMap<String, String>,
    /// Mean seconds from subscription to notification of the triggered subscriptions.
    pub average_wait_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// The period's first day.
    pub period: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub revenue: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BackInStockReport)]
pub struct Report {
    pub from: String,
    pub to: String,
    #[schema(value_type = String)]
    pub granularity: &'static str,
    pub summary: Summary,
    pub series: Vec<Period>,
}

/// The report for `query`, read from the store: the one way the API, `restock report` and
/// the console's overview get their numbers, so they never disagree.
pub async fn load<S: InsightsStore + ?Sized>(
    store: &S,
    query: &ReportQuery,
) -> Result<Report, StoreError> {
    let rows = store
        .daily_stats(
            query.from,
            query.to,
            query.automation.as_deref(),
            query.locale.as_deref(),
        )
        .await?;
    let waiting = store.waiting_now(query.locale.as_deref()).await?;
    Ok(build(query, &rows, waiting))
}

/// Folds the statistics of the range into the report; `waiting_now` comes from the
/// demand counts. Every period of the range appears, empty ones with zeros.
pub fn build(query: &ReportQuery, rows: &[StatRow], waiting_now: u64) -> Report {
    let mut total = Counts::default();
    let mut periods: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for day in query.from.iter_days().take_while(|day| *day <= query.to) {
        periods.entry(query.granularity.period_of(day)).or_default();
    }
    for row in rows {
        let Ok(day) = parse_day(&row.day) else {
            continue;
        };
        total.add(&row.metric, row.value);
        periods
            .entry(query.granularity.period_of(day))
            .or_default()
            .add(&row.metric, row.value);
    }
    let series = periods
        .into_iter()
        .map(|(start, counts)| Period {
            period: start.format("%Y-%m-%d").to_string(),
            revenue: format_all(&counts.revenue_e4),
            counts,
        })
        .collect();
    Report {
        from: query.from.format("%Y-%m-%d").to_string(),
        to: query.to.format("%Y-%m-%d").to_string(),
        granularity: match query.granularity {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        },
        summary: summarize(total, waiting_now),
        series,
    }
}

fn summarize(counts: Counts, waiting_now: u64) -> Summary {
    Summary {
        waiting_now,
        conversion_rate: (counts.delivered > 0)
            .then(|| counts.converted as f64 / counts.delivered as f64),
        confirmation_rate: (counts.signed_up > 0)
            .then(|| counts.confirmed as f64 / counts.signed_up as f64),
        revenue: format_all(&counts.revenue_e4),
        average_wait_seconds: (counts.triggered > 0)
            .then(|| counts.wait_seconds / counts.triggered),
        counts,
    }
}

fn format_all(revenue: &BTreeMap<String, i128>) -> BTreeMap<String, String> {
    revenue
        .iter()
        .map(|(currency, e4)| (currency.clone(), format_revenue(*e4)))
        .collect()
}

/// 1/10000 units as a decimal string with at least two decimals: 123_4500 → "123.45",
/// 1_2345 → "1.2345".
pub fn format_revenue(e4: impl Into<i128>) -> String {
    let e4: i128 = e4.into();
    let sign = if e4 < 0 { "-" } else { "" };
    let abs = e4.unsigned_abs();
    let mut fraction = format!("{:04}", abs % 10_000);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{sign}{}.{fraction}", abs / 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, metric: &str, value: i64) -> StatRow {
        StatRow {
            day: day.to_owned(),
            automation: String::new(),
            branch: String::new(),
            locale: String::new(),
            metric: metric.to_owned(),
            value,
        }
    }

    fn day(raw: &str) -> NaiveDate {
        parse_day(raw).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-12-03 is a Thursday.
        assert_eq!(
            Granularity::Week.period_of(day("2026-12-03")),
            day("2026-11-30")
        );
        assert_eq!(
            Granularity::Month.period_of(day("2026-12-03")),
            day("2026-12-01")
        );
        assert_eq!(
            Granularity::Day.period_of(day("2026-12-03")),
            day("2026-12-03")
        );
    }

    #[test]
    fn the_report_sums_per_period_and_fills_empty_ones() {
        let query = ReportQuery {
            from: day("2026-11-29"),
            to: day("2026-12-02"),
            granularity: Granularity::Week,
            automation: None,
            locale: None,
        };
        let rows = [
            row("2026-11-29", "subscribed", 3),
            row("2026-11-30", "triggered", 2),
            row("2026-11-30", "wait_seconds", 100),
            row("2026-12-01", "delivered", 2),
            row("2026-12-01", "converted", 1),
            row("2026-12-01", "revenue:SEK", 1_234_500),
            row("2026-12-02", "held:noStock", 5),
            row("2026-12-02", "action:webhook", 1),
        ];
        let report = build(&query, &rows, 7);
        let periods: Vec<_> = report.series.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(periods, ["2026-11-23", "2026-11-30"]);
        assert_eq!(report.series[0].counts.subscribed, 3);
        assert_eq!(report.series[1].counts.triggered, 2);
        let s = &report.summary;
        assert_eq!((s.waiting_now, s.counts.delivered), (7, 2));
        assert_eq!(s.conversion_rate, Some(0.5));
        assert_eq!(s.average_wait_seconds, Some(50));
        assert_eq!(s.revenue["SEK"], "123.45");
        assert_eq!(s.counts.held_back["noStock"], 5);
        assert_eq!(s.counts.actions["webhook"], 1);
    }

    #[test]
    fn revenue_keeps_significant_decimals() {
        assert_eq!(format_revenue(1_2345), "1.2345");
        assert_eq!(format_revenue(10_000), "1.00");
        assert_eq!(format_revenue(-5_000), "-0.50");
    }

    #[test]
    fn revenue_sums_never_wrap_and_counts_saturate() {
        let query = ReportQuery {
            from: day("2026-12-01"),
            to: day("2026-12-02"),
            granularity: Granularity::Day,
            automation: None,
            locale: None,
        };
        let most = 9_000_000_000_000_000_000; // 900000000000000 units
        let rows = [
            row("2026-12-01", "revenue:SEK", most),
            row("2026-12-02", "revenue:SEK", most),
            row("2026-12-01", "subscribed", i64::MAX),
            row("2026-12-02", "subscribed", 1),
        ];
        let report = build(&query, &rows, 0);
        assert_eq!(report.summary.revenue["SEK"], "1800000000000000.00");
        assert_eq!(report.summary.counts.subscribed, i64::MAX);
    }

    #[test]
    fn days_outside_four_digit_years_are_refused_before_any_arithmetic() {
        for raw in [
            "+262142-12-31",
            "-262143-01-01",
            "1969-12-31",
            "+10000-01-01",
        ] {
            assert_eq!(parse_day(raw), Err(ReportError::OutOfRange), "{raw}");
        }
        let last = day("9999-12-31");
        assert_eq!(Granularity::Week.period_of(last), day("9999-12-27"));
        let first = day("1970-01-01");
        assert_eq!(
            Granularity::Week.period_of(first),
            NaiveDate::from_ymd_opt(1969, 12, 29).unwrap()
        );
        let query = ReportQuery {
            from: last,
            to: last,
            granularity: Granularity::Month,
            automation: None,
            locale: None,
        };
        assert_eq!(build(&query, &[], 0).series.len(), 1);
    }

    #[test]
    fn bad_ranges_name_to() {
        assert_eq!(
            ReportQuery::check_range(day("2026-12-02"), day("2026-12-01")),
            Err(("to", ReportError::ToBeforeFrom))
        );
        assert!(ReportQuery::check_range(day("2026-12-01"), day("2026-12-01")).is_ok());
    }
}
