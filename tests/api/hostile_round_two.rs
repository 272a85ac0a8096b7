//! The second round of hostile inputs: money that cannot overflow or lose digits, dates
//! that cannot panic, keys that cannot be guessed at full speed (and a limit nobody can use
//! to lock the admins out), saved files that keep their mode, parameters the history does
//! not take, formula cells, line breaks and scheme-relative links from feeds, framing and
//! the console's own error pages.

use std::net::IpAddr;

use chrono::{Duration, SecondsFormat, Utc};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::clicks::{delivered, delivered_at, eml_parts};
use crate::console::{signed_in, Browser};
use crate::engine_helpers::{product, shop, EVERYONE};
use crate::helpers::{api_key, fields, message_of, problem, setup, Backend, TestApp};

/// A client whose connections come from `source` (any 127.0.0.0/8 address reaches the
/// test server), so tests can be two clients on one machine.
fn client_from(source: &str) -> reqwest::Client {
    let source: IpAddr = source.parse().unwrap();
    reqwest::Client::builder()
        .local_address(source)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Today's report as JSON, the whole answer.
async fn report_today(app: &TestApp, from: &str) -> reqwest::Response {
    let today = Utc::now().format("%Y-%m-%d");
    let path = format!("/api/v3/reports/back-in-stock?from={from}&to={today}");
    app.request(Method::GET, &path).send().await.unwrap()
}

/// A receipt of `contact` for SKU-1 at `paid` (the JSON number's own text), dated `at`:
/// the answer's text, as sent (a JSON parser here would read the number as a float).
async fn bought_for(app: &TestApp, contact: Uuid, paid: &str, at: chrono::DateTime<Utc>) -> String {
    let created = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let body = format!(
        r#"{{"contactId":"{contact}","createdDate":"{created}","currency":"SEK","items":[{{"sku":"SKU-1","grossPaidPrice":{paid}}}]}}"#
    );
    let response = app
        .request(Method::POST, "/api/v3/receipts")
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{paid}");
    response.text().await.unwrap()
}

async fn revenue_past_the_counters_range_neither_wraps_nor_breaks_a_page(backend: Backend) {
    let app = shop(backend).spawn().await;
    let huge = "900000000000000";
    // Two conversions on today's row of the statistics (same automation and locale),
    // dated today even just after midnight…
    let midnight = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let sent = (Utc::now() - Duration::hours(2)).max(midnight);
    let paid = sent + (Utc::now() - sent) / 2;
    for email in ["a@example.com", "b@example.com"] {
        let (contact, notification) = delivered(&app, email, "SKU-1").await;
        delivered_at(&app, notification, sent).await;
        bought_for(&app, contact, huge, paid).await;
    }
    // … and one on yesterday's row.
    let (contact, notification) = delivered(&app, "c@example.com", "SKU-1").await;
    delivered_at(
        &app,
        notification,
        Utc::now() - Duration::days(1) - Duration::hours(2),
    )
    .await;
    bought_for(&app, contact, huge, Utc::now() - Duration::days(1)).await;

    let yesterday = (Utc::now() - Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let response = report_today(&app, &yesterday).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["summary"]["converted"], 3, "{report}");
    // One day's row keeps at most 922337203685477.5807 (docs/insights.md); the sum of the
    // rows is exact past it.
    assert_eq!(
        report["summary"]["revenue"]["SEK"], "1822337203685477.5807",
        "{report}"
    );
    let csv = app
        .request(
            Method::GET,
            &format!(
                "/api/v3/reports/back-in-stock?from={yesterday}&to={}",
                Utc::now().format("%Y-%m-%d")
            ),
        )
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("922337203685477.5807") && csv.contains("900000000000000.00"),
        "{csv}"
    );
    assert!(!csv.contains(",-"), "nothing wrapped below zero: {csv}");
    let browser = signed_in(&app).await;
    for page in ["/admin", "/admin/automations"] {
        assert_eq!(browser.get(page).await.status(), 200, "{page}");
    }
}

/// A database whose counters were damaged by the old upsert (a REAL in `daily_stats`, as
/// two huge receipts on one row left it) is repaired when the new build opens it, and
/// its report, CSV and console pages answer again.
#[tokio::test]
async fn a_counter_row_damaged_before_is_repaired_by_the_migration() {
    let backend = Backend::sqlite();
    {
        let mut old = sqlx::migrate!("migrations/sqlite");
        let before: Vec<_> = old
            .migrations
            .iter()
            .filter(|m| m.version <= 10)
            .cloned()
            .collect();
        old.migrations = before.into();
        let pool = sqlx::SqlitePool::connect(&backend.url()).await.unwrap();
        old.run(&pool).await.unwrap();
        let today = Utc::now().format("%Y-%m-%d").to_string();
        for (metric, value) in [
            ("revenue:SEK", "1.8e19"),
            ("revenue:EUR", "-1.8e19"),
            ("subscribed", "7.5"),
        ] {
            sqlx::query(&format!(
                "INSERT INTO daily_stats (day, automation, branch, locale, metric, value) \
                 VALUES ($1, 'everyone', 'default', 'sv-SE', $2, {value})"
            ))
            .bind(&today)
            .bind(metric)
            .execute(&pool)
            .await
            .unwrap();
        }
        let damaged: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM daily_stats WHERE typeof(value) = 'real'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(damaged, 3, "the damage as the old schema let it happen");
        pool.close().await;
    }
    let app = setup(backend).rule("everyone.yaml", EVERYONE).spawn().await;
    let today = Utc::now().format("%Y-%m-%d").to_string();
    let response = report_today(&app, &today).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report["summary"]["revenue"]["SEK"], "922337203685477.5807",
        "{report}"
    );
    assert_eq!(
        report["summary"]["revenue"]["EUR"], "-922337203685477.5808",
        "{report}"
    );
    assert_eq!(report["summary"]["subscribed"], 7, "{report}");
    let browser = signed_in(&app).await;
    for page in ["/admin", "/admin/automations"] {
        assert_eq!(browser.get(page).await.status(), 200, "{page}");
    }
}

async fn amounts_are_read_from_their_decimal_text(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (anna, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    delivered_at(&app, notification, Utc::now() - Duration::hours(2)).await;
    for exact in [
        "12345678901234.5678",
        "99999999999999.9999",
        "922337203685477.5807",
    ] {
        let receipt = bought_for(&app, anna, exact, Utc::now() - Duration::hours(1)).await;
        assert!(
            receipt.contains(&format!("\"grossPaidPrice\":{exact}}}")),
            "echoed digit for digit: {receipt}"
        );
    }
    let conversion = app.store.conversion(notification).await.unwrap().unwrap();
    assert_eq!(
        conversion.revenue_e4,
        Some(123_456_789_012_345_678),
        "the first receipt's amount, kept in 1/10000 units without passing through a float"
    );
    let too_much = format!(
        r#"{{"contactId":"{anna}","currency":"SEK","items":[{{"sku":"A","grossPaidPrice":922337203685477.5808}}]}}"#
    );
    let response = app
        .request(Method::POST, "/api/v3/receipts")
        .header(CONTENT_TYPE, "application/json")
        .body(too_much)
        .send()
        .await
        .unwrap();
    let p = problem(response, 400).await;
    assert_eq!(fields(&p), ["items[0].grossPaidPrice"]);
    assert!(
        message_of(&p, "items[0].grossPaidPrice").contains("922337203685477.5807"),
        "the range is named: {p}"
    );
}

async fn report_days_out_of_range_are_named_not_500(backend: Backend) {
    let app = spawn_plain(backend).await;
    for (query, field) in [
        ("from=%2B262142-12-31&to=%2B262142-12-31", "from"),
        (
            "from=-262143-01-01&to=-262143-01-01&granularity=week",
            "from",
        ),
        ("from=2026-01-01&to=%2B10000-01-01", "to"),
        ("from=1969-12-31&to=2026-01-01&granularity=month", "from"),
    ] {
        let path = format!("/api/v3/reports/back-in-stock?{query}");
        let response = app.request(Method::GET, &path).send().await.unwrap();
        let p = problem(response, 400).await;
        assert!(fields(&p).contains(&field.to_owned()), "{query}: {p}");
        assert!(
            message_of(&p, field).contains("1970-01-01 to 9999-12-31"),
            "{query}: {p}"
        );
    }
    let last = "/api/v3/reports/back-in-stock?from=9999-12-01&to=9999-12-31&granularity=week";
    assert_eq!(
        app.request(Method::GET, last)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn spawn_plain(backend: Backend) -> TestApp {
    setup(backend).rule("everyone.yaml", EVERYONE).spawn().await
}

/// Random dates and sizes into every parameter that takes one, API and console: never a
/// 5xx. Deterministic (proptest's fixed seed), so a failure repeats.
async fn random_dates_and_sizes_never_answer_5xx(backend: Backend) {
    let app = spawn_plain(backend).await;
    let browser = signed_in(&app).await;
    let date = "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}";
    let number = "-?[0-9]{1,20}|[0-9]{1,4}";
    let time = "[+-]?[0-9]{1,6}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?)?";
    let strategy = (date, date, "day|week|month|year", number, number, time);
    let mut runner = TestRunner::deterministic();
    for _ in 0..60 {
        let (from, to, granularity, a, b, since) =
            strategy.new_tree(&mut runner).unwrap().current();
        let api = [
            format!(
                "/api/v3/reports/back-in-stock?from={}&to={}&granularity={granularity}",
                enc(&from),
                enc(&to)
            ),
            format!("/api/v3/inventory/backinstock/demand?limit={a}&offset={b}&minWaiting={b}"),
        ];
        for path in api {
            let status = app
                .request(Method::GET, &path)
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                status.is_client_error() || status.is_success(),
                "{status} for {path}"
            );
        }
        let console = [
            format!("/admin/log?since={}", enc(&since)),
            format!("/admin/demand?limit={a}&offset={b}&minWaiting={a}"),
            format!("/admin/contacts?q=a&limit={a}&offset={b}"),
            format!("/admin/outbox?limit={a}"),
        ];
        for path in console {
            let status = browser.get(&path).await.status();
            assert!(
                status.is_client_error() || status.is_success(),
                "{status} for {path}"
            );
        }
    }
}

fn enc(text: &str) -> String {
    text.replace('+', "%2B")
}

async fn wrong_keys_are_throttled_per_address_and_counted(backend: Backend) {
    let app = setup(backend)
        .config(|c| {
            c.rate_limit.enabled = true;
            c.rate_limit.failed_keys_per_minute = 5;
        })
        .spawn()
        .await;
    let guesser = client_from("127.0.0.2");
    let path = format!("{}/api/v3/contacts/{}", app.address, Uuid::nil());
    let guess = |key: String| guesser.get(&path).header("apikey", key).send();
    let mut statuses = Vec::new();
    for n in 0..8 {
        statuses.push(guess(format!("guess-{n}")).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    let right = guess(api_key().to_owned()).await.unwrap();
    assert_eq!(
        right.status(),
        429,
        "not even the right key: guessing stays slow"
    );
    let wait: u64 = right.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let other = client_from("127.0.0.3")
        .get(&path)
        .header("apikey", api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404, "another address is not locked out");

    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("restock_wrong_keys_total{outcome=\"refused\",surface=\"api\"} 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("restock_wrong_keys_total{outcome=\"throttled\",surface=\"api\"} 4"),
        "{metrics}"
    );
}

async fn nobody_can_lock_the_admins_out_of_the_console(backend: Backend) {
    let app = setup(backend)
        .config(|c| c.console.failed_sign_ins_per_minute = 3)
        .spawn()
        .await;
    let attacker = client_from("127.0.0.2");
    let sign_in = |client: &reqwest::Client, key: &str| {
        client
            .post(format!("{}/admin/login", app.address))
            .header("sec-fetch-site", "same-origin")
            .form(&[("apikey", key)])
            .send()
    };
    for _ in 0..10 {
        sign_in(&attacker, "wrong").await.unwrap();
    }
    assert_eq!(
        sign_in(&attacker, api_key()).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let admin = client_from("127.0.0.4");
    let response = sign_in(&admin, api_key()).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the admin signs in"
    );
}

async fn a_console_save_keeps_the_files_mode(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let app = shop(backend).spawn().await;
    let rules = app.files.path().join("rules");
    let file = rules.join("everyone.yaml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let browser = signed_in(&app).await;
    let text = EVERYONE.replace("priority: 100", "priority: 101");
    assert_ne!(text, EVERYONE);
    let form = [
        ("file", "everyone.yaml"),
        ("text", text.as_str()),
        ("action", "save"),
    ];
    let saved = browser.post_form("/admin/automations/edit", &form).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "another process can still read it");
    let new_rule = "id: new\nname: New\npriority: 5\nwhen: product.price < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
    let form = [("file", "new.yaml"), ("text", new_rule), ("action", "save")];
    assert_eq!(
        browser
            .post_form("/admin/automations/edit", &form)
            .await
            .status(),
        200
    );
    let mode = std::fs::metadata(rules.join("new.yaml"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(
        mode & 0o044,
        0o044,
        "a new file is readable like any new file: {mode:o}"
    );
}

async fn the_history_takes_no_parameters(backend: Backend) {
    let app = spawn_plain(backend).await;
    let anna = app.create_contact("anna@example.com").await;
    let path = format!("/api/v3/contacts/{anna}/backinstock/history");
    assert_eq!(
        app.request(Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("colour=red", "colour"),
    ] {
        let response = app
            .request(Method::GET, &format!("{path}?{query}"))
            .send()
            .await
            .unwrap();
        let p = problem(response, 400).await;
        assert_eq!(fields(&p), [field], "{query}");
    }
}

async fn formula_like_cells_are_inert_in_every_download(backend: Backend) {
    let app = spawn_plain(backend).await;
    let anna = app.create_contact("anna@example.com").await;
    let hostile = ["-inf", "\u{FF1D}1+1"];
    for sku in hostile {
        app.subscribe(anna, sku, "sv-SE", None).await;
    }
    let api_csv = app
        .request(Method::GET, "/api/v3/inventory/backinstock/demand")
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let browser = signed_in(&app).await;
    let console_csv = browser.csv("/admin/demand.csv", "demand.csv").await;
    for csv in [&api_csv, &console_csv] {
        for sku in hostile {
            assert!(csv.contains(&format!("'{sku}")), "{sku} made text in {csv}");
            assert!(
                !csv.contains(&format!(",{sku}")),
                "{sku} left as is in {csv}"
            );
            assert!(
                !csv.starts_with(sku) && !csv.contains(&format!("\n{sku}")),
                "{csv}"
            );
        }
    }
}

/// A feed whose title carries line breaks, and scheme-relative links.
fn odd_feed_shop(backend: Backend) -> crate::helpers::Setup {
    let mut jacket = product("SKU-1", "Kiruna\r\nJacket", "899.00 SEK");
    jacket["link"] = json!("//shop.example/p/SKU-1");
    jacket["image_link"] = json!("//images.example.com/SKU-1.jpg");
    setup(backend)
        .feed("sv-SE", &[jacket])
        .rule("everyone.yaml", EVERYONE)
}

async fn feed_line_breaks_and_scheme_relative_links_still_make_an_email(backend: Backend) {
    let app = odd_feed_shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let eml = std::fs::read_to_string(
        app.files
            .path()
            .join("outbox")
            .join(format!("{notification}.eml")),
    )
    .unwrap();
    let unfolded = eml.replace("\r\n ", " ").replace("\r\n\t", " ");
    let subject = unfolded
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .expect("a subject");
    assert!(subject.contains("Kiruna Jacket"), "one line: {subject}");
    let (_, html) = eml_parts(&eml);
    assert!(
        html.contains("src=\"https://images.example.com/SKU-1.jpg\""),
        "the image resolved as https: {html}"
    );
    let feeds = app.call(Method::GET, "/api/v3/feeds").await.to_string();
    assert!(!feeds.contains("were dropped"), "no link dropped: {feeds}");
}

async fn the_unsubscribe_page_cannot_be_framed(backend: Backend) {
    let app = spawn_plain(backend).await;
    let response = app
        .client
        .get(format!("{}/unsubscribe/not-a-token", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()[X_FRAME_OPTIONS], "DENY");
    let csp = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

async fn unreadable_console_forms_get_the_console_page(backend: Backend) {
    let app = spawn_plain(backend).await;
    let browser: Browser<'_> = signed_in(&app).await;
    let twice = browser
        .request(Method::POST, "/admin/outbox/purge")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("status=delivered&status=dead")
        .send()
        .await
        .unwrap();
    let json_body = browser
        .request(Method::POST, "/admin/outbox/purge")
        .json(&json!({"status": "delivered"}))
        .send()
        .await
        .unwrap();
    for (response, status) in [(twice, 422), (json_body, 415)] {
        assert_eq!(response.status(), status);
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "the console's page"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains("Back to the console"), "{page}");
        assert!(page.contains("the form cannot be read"), "{page}");
    }
}

crate::on_both_backends!(
    revenue_past_the_counters_range_neither_wraps_nor_breaks_a_page,
    amounts_are_read_from_their_decimal_text,
    report_days_out_of_range_are_named_not_500,
    random_dates_and_sizes_never_answer_5xx,
    wrong_keys_are_throttled_per_address_and_counted,
    nobody_can_lock_the_admins_out_of_the_console,
    a_console_save_keeps_the_files_mode,
    the_history_takes_no_parameters,
    formula_like_cells_are_inert_in_every_download,
    feed_line_breaks_and_scheme_relative_links_still_make_an_email,
    the_unsubscribe_page_cannot_be_framed,
    unreadable_console_forms_get_the_console_page,
);
