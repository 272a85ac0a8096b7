//! A mail transport that cannot carry any email (a plain server while STARTTLS is
//! required, nobody listening, an unwritable mail folder) holds every notification back
//! without spending its retries, shows in `/metrics` and `GET /api/v3/status`, and lets
//! the notifications go once it works; a recipient the server refuses for good still
//! dead-letters that one notification. Against the real SMTP server (tests/smtp).
//!
//! The real binary's log lines and the `restock mail` commands are in `binary`.

mod binary;

use std::time::{Duration, Instant};

use reqwest::Method;
use restock::config::{MailTransport, Secret};
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{Backend, Setup, TestApp};
use crate::smtp_server::SmtpServer;

const PEOPLE: [&str; 3] = ["anna", "bert", "carl"];

fn over_smtp(setup: Setup, url: String) -> Setup {
    setup.config(move |config| {
        config.mail.transport = MailTransport::Smtp;
        config.mail.smtp_url = Some(Secret::new(url));
        config.mail.from = "Butiken <shop@shop.example>".to_owned();
        config.delivery.retry_schedule = vec![Duration::ZERO; 5];
    })
}

/// The server's URL as `smtp://` means it: STARTTLS required.
fn strict(server: &SmtpServer) -> String {
    server.url().replace("?tls=none", "")
}

/// One notification per person, for SKU-1 in Swedish.
async fn notify_everyone(app: &TestApp) {
    for name in PEOPLE {
        let contact = app.create_contact(&format!("{name}@example.com")).await;
        app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    }
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;
}

async fn outbox(app: &TestApp, status: &str) -> Vec<Value> {
    let body: Value = app
        .call(Method::GET, &format!("/api/v3/outbox?status={status}"))
        .await;
    body["data"].as_array().expect("data").clone()
}

async fn mail_status(app: &TestApp) -> Value {
    let response = app.request(Method::GET, "/api/v3/status").send().await;
    let response = response.expect("request");
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.expect("json")["mail"].clone()
}

async fn transport_up_gauge(app: &TestApp) -> String {
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text");
    text.lines()
        .find(|l| l.starts_with("restock_mail_transport_up "))
        .unwrap_or_default()
        .to_owned()
}

/// Every notification pending with no attempt spent and `cause` as its last error,
/// nothing dead, and the fault in `/metrics` and the status.
async fn assert_held_back(app: &TestApp, transport: &str, cause: &str) {
    assert_eq!(outbox(app, "dead").await, Vec::<Value>::new());
    let pending = outbox(app, "pending").await;
    assert_eq!(pending.len(), PEOPLE.len(), "{pending:?}");
    for n in &pending {
        assert_eq!(n["attempts"], 0, "{n}");
        let error = n["lastError"].as_str().unwrap_or_default();
        assert!(error.contains(cause), "{error:?} should name {cause:?}");
    }
    assert_eq!(transport_up_gauge(app).await, "restock_mail_transport_up 0");
    let status = mail_status(app).await;
    assert_eq!(status["transport"], transport);
    assert_eq!(status["up"], false, "{status}");
    let error = status["error"].as_str().unwrap_or_default();
    assert!(error.contains(cause), "{status}");
    assert!(status["since"].is_string() && status["lastCheckedOn"].is_string());
}

/// Every notification delivered on its first counted attempt, and the transport up.
async fn assert_all_delivered(app: &TestApp, transport: &str) {
    let delivered = outbox(app, "delivered").await;
    assert_eq!(delivered.len(), PEOPLE.len(), "{delivered:?}");
    assert!(
        delivered.iter().all(|n| n["attempts"] == 1),
        "{delivered:?}"
    );
    assert_eq!(transport_up_gauge(app).await, "restock_mail_transport_up 1");
    let status = mail_status(app).await;
    assert_eq!(status["transport"], transport);
    assert_eq!(status["up"], true, "{status}");
    assert_eq!(status["error"], Value::Null);
}

/// Runs the worker until it claims again after a transport fault paused it (its first
/// probe is a second later, the next two after that); how many it claimed then.
async fn claimed_once_resumed(app: &TestApp) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match app.delivery.run_pending().await.expect("delivery") {
            0 if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            claimed => return claimed,
        }
    }
}

fn recipients(server: &SmtpServer) -> Vec<String> {
    let mut found: Vec<String> = server
        .messages()
        .iter()
        .map(|m| m["rcptTos"][0].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    found
}

fn everyone() -> Vec<String> {
    PEOPLE.iter().map(|p| format!("{p}@example.com")).collect()
}

async fn a_plain_server_while_starttls_is_required_holds_everything_until_the_url_is_fixed(
    backend: Backend,
) {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let app = over_smtp(shop(backend), strict(&server)).spawn().await;
    notify_everyone(&app).await;

    assert_eq!(app.delivery.run_pending().await.unwrap(), 3);
    assert_held_back(&app, "smtp", "does not offer STARTTLS").await;
    // Paused: the next runs claim nothing and spend nothing.
    assert_eq!(app.delivery.run_pending().await.unwrap(), 0);
    assert!(outbox(&app, "pending")
        .await
        .iter()
        .all(|n| n["attempts"] == 0));
    assert!(server.messages().is_empty());

    // The operator allows a plain connection and restarts on the same database.
    let backend = app.stop().await;
    let app = over_smtp(shop(backend), server.url()).spawn().await;
    assert_eq!(app.delivery.run_pending().await.unwrap(), 3);
    assert_all_delivered(&app, "smtp").await;
    assert_eq!(recipients(&server), everyone());
}

async fn a_refused_connection_holds_everything_until_the_server_listens(backend: Backend) {
    let Some(mut server) = SmtpServer::reserve() else {
        return;
    };
    let app = over_smtp(shop(backend), server.url()).spawn().await;
    notify_everyone(&app).await;

    assert_eq!(app.delivery.run_pending().await.unwrap(), 3);
    assert_held_back(&app, "smtp", "cannot connect to 127.0.0.1").await;

    // The server comes up: the paused worker's probe finds it, and everything goes.
    server.listen();
    assert_eq!(claimed_once_resumed(&app).await, 3);
    assert_all_delivered(&app, "smtp").await;
    assert_eq!(recipients(&server), everyone());
}

async fn a_rejected_recipient_dead_letters_only_that_notification(backend: Backend) {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    server.set_mode("550 carl@example.com");
    let app = over_smtp(shop(backend), server.url()).spawn().await;
    notify_everyone(&app).await;

    assert_eq!(app.delivery.run_pending().await.unwrap(), 3);
    let dead = outbox(&app, "dead").await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0]["lastError"].as_str().unwrap().contains("550"));
    assert_eq!(outbox(&app, "delivered").await.len(), 2);
    assert_eq!(
        recipients(&server),
        ["anna@example.com", "bert@example.com"]
    );
    // Not a transport fault: the transport is up and the worker did not pause.
    assert_eq!(
        transport_up_gauge(&app).await,
        "restock_mail_transport_up 1"
    );
    assert_eq!(mail_status(&app).await["up"], true);
    let dora = app.create_contact("dora@example.com").await;
    app.subscribe(dora, "SKU-2", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-2", "quantity": 1}])).await;
    assert_eq!(app.delivery.run_pending().await.unwrap(), 1);
    assert_eq!(outbox(&app, "delivered").await.len(), 3);
}

/// The mail folder replaced by a file: nothing can be written, nothing is spent.
async fn an_unwritable_mail_folder_holds_everything_until_it_is_writable(backend: Backend) {
    let app = shop(backend).spawn().await;
    let folder = app.config.mail.dir.clone();
    notify_everyone(&app).await;
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, "not a folder").unwrap();

    assert_eq!(app.delivery.run_pending().await.unwrap(), 3);
    assert_held_back(&app, "file", "cannot write the .eml file").await;

    std::fs::remove_file(&folder).unwrap();
    assert_eq!(claimed_once_resumed(&app).await, 3);
    assert_all_delivered(&app, "file").await;
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 3);
}

crate::on_both_backends!(
    a_plain_server_while_starttls_is_required_holds_everything_until_the_url_is_fixed,
    a_refused_connection_holds_everything_until_the_server_listens,
    a_rejected_recipient_dead_letters_only_that_notification,
    an_unwritable_mail_folder_holds_everything_until_it_is_writable,
);
