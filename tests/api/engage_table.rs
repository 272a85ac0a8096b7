//! The subscription table of docs/design.md (#1–#5), created through the API and read back
//! per contact exactly as Engage shows it.

use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

async fn design_table_round_trips(backend: Backend) {
    let app = spawn_app(backend).await;
    let table = [
        ("SKU-1", "sv-se", None),
        ("SKU-1", "pl-pl", None),
        ("SKU-1", "sv-se", Some("SE-SKU-1")),
        ("SKU-1", "pl-pl", Some("PL-SKU-1")),
        ("SKU-2", "sv-se", None),
    ];
    let contact = app.create_contact("shopper@example.com").await;
    let mut created = Vec::new();
    for (sku, locale, external_id) in table {
        created.push(app.subscribe(contact, sku, locale, external_id).await);
    }

    let listed = app.subscriptions_of(contact).await;
    assert_eq!(listed, created, "listed oldest first, exactly as created");
    let rows: Vec<(String, String, Value)> = listed
        .iter()
        .map(|s| {
            (
                s["sku"].as_str().unwrap().to_owned(),
                s["locale"].as_str().unwrap().to_owned(),
                s["externalId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("SKU-1".into(), "sv-SE".into(), Value::Null),
            ("SKU-1".into(), "pl-PL".into(), Value::Null),
            ("SKU-1".into(), "sv-SE".into(), Value::from("SE-SKU-1")),
            ("SKU-1".into(), "pl-PL".into(), Value::from("PL-SKU-1")),
            ("SKU-2".into(), "sv-SE".into(), Value::Null),
        ]
    );
    for s in &listed {
        let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "contactId",
                "createdOn",
                "externalId",
                "id",
                "locale",
                "sku"
            ]
        );
    }
}

crate::on_both_backends!(design_table_round_trips);
