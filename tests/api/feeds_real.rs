//! Feeds shaped like real ones (fixtures written for these tests, in tests/fixtures/feeds):
//! Merchant RSS and Atom, a Merchant sheet as TSV, a Meta catalog CSV. They load on start
//! and on reload, a rule reads a bracketed Meta column, a broken feed's error is placed,
//! and a `javascript:` link from a feed never reaches an email.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use reqwest::Method;
use restock::config::Config;
use restock::domain::Locale;
use restock::feeds::FeedSource;
use restock::startup::Application;
use serde_json::{json, Value};

use crate::helpers::{setup, test_config, Backend, TestApp};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name)
}

/// Each shape under the locale it is configured for, and the file name it is copied to.
const SHAPES: [(&str, &str); 4] = [
    ("ru-RU", "merchant-real.xml"),
    ("kk-KZ", "merchant-real.atom"),
    ("fi-FI", "merchant-sheet.tsv"),
    ("sv-SE", "meta-catalog.csv"),
];

/// Configures `locale` to read `dir/name`.
fn use_feed(config: &mut Config, locale: &str, path: PathBuf) {
    let locale = Locale::parse(locale).expect("locale");
    config.feeds.sources.insert(locale, FeedSource::new(path));
}

/// A one-product feed in the same format as `name`, to be replaced by the fixture.
fn placeholder(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("xml" | "atom") => {
            "<rss><channel><item><id>OLD</id><price>1 SEK</price></item></channel></rss>"
        }
        Some("tsv") => "id\tprice\nOLD\t1 SEK\n",
        _ => "id,price\nOLD,1 SEK\n",
    }
}

async fn product(app: &TestApp, locale: &str, sku: &str) -> (u16, Value) {
    let response = app
        .request(Method::GET, &format!("/api/v3/products/{locale}/{sku}"))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// What each shape must show over HTTP once loaded.
async fn assert_shapes_loaded(app: &TestApp) {
    let (status, ru) = product(app, "ru-RU", "RU-1").await;
    assert_eq!(status, 200, "{ru}");
    assert_eq!(ru["name"], "Рюкзак «Канкен» <16 л>");
    assert_eq!(ru["availability"], "in_stock");
    assert_eq!(ru["availabilityRaw"], "in stock");
    assert_eq!(
        ru["additional_image_link"],
        json!([
            "https://cdn.example.ru/1-a.jpg",
            "https://cdn.example.ru/1-b.jpg"
        ])
    );
    assert_eq!(ru["shipping_country"], json!(["RU", "KZ"]));
    let (_, kk) = product(app, "kk-KZ", "AT-1").await;
    assert_eq!(kk["name"], "Куртка & «Север»");
    assert_eq!(kk["url"], "https://shop.example.ru/p/at-1?c=red&s=m");
    let (_, fi) = product(app, "fi-FI", "TS-1").await;
    assert_eq!(fi["Custom label 0"], "summer-drop");
    assert_eq!(fi["imageUrl"], "https://cdn.example.se/ts-1.jpg");
    let (_, sv) = product(app, "sv-SE", "MC-1").await;
    assert_eq!(sv["product_tags[0]"], "summer");
    assert_eq!(sv["video[0].url"], "https://video.example.se/mc-1.mp4");
    assert_eq!(sv["style[0]"], "boho");
    let (_, sv2) = product(app, "sv-SE", "MC-2").await;
    assert_eq!(sv2["availability"], "backorder");
}

async fn the_four_shapes_load_on_start_and_on_reload(backend: Backend) {
    let feeds = tempfile::tempdir().expect("temp dir");
    for (_, name) in SHAPES {
        std::fs::write(feeds.path().join(name), placeholder(name)).expect("write");
    }
    let dir = feeds.path().to_owned();
    let app = setup(backend)
        .config(move |config| {
            for (locale, name) in SHAPES {
                use_feed(config, locale, dir.join(name));
            }
        })
        .spawn()
        .await;
    assert_eq!(product(&app, "sv-SE", "OLD").await.0, 200);

    for (locale, name) in SHAPES {
        std::fs::copy(fixture(name), feeds.path().join(name)).expect("copy");
        let locale = Locale::parse(locale).unwrap();
        let reloaded = app
            .engine
            .catalog()
            .reload_now(&locale)
            .expect("configured");
        assert!(reloaded.is_ok(), "{name}: {:?}", reloaded.err());
    }
    assert_shapes_loaded(&app).await;
    assert_eq!(product(&app, "sv-SE", "OLD").await.0, 404);

    // What a reload accepted, a restart accepts too.
    let backend = app.stop().await;
    let dir = feeds.path().to_owned();
    let app = setup(backend)
        .config(move |config| {
            for (locale, name) in SHAPES {
                use_feed(config, locale, dir.join(name));
            }
        })
        .spawn()
        .await;
    assert_shapes_loaded(&app).await;
    let status = app.engine.catalog().status();
    let ru = status.iter().find(|s| s.locale == "ru-RU").expect("ru-RU");
    assert_eq!(
        (ru.report.without_id.count, ru.report.duplicate_ids.count),
        (1, 1)
    );
    assert_eq!(ru.report.unsafe_urls.count, 2);
}

const SUMMER_RULE: &str = r#"
id: summer
name: Summer tags
priority: 10
when: product["product_tags[0]"] == "summer"
split:
  by: locale
  branches:
    sv-SE:
      - log: {}
    default:
      - log: {}
"#;

async fn a_rule_reads_a_bracketed_meta_column(backend: Backend) {
    let app = setup(backend)
        .rule("summer.yaml", SUMMER_RULE)
        .config(|config| use_feed(config, "sv-SE", fixture("meta-catalog.csv")))
        .spawn()
        .await;
    let contact = app.create_contact("anna@example.com").await;
    let summer = app.subscribe(contact, "MC-1", "sv-SE", None).await;
    let winter = app.subscribe(contact, "MC-2", "sv-SE", None).await;

    app.stock(json!([
        {"sku": "MC-1", "quantity": 3},
        {"sku": "MC-2", "quantity": 3}
    ]))
    .await;

    let notified = crate::engine_helpers::notified(&app.outbox().await);
    assert_eq!(notified, [summer["id"].as_str().unwrap().to_owned()]);
    assert!(!notified.contains(&winter["id"].as_str().unwrap().to_owned()));
}

async fn a_broken_feed_names_file_line_and_column(backend: Backend) {
    let feeds = tempfile::tempdir().expect("temp dir");
    let path = feeds.path().join("sv.csv");
    let broken = "id,title,price\nA-1,Hat,10 SEK\nA-2,Cap,ten\n";
    std::fs::write(&path, broken).unwrap();
    let files = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(&backend, files.path());
    use_feed(&mut config, "sv-SE", path.clone());
    let error = match Application::build(&config).await {
        Ok(_) => panic!("a broken feed must stop the start"),
        Err(error) => format!("{error:#}"),
    };
    let placed = format!(
        "{}:3: item 2 (sku \"A-2\"), column 3 \"price\": price \"ten\"",
        path.display()
    );
    assert!(error.contains(&placed), "{error}");

    std::fs::write(&path, "id,title,price\nA-1,Hat,10 SEK\n").unwrap();
    let dir = feeds.path().to_owned();
    let app = setup(backend)
        .config(move |config| use_feed(config, "sv-SE", dir.join("sv.csv")))
        .spawn()
        .await;
    std::fs::write(&path, broken).unwrap();
    let sv = Locale::parse("sv-SE").unwrap();
    let failed = app.engine.catalog().reload_now(&sv).expect("configured");
    let error = failed
        .expect_err("the broken reload is refused")
        .to_string();
    assert!(error.contains(&placed), "{error}");
    let (status, kept) = product(&app, "sv-SE", "A-1").await;
    assert_eq!(
        (status, kept["name"].clone()),
        (200, json!("Hat")),
        "the last good feed stays"
    );
}

/// The decoded text of every MIME part of an `.eml` (base64 and quoted-printable).
pub(crate) fn decoded(eml: &str) -> String {
    let mut out = String::new();
    let eml = eml.replace("\r\n", "\n");
    for part in eml.split("\n--") {
        let Some((headers, body)) = part.split_once("\n\n") else {
            continue;
        };
        let lower = headers.to_ascii_lowercase();
        if lower.contains("content-transfer-encoding: base64") {
            let compact: String = body
                .split_whitespace()
                .take_while(|l| !l.starts_with("--"))
                .collect();
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) {
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
        } else if lower.contains("content-transfer-encoding: quoted-printable") {
            out.push_str(&quoted_printable(body));
        } else {
            out.push_str(body);
        }
        out.push('\n');
    }
    out
}

pub(crate) fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn emails(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| std::fs::read_to_string(p).expect("read eml"))
                .collect()
        })
        .unwrap_or_default()
}

async fn a_javascript_link_in_a_feed_never_reaches_an_email(backend: Backend) {
    let app = setup(backend)
        .feed(
            "sv-SE",
            &[
                json!({"id": "JS-1", "title": "Fälla", "price": "10.00 SEK",
                       "link": "javascript:alert(document.cookie)",
                       "image_link": "JaVaScRiPt:alert(1)"}),
                json!({"id": "OK-1", "title": "Mössa", "price": "10.00 SEK",
                       "link": "https://shop.example/p/ok-1",
                       "image_link": "https://cdn.example/ok-1.jpg"}),
            ],
        )
        .rule("everyone.yaml", crate::engine_helpers::EVERYONE)
        // The product's own link in the email, not its tracked one (clicks.rs).
        .config(|config| config.tracking.clicks = false)
        .spawn()
        .await;
    let status = app.engine.catalog().status();
    assert_eq!(
        status[0].report.unsafe_urls.count, 2,
        "{:?}",
        status[0].report
    );
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "JS-1", "sv-SE", None).await;
    let bert = app.create_contact("bert@example.com").await;
    app.subscribe(bert, "OK-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "JS-1", "quantity": 1}, {"sku": "OK-1", "quantity": 1}]))
        .await;
    app.delivery.run_pending().await.unwrap();

    let sent: Vec<String> = emails(&app.files.path().join("outbox"))
        .iter()
        .map(|eml| decoded(eml))
        .collect();
    assert_eq!(sent.len(), 2);
    let (trap, ok): (Vec<&String>, Vec<&String>) =
        sent.iter().partition(|text| text.contains("Fälla"));
    assert_eq!((trap.len(), ok.len()), (1, 1), "{sent:?}");
    assert!(
        !trap[0].to_ascii_lowercase().contains("javascript:"),
        "{}",
        trap[0]
    );
    assert!(
        ok[0].contains("href=\"https://shop.example/p/ok-1\""),
        "{}",
        ok[0]
    );
    assert!(
        ok[0].contains("src=\"https://cdn.example/ok-1.jpg\""),
        "{}",
        ok[0]
    );
}

/// An endpoint that answers 200 and keeps every body it receives.
async fn hook() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                log.lock().expect("lock").push(json);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn a_javascript_link_in_a_feed_never_reaches_a_webhook(backend: Backend) {
    let (url, received) = hook().await;
    let rule = format!(
        "id: hook\nsplit:\n  by: locale\n  branches:\n    default:\n      - webhook: {{url: '{url}'}}\n"
    );
    let app = setup(backend)
        .feed(
            "sv-SE",
            &[json!({"id": "JS-1", "title": "Fälla", "price": "10.00 SEK",
                     "link": "javascript:alert(1)", "image_link": "https://cdn.example/js-1.jpg",
                     "additional_image_link": ["data:text/html,x", "https://cdn.example/js-1b.jpg"]})],
        )
        .rule("hook.yaml", &rule)
        .config(|c| c.webhook.secret = Some(restock::config::Secret::new("webhook-test-secret")))
        .spawn()
        .await;
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "JS-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "JS-1", "quantity": 1}])).await;
    app.delivery.run_pending().await.unwrap();

    let bodies = received.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 1);
    let product = &bodies[0]["data"]["product"];
    assert_eq!(product["sku"], "JS-1");
    assert!(product.get("url").is_none(), "{product}");
    assert_eq!(product["imageUrl"], "https://cdn.example/js-1.jpg");
    assert_eq!(
        product["additional_image_link"],
        json!(["https://cdn.example/js-1b.jpg"])
    );
    assert!(!bodies[0]
        .to_string()
        .to_ascii_lowercase()
        .contains("javascript:"));
}

crate::on_both_backends!(
    a_javascript_link_in_a_feed_never_reaches_a_webhook,
    the_four_shapes_load_on_start_and_on_reload,
    a_rule_reads_a_bracketed_meta_column,
    a_broken_feed_names_file_line_and_column,
    a_javascript_link_in_a_feed_never_reaches_an_email,
);
