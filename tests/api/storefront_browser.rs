//! The storefront in a real browser: a shop page on another site (`localhost`, while
//! Restock is `127.0.0.1`) under a strict CSP embeds the widget with a script tag; the
//! shopper clicks, types, ticks and submits, reads "check your inbox" in Swedish, opens
//! the confirmation email's link and confirms; the stock level then sends the
//! back-in-stock email, whose "my alerts" page cancels the other alert. Skipped like the
//! console's browser suite when Chromium is missing (required in CI).

use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::console_browser::{browser_binaries, headless, shots, Driver};
use crate::engine_helpers::shop;
use crate::feeds_real::decoded;
use crate::helpers::{Backend, TestApp};

/// The shop's product page, with two widgets, under the strictest policy the widget
/// documents: scripts and connections only from Restock (and the page's own error
/// collector, by nonce), no inline styles.
fn shop_page(restock: &str) -> String {
    format!(
        "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Kånken</title>\
         <script nonce=\"shop\">window.restockErrors=[];\
         addEventListener('error',function(e){{restockErrors.push('error: '+e.message)}});\
         addEventListener('unhandledrejection',function(e){{restockErrors.push('rejection: '+e.reason)}});\
         document.addEventListener('securitypolicyviolation',function(e){{restockErrors.push('csp: '+e.violatedDirective+' '+e.blockedURI)}});\
         </script><script src=\"{restock}/storefront/widget.js\" defer></script></head>\
         <body><h1>Kånken</h1>\
         <div id=\"one\" data-restock-sku=\"SKU-1\" data-restock-locale=\"sv-SE\"></div>\
         <h2>Tröja</h2><div id=\"two\" data-restock-sku=\"SKU-2\" data-restock-locale=\"sv-SE\"></div>\
         </body></html>"
    )
}

/// Waits (up to 10 s) until `read` gives text containing `needle`.
pub(crate) async fn wait_for<F, Fut>(what: &str, needle: &str, read: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let started = Instant::now();
    loop {
        let text = read().await;
        if text.contains(needle) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: no {needle:?} in {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the widget on the element `host`, fills it in and submits; the status text it
/// ends with.
pub(crate) async fn sign_up_in_widget(c: &Client, host: &str, email: &str) -> String {
    let name: String = host.chars().filter(char::is_ascii_alphanumeric).collect();
    let shot = format!("storefront-form-{name}.png");
    let host = c.find(Locator::Css(host)).await.unwrap();
    let shadow = host.shadow_root().await.unwrap();
    shadow
        .find(Locator::Css("button[aria-expanded]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field = shadow
        .find(Locator::Css("input[type=email]"))
        .await
        .unwrap();
    field.send_keys(email).await.unwrap();
    // The consent wording arrives with the challenge.
    wait_for("the consent label", "Mejla mig", || async {
        let label = shadow.find(Locator::Css(".consent label")).await.unwrap();
        label.text().await.unwrap_or_default()
    })
    .await;
    shadow
        .find(Locator::Css("input[type=checkbox]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(shot), png).unwrap();
    shadow
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for("the widget's status", "Kolla din inkorg", || async {
        let status = shadow.find(Locator::Css("[role=status]")).await.unwrap();
        status.text().await.unwrap_or_default()
    })
    .await
}

pub(crate) async fn page_errors(c: &Client) -> Value {
    c.execute("return window.restockErrors || null;", vec![])
        .await
        .unwrap()
}

/// The decoded emails to `to`, oldest first.
fn mail_to(app: &TestApp, to: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(app.files.path().join("outbox"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).unwrap());
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|eml| eml.contains(&format!("To: {to}")))
        .map(|eml| decoded(&eml))
        .collect()
}

/// A link to `path` in `mail`, on the test server.
fn link_in(app: &TestApp, mail: &str, path: &str) -> String {
    crate::storefront::local(app, &crate::storefront::public_link(mail, path))
}

async fn click_text(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub(crate) async fn body_text(c: &Client) -> String {
    // Empty while a navigation replaces the page.
    match c.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
async fn a_shopper_signs_up_on_the_shops_page_confirms_and_manages_the_alerts() {
    let Some(binaries) = browser_binaries() else {
        return;
    };
    // The shop's origin is in Restock's configuration, so its port is chosen first.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let shop_origin = format!("http://localhost:{port}");
    let allowed = shop_origin.clone();
    let app = shop(Backend::sqlite())
        .config(move |c| {
            c.storefront.enabled = true;
            c.storefront.allowed_origins = vec![allowed];
        })
        .spawn()
        .await;
    serve_shop(port, app.address.clone()).await;

    let driver = Driver::start(&binaries.0);
    let profile = tempfile::tempdir().unwrap();
    let c = headless(&driver, &binaries.1, profile.path()).await;
    c.goto(&format!("{shop_origin}/product")).await.unwrap();
    let status = sign_up_in_widget(&c, "#one", "anna@example.com").await;
    assert_eq!(status.trim(), "Kolla din inkorg för att bekräfta.");
    assert_eq!(
        sign_up_in_widget(&c, "#two", "anna@example.com")
            .await
            .trim(),
        status.trim()
    );
    assert_eq!(
        page_errors(&c).await,
        json!([]),
        "no script error or CSP violation"
    );
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join("storefront-widget.png"), png).unwrap();

    // Both confirmation emails; confirm each in the browser.
    assert_eq!(app.confirmations.run_pending().await.unwrap(), 2);
    let mails = mail_to(&app, "anna@example.com");
    assert_eq!(mails.len(), 2);
    for mail in &mails {
        c.goto(&link_in(&app, mail, "/storefront/confirm/"))
            .await
            .unwrap();
        click_text(&c, "form button").await;
        wait_for("the confirmed page", "Din bevakning är bekräftad", || {
            body_text(&c)
        })
        .await;
    }
    let address = restock::domain::EmailAddress::parse("anna@example.com").unwrap();
    let contact = app.store.contact_by_email(&address).await.unwrap().unwrap();
    assert_eq!(app.subscriptions_of(contact.id).await.len(), 2);

    // The stock level sends the back-in-stock email for SKU-1.
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    app.delivery.run_pending().await.unwrap();
    let mails = mail_to(&app, "anna@example.com");
    let notice = mails
        .iter()
        .find(|m| m.contains("finns i lager igen") && m.contains("Kånken"))
        .expect("the back-in-stock email");

    // Its "my alerts" page cancels the other alert.
    c.goto(&link_in(&app, notice, "/storefront/alerts/"))
        .await
        .unwrap();
    let listed = body_text(&c).await;
    assert!(listed.contains("Tröja"), "{listed}");
    click_text(&c, "li form button").await;
    wait_for(
        "the alerts page",
        "Klart: bevakningen är avbruten.",
        || body_text(&c),
    )
    .await;
    assert!(app.subscriptions_of(contact.id).await.is_empty());
    c.close().await.unwrap();
}

/// Serves the shop page on `port` (the browser calls it `localhost`).
async fn serve_shop(port: u16, restock: String) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let policy = format!(
        "default-src 'none'; script-src 'nonce-shop' {restock}; connect-src {restock}; \
         style-src 'self'; base-uri 'none'"
    );
    let page = shop_page(&restock);
    let app = axum::Router::new().route(
        "/product",
        axum::routing::get(move || {
            let (page, policy) = (page.clone(), policy.clone());
            async move {
                (
                    [("content-security-policy", policy)],
                    axum::response::Html(page),
                )
                    .into_response()
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
}
