//! What click tracking and conversion attribution read and write.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{Amount, Currency, Quantity, Sku};
use crate::store::stats::metric;
use crate::store::{DailyStats, StatKey, StatsZone, StoreError};

/// What a tracked link leads to: the product snapshot's field, and the notification as
/// it is now (`None` once purged from the outbox).
#[derive(Debug, Clone, PartialEq)]
pub struct ClickTarget {
    /// The field the token names, as the snapshot has it (any JSON value; the redirect
    /// checks it is an http(s) URL).
    pub link: Option<Value>,
    /// When the notification was delivered; `None` while it is not (yet), or when it is
    /// gone.
    pub delivered_on: Option<DateTime<Utc>>,
}

/// The counted click of a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Click {
    pub notification_id: Uuid,
    pub link: String,
    pub clicked_on: DateTime<Utc>,
}

/// The receipt that is a notification's conversion.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub notification_id: Uuid,
    pub receipt_id: Uuid,
    /// The receipt's `createdDate`.
    pub converted_on: DateTime<Utc>,
    /// What the notified SKU's lines were paid, in 1/10000 of `currency`.
    pub revenue_e4: Option<i64>,
    pub currency: Option<String>,
}

/// What a conversion counts in the statistics: the dimensions of its notification.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Dims {
    pub automation: String,
    pub branch: String,
    pub locale: String,
}

/// Counters to add to the daily statistics in the transaction that made them: when (the
/// day they fall on), the notification's dimensions, the metric and the amount.
#[derive(Debug, Default)]
pub(crate) struct Counts(pub Vec<(DateTime<Utc>, Dims, String, i64)>);

impl Counts {
    pub fn add(&mut self, at: DateTime<Utc>, dims: &Dims, metric: &str, n: i64) {
        if n != 0 {
            self.0.push((at, dims.clone(), metric.to_owned(), n));
        }
    }

    /// `converted` and, with a price, `revenue:<CURRENCY>`, signed by `sign` (-1 takes a
    /// conversion back when an earlier receipt replaces it).
    pub fn conversion(&mut self, conversion: &ConversionFact, dims: &Dims, sign: i64) {
        self.add(conversion.on, dims, metric::CONVERTED, sign);
        if let (Some(e4), Some(currency)) = (conversion.revenue_e4, &conversion.currency) {
            let revenue = format!("{}{currency}", metric::REVENUE_PREFIX);
            self.add(conversion.on, dims, &revenue, sign.saturating_mul(e4));
        }
    }

    /// The counts per day of `zone`, days in order.
    pub fn by_day(&self, zone: StatsZone) -> Vec<DailyStats> {
        let mut days: BTreeMap<_, DailyStats> = BTreeMap::new();
        for (at, dims, name, n) in &self.0 {
            let day = zone.day_of(*at);
            let key = StatKey::new(&dims.automation, &dims.branch, &dims.locale);
            days.entry(day)
                .or_insert_with(|| DailyStats::new(day))
                .add(key, name, *n);
        }
        days.into_values().filter(|d| !d.is_empty()).collect()
    }
}

/// A conversion as it is written: which receipt, when, and what it earned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConversionFact {
    pub receipt: Uuid,
    pub on: DateTime<Utc>,
    pub revenue_e4: Option<i64>,
    pub currency: Option<String>,
}

/// The revenue of a notified SKU's lines: their paid prices summed, or `None` when any
/// of them (or the receipt's currency) is missing, so a partial sum is never reported.
pub(crate) fn revenue(
    lines: impl IntoIterator<Item = Option<i64>>,
    currency: Option<&str>,
) -> (Option<i64>, Option<String>) {
    let Some(currency) = currency else {
        return (None, None);
    };
    let mut total: i64 = 0;
    for line in lines {
        match line.and_then(|paid| total.checked_add(paid)) {
            Some(sum) => total = sum,
            None => return (None, None),
        }
    }
    (Some(total), Some(currency.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_is_all_lines_or_nothing() {
        assert_eq!(
            revenue([Some(10), Some(5)], Some("SEK")),
            (Some(15), Some("SEK".to_owned()))
        );
        assert_eq!(revenue([Some(10), None], Some("SEK")), (None, None));
        assert_eq!(revenue([Some(10)], None), (None, None));
        assert_eq!(
            revenue([Some(i64::MAX), Some(1)], Some("SEK")),
            (None, None)
        );
    }
}

#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub contact_id: Uuid,
    pub created_date: DateTime<Utc>,
    /// What the prices are in (Engage's `currency`); required when an item has a price.
    pub currency: Option<Currency>,
    pub items: Vec<ReceiptItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptItem {
    pub sku: Sku,
    pub quantity: Quantity,
    /// What the line was paid in all, VAT included (Engage's `grossPaidPrice`).
    pub paid: Option<Amount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub created_date: DateTime<Utc>,
    pub currency: Option<Currency>,
    pub items: Vec<ReceiptItem>,
}

/// Click tracking and conversions. A conversion is the earliest dated receipt of the
/// notified contact that holds the notified SKU and is dated within the attribution
/// window after the delivery; it is found when the receipt is recorded, or when the
/// delivery is, whichever comes second.
#[async_trait]
pub trait TrackingStore: Send + Sync + 'static {
    /// The field `link` of product snapshot `product`, and when `notification` (of that
    /// snapshot) was delivered; `None` if the snapshot is gone.
    async fn click_target(
        &self,
        notification: Uuid,
        product: Uuid,
        link: &str,
    ) -> Result<Option<ClickTarget>, StoreError>;
    /// Counts a shopper's click on a delivered notification's link, with its `clicked`
    /// statistic; false when it already has its click (or is not delivered).
    async fn record_click(
        &self,
        notification: Uuid,
        link: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn click(&self, notification: Uuid) -> Result<Option<Click>, StoreError>;
    async fn conversion(&self, notification: Uuid) -> Result<Option<Conversion>, StoreError>;
    /// Stores a purchase and, in the same transaction, makes it the conversion of the
    /// contact's notifications it follows (see [`TrackingStore`]).
    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Receipt, StoreError>;
}
