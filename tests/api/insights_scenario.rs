//! Insights, end to end over HTTP: subscriptions over several SKUs and locales, stock
//! levels that trigger some and hold others back, delivery through the file transport, the
//! outbox purged and the server restarted on the same database — then exactly the expected
//! demand ranking, statistics, report (JSON and CSV) and per-contact history.

use reqwest::Method;
use restock::unsubscribe::UnsubscribeKey;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::engine_helpers::shop;
use crate::helpers::{Backend, TestApp, UNSUBSCRIBE_SECRET};

impl TestApp {
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.request(Method::GET, path).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_csv(&self, path: &str) -> (String, String) {
        let response = self
            .request(Method::GET, path)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        (kind, response.text().await.unwrap())
    }
}

/// `(sku, locale, waiting)` of the demand list, in its order.
fn ranking(body: &Value) -> Vec<(String, String, u64)> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a demand list: {body}"))
        .iter()
        .map(|r| {
            (
                r["sku"].as_str().unwrap().to_owned(),
                r["locale"].as_str().unwrap().to_owned(),
                r["waiting"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn report_path(query: &str) -> String {
    let day = today();
    format!("/api/v3/reports/back-in-stock?from={day}&to={day}{query}")
}

/// The statuses of a contact's history, `sku/locale: status[/notification status]`.
async fn history(app: &TestApp, contact: Uuid) -> Vec<String> {
    let (status, body) = app
        .get_json(&format!("/api/v3/contacts/{contact}/backinstock/history"))
        .await;
    assert_eq!(status, 200, "{body}");
    let mut lines: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["notification"];
            let delivery = match n["status"].as_str() {
                Some(s) => format!(
                    " {s} after {} attempt(s) by {}/{}",
                    n["attempts"],
                    n["automation"].as_str().unwrap(),
                    n["branch"].as_str().unwrap()
                ),
                None => String::new(),
            };
            format!(
                "{}/{}: {}{delivery}",
                e["sku"].as_str().unwrap(),
                e["locale"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines
}

struct People {
    anna: Uuid,
    bert: Uuid,
    cecilia: Uuid,
    dawid: Uuid,
    erik: Uuid,
}

/// Eleven subscriptions; erik deletes one through the API and opts out of the other two
/// through the unsubscribe link.
async fn subscribe_everyone(app: &TestApp) -> People {
    let people = People {
        anna: app.create_contact("anna@example.com").await,
        bert: app.create_contact("bert@example.com").await,
        cecilia: app.create_contact("cecilia@example.com").await,
        dawid: app.create_contact("dawid@example.com").await,
        erik: app.create_contact("erik@example.com").await,
    };
    for (who, sku, locale) in [
        (people.anna, "SKU-1", "sv-SE"),
        (people.anna, "SKU-3", "sv-SE"),
        (people.bert, "SKU-1", "pl-PL"),
        (people.bert, "SKU-2", "sv-SE"),
        (people.cecilia, "SKU-1", "sv-SE"),
        (people.cecilia, "SKU-3", "sv-SE"),
        (people.dawid, "SKU-1", "de-DE"),
        (people.dawid, "SKU-3", "pl-PL"),
        (people.erik, "SKU-1", "pl-PL"),
        (people.erik, "SKU-3", "sv-SE"),
    ] {
        app.subscribe(who, sku, locale, None).await;
    }
    let deleted = app.subscribe(people.erik, "SKU-2", "pl-PL", None).await;
    let path = format!(
        "/api/v3/inventory/backinstock/subscriptions/{}",
        deleted["id"].as_str().unwrap()
    );
    let response = app.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let token = UnsubscribeKey::new(UNSUBSCRIBE_SECRET).token(people.erik);
    let response = app
        .client
        .post(format!("{}/unsubscribe/{token}", app.address))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    people
}

async fn the_numbers_add_up_after_consumption_purge_and_restart(backend: Backend) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("restock=error")
        .with_test_writer()
        .try_init();
    let app = shop(backend).spawn().await;
    let people = subscribe_everyone(&app).await;

    let (_, demand) = app.get_json("/api/v3/inventory/backinstock/demand").await;
    assert_eq!(
        ranking(&demand),
        [
            ("SKU-1".into(), "sv-SE".into(), 2),
            ("SKU-3".into(), "sv-SE".into(), 2),
            ("SKU-1".into(), "de-DE".into(), 1),
            ("SKU-1".into(), "pl-PL".into(), 1),
            ("SKU-2".into(), "sv-SE".into(), 1),
            ("SKU-3".into(), "pl-PL".into(), 1),
        ]
    );
    assert!(demand["data"][0]["lastStockLevel"].is_null());

    // Nothing in stock yet: SKU-1 at 0 holds its four back; SKU-3 is in no feed.
    app.stock(json!([{"sku": "SKU-1", "quantity": 0}, {"sku": "SKU-3", "quantity": 5}]))
        .await;
    let (_, demand) = app
        .get_json("/api/v3/inventory/backinstock/demand?locale=sv-SE")
        .await;
    let first = &demand["data"][0];
    assert_eq!(first["lastStockLevel"]["quantity"], 0);
    assert_eq!(first["lastStockLevel"]["processed"], true);
    assert_eq!(
        first["lastStockLevel"]["heldBack"],
        json!([{"reason": "noStock", "count": 4}])
    );

    // The server goes down and comes back on the same database.
    let backend = app.stop().await;
    let app = shop(backend).spawn().await;

    // SKU-2 and SKU-1 arrive: four notified, dawid's de-DE has no feed.
    app.stock(json!([{"sku": "SKU-2", "quantity": 5}])).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    app.delivery.run_pending().await.unwrap();
    let purged = app
        .call(Method::DELETE, "/api/v3/outbox?status=delivered")
        .await;
    assert_eq!(purged["purged"], 4);

    let (_, demand) = app.get_json("/api/v3/inventory/backinstock/demand").await;
    assert_eq!(
        ranking(&demand),
        [
            ("SKU-3".into(), "sv-SE".into(), 2),
            ("SKU-1".into(), "de-DE".into(), 1),
            ("SKU-3".into(), "pl-PL".into(), 1),
        ]
    );
    assert_eq!(demand["total"], 3);
    let dawid = &demand["data"][1]["lastStockLevel"];
    assert_eq!(dawid["quantity"], 5);
    assert_eq!(
        dawid["heldBack"],
        json!([{"reason": "noFeedForLocale", "count": 1}])
    );
    let sku3 = &demand["data"][0]["lastStockLevel"];
    assert_eq!(
        sku3["heldBack"],
        json!([{"reason": "noProductData", "count": 3}])
    );
    let (_, page) = app
        .get_json("/api/v3/inventory/backinstock/demand?minWaiting=2&skuPrefix=SKU-&limit=1")
        .await;
    assert_eq!(ranking(&page), [("SKU-3".into(), "sv-SE".into(), 2)]);
    assert_eq!(page["total"], 1);
    let (_, page) = app
        .get_json("/api/v3/inventory/backinstock/demand?limit=1&offset=2")
        .await;
    assert_eq!(ranking(&page), [("SKU-3".into(), "pl-PL".into(), 1)]);

    let (status, report) = app.get_json(&report_path("&granularity=week")).await;
    assert_eq!(status, 200, "{report}");
    let s = &report["summary"];
    assert_eq!(
        [
            &s["subscribed"],
            &s["waitingNow"],
            &s["triggered"],
            &s["delivered"],
            &s["clicked"],
            &s["converted"],
            &s["unsubscribed"],
            &s["expired"],
            &s["dead"],
        ],
        [11, 4, 4, 4, 0, 0, 3, 0, 0].map(|n| json!(n)).each_ref()
    );
    assert_eq!(s["conversionRate"], 0.0);
    assert_eq!(s["revenue"], json!({}));
    assert_eq!(s["actions"], json!({"log": 1}));
    assert_eq!(
        s["heldBack"],
        json!({"noStock": 4, "noProductData": 3, "noFeedForLocale": 1})
    );
    assert!(s["averageWaitSeconds"].as_i64().unwrap() >= 0);
    assert_eq!(report["series"].as_array().unwrap().len(), 1);

    let (_, swedish) = app.get_json(&report_path("&locale=sv-SE")).await;
    let s = &swedish["summary"];
    assert_eq!(
        [
            &s["subscribed"],
            &s["waitingNow"],
            &s["triggered"],
            &s["delivered"],
            &s["unsubscribed"]
        ],
        [6, 2, 3, 3, 1].map(|n| json!(n)).each_ref()
    );
    let (_, everyone) = app.get_json(&report_path("&automation=everyone")).await;
    assert_eq!(everyone["summary"]["triggered"], 4);
    assert_eq!(
        everyone["summary"]["subscribed"], 0,
        "subscriptions have no automation"
    );

    let (kind, csv) = app.get_csv(&report_path("")).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(
        csv,
        format!(
            "period,subscribed,triggered,expired,delivered,dead,unsubscribed,clicked,converted,\
             signed up,confirmed\r\n\
             {},11,4,0,4,0,3,0,0,0,0\r\n",
            today()
        )
    );
    let (_, csv) = app.get_csv("/api/v3/inventory/backinstock/demand").await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "sku,locale,externalId,waiting,oldestSubscription,newestSubscription,averageWaitSeconds,\
         lastQuantity,lastReportedOn,heldBack"
    );
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(fields[..4], ["SKU-3", "sv-SE", "", "2"], "{csv}");
    assert_eq!((fields[7], fields[9]), ("5", "noProductData:3"), "{csv}");
    assert_eq!(
        lines.len(),
        5,
        "header, three rows and the final line end: {csv}"
    );

    assert_eq!(
        history(&app, people.anna).await,
        [
            "SKU-1/sv-SE: triggered delivered after 1 attempt(s) by everyone/sv-SE",
            "SKU-3/sv-SE: waiting",
        ]
    );
    assert_eq!(
        history(&app, people.bert).await,
        [
            "SKU-1/pl-PL: triggered delivered after 1 attempt(s) by everyone/default",
            "SKU-2/sv-SE: triggered delivered after 1 attempt(s) by everyone/sv-SE",
        ]
    );
    assert_eq!(
        history(&app, people.erik).await,
        [
            "SKU-1/pl-PL: unsubscribed",
            "SKU-2/pl-PL: deleted",
            "SKU-3/sv-SE: unsubscribed",
        ]
    );
    assert_eq!(
        history(&app, people.dawid).await,
        ["SKU-1/de-DE: waiting", "SKU-3/pl-PL: waiting"]
    );

    // Deleting a contact takes their history and waiting subscriptions; statistics stay.
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v3/contacts/{}", people.cecilia),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, _) = app
        .get_json(&format!(
            "/api/v3/contacts/{}/backinstock/history",
            people.cecilia
        ))
        .await;
    assert_eq!(status, 404);
    let (_, demand) = app.get_json("/api/v3/inventory/backinstock/demand").await;
    assert_eq!(demand["data"][0]["waiting"], 1);
    let (_, report) = app.get_json(&report_path("")).await;
    assert_eq!(report["summary"]["triggered"], 4);
    assert_eq!(report["summary"]["waitingNow"], 3);
}

async fn bad_parameters_are_400_naming_them(backend: Backend) {
    let app = shop(backend).spawn().await;
    let day = today();
    for (query, field) in [
        (
            format!("from={day}&to={day}&granularity=hour"),
            "granularity",
        ),
        (format!("to={day}"), "from"),
        (format!("from={day}&to=2000-01-01"), "to"),
        (format!("from=yesterday&to={day}"), "from"),
        (format!("from={day}&to={day}&locale=xx_YY_zz"), "locale"),
        (format!("from={day}&to={day}&colour=red"), "colour"),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v3/reports/back-in-stock?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    for (query, field) in [
        ("minWaiting=-1", "minWaiting"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("offset=x", "offset"),
        // One past the document's int64 maximum (found by schemathesis).
        ("offset=9223372036854775808", "offset"),
        ("minWaiting=9223372036854775808", "minWaiting"),
        ("locale=x", "locale"),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v3/inventory/backinstock/demand?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let (status, _) = app
        .get_json(&format!(
            "/api/v3/contacts/{}/backinstock/history",
            Uuid::now_v7()
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_json("/api/v3/contacts/nope/backinstock/history")
        .await;
    assert_eq!(status, 400);
}

/// Days are the configured zone's: at UTC+14 a subscription counts on Kiribati's date.
async fn days_are_counted_in_the_configured_zone(backend: Backend) {
    let zone = restock::store::StatsZone::parse("Pacific/Kiritimati").unwrap();
    let app = shop(backend)
        .config(move |c| c.insights.time_zone = zone)
        .spawn()
        .await;
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "SKU-1", "sv-SE", None).await;
    let day = zone.today();
    let (_, report) = app
        .get_json(&format!(
            "/api/v3/reports/back-in-stock?from={day}&to={day}"
        ))
        .await;
    assert_eq!(report["summary"]["subscribed"], 1, "{report}");
    let before = day.pred_opt().unwrap();
    let (_, report) = app
        .get_json(&format!(
            "/api/v3/reports/back-in-stock?from={before}&to={before}"
        ))
        .await;
    assert_eq!(report["summary"]["subscribed"], 0, "{report}");
}

crate::on_both_backends!(
    the_numbers_add_up_after_consumption_purge_and_restart,
    bad_parameters_are_400_naming_them,
    days_are_counted_in_the_configured_zone,
);
