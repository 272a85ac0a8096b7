//! The insights' whole story on the real binary, on both backends: eleven subscriptions over
//! four SKUs and three locales; stock levels that trigger some and hold others back (no
//! stock, no feed for the locale, no product data); emails delivered first through the
//! file transport, then — after a `kill -9` right behind a stock level's 202 — through a
//! real SMTP server; clicks on the tracked links (and a scanner's that do not count);
//! receipts inside and outside the attribution window, one posted before its email was
//! sent, one arriving late with an earlier date, one posted twice. Then the outbox is
//! purged, the server killed and restarted once more, and the demand ranking, report
//! summary, CSV, per-contact history and `restock report` are exactly what the script
//! says — before and after that last restart alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{redirect, Method};
use serde_json::{json, Value};

use crate::binary::{free_port, run, write_config, Served};
use crate::clicks::{eml_parts, tracked_links, BROWSER};
use crate::engine_helpers::{product, EVERYONE};
use crate::helpers::Backend;
use crate::smtp_server::SmtpServer;

const KEY: &str = "insights-full-key";
const PUBLIC: &str = "https://shop.example/restock";

/// How the server sends its email in a run.
enum Mail<'a> {
    Files,
    Smtp(&'a SmtpServer),
}

/// The shop: sv-SE sells SKU-1 and SKU-2, pl-PL SKU-1 to SKU-3; de-DE has no feed and
/// SKU-4 is in none. Tracked links count a click a second after delivery.
fn config(dir: &Path, backend: &Backend, port: u16, mail: Mail) -> PathBuf {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/everyone.yaml"), EVERYONE).unwrap();
    let feed = |name: &str, products: &[Value]| {
        let lines: Vec<String> = products.iter().map(Value::to_string).collect();
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let swedish = feed(
        "sv-SE.jsonl",
        &[
            product("SKU-1", "Kånken", "899.00 SEK"),
            product("SKU-2", "Tröja", "199.00 SEK"),
        ],
    );
    let polish = feed(
        "pl-PL.jsonl",
        &[
            product("SKU-1", "Plecak", "399.00 PLN"),
            product("SKU-2", "Sweter", "99.00 PLN"),
            product("SKU-3", "Czapka", "49.00 PLN"),
        ],
    );
    let mail = match mail {
        Mail::Files => json!({"dir": dir.join("outbox")}),
        Mail::Smtp(server) => json!({"transport": "smtp", "smtp_url": server.url()}),
    };
    let config = json!({
        "listen": format!("127.0.0.1:{port}"),
        "database_url": backend.url(),
        "api_keys": [KEY],
        "rules_dir": dir.join("rules"),
        "templates_dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        "feeds": {"sv-SE": swedish, "pl-PL": polish},
        "public_url": PUBLIC,
        "unsubscribe_secret": "insights-full-secret",
        "mail": mail,
        "insights": {"time_zone": "UTC"},
        "tracking": {"prefetch_secs": 1},
    });
    write_config(dir, &config)
}

/// The API of one running server.
struct Api {
    client: reqwest::Client,
    served: Served,
}

impl Api {
    async fn start(dir: &Path, config: &Path, port: u16) -> Self {
        let client = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap();
        let served = Served::start(dir, config, port, &[]).await;
        Self { client, served }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.served.address))
            .header("apikey", KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        answer
    }

    async fn get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None).await
    }

    async fn csv(&self, path: &str) -> String {
        let response = self
            .client
            .get(format!("{}{path}", self.served.address))
            .header("apikey", KEY)
            .header("accept", "text/csv")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        let kind = response.headers()["content-type"].to_str().unwrap();
        assert!(kind.starts_with("text/csv"), "{path}: {kind}");
        response.text().await.unwrap()
    }

    async fn contact(&self, email: &str) -> String {
        let contact = self
            .ok(
                Method::POST,
                "/api/v3/contacts",
                Some(json!({"email": email})),
            )
            .await;
        contact["id"].as_str().unwrap().to_owned()
    }

    async fn subscribe(&self, contact: &str, sku: &str, locale: &str) {
        let body = json!({"contactId": contact, "sku": sku, "locale": locale});
        self.ok(
            Method::POST,
            "/api/v3/inventory/backinstock/subscriptions",
            Some(body),
        )
        .await;
    }

    async fn stock(&self, levels: Value) {
        self.ok(Method::PUT, "/api/v3/inventory/stock-levels", Some(levels))
            .await;
    }

    /// A receipt of `contact` dated `when`: `(sku, grossPaidPrice)` lines in `currency`.
    async fn receipt(
        &self,
        contact: &str,
        when: DateTime<Utc>,
        currency: &str,
        lines: &[(&str, f64)],
    ) {
        let items: Vec<Value> = lines
            .iter()
            .map(|(sku, paid)| json!({"sku": sku, "quantity": 1, "grossPaidPrice": paid}))
            .collect();
        let body = json!({
            "contactId": contact,
            "createdDate": when.to_rfc3339_opts(SecondsFormat::Secs, true),
            "currency": currency,
            "items": items,
        });
        let (status, answer) = self
            .call(Method::POST, "/api/v3/receipts", Some(body))
            .await;
        assert_eq!(status, 201, "{answer}");
    }

    /// The report over today and tomorrow (a receipt dated minutes ahead may fall on
    /// tomorrow in UTC), by day.
    fn report_path(query: &str) -> String {
        let today = Utc::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        format!("/api/v3/reports/back-in-stock?from={today}&to={tomorrow}&granularity=day{query}")
    }

    async fn summary(&self, query: &str) -> Value {
        self.get(&Self::report_path(query)).await["summary"].clone()
    }

    /// Waits until the report counts `delivered` notifications, failing after 60 s.
    async fn delivered(&self, delivered: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let summary = self.summary("").await;
            if summary["delivered"].as_i64() == Some(delivered) {
                return summary;
            }
            assert!(
                Instant::now() < deadline,
                "{delivered} not delivered in time: {summary}\n{}",
                self.served.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the newest stock level of `sku` is processed by the engine.
    async fn processed(&self, sku: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self
                .get(&format!("/api/v3/integration-log?sku={sku}&limit=1"))
                .await;
            if log["data"].as_array().is_some_and(|rows| !rows.is_empty()) {
                return;
            }
            assert!(Instant::now() < deadline, "{sku} not processed in time");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Follows a tracked link of an email on this server, as `agent` with `method`;
    /// every answer is a redirect to the product.
    async fn follow(&self, link: &str, method: Method, agent: &str) -> String {
        let path = link.strip_prefix(PUBLIC).expect("a tracked link of ours");
        let response = self
            .client
            .request(method, format!("{}{path}", self.served.address))
            .header("user-agent", agent)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 302, "{link}");
        response.headers()["location"].to_str().unwrap().to_owned()
    }
}

/// Every email sent so far, by notification id (its file name or `Message-ID`):
/// `(recipient, text part)`, with how many times each was handed over in all.
fn emails(dir: &Path, smtp: Option<&SmtpServer>) -> (BTreeMap<String, (String, String)>, usize) {
    let mut found = BTreeMap::new();
    let mut handed_over = 0;
    if let Ok(entries) = std::fs::read_dir(dir.join("outbox")) {
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            let eml = std::fs::read_to_string(&path).unwrap();
            let to = eml
                .lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap()
                .to_owned();
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            found.insert(id, (to, eml_parts(&eml).0));
            handed_over += 1;
        }
    }
    for message in smtp.map(SmtpServer::messages).unwrap_or_default() {
        let headers = &message["headers"];
        let id = headers["Message-ID"].as_str().unwrap();
        let id = id.trim_matches(['<', '>']).split('@').next().unwrap();
        let to = headers["To"].as_str().unwrap().to_owned();
        let text = message["text"].as_str().unwrap().to_owned();
        found.insert(id.to_owned(), (to, text));
        handed_over += 1;
    }
    (found, handed_over)
}

/// The one tracked link in the text of the email of notification `id`.
fn link(emails: &BTreeMap<String, (String, String)>, id: &str) -> String {
    let (_, text) = &emails[id];
    let links = tracked_links(text);
    assert_eq!(links.len(), 1, "{text}");
    links[0].clone()
}

/// A contact's history as lines: `sku/locale: status[ delivery[ clicked][ conversion]]`.
fn history_lines(history: &Value) -> Vec<String> {
    let entries = history["data"].as_array().expect("a history");
    let mut lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let n = &e["notification"];
            let mut line = format!(
                "{}/{}: {}",
                e["sku"].as_str().unwrap(),
                e["locale"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            );
            if let Some(status) = n["status"].as_str() {
                line += &format!(
                    " {status} by {}/{}",
                    n["automation"].as_str().unwrap(),
                    n["branch"].as_str().unwrap()
                );
                if n["clickedOn"].is_string() {
                    line += " clicked";
                }
                if let Some(c) = n["conversion"].as_object() {
                    line += &format!(
                        " converted {} {}",
                        c["revenue"].as_str().unwrap(),
                        c["currency"].as_str().unwrap()
                    );
                }
            }
            line
        })
        .collect();
    lines.sort();
    lines
}

/// `(sku, locale, waiting, last quantity, held back)` of the demand list, in its order.
fn ranking(demand: &Value) -> Vec<(String, String, u64, Value, Value)> {
    let rows = demand["data"].as_array().expect("a demand list");
    rows.iter()
        .map(|r| {
            let last = &r["lastStockLevel"];
            (
                r["sku"].as_str().unwrap().to_owned(),
                r["locale"].as_str().unwrap().to_owned(),
                r["waiting"].as_u64().unwrap(),
                last["quantity"].clone(),
                last["heldBack"].clone(),
            )
        })
        .collect()
}

fn row(
    sku: &str,
    locale: &str,
    waiting: u64,
    quantity: Value,
    held: Value,
) -> (String, String, u64, Value, Value) {
    (sku.into(), locale.into(), waiting, quantity, held)
}

struct Shoppers {
    anna: String,
    bert: String,
    cecilia: String,
    dawid: String,
    erik: String,
}

impl Shoppers {
    fn all(&self) -> [(&str, &String); 5] {
        [
            ("anna", &self.anna),
            ("bert", &self.bert),
            ("cecilia", &self.cecilia),
            ("dawid", &self.dawid),
            ("erik", &self.erik),
        ]
    }
}

async fn subscribe_everyone(api: &Api) -> Shoppers {
    let shoppers = Shoppers {
        anna: api.contact("anna@example.com").await,
        bert: api.contact("bert@example.com").await,
        cecilia: api.contact("cecilia@example.com").await,
        dawid: api.contact("dawid@example.com").await,
        erik: api.contact("erik@example.com").await,
    };
    for (who, sku, locale) in [
        (&shoppers.anna, "SKU-1", "sv-SE"),
        (&shoppers.anna, "SKU-2", "sv-SE"),
        (&shoppers.bert, "SKU-1", "sv-SE"),
        (&shoppers.bert, "SKU-3", "pl-PL"),
        (&shoppers.cecilia, "SKU-1", "pl-PL"),
        (&shoppers.cecilia, "SKU-2", "sv-SE"),
        (&shoppers.dawid, "SKU-1", "de-DE"),
        (&shoppers.dawid, "SKU-4", "sv-SE"),
        (&shoppers.erik, "SKU-2", "pl-PL"),
        (&shoppers.erik, "SKU-3", "pl-PL"),
        (&shoppers.erik, "SKU-4", "sv-SE"),
    ] {
        api.subscribe(who, sku, locale).await;
    }
    shoppers
}

/// The notification id of `contact`'s triggered subscription to `sku`.
async fn notification(api: &Api, contact: &str, sku: &str) -> String {
    let history = api
        .get(&format!("/api/v3/contacts/{contact}/backinstock/history"))
        .await;
    let entries = history["data"].as_array().unwrap();
    let entry = entries
        .iter()
        .find(|e| e["sku"] == sku && e["status"] == "triggered")
        .unwrap_or_else(|| panic!("{sku} not triggered: {history}"));
    entry["notification"]["id"].as_str().unwrap().to_owned()
}

/// Everything the scenario checks, read over HTTP; equal before and after a restart.
#[derive(Debug, PartialEq)]
struct Numbers {
    demand: Vec<(String, String, u64, Value, Value)>,
    demand_total: Value,
    summary: Value,
    swedish: Value,
    polish: Value,
    series: Value,
    report_csv: String,
    histories: Vec<(String, Vec<String>)>,
}

async fn numbers(api: &Api, shoppers: &Shoppers) -> Numbers {
    let demand = api.get("/api/v3/inventory/backinstock/demand").await;
    let report = api.get(&Api::report_path("")).await;
    let mut summary = report["summary"].clone();
    // The average wait is a time measured to the second; it is checked on its own.
    let wait = summary["averageWaitSeconds"].take();
    assert!(wait.as_i64().is_some_and(|s| s >= 0), "{summary}");
    let mut histories = Vec::new();
    for (name, id) in shoppers.all() {
        let history = api
            .get(&format!("/api/v3/contacts/{id}/backinstock/history"))
            .await;
        histories.push((name.to_owned(), history_lines(&history)));
    }
    Numbers {
        demand: ranking(&demand),
        demand_total: demand["total"].clone(),
        summary,
        swedish: locale_counts(&api.summary("&locale=sv-SE").await),
        polish: locale_counts(&api.summary("&locale=pl-PL").await),
        series: report["series"].clone(),
        report_csv: api.csv(&Api::report_path("")).await,
        histories,
    }
}

fn locale_counts(s: &Value) -> Value {
    json!([
        s["subscribed"],
        s["waitingNow"],
        s["triggered"],
        s["delivered"],
        s["clicked"],
        s["converted"],
        s["revenue"]
    ])
}

/// The CSV is the JSON series: one line per day with the same counts, revenue per currency.
fn csv_matches_series(csv: &str, series: &Value) {
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "period,subscribed,triggered,expired,delivered,dead,unsubscribed,clicked,converted,\
         signed up,confirmed,revenue EUR,revenue SEK",
        "{csv}"
    );
    let periods = series.as_array().unwrap();
    assert_eq!(
        lines.len(),
        periods.len() + 2,
        "header, a line per day, the end: {csv}"
    );
    for (line, p) in lines[1..].iter().zip(periods) {
        let money = |c: &str| p["revenue"][c].as_str().unwrap_or("0.00").to_owned();
        let expected = [
            p["period"].as_str().unwrap().to_owned(),
            p["subscribed"].to_string(),
            p["triggered"].to_string(),
            p["expired"].to_string(),
            p["delivered"].to_string(),
            p["dead"].to_string(),
            p["unsubscribed"].to_string(),
            p["clicked"].to_string(),
            p["converted"].to_string(),
            p["signedUp"].to_string(),
            p["confirmed"].to_string(),
            money("EUR"),
            money("SEK"),
        ]
        .join(",");
        assert_eq!(*line, expected, "{csv}\n{series}");
    }
}

async fn the_whole_story_adds_up_across_transports_kills_and_purges(backend: Backend) {
    let Some(mut smtp) = SmtpServer::reserve() else {
        return;
    };
    smtp.listen();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let by_file = config(dir.path(), &backend, port, Mail::Files);
    let api = Api::start(dir.path(), &by_file, port).await;
    let shoppers = subscribe_everyone(&api).await;

    let demand = api.get("/api/v3/inventory/backinstock/demand").await;
    let nothing = Value::Null;
    assert_eq!(
        ranking(&demand),
        [
            row("SKU-1", "sv-SE", 2, nothing.clone(), nothing.clone()),
            row("SKU-2", "sv-SE", 2, nothing.clone(), nothing.clone()),
            row("SKU-3", "pl-PL", 2, nothing.clone(), nothing.clone()),
            row("SKU-4", "sv-SE", 2, nothing.clone(), nothing.clone()),
            row("SKU-1", "de-DE", 1, nothing.clone(), nothing.clone()),
            row("SKU-1", "pl-PL", 1, nothing.clone(), nothing.clone()),
            row("SKU-2", "pl-PL", 1, nothing.clone(), nothing.clone()),
        ]
    );

    // SKU-1 sold out holds its four back; back in stock it notifies three by email (the
    // file transport) — dawid's de-DE has no feed.
    api.stock(json!([{"sku": "SKU-1", "quantity": 0}])).await;
    api.processed("SKU-1").await;
    api.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    api.delivered(3).await;
    let (sent, _) = emails(dir.path(), None);
    assert_eq!(sent.len(), 3);

    // A scanner's prefetch (HEAD, an HTTP library's agent) is redirected but not counted;
    // anna clicks twice and counts once, cecilia once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let anna_1 = notification(&api, &shoppers.anna, "SKU-1").await;
    let anna_link = link(&sent, &anna_1);
    api.follow(&anna_link, Method::HEAD, BROWSER).await;
    api.follow(&anna_link, Method::GET, "python-requests/2.31")
        .await;
    assert_eq!(api.summary("").await["clicked"], 0);
    let to = api.follow(&anna_link, Method::GET, BROWSER).await;
    assert_eq!(to, "https://shop.example/SKU-1");
    api.follow(&anna_link, Method::GET, BROWSER).await;
    let cecilia_1 = notification(&api, &shoppers.cecilia, "SKU-1").await;
    api.follow(&link(&sent, &cecilia_1), Method::GET, BROWSER)
        .await;
    assert_eq!(api.summary("").await["clicked"], 2);

    // SKU-2 arrives and the server is killed right behind the 202: its three emails may
    // be sent by file, or after the restart by SMTP, or (a kill between hand-over and
    // commit) both — never as two notifications.
    api.stock(json!([{"sku": "SKU-2", "quantity": 5}])).await;
    drop(api);
    let by_smtp = config(dir.path(), &backend, port, Mail::Smtp(&smtp));
    let api = Api::start(dir.path(), &by_smtp, port).await;
    api.delivered(6).await;

    // Erik's receipt for SKU-3 is posted before SKU-3's email is sent, dated after it.
    let erik_buys = Utc::now() + chrono::Duration::minutes(10);
    api.receipt(
        &shoppers.erik,
        erik_buys,
        "SEK",
        &[("SKU-3", 100.0), ("SKU-9", 50.0)],
    )
    .await;
    // SKU-3 notifies bert and erik in pl-PL over SMTP; SKU-4 is in no feed.
    api.stock(json!([{"sku": "SKU-3", "quantity": 2}, {"sku": "SKU-4", "quantity": 3}]))
        .await;
    api.delivered(8).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (sent, _) = emails(dir.path(), Some(&smtp));
    let erik_3 = notification(&api, &shoppers.erik, "SKU-3").await;
    assert!(
        smtp.messages().iter().any(|m| m["headers"]["Message-ID"]
            .as_str()
            .is_some_and(|id| id.contains(&erik_3))),
        "SKU-3 went by SMTP"
    );
    let to = api
        .follow(&link(&sent, &erik_3), Method::GET, BROWSER)
        .await;
    assert_eq!(to, "https://shop.example/SKU-3");

    // Receipts: anna's (posted twice) converts; bert's are before his email and past the
    // 7-day window; cecilia's late receipt dated earlier replaces her first one.
    let now = Utc::now();
    let minutes = chrono::Duration::minutes;
    for _ in 0..2 {
        api.receipt(&shoppers.anna, now + minutes(2), "SEK", &[("SKU-1", 899.0)])
            .await;
    }
    api.receipt(
        &shoppers.bert,
        now - minutes(60),
        "SEK",
        &[("SKU-1", 899.0)],
    )
    .await;
    api.receipt(
        &shoppers.bert,
        now + chrono::Duration::days(8),
        "SEK",
        &[("SKU-1", 899.0)],
    )
    .await;
    api.receipt(
        &shoppers.cecilia,
        now + minutes(5),
        "EUR",
        &[("SKU-1", 20.0)],
    )
    .await;
    api.receipt(
        &shoppers.cecilia,
        now + minutes(3),
        "EUR",
        &[("SKU-1", 19.5)],
    )
    .await;

    // Every notification was sent to its own shopper, as one email (one Message-ID).
    let (sent, handed_over) = emails(dir.path(), Some(&smtp));
    assert_eq!(sent.len(), 8, "{sent:?}");
    assert!(handed_over >= 8);
    let mut expected_ids = BTreeSet::new();
    for (who, id, sku) in [
        ("anna", &shoppers.anna, "SKU-1"),
        ("anna", &shoppers.anna, "SKU-2"),
        ("bert", &shoppers.bert, "SKU-1"),
        ("bert", &shoppers.bert, "SKU-3"),
        ("cecilia", &shoppers.cecilia, "SKU-1"),
        ("cecilia", &shoppers.cecilia, "SKU-2"),
        ("erik", &shoppers.erik, "SKU-2"),
        ("erik", &shoppers.erik, "SKU-3"),
    ] {
        let n = notification(&api, id, sku).await;
        assert!(
            sent[&n].0.contains(&format!("{who}@example.com")),
            "{n}: {:?}",
            sent[&n]
        );
        expected_ids.insert(n);
    }
    assert_eq!(sent.keys().cloned().collect::<BTreeSet<_>>(), expected_ids);

    // The outbox is purged; the history and the numbers stay.
    let purged = api
        .ok(Method::DELETE, "/api/v3/outbox?status=delivered", None)
        .await;
    assert_eq!(purged["purged"], 8);
    let before = numbers(&api, &shoppers).await;
    drop(api);
    let api = Api::start(dir.path(), &by_smtp, port).await;
    let after = numbers(&api, &shoppers).await;
    assert_eq!(
        before, after,
        "the numbers changed across a kill -9 and restart"
    );

    let no_product = json!([{"reason": "noProductData", "count": 2}]);
    let no_feed = json!([{"reason": "noFeedForLocale", "count": 1}]);
    assert_eq!(
        after.demand,
        [
            row("SKU-4", "sv-SE", 2, json!(3), no_product),
            row("SKU-1", "de-DE", 1, json!(5), no_feed),
        ]
    );
    assert_eq!(after.demand_total, 2);
    assert_eq!(
        after.summary,
        json!({
            "subscribed": 11, "waitingNow": 3, "triggered": 8, "expired": 0,
            "delivered": 8, "dead": 0, "unsubscribed": 0, "clicked": 3, "converted": 3,
            "conversionRate": 0.375,
            "signedUp": 0, "confirmed": 0, "confirmationRate": null,
            "revenue": {"SEK": "999.00", "EUR": "19.50"},
            "actions": {"log": 4},
            "heldBack": {"noStock": 4, "noFeedForLocale": 1, "noProductData": 2},
            "averageWaitSeconds": null,
        })
    );
    assert_eq!(after.swedish, json!([6, 2, 4, 4, 1, 1, {"SEK": "899.00"}]));
    assert_eq!(
        after.polish,
        json!([4, 0, 4, 4, 2, 2, {"SEK": "100.00", "EUR": "19.50"}])
    );
    csv_matches_series(&after.report_csv, &after.series);
    let histories: BTreeMap<_, _> = after.histories.into_iter().collect();
    assert_eq!(
        histories["anna"],
        [
            "SKU-1/sv-SE: triggered delivered by everyone/sv-SE clicked converted 899.00 SEK",
            "SKU-2/sv-SE: triggered delivered by everyone/sv-SE",
        ]
    );
    assert_eq!(
        histories["bert"],
        [
            "SKU-1/sv-SE: triggered delivered by everyone/sv-SE",
            "SKU-3/pl-PL: triggered delivered by everyone/default",
        ]
    );
    assert_eq!(
        histories["cecilia"],
        [
            "SKU-1/pl-PL: triggered delivered by everyone/default clicked converted 19.50 EUR",
            "SKU-2/sv-SE: triggered delivered by everyone/sv-SE",
        ]
    );
    assert_eq!(
        histories["dawid"],
        ["SKU-1/de-DE: waiting", "SKU-4/sv-SE: waiting"]
    );
    assert_eq!(
        histories["erik"],
        [
            "SKU-2/pl-PL: triggered delivered by everyone/default",
            "SKU-3/pl-PL: triggered delivered by everyone/default clicked converted 100.00 SEK",
            "SKU-4/sv-SE: waiting",
        ]
    );
    let demand_csv = api.csv("/api/v3/inventory/backinstock/demand").await;
    let lines: Vec<&str> = demand_csv.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "header, two rows, the end: {demand_csv}");
    assert!(lines[1].starts_with("SKU-4,sv-SE,,2,"), "{demand_csv}");
    assert!(
        lines[1].ends_with(",3,") || lines[1].contains(",3,"),
        "{demand_csv}"
    );
    assert!(lines[1].ends_with("noProductData:2"), "{demand_csv}");
    assert!(lines[2].starts_with("SKU-1,de-DE,,1,"), "{demand_csv}");
    assert!(lines[2].ends_with("noFeedForLocale:1"), "{demand_csv}");
    drop(api);

    let today = Utc::now().date_naive().to_string();
    let tomorrow = Utc::now().date_naive().succ_opt().unwrap().to_string();
    let out = run(
        dir.path(),
        &by_smtp,
        &["report", "--from", &today, "--to", &tomorrow],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "subscribed                     11",
        "waiting now                    3",
        "triggered                      8",
        "delivered                      8",
        "clicked                        3",
        "converted                      3",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

crate::on_both_backends!(the_whole_story_adds_up_across_transports_kills_and_purges);
