//! Email over SMTP to a real server (aiosmtpd): end to end from the HTTP subscription, and
//! a server that refuses, defers, rejects, then comes back.

use std::time::Duration;

use reqwest::Method;
use restock::config::{MailTransport, Secret};
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{Backend, Setup, TestApp};
use crate::smtp_server::SmtpServer;

fn over_smtp(setup: Setup, server: &SmtpServer) -> Setup {
    let url = server.url();
    setup.config(move |config| {
        config.mail.transport = MailTransport::Smtp;
        config.mail.smtp_url = Some(Secret::new(url));
        config.mail.from = "Butiken <shop@shop.example>".to_owned();
        config.delivery.retry_schedule = vec![Duration::ZERO; 5];
    })
}

fn header<'a>(message: &'a Value, name: &str) -> &'a str {
    message["headers"][name].as_str().unwrap_or_default()
}

async fn outbox(app: &TestApp, status: &str) -> Vec<Value> {
    let response = app
        .request(Method::GET, &format!("/api/v3/outbox?status={status}"))
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// Runs the delivery worker until it claims again after a transport fault paused it (its
/// first probe is a second later), and returns how many it claimed.
async fn claimed_once_resumed(app: &TestApp) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match app.delivery.run_once().await.unwrap() {
            0 if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            claimed => return claimed,
        }
    }
}

async fn a_subscription_becomes_one_email_in_the_branch_locale(backend: Backend) {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let app = over_smtp(shop(backend), &server).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;

    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 3}]))
        .await;
    assert_eq!(app.delivery.run_pending().await.unwrap(), 1);
    assert_eq!(app.delivery.run_pending().await.unwrap(), 0);

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    let notification = app.outbox().await[0].id;
    assert_eq!(message["rcptTos"], json!(["anna@example.com"]));
    assert_eq!(header(message, "To"), "anna@example.com");
    assert_eq!(header(message, "From"), "Butiken <shop@shop.example>");
    assert_eq!(header(message, "Subject"), "Kånken finns i lager igen");
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("Hej Test!"), "{text}");
    assert!(text.contains("899,00 kr"), "{text}");
    let html = message["html"].as_str().unwrap();
    assert!(
        html.contains("Kånken") && html.contains("lang=\"sv"),
        "{html}"
    );
    assert_eq!(
        header(message, "Message-ID"),
        format!("<{notification}@shop.example>")
    );
    let unsubscribe = header(message, "List-Unsubscribe");
    assert!(
        unsubscribe.starts_with("<https://shop.example/restock/unsubscribe/"),
        "{unsubscribe}"
    );
    assert_eq!(
        header(message, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );

    // The link in the email works: one click (RFC 8058) opts the contact out.
    let link = unsubscribe
        .trim_matches(['<', '>'])
        .replace("https://shop.example/restock", &app.address);
    let response = app
        .client
        .post(link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let contact: Value = app
        .call(Method::GET, &format!("/api/v3/contacts/{contact}"))
        .await;
    assert_eq!(contact["preferences"]["acceptsEmail"], false);
}

async fn refused_deferred_rejected_then_back_each_ends_once(backend: Backend) {
    let Some(mut server) = SmtpServer::reserve() else {
        return;
    };
    let app = over_smtp(shop(backend), &server).spawn().await;
    for name in ["anna", "bert", "carl"] {
        let contact = app.create_contact(&format!("{name}@example.com")).await;
        app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    }
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;

    // Nobody listens: the connection is refused, a transport fault that spends nothing.
    assert_eq!(app.delivery.run_once().await.unwrap(), 3);
    let pending = outbox(&app, "pending").await;
    assert_eq!(pending.len(), 3);
    assert!(pending.iter().all(|n| n["attempts"] == 0), "{pending:?}");

    // The server is up but defers: once the paused worker's probe finds it, each
    // notification spends an attempt and waits.
    server.set_mode("451");
    server.listen();
    assert_eq!(claimed_once_resumed(&app).await, 3);
    let pending = outbox(&app, "pending").await;
    assert_eq!(pending.len(), 3);
    assert!(
        pending
            .iter()
            .all(|n| n["lastError"].as_str().unwrap().contains("451")),
        "{pending:?}"
    );
    assert!(server.messages().is_empty());

    // One mailbox is rejected for good; the others go through.
    server.set_mode("550 carl@example.com");
    assert_eq!(app.delivery.run_once().await.unwrap(), 3);
    let dead = outbox(&app, "dead").await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    let reason = dead[0]["lastError"].as_str().unwrap();
    assert!(
        reason.starts_with("email: SMTP") && reason.contains("550"),
        "{reason}"
    );

    // Back to normal: nothing is left to send, and nothing is sent twice.
    server.set_mode("accept");
    assert_eq!(app.delivery.run_pending().await.unwrap(), 0);
    let delivered = outbox(&app, "delivered").await;
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered.iter().all(|n| n["attempts"] == 2),
        "{delivered:?}"
    );
    let mut ids: Vec<String> = server
        .messages()
        .iter()
        .map(|m| header(m, "Message-ID").to_owned())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = delivered
        .iter()
        .map(|n| format!("<{}@shop.example>", n["id"].as_str().unwrap()))
        .collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "exactly one message per delivered notification"
    );
}

crate::on_both_backends!(
    a_subscription_becomes_one_email_in_the_branch_locale,
    refused_deferred_rejected_then_back_each_ends_once,
);
