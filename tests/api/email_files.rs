//! The embedded email setup: `.eml` files, the unsubscribe pages, templates edited while
//! the server runs, and previews.

use reqwest::Method;
use restock::unsubscribe::UnsubscribeKey;
use serde_json::{json, Value};

use crate::binary::own_templates;
use crate::engine_helpers::shop;
use crate::helpers::{Backend, TestApp, UNSUBSCRIBE_SECRET};

/// The `.eml` files the file transport wrote, by file name.
fn emails(app: &TestApp) -> Vec<(String, String)> {
    let dir = app.files.path().join("outbox");
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

async fn the_file_transport_writes_one_eml_per_notification(backend: Backend) {
    let app = shop(backend).spawn().await;
    for name in ["anna", "bert"] {
        let contact = app.create_contact(&format!("{name}@example.com")).await;
        app.subscribe(contact, "SKU-1", "pl-PL", None).await;
    }
    app.stock(json!([{"sku": "SKU-1", "quantity": 2}])).await;
    app.delivery.run_pending().await.unwrap();
    app.delivery.run_pending().await.unwrap();

    let files = emails(&app);
    let mut ids: Vec<String> = app
        .outbox()
        .await
        .iter()
        .map(|n| n.id.to_string())
        .collect();
    ids.sort();
    let names: Vec<String> = ids.iter().map(|id| format!("{id}.eml")).collect();
    assert_eq!(
        files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        names
    );
    for ((_, eml), id) in files.iter().zip(&ids) {
        assert!(
            eml.contains(&format!("Message-ID: <{id}@localhost>")),
            "{eml}"
        );
        assert!(eml.contains("List-Unsubscribe: <https://shop.example/restock/unsubscribe/"));
        assert!(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(eml.contains("From: Restock <restock@localhost>"));
        assert!(eml.contains("multipart/alternative"));
    }
}

async fn unsubscribe_pages_opt_out_and_forgeries_change_nothing(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.subscribe(contact, "SKU-2", "sv-SE", None).await;
    let token = UnsubscribeKey::new(UNSUBSCRIBE_SECRET).token(contact);
    let forged = UnsubscribeKey::new("guess").token(contact);
    let url = |token: &str| format!("{}/unsubscribe/{token}", app.address);

    let page = app.client.get(url(&token)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!(
        "<form method=\"post\" action=\"https://shop.example/restock/unsubscribe/{token}\""
    )));
    assert_eq!(
        app.subscriptions_of(contact).await.len(),
        2,
        "GET changes nothing"
    );

    for bad in [forged.as_str(), "not-a-token", &contact.to_string()] {
        let response = app.client.post(url(bad)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        assert_eq!(app.client.get(url(bad)).send().await.unwrap().status(), 400);
    }
    assert_eq!(
        app.subscriptions_of(contact).await.len(),
        2,
        "forgeries change nothing"
    );

    let done = app.client.post(url(&token)).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("unsubscribed"));
    assert!(app.subscriptions_of(contact).await.is_empty());
    let body: Value = app
        .call(Method::GET, &format!("/api/v3/contacts/{contact}"))
        .await;
    assert_eq!(body["preferences"]["acceptsEmail"], false);
    // Clicking again is harmless.
    assert_eq!(
        app.client.post(url(&token)).send().await.unwrap().status(),
        200
    );
}

async fn an_edited_template_serves_the_next_email_and_a_broken_edit_does_not(backend: Backend) {
    let setup = shop(backend);
    let app = setup
        .config(|config| {
            own_templates(config);
        })
        .spawn()
        .await;
    let templates = app.templates.clone().expect("templates loaded");
    let text = app.config.templates_dir.join("sv-SE/back-in-stock.txt.hbs");
    let original = std::fs::read_to_string(&text).unwrap();
    std::fs::write(&text, format!("EDITED-TEMPLATE\n{original}")).unwrap();
    assert!(templates.reload_now().is_ok());

    let send = |email: &'static str| {
        let app = &app;
        async move {
            let contact = app.create_contact(email).await;
            app.subscribe(contact, "SKU-1", "sv-SE", None).await;
            app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;
            app.delivery.run_pending().await.unwrap();
        }
    };
    send("anna@example.com").await;
    let files = emails(&app);
    assert_eq!(files.len(), 1);
    assert!(files[0].1.contains("EDITED-TEMPLATE"), "{}", files[0].1);

    std::fs::write(&text, "{{#if product.name}}never closed").unwrap();
    assert!(templates.reload_now().is_err(), "a broken edit is refused");
    let status: Value = app.call(Method::GET, "/api/v3/templates").await;
    assert!(!status["lastError"].is_null(), "{status}");
    send("bert@example.com").await;
    let files = emails(&app);
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|(_, eml)| eml.contains("EDITED-TEMPLATE")));
}

async fn a_preview_renders_the_real_product_and_contact(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    let preview = |body: Value| {
        app.request(Method::POST, "/api/v3/templates/back-in-stock/preview")
            .json(&body)
            .send()
    };
    let response = preview(json!({"locale": "sv-SE", "sku": "SKU-1", "contactId": contact}))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["subject"], "Kånken finns i lager igen");
    assert!(body["text"].as_str().unwrap().contains("899,00 kr"));
    assert_eq!(body["localeUsed"], "sv-SE");
    let missing = preview(json!({"locale": "sv-SE", "sku": "NOPE", "contactId": contact}))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let templates = app
        .request(Method::GET, "/api/v3/templates")
        .send()
        .await
        .unwrap();
    assert_eq!(templates.status(), 200);
}

crate::on_both_backends!(
    the_file_transport_writes_one_eml_per_notification,
    unsubscribe_pages_opt_out_and_forgeries_change_nothing,
    an_edited_template_serves_the_next_email_and_a_broken_edit_does_not,
    a_preview_renders_the_real_product_and_contact,
);
