//! Tracked product links: rewritten in both parts of the email, followed with a 302 to
//! the product page, counted once per notification, never an open redirect.

use chrono::{DateTime, Utc};
use reqwest::{redirect, Method};
use restock::tracking::{ClickKey, ClickToken};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::engine_helpers::shop;
use crate::feeds_real::quoted_printable;
use crate::helpers::{Backend, TestApp, UNSUBSCRIBE_SECRET};

/// What a phone's browser sends.
pub const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const PUBLIC: &str = "https://shop.example/restock";

/// The text and HTML parts of the notification's `.eml`, decoded.
pub fn parts(app: &TestApp, notification: Uuid) -> (String, String) {
    let path = app
        .files
        .path()
        .join("outbox")
        .join(format!("{notification}.eml"));
    eml_parts(&std::fs::read_to_string(path).expect("the email was written"))
}

/// The text and HTML parts of an `.eml` file's content, decoded.
pub fn eml_parts(eml: &str) -> (String, String) {
    let eml = eml.replace("\r\n", "\n");
    let boundary = eml
        .split("boundary=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a multipart message");
    let (mut text, mut html) = (String::new(), String::new());
    for part in eml.split(&format!("\n--{boundary}")) {
        let Some((headers, body)) = part.split_once("\n\n") else {
            continue;
        };
        let lower = headers.to_ascii_lowercase();
        let decoded = if lower.contains("content-transfer-encoding: base64") {
            use base64::Engine as _;
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 part");
            String::from_utf8(bytes).expect("utf-8 part")
        } else if lower.contains("content-transfer-encoding: quoted-printable") {
            quoted_printable(body)
        } else {
            body.to_owned()
        };
        if lower.contains("content-type: text/plain") {
            text = decoded;
        } else if lower.contains("content-type: text/html") {
            html = decoded;
        }
    }
    assert!(!text.is_empty() && !html.is_empty(), "{eml}");
    (text, html)
}

/// Every tracked link in `part`, in order.
pub fn tracked_links(part: &str) -> Vec<String> {
    let prefix = format!("{PUBLIC}/r/");
    part.match_indices(&prefix)
        .map(|(at, _)| {
            let rest = &part[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
                .unwrap_or(rest.len());
            rest[..end].to_owned()
        })
        .collect()
}

/// A contact `email` subscribed to `sku` in sv-SE, notified and delivered: the contact
/// and the notification.
pub async fn delivered(app: &TestApp, email: &str, sku: &str) -> (Uuid, Uuid) {
    let contact = app.create_contact(email).await;
    app.subscribe(contact, sku, "sv-SE", None).await;
    app.stock(json!([{"sku": sku, "locale": "sv-SE", "quantity": 3}]))
        .await;
    app.delivery.run_pending().await.expect("delivery");
    let notification = app
        .outbox()
        .await
        .into_iter()
        .find(|n| n.contact == contact)
        .expect("notified");
    assert_eq!(notification.status, "delivered");
    (contact, notification.id)
}

/// A client that shows redirects instead of following them, as a test of one needs.
fn no_follow() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// Follows a link of an email (`https://shop.example/restock/r/…`) on the test server.
async fn follow(
    app: &TestApp,
    link: &str,
    method: Method,
    agent: Option<&str>,
) -> reqwest::Response {
    let path = link.strip_prefix(PUBLIC).expect("a link of ours");
    let mut request = no_follow().request(method, format!("{}{path}", app.address));
    if let Some(agent) = agent {
        request = request.header("user-agent", agent);
    }
    request.send().await.expect("request")
}

/// Runs one statement with two binds on the test's database.
pub async fn sql<A, B>(app: &TestApp, statement: &str, a: A, b: B)
where
    A: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    A: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    A: Send + 'static,
    B: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    B: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    B: Send + 'static,
{
    match &app.backend {
        Backend::Sqlite(_) => {
            let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
            sqlx::query(statement)
                .bind(a)
                .bind(b)
                .execute(&pool)
                .await
                .unwrap();
        }
        Backend::Postgres(_) => {
            let pool = sqlx::PgPool::connect(&app.backend.url()).await.unwrap();
            sqlx::query(statement)
                .bind(a)
                .bind(b)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
}

/// Makes the notification look delivered at `at`.
pub async fn delivered_at(app: &TestApp, notification: Uuid, at: DateTime<Utc>) {
    let statement = "UPDATE notifications SET finished_on = $1 WHERE id = $2";
    sql(app, statement, at, notification).await;
}

/// A shopper follows `notification`'s first tracked link in a phone's browser (302), a
/// minute after delivery: past the prefetch window, so the click counts.
pub async fn shopper_clicks(app: &TestApp, notification: Uuid) {
    delivered_at(app, notification, Utc::now() - chrono::Duration::minutes(1)).await;
    let link = tracked_links(&parts(app, notification).0).remove(0);
    let path = link.strip_prefix("https://shop.example/restock").unwrap();
    let click = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", app.address))
        .header("user-agent", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 302);
}

/// A receipt of `contact` dated now: one `sku` paid `paid` in `currency` (201).
pub async fn receipt(app: &TestApp, contact: Uuid, sku: &str, currency: &str, paid: f64) {
    let body = json!({
        "contactId": contact,
        "createdDate": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "currency": currency,
        "items": [{"sku": sku, "quantity": 1, "grossPaidPrice": paid}],
    });
    post_receipt(app, body).await;
}

/// `POST /api/v3/receipts` with `body`, which must be accepted (201); the stored receipt.
pub async fn post_receipt(app: &TestApp, body: Value) -> Value {
    let response = app
        .request(Method::POST, "/api/v3/receipts")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.unwrap()
}

/// A shopper's story after `notification` reached `contact`: [`shopper_clicks`], then
/// buys SKU-1 for 899.00 SEK.
pub async fn clicked_and_bought(app: &TestApp, contact: Uuid, notification: Uuid) {
    shopper_clicks(app, notification).await;
    receipt(app, contact, "SKU-1", "SEK", 899.0).await;
}

/// The back-in-stock report's summary for the days from `from` to `to` (UTC), as a shop
/// reads its numbers, with its daily series.
pub async fn report(app: &TestApp, from: DateTime<Utc>, to: DateTime<Utc>) -> Value {
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let path = format!(
        "/api/v3/reports/back-in-stock?from={}&to={}&granularity=day",
        day(from),
        day(to)
    );
    let response = app.request(Method::GET, &path).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Today's clicks in the statistics.
async fn clicked_today(app: &TestApp) -> Value {
    report(app, Utc::now(), Utc::now()).await["summary"]["clicked"].clone()
}

/// Moves the delivery a minute back, past the prefetch window.
async fn a_minute_later(app: &TestApp, notification: Uuid) {
    delivered_at(app, notification, Utc::now() - chrono::Duration::minutes(1)).await;
}

async fn tracked_links_in_both_parts_lead_to_the_product_and_count_once(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let (text, html) = parts(&app, notification);

    let in_text = tracked_links(&text);
    let in_html = tracked_links(&html);
    assert_eq!(in_text.len(), 1, "{text}");
    assert_eq!(in_html.len(), 1, "{html}");
    assert_eq!(in_text, in_html, "one link, one token");
    assert!(html.contains(&format!("href=\"{}\"", in_html[0])), "{html}");
    for part in [&text, &html] {
        assert!(!part.contains("https://shop.example/SKU-1\""), "{part}");
        assert!(!part.contains("https://shop.example/SKU-1\n"), "{part}");
        assert!(
            part.contains(&format!("{PUBLIC}/unsubscribe/")),
            "not rewritten: {part}"
        );
    }
    assert!(
        html.contains("src=\"https://shop.example/SKU-1.jpg\""),
        "images load from their own address: {html}"
    );
    assert_eq!(app.store.click(notification).await.unwrap(), None);

    a_minute_later(&app, notification).await;
    let first = follow(&app, &in_text[0], Method::GET, Some(BROWSER)).await;
    assert_eq!(first.status(), 302);
    assert_eq!(first.headers()["location"], "https://shop.example/SKU-1");
    let click = app
        .store
        .click(notification)
        .await
        .unwrap()
        .expect("counted");
    assert_eq!(click.link, "url");

    let again = follow(&app, &in_html[0], Method::GET, Some(BROWSER)).await;
    assert_eq!(again.status(), 302);
    assert_eq!(again.headers()["location"], "https://shop.example/SKU-1");
    assert_eq!(
        app.store.click(notification).await.unwrap(),
        Some(click),
        "the second click is not a second count"
    );
    assert_eq!(clicked_today(&app).await, 1);
}

async fn prefetching_scanners_are_redirected_but_not_counted(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let link = tracked_links(&parts(&app, notification).0).remove(0);

    // Within seconds of delivery, as a mail gateway's scanner follows every link.
    let scanner = follow(&app, &link, Method::GET, Some(BROWSER)).await;
    assert_eq!(scanner.status(), 302);
    assert_eq!(app.store.click(notification).await.unwrap(), None);

    a_minute_later(&app, notification).await;
    for (method, agent) in [
        (Method::HEAD, Some(BROWSER)),
        (Method::GET, None),
        (Method::GET, Some("python-requests/2.31.0")),
        (Method::GET, Some("Mozilla/5.0 (compatible; Googlebot/2.1)")),
    ] {
        let hit = follow(&app, &link, method.clone(), agent).await;
        assert_eq!(hit.status(), 302, "{method} {agent:?}");
        assert_eq!(
            app.store.click(notification).await.unwrap(),
            None,
            "{method} {agent:?} is no shopper"
        );
    }
    assert_eq!(clicked_today(&app).await, 0);
    let shopper = follow(&app, &link, Method::GET, Some(BROWSER)).await;
    assert_eq!(shopper.status(), 302);
    assert!(app.store.click(notification).await.unwrap().is_some());
    assert_eq!(clicked_today(&app).await, 1);
}

async fn not_found_page(response: reqwest::Response) {
    assert_eq!(response.status(), 404);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(response.headers().get("location").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains("Link not found"), "{page}");
}

async fn forged_tampered_and_unknown_tokens_get_a_plain_404_page(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    a_minute_later(&app, notification).await;
    let link = tracked_links(&parts(&app, notification).0).remove(0);
    let token = link.rsplit('/').next().unwrap().to_owned();
    let product = app.outbox().await[0].product;

    let mut tampered: Vec<char> = token.chars().collect();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let ours = ClickKey::new(UNSUBSCRIBE_SECRET);
    let forged = ClickKey::new("a guess")
        .token(&ClickToken {
            notification,
            product,
            link: "url".into(),
        })
        .unwrap();
    let unknown = ours
        .token(&ClickToken {
            notification: Uuid::now_v7(),
            product: Uuid::now_v7(),
            link: "url".into(),
        })
        .unwrap();
    let image = ours
        .token(&ClickToken {
            notification,
            product,
            link: "imageUrl".into(),
        })
        .unwrap();
    let missing = ours
        .token(&ClickToken {
            notification,
            product,
            link: "reviewsUrl".into(),
        })
        .unwrap();
    for bad in [
        tampered,
        forged,
        unknown,
        image,
        missing,
        "nonsense".to_owned(),
    ] {
        not_found_page(
            follow(
                &app,
                &format!("{PUBLIC}/r/{bad}"),
                Method::GET,
                Some(BROWSER),
            )
            .await,
        )
        .await;
    }
    assert_eq!(app.store.click(notification).await.unwrap(), None);
}

async fn a_snapshot_link_that_is_not_http_is_never_redirected_to(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    a_minute_later(&app, notification).await;
    let link = tracked_links(&parts(&app, notification).0).remove(0);
    let product = app.outbox().await[0].product;
    for target in [
        "javascript:alert(document.cookie)",
        "//evil.example/x",
        "data:text/html,hi",
    ] {
        let data = json!({"sku": "SKU-1", "name": "Kånken", "url": target});
        set_snapshot(&app, product, &data).await;
        not_found_page(follow(&app, &link, Method::GET, Some(BROWSER)).await).await;
    }
    assert_eq!(app.store.click(notification).await.unwrap(), None);
}

/// Replaces a product snapshot's data, as a snapshot from before feeds dropped unsafe
/// links would have it.
async fn set_snapshot(app: &TestApp, product: Uuid, data: &Value) {
    let statement = "UPDATE product_snapshots SET data = $1 WHERE id = $2";
    sql(app, statement, sqlx::types::Json(data.clone()), product).await;
}

async fn with_tracking_off_emails_carry_the_products_own_links(backend: Backend) {
    let app = shop(backend)
        .config(|config| config.tracking.clicks = false)
        .spawn()
        .await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let (text, html) = parts(&app, notification);
    for part in [&text, &html] {
        assert!(tracked_links(part).is_empty(), "{part}");
        assert!(part.contains("https://shop.example/SKU-1"), "{part}");
    }
    assert!(
        html.contains("href=\"https://shop.example/SKU-1\""),
        "{html}"
    );
}

async fn a_link_outlives_the_purged_outbox_but_counts_no_more(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let link = tracked_links(&parts(&app, notification).0).remove(0);
    let purge = app
        .request(Method::DELETE, "/api/v3/outbox?status=delivered")
        .send()
        .await
        .unwrap();
    assert!(purge.status().is_success());
    assert!(app.outbox().await.is_empty());

    let later = follow(&app, &link, Method::GET, Some(BROWSER)).await;
    assert_eq!(later.status(), 302, "the email's link still works");
    assert_eq!(later.headers()["location"], "https://shop.example/SKU-1");
    assert_eq!(app.store.click(notification).await.unwrap(), None);
    assert_eq!(clicked_today(&app).await, 0);
}

async fn tracked_links_travel_over_smtp_too(backend: Backend) {
    let Some(server) = crate::smtp_server::SmtpServer::start() else {
        return;
    };
    let url = server.url();
    let app = shop(backend)
        .config(move |config| {
            config.mail.transport = restock::config::MailTransport::Smtp;
            config.mail.smtp_url = Some(restock::config::Secret::new(url));
        })
        .spawn()
        .await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 3}]))
        .await;
    assert_eq!(app.delivery.run_pending().await.unwrap(), 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let (text, html) = (
        messages[0]["text"].as_str().unwrap(),
        messages[0]["html"].as_str().unwrap(),
    );
    let links = tracked_links(text);
    assert_eq!(links.len(), 1, "{text}");
    assert_eq!(tracked_links(html), links, "{html}");
    let notification = app.outbox().await[0].id;
    a_minute_later(&app, notification).await;
    let answer = follow(&app, &links[0], Method::GET, Some(BROWSER)).await;
    assert_eq!(answer.headers()["location"], "https://shop.example/SKU-1");
    assert!(app.store.click(notification).await.unwrap().is_some());
}

crate::on_both_backends!(
    tracked_links_travel_over_smtp_too,
    a_link_outlives_the_purged_outbox_but_counts_no_more,
    tracked_links_in_both_parts_lead_to_the_product_and_count_once,
    prefetching_scanners_are_redirected_but_not_counted,
    forged_tampered_and_unknown_tokens_get_a_plain_404_page,
    a_snapshot_link_that_is_not_http_is_never_redirected_to,
    with_tracking_off_emails_carry_the_products_own_links,
);
