//! `/admin/demand`: the most wanted products — waiting subscriptions per SKU, locale and
//! externalId, most first, with the oldest waiting, the last stock level and what held
//! them back, and the product's name and image from the feed. The rows come from the same
//! store query as `GET /api/v3/inventory/backinstock/demand`; `/admin/demand.csv` gives
//! them as a file.

use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use chrono::Utc;
use serde_json::{json, Value};

use super::Params;
use crate::console::csv::download;
use crate::console::ConsoleError;
use crate::console::ConsoleState;
use crate::domain::{format_time, Locale, Sku};
use crate::feeds::Catalog;
use crate::store::{DemandQuery, DemandRow};

/// Rows per page unless `limit` says otherwise.
const PAGE: i64 = 50;
/// The most rows a page or a download holds.
const MOST: i64 = 10_000;

pub async fn show(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let filters = Filters::parse(&params)?;
    let q = filters.query(&params, PAGE)?;
    let page = state.store.demand(&q).await?;
    let catalog = state.engine.catalog();
    let now = Utc::now().timestamp();
    let rows: Vec<Value> = page
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| row(catalog, r, q.offset + i + 1, now))
        .collect();
    let data = json!({
        "rows": rows,
        "total": page.total,
        "first": if rows.is_empty() { 0 } else { q.offset + 1 },
        "last": q.offset + rows.len(),
        "prev": (q.offset > 0).then(|| filters.link(q.offset.saturating_sub(q.limit), q.limit)),
        "next": (q.offset + rows.len() < usize::try_from(page.total).unwrap_or(usize::MAX))
            .then(|| filters.link(q.offset + q.limit, q.limit)),
        "csv": format!("/admin/demand.csv?{}", filters.encoded()),
        "locale": params.get("locale"),
        "skuPrefix": params.get("skuPrefix"),
        "minWaiting": params.get("minWaiting"),
        "locales": catalog.status().into_iter().map(|f| f.locale).collect::<Vec<_>>(),
    });
    state
        .console
        .views
        .page("demand", "Demand", "/admin/demand", &data)
}

/// `GET /admin/demand.csv`: the rows the filters select (the first 10,000 unless `limit`
/// and `offset` say otherwise), with the product's name and image from the feed.
pub async fn csv(
    State(state): State<ConsoleState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ConsoleError> {
    let params = Params::parse(query.as_deref());
    let q = Filters::parse(&params)?.query(&params, MOST)?;
    let page = state.store.demand(&q).await?;
    let catalog = state.engine.catalog();
    let now = Utc::now().timestamp();
    let rows = page.rows.iter().map(|r| {
        let product = Product::of(catalog, r);
        let processed = r.last_level.as_ref().map(|l| l.processed.to_string());
        let mut row = crate::insights::csv::demand_record(r, now);
        let held_back = row.pop().unwrap_or_default();
        row.splice(
            3..3,
            [
                product.name.unwrap_or_default(),
                product.image.unwrap_or_default(),
            ],
        );
        row.extend([processed.unwrap_or_default(), held_back]);
        row
    });
    let headers = [
        "sku",
        "locale",
        "externalId",
        "name",
        "imageUrl",
        "waiting",
        "oldestSubscription",
        "newestSubscription",
        "averageWaitSeconds",
        "lastQuantity",
        "lastReportedOn",
        "lastProcessed",
        "heldBack",
    ];
    download("demand.csv", &headers, rows)
}

/// The checked filters, kept as typed so the paging links carry them on.
struct Filters {
    locale: Option<Locale>,
    prefix: Option<Sku>,
    min_waiting: i64,
}

impl Filters {
    fn parse(params: &Params) -> Result<Self, ConsoleError> {
        let locale = params
            .get("locale")
            .map(|l| Locale::parse(l).map_err(|e| ConsoleError::bad("locale", e.to_string())))
            .transpose()?;
        // A prefix is any start of a SKU, so it is checked as one (length, no control
        // characters), as the API does.
        let prefix = params
            .get("skuPrefix")
            .map(|s| Sku::parse(s).map_err(|e| ConsoleError::bad("skuPrefix", e.to_string())))
            .transpose()?;
        let min_waiting = params.number("minWaiting", 1, 0..=i64::MAX)?;
        Ok(Self {
            locale,
            prefix,
            min_waiting,
        })
    }

    /// The store's query for the page `offset`/`limit` select (`limit` up to 10,000).
    fn query(&self, params: &Params, default_limit: i64) -> Result<DemandQuery, ConsoleError> {
        let limit = params.number("limit", default_limit, 1..=MOST)?;
        let offset = params.number("offset", 0, 0..=i64::MAX)?;
        Ok(DemandQuery {
            locale: self.locale.as_ref().map(|l| l.as_str().to_owned()),
            sku_prefix: self.prefix.as_ref().map(|s| s.as_str().to_owned()),
            min_waiting: u64::try_from(self.min_waiting.max(1)).unwrap_or(1),
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
        })
    }

    /// The filters as a query string (without paging).
    fn encoded(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(locale) = &self.locale {
            out.append_pair("locale", locale.as_str());
        }
        if let Some(prefix) = &self.prefix {
            out.append_pair("skuPrefix", prefix.as_str());
        }
        if self.min_waiting > 1 {
            out.append_pair("minWaiting", &self.min_waiting.to_string());
        }
        out.finish()
    }

    /// The page at `offset`, with the same filters and page size.
    fn link(&self, offset: usize, limit: usize) -> String {
        let filters = self.encoded();
        let sep = if filters.is_empty() { "" } else { "&" };
        let size = match i64::try_from(limit) {
            Ok(PAGE) => String::new(),
            _ => format!("&limit={limit}"),
        };
        format!("/admin/demand?{filters}{sep}offset={offset}{size}")
    }
}

/// What the feed says about a row's product: its name and, if it is a web address, its
/// image and page.
struct Product {
    in_feed: bool,
    has_feed: bool,
    name: Option<String>,
    image: Option<String>,
    page: Option<String>,
}

impl Product {
    fn of(catalog: &Catalog, row: &DemandRow) -> Self {
        let locale = Locale::parse(&row.locale).ok();
        let has_feed = locale.as_ref().is_some_and(|l| catalog.has_feed(l));
        let found = locale.and_then(|l| catalog.product(&l, &row.sku));
        Self {
            in_feed: found.is_some(),
            has_feed,
            name: found.as_ref().and_then(|p| p.name()).map(str::to_owned),
            image: found.as_ref().and_then(|p| web(p.image_url())),
            page: found.as_ref().and_then(|p| web(p.url())),
        }
    }
}

/// `url` if it is an http(s) address: anything else (`javascript:`, `data:`) is not linked.
fn web(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_owned())
}

fn row(catalog: &Catalog, r: &DemandRow, rank: usize, now: i64) -> Value {
    let product = Product::of(catalog, r);
    let level = r.last_level.as_ref().map(|l| {
        json!({
            "quantity": l.quantity,
            "reportedOn": format_time(&l.reported_on),
            "processed": l.processed,
            "held": l.held_back.iter().map(|(reason, n)| json!({"reason": reason, "count": n})).collect::<Vec<_>>(),
        })
    });
    json!({
        "rank": rank,
        "sku": r.sku,
        "locale": r.locale,
        "externalId": (!r.external_id.is_empty()).then_some(&r.external_id),
        "waiting": r.waiting,
        "pending": r.pending,
        "oldest": r.oldest.as_ref().map(format_time),
        "oldestAge": r.oldest.map(|t| age(now - t.timestamp())),
        "averageWait": age(now - r.mean_created_s),
        "name": product.name,
        "image": product.image,
        "page": product.page,
        "inFeed": product.in_feed,
        "hasFeed": product.has_feed,
        "lastLevel": level,
    })
}

/// A duration in seconds as a person reads it: `45 min`, `5 h`, `3 d 4 h`.
fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => "under a minute".to_owned(),
        60..=3_599 => format!("{} min", s / 60),
        3_600..=86_399 => format!("{} h", s / 3_600),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_linked() {
        assert_eq!(
            web(Some("https://shop.example/a.jpg")).as_deref(),
            Some("https://shop.example/a.jpg")
        );
        assert_eq!(
            web(Some("HTTP://shop.example/a.jpg")).as_deref(),
            Some("HTTP://shop.example/a.jpg")
        );
        assert_eq!(web(Some("javascript:alert(1)")), None);
        assert_eq!(web(Some("data:image/png;base64,AAAA")), None);
        assert_eq!(web(Some("//shop.example/a.jpg")), None);
        assert_eq!(web(None), None);
    }

    #[test]
    fn ages_read_like_a_person_says_them() {
        assert_eq!(age(-5), "under a minute");
        assert_eq!(age(59), "under a minute");
        assert_eq!(age(60 * 45), "45 min");
        assert_eq!(age(3_600 * 5 + 10), "5 h");
        assert_eq!(age(86_400 * 3 + 3_600 * 4), "3 d 4 h");
    }
}
