//! The console's numbers and paging over HTTP: a scenario whose numbers are known
//! (subscriptions, a stock level that holds back and one that triggers, delivery through
//! the file transport, a click, receipts in two currencies) shown exactly on the overview
//! and per automation and branch; and the lists' pages — disjoint, complete, filters kept
//! in their links, a bad page size refused with a 400 naming it.

use std::collections::BTreeSet;

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::clicks::{receipt, shopper_clicks};
use crate::engine_helpers::shop;
use crate::helpers::{api_key, Backend, TestApp};

/// A signed-in console session: a client that shows redirects, and the cookie.
struct Console<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookie: String,
}

impl<'a> Console<'a> {
    async fn sign_in(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(format!("{}/admin/login", app.address))
            .header("sec-fetch-site", "same-origin")
            .form(&[("apikey", api_key())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        Self {
            app,
            client,
            cookie,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.app.address))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// The text of the element that starts right after `marker` (up to the next tag).
fn after<'h>(html: &'h str, marker: &str) -> &'h str {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in the page:\n{html}"))
        + marker.len();
    let rest = &html[start..];
    rest[..rest.find('<').unwrap_or(rest.len())].trim()
}

/// The table row that starts with `<tr` + `attrs`.
fn row<'h>(html: &'h str, attrs: &str) -> &'h str {
    let start = html
        .find(&format!("<tr {attrs}"))
        .unwrap_or_else(|| panic!("no row {attrs}:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

/// A row's numbers for a window: triggered, expired, delivered, clicked, converted,
/// and its revenue cell.
fn numbers(row: &str, days: u32) -> (Vec<String>, String) {
    let counts = ["triggered", "expired", "delivered", "clicked", "converted"]
        .iter()
        .map(|m| after(row, &format!("data-days=\"{days}\" data-metric=\"{m}\">")).to_owned())
        .collect();
    let marker = format!("data-days=\"{days}\" data-metric=\"revenue\">");
    let start = row.find(&marker).expect("a revenue cell") + marker.len();
    let cell = &row[start..];
    let cell = &cell[..cell.find("</td>").unwrap()];
    (counts, cell.replace("<br>", " ").trim().to_owned())
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}

/// Four subscriptions; SKU-1 at 0 holds three back, then at 5 notifies them (two by the
/// sv-SE branch, one by the default branch); all three delivered; anna clicks; anna pays
/// 899.00 SEK and bert 399.00 PLN for SKU-1; cecilia still waits for SKU-2.
async fn the_pages_show_exactly_the_scenarios_numbers(backend: Backend) {
    let app = shop(backend).spawn().await;
    let anna = app.create_contact("anna@example.com").await;
    let bert = app.create_contact("bert@example.com").await;
    let cecilia = app.create_contact("cecilia@example.com").await;
    let dawid = app.create_contact("dawid@example.com").await;
    app.subscribe(anna, "SKU-1", "sv-SE", None).await;
    app.subscribe(bert, "SKU-1", "pl-PL", None).await;
    app.subscribe(cecilia, "SKU-2", "sv-SE", None).await;
    app.subscribe(dawid, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 0}])).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    app.delivery.run_pending().await.unwrap();
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 3);
    assert!(outbox.iter().all(|n| n.status == "delivered"), "{outbox:?}");
    let to_anna = outbox.iter().find(|n| n.contact == anna).unwrap().id;
    shopper_clicks(&app, to_anna).await;
    receipt(&app, anna, "SKU-1", "SEK", 899.0).await;
    receipt(&app, bert, "SKU-1", "PLN", 399.0).await;

    let console = Console::sign_in(&app).await;
    let overview = console.page("/admin").await;
    let shown: Vec<&str> = [
        "subscribed",
        "waiting",
        "triggered",
        "delivered",
        "clicked",
        "converted",
        "rate",
    ]
    .iter()
    .map(|id| after(&overview, &format!("id=\"n-{id}\">")))
    .collect();
    assert_eq!(shown, ["4", "1", "3", "3", "1", "2", "66.7 %"]);
    assert_eq!(after(&overview, "data-currency=\"SEK\">"), "899.00 SEK");
    assert_eq!(after(&overview, "data-currency=\"PLN\">"), "399.00 PLN");
    let wait = after(&overview, "id=\"n-wait\">");
    assert!(wait.ends_with(" s"), "a wait of seconds: {wait}");
    assert!(overview.contains("<svg class=\"chart\""), "{overview}");
    // The engine's day: two stock levels; the first matched three and held them back
    // (no stock), the second matched the same three and triggered them; all delivered.
    let engine: Vec<(&str, Vec<&str>)> = [
        "levels",
        "matched",
        "triggered",
        "held",
        "held:noStock",
        "delivered",
        "dead",
    ]
    .iter()
    .map(|key| {
        let row = row(&overview, &format!("data-count=\"{key}\""));
        let cells = row.split("<td class=\"num\">").skip(1);
        (*key, cells.map(|c| &c[..c.find('<').unwrap()]).collect())
    })
    .collect();
    let day = |n: &'static str| vec![n, "0", n];
    assert_eq!(
        engine,
        [
            ("levels", day("2")),
            ("matched", day("6")),
            ("triggered", day("3")),
            ("held", day("3")),
            ("held:noStock", day("3")),
            ("delivered", day("3")),
            ("dead", day("0")),
        ],
        "today, yesterday, 7 days"
    );
    // The overview's numbers are the API's report for the same days.
    let today = Utc::now().date_naive();
    let from = today - chrono::Days::new(6);
    let report = app
        .call(
            Method::GET,
            &format!("/api/v3/reports/back-in-stock?from={from}&to={today}"),
        )
        .await;
    let s = &report["summary"];
    assert_eq!(
        [
            &s["subscribed"],
            &s["triggered"],
            &s["clicked"],
            &s["converted"]
        ],
        [4, 3, 1, 2].map(|n| json!(n)).each_ref()
    );

    let page = console.page("/admin/automations").await;
    let everyone = row(&page, "class=\"automation\" data-automation=\"everyone\"");
    let swedish = row(
        &page,
        "class=\"branch\" data-automation=\"everyone\" data-branch=\"sv-SE\"",
    );
    let default = row(
        &page,
        "class=\"branch\" data-automation=\"everyone\" data-branch=\"default\"",
    );
    for days in [7, 30] {
        assert_eq!(
            numbers(everyone, days),
            (
                strings(&["3", "0", "3", "1", "2"]),
                "399.00 PLN 899.00 SEK".to_owned()
            ),
            "everyone, {days} days"
        );
        assert_eq!(
            numbers(swedish, days),
            (strings(&["2", "0", "2", "1", "1"]), "899.00 SEK".to_owned()),
            "sv-SE branch, {days} days"
        );
        assert_eq!(
            numbers(default, days),
            (strings(&["1", "0", "1", "0", "1"]), "399.00 PLN".to_owned()),
            "default branch, {days} days"
        );
        let held = row(&page, &format!("data-days=\"{days}\""));
        assert_eq!(after(held, "data-metric=\"held\">"), "3", "{held}");
        assert!(held.contains("noStock: 3"), "{held}");
    }
}

/// The `data-key` of every row in a log page, in order.
fn keys(html: &str, attr: &str) -> Vec<String> {
    let marker = format!("<tr {attr}=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// The href of the link with `rel`, HTML-unescaped, or None.
fn link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&#x3D;", "="),
    )
}

/// Follows `rel` links from `path` to the end; the pages' keys.
async fn walk(console: &Console<'_>, path: &str, attr: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let html = console.page(&path).await;
        pages.push(keys(&html, attr));
        next = link(&html, "next");
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

async fn lists_page_through_every_row_once_keeping_their_filters(backend: Backend) {
    let app = shop(backend).spawn().await;
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "SKU-1", "sv-SE", None).await;
    app.subscribe(anna, "SKU-2", "sv-SE", None).await;
    // Seven stock levels that hold anna back (five of SKU-1), each its own batch.
    for sku in [
        "SKU-1", "SKU-2", "SKU-1", "SKU-1", "SKU-2", "SKU-1", "SKU-1",
    ] {
        app.stock(json!([{"sku": sku, "quantity": 0}])).await;
    }
    // One that notifies and holds nobody back.
    let bert = app.create_contact("bert@example.com").await;
    app.subscribe(bert, "SKU-2", "pl-PL", None).await;
    app.stock(json!([{"sku": "SKU-2", "locale": "pl-PL", "quantity": 3}]))
        .await;
    let console = Console::sign_in(&app).await;

    let all = keys(&console.page("/admin/log?limit=100").await, "data-key");
    assert_eq!(all.len(), 8, "every stock level on one big page");
    let pages = walk(&console, "/admin/log?limit=3", "data-key").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 2]);
    assert_eq!(pages.concat(), all, "disjoint, complete, newest first");

    let first = console.page("/admin/log?sku=SKU-1&limit=2").await;
    let older = link(&first, "next").expect("a next page");
    assert!(
        older.contains("sku=SKU-1") && older.contains("limit=2"),
        "{older}"
    );
    assert!(link(&first, "prev").is_none(), "nothing newer than page 1");
    let second = console.page(&older).await;
    let newer = link(&second, "prev").expect("a previous page");
    assert!(
        newer.contains("sku=SKU-1") && newer.contains("limit=2"),
        "{newer}"
    );
    assert_eq!(
        keys(&console.page(&newer).await, "data-key"),
        keys(&first, "data-key"),
        "back is page 1 again"
    );
    let skus = walk(&console, "/admin/log?sku=SKU-1&limit=2", "data-key").await;
    assert_eq!(skus.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    let held = walk(&console, "/admin/log?held=1&limit=4", "data-key").await;
    assert_eq!(
        held.concat(),
        all[1..],
        "the notifying level is not held back"
    );
    let held_first = console.page("/admin/log?held=1&limit=4").await;
    assert!(link(&held_first, "next").unwrap().contains("held=1"));

    // The CSV holds every selected stock level, not the page.
    let (status, csv) = console.get("/admin/log.csv?sku=SKU-1&limit=2").await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), 1 + 5, "{csv}");

    // The outbox: five pending notifications, two a page.
    for n in 0..4 {
        let who = app.create_contact(&format!("p{n}@example.com")).await;
        app.subscribe(who, "SKU-1", "pl-PL", None).await;
    }
    app.stock(json!([{"sku": "SKU-1", "locale": "pl-PL", "quantity": 9}]))
        .await;
    let pages = walk(&console, "/admin/outbox?status=pending&limit=2", "data-id").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    let ids: BTreeSet<String> = pages.concat().into_iter().collect();
    let pending: BTreeSet<String> = app
        .outbox()
        .await
        .iter()
        .filter(|n| n.status == "pending")
        .map(|n| n.id.to_string())
        .collect();
    assert_eq!(ids, pending);
    let first = console.page("/admin/outbox?status=pending&limit=2").await;
    assert!(link(&first, "next").unwrap().contains("status=pending"));
    let (_, csv) = console.get("/admin/outbox.csv?status=pending").await;
    assert_eq!(csv.lines().count(), 1 + 5, "{csv}");

    for (path, field) in [
        ("/admin/log?limit=0", "limit"),
        ("/admin/log?limit=1001", "limit"),
        ("/admin/log?limit=many", "limit"),
        ("/admin/log?after=yesterday", "after"),
        ("/admin/outbox?limit=5000", "limit"),
        ("/admin/outbox?before=42", "before"),
    ] {
        let (status, body) = console.get(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(&format!("{field}: ")), "{path}: {body}");
    }
}

crate::on_both_backends!(
    the_pages_show_exactly_the_scenarios_numbers,
    lists_page_through_every_row_once_keeping_their_filters,
);
