//! Each predefined condition, each condition category, priorities, expiry, throttle and
//! hot reload, driven through the real engine.

use reqwest::Method;
use serde_json::{json, Value};

use crate::engine_helpers::{notified, product, shop};
use crate::helpers::{problem, Backend, TestApp};

/// An automation `id` with `when: condition` (if any), notifying through the default branch.
fn rule(id: &str, priority: i64, extra: &str, when: Option<&str>) -> String {
    let when = when.map(|w| format!("when: '{w}'\n")).unwrap_or_default();
    format!("id: {id}\npriority: {priority}\n{extra}\n{when}split:\n  by: locale\n  branches:\n    default:\n      - log: {{}}\n")
}

async fn predefined_conditions_hold_back(backend: Backend) {
    let app = shop(backend)
        .feed("de-DE", &[product("OTHER", "Other", "1.00 EUR")])
        .spawn()
        .await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "fi-FI", None).await; // no feed for fi-FI
    app.subscribe(contact, "SKU-1", "de-DE", None).await; // feed without SKU-1
    app.subscribe(contact, "SKU-1", "sv-SE", None).await; // everything in place
    app.stock(json!([{"sku": "SKU-1", "quantity": 0}])).await;
    assert!(app.outbox().await.is_empty(), "quantity 0 never triggers");
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;

    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].locale, "sv-SE");
    assert_eq!(
        app.remaining(contact).await.len(),
        2,
        "held-back subscriptions stay"
    );

    let log = app.log("?sku=SKU-1").await;
    assert_eq!(log.len(), 2);
    let (latest, sold_out) = (&log[0], &log[1]);
    assert_eq!(sold_out["quantity"], 0);
    assert_eq!(sold_out["predefinedConditionsPassed"], false);
    assert_eq!(sold_out["heldBack"], json!({"noStock": 3}));
    assert_eq!(latest["matched"], 3);
    assert_eq!(
        latest["heldBack"],
        json!({"noFeedForLocale": 1, "noProductData": 1})
    );
    assert_eq!(latest["sentToAutomations"], 1);
    assert_eq!(
        latest["sent"],
        json!([{"automation": "everyone", "branch": "sv-SE", "count": 1}])
    );
}

/// Subscribes a fresh contact to `sku` in sv-SE, sends `level`, and says whether it triggered.
async fn triggers(
    app: &TestApp,
    n: &mut usize,
    sku: &str,
    level: Value,
    attributes: Value,
) -> bool {
    *n += 1;
    let mut contact = json!({"email": format!("c{n}@example.com")});
    contact
        .as_object_mut()
        .unwrap()
        .extend(attributes.as_object().unwrap().clone());
    let response = app.post_contact(contact).await;
    let contact: uuid::Uuid = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let before = app.outbox().await.len();
    app.subscribe(contact, sku, "sv-SE", None).await;
    let mut level = level;
    level["sku"] = json!(sku);
    level
        .as_object_mut()
        .unwrap()
        .entry("locale")
        .or_insert(json!("sv-SE"));
    app.stock(json!([level])).await;
    let triggered = app.outbox().await.len() > before;
    if !triggered {
        // Leave nothing behind for the next case.
        app.request(Method::DELETE, &format!("/api/v3/contacts/{contact}"))
            .send()
            .await
            .unwrap();
    }
    triggered
}

async fn every_condition_category(backend: Backend) {
    let app = shop(backend)
        .feed(
            "sv-SE",
            &[
                product("SKU-1", "Kånken", "899.00 SEK"),
                product("SKU-2", "Tröja", "1999.00 SEK"),
            ],
        )
        .spawn()
        .await;
    let n = &mut 0;
    let q = |q: i64| json!({"quantity": q});
    let cases: Vec<(&str, &str, Value, Value, bool)> = vec![
        (
            "locale",
            r#"locale in ["sv-SE", "fi-FI"]"#,
            q(1),
            json!({}),
            true,
        ),
        ("locale", r#"locale == "pl-PL""#, q(1), json!({}), false),
        ("quantity", "quantity >= 10", q(12), json!({}), true),
        ("quantity", "quantity >= 10", q(9), json!({}), false),
        ("sku", r#"sku starts with "SKU-""#, q(1), json!({}), true),
        ("externalId", "exists(externalId)", q(1), json!({}), false),
        ("product", "product.price < 1000", q(1), json!({}), true),
        (
            "product",
            r#"product.name contains "Kån""#,
            q(1),
            json!({}),
            true,
        ),
        (
            "subscription",
            "subscription.age < 1d",
            q(1),
            json!({}),
            true,
        ),
        (
            "subscription",
            "subscription.age > 1d",
            q(1),
            json!({}),
            false,
        ),
        (
            "contact",
            "contact.attributes.vip == true",
            q(1),
            json!({"vip": true}),
            true,
        ),
        (
            "contact",
            "contact.attributes.vip == true",
            q(1),
            json!({"vip": false}),
            false,
        ),
        (
            "contact",
            "contact.attributes.vip == true",
            q(1),
            json!({}),
            false,
        ),
        (
            "contact",
            r#"contact.email ends with "@example.com""#,
            q(1),
            json!({}),
            true,
        ),
        ("purchase", "not purchased", q(1), json!({}), true),
    ];
    for (category, condition, level, attributes, expected) in cases {
        assert!(
            app.set_rule("everyone.yaml", &rule("everyone", 1, "", Some(condition)))
                .await,
            "{condition}"
        );
        let got = triggers(&app, n, "SKU-1", level, attributes).await;
        assert_eq!(got, expected, "{category}: {condition}");
    }
    // The dearer product fails the price condition.
    assert!(
        app.set_rule(
            "everyone.yaml",
            &rule("everyone", 1, "", Some("product.price < 1000"))
        )
        .await
    );
    assert!(!triggers(&app, n, "SKU-2", q(1), json!({})).await);
}

async fn purchase_since_subscribing_holds_back(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("everyone", 1, "", Some("not purchased")),
        )
        .spawn()
        .await;
    let buyer = app.create_contact("buyer@example.com").await;
    let waiter = app.create_contact("waiter@example.com").await;
    app.subscribe(buyer, "SKU-1", "sv-SE", None).await;
    let kept = app.subscribe(waiter, "SKU-1", "sv-SE", None).await;
    // The buyer bought it in a store after subscribing; the waiter bought it long before.
    let receipt = |contact: uuid::Uuid, date: &str| json!({"contactId": contact, "createdDate": date, "items": [{"sku": "SKU-1"}]});
    let now = chrono::Utc::now().to_rfc3339();
    for body in [
        receipt(buyer, &now),
        receipt(waiter, "2020-01-01T00:00:00+00:00"),
    ] {
        crate::clicks::post_receipt(&app, body).await;
    }
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    assert_eq!(
        notified(&app.outbox().await),
        [kept["id"].as_str().unwrap()]
    );
    assert_eq!(
        app.log("").await[0]["heldBack"],
        json!({"conditionFalse": 1})
    );
}

async fn priority_threshold_and_split(backend: Backend) {
    let vip = "id: vip\npriority: 10\nthreshold: 5\nwhen: contact.attributes.vip == true\nsplit:\n  by: locale\n  branches:\n    sv-SE:\n      - email: {template: vip-sv}\n    default:\n      - email: {template: vip}\n";
    let app = shop(backend).rule("vip.yaml", vip).spawn().await;
    let vip_contact = app
        .post_contact(json!({"email": "vip@example.com", "vip": true}))
        .await;
    let vip_contact: uuid::Uuid = vip_contact.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let other = app.create_contact("other@example.com").await;
    app.subscribe(vip_contact, "SKU-1", "sv-SE", None).await;
    app.subscribe(vip_contact, "SKU-2", "pl-PL", None).await;
    app.subscribe(other, "SKU-1", "sv-SE", None).await;

    // Below the VIP threshold, the catch-all takes everyone.
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}, {"sku": "SKU-2", "quantity": 7}]))
        .await;
    let mut routes: Vec<(String, String, String)> = app
        .outbox()
        .await
        .into_iter()
        .map(|n| (n.sku, n.automation, n.branch))
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            ("SKU-1".into(), "everyone".into(), "sv-SE".into()),
            ("SKU-1".into(), "vip".into(), "sv-SE".into()),
            ("SKU-2".into(), "vip".into(), "default".into()),
        ]
    );
    let batch = app.log("?sku=SKU-1").await;
    let sent: Vec<&str> = batch[0]["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["automation"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["everyone", "vip"]);
}

async fn below_threshold_stays(backend: Backend) {
    let app = shop(backend)
        .rule("everyone.yaml", &rule("everyone", 1, "threshold: 10", None))
        .spawn()
        .await;
    let contact = app.create_contact("a@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 9}])).await;
    assert!(app.outbox().await.is_empty());
    assert_eq!(
        app.log("").await[0]["heldBack"],
        json!({"belowThreshold": 1})
    );
    app.stock(json!([{"sku": "SKU-1", "quantity": 10}])).await;
    assert_eq!(app.outbox().await.len(), 1);
}

async fn expired_subscriptions_are_dropped_not_notified(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("everyone", 1, "expires_after: 90d", None),
        )
        .spawn()
        .await;
    let contact = app.create_contact("a@example.com").await;
    let old = app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    let fresh = app.subscribe(contact, "SKU-1", "pl-PL", None).await;
    app.age_subscription(old["id"].as_str().unwrap(), 91).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;
    assert_eq!(
        notified(&app.outbox().await),
        [fresh["id"].as_str().unwrap()]
    );
    assert!(
        app.remaining(contact).await.is_empty(),
        "the expired one is gone too"
    );
    assert_eq!(app.log("").await[0]["expired"], json!({"everyone": 1}));
}

async fn throttle_notifies_the_oldest_first(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("everyone", 1, "throttle: {per_unit: 2}", None),
        )
        .spawn()
        .await;
    let mut subscriptions = Vec::new();
    for i in 0..7 {
        let contact = app.create_contact(&format!("c{i}@example.com")).await;
        subscriptions.push(
            app.subscribe(contact, "SKU-1", "sv-SE", None).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // 2 units × 2 per unit = 4, taken across chunks of 3 (the test chunk size).
    app.stock(json!([{"sku": "SKU-1", "quantity": 2}])).await;
    assert_eq!(notified(&app.outbox().await), subscriptions[..4]);
    assert_eq!(app.log("").await[0]["heldBack"], json!({"throttled": 3}));
    // The rest wait for the next stock level, oldest first again.
    app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;
    assert_eq!(notified(&app.outbox().await), subscriptions[..6]);
}

async fn invalid_reload_keeps_the_last_good_rules(backend: Backend) {
    let app = shop(backend).spawn().await;
    let broken = "id: everyone\nwhen: product.prise < 10\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
    assert!(
        !app.set_rule("everyone.yaml", broken).await,
        "a broken file is rejected"
    );
    let body: Value = app.call(Method::GET, "/api/v3/automations").await;
    assert_eq!(body["automations"][0]["id"], "everyone");
    assert_eq!(
        body["automations"][0]["when"],
        Value::Null,
        "the old version is live"
    );
    let error = &body["errors"][0];
    assert!(
        error["file"].as_str().unwrap().ends_with("everyone.yaml"),
        "{error}"
    );
    assert_eq!(error["line"], 2);
    assert_eq!(error["column"], 7);
    assert!(
        error["message"].as_str().unwrap().contains("product.price"),
        "{error}"
    );

    let contact = app.create_contact("a@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;
    assert_eq!(
        app.outbox().await.len(),
        1,
        "the last good rules keep working"
    );

    // A good edit clears the error and takes over.
    assert!(
        app.set_rule("everyone.yaml", &rule("everyone", 1, "threshold: 3", None))
            .await
    );
    let body: Value = app.call(Method::GET, "/api/v3/automations").await;
    assert_eq!(body["automations"][0]["threshold"], 3);
    assert_eq!(body["errors"], json!([]));
}

async fn dry_run_changes_nothing(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("everyone", 1, "", Some("contact.attributes.vip == true")),
        )
        .spawn()
        .await;
    let vip = app
        .post_contact(json!({"email": "vip@example.com", "vip": true}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let vip: uuid::Uuid = vip["id"].as_str().unwrap().parse().unwrap();
    let other = app.create_contact("other@example.com").await;
    let s1 = app.subscribe(vip, "SKU-1", "sv-SE", None).await;
    let s2 = app.subscribe(other, "SKU-1", "sv-SE", None).await;
    let s3 = app.subscribe(other, "SKU-1", "fi-FI", None).await;
    let response = app
        .request(Method::POST, "/api/v3/automations/dry-run")
        .json(&json!({"sku": "SKU-1", "quantity": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["matched"], 3);
    assert_eq!(report["wouldTrigger"], 1);
    assert_eq!(
        report["heldBack"],
        json!({"conditionFalse": 1, "noFeedForLocale": 1})
    );
    let verdicts = report["subscriptions"].as_array().unwrap();
    assert_eq!(verdicts[0]["subscriptionId"], s1["id"]);
    assert_eq!(verdicts[0]["outcome"], "trigger");
    assert_eq!(verdicts[0]["automation"], "everyone");
    assert_eq!(verdicts[0]["branch"], "default");
    assert_eq!(verdicts[1]["subscriptionId"], s2["id"]);
    assert_eq!(verdicts[1]["reason"], "conditionFalse");
    assert_eq!(verdicts[2]["subscriptionId"], s3["id"]);
    assert_eq!(verdicts[2]["reason"], "noFeedForLocale");
    assert!(app.outbox().await.is_empty());
    assert_eq!(app.remaining(other).await.len(), 2);
    assert!(app.log("").await.is_empty());

    let bad = app
        .request(Method::POST, "/api/v3/automations/dry-run")
        .json(&json!({"sku": "", "quantity": -1}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::helpers::fields(&problem(bad, 400).await),
        ["quantity", "sku"]
    );
}

async fn products_show_what_the_engine_sees(backend: Backend) {
    let app = shop(backend).spawn().await;
    let response = app
        .request(Method::GET, "/api/v3/products/sv-se/SKU-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let product: Value = response.json().await.unwrap();
    assert_eq!(product["name"], "Kånken");
    assert_eq!(product["price"], 899.0);
    assert_eq!(product["currency"], "SEK");
    let missing = app
        .request(Method::GET, "/api/v3/products/sv-SE/NOPE")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(missing, 404).await["errorCode"], "ProductNotFound");
    let no_feed = app
        .request(Method::GET, "/api/v3/products/fi-FI/SKU-1")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(no_feed, 404).await["errorCode"], "NoFeedForLocale");
}

crate::on_both_backends!(
    predefined_conditions_hold_back,
    every_condition_category,
    purchase_since_subscribing_holds_back,
    priority_threshold_and_split,
    below_threshold_stays,
    expired_subscriptions_are_dropped_not_notified,
    throttle_notifies_the_oldest_first,
    invalid_reload_keeps_the_last_good_rules,
    dry_run_changes_nothing,
    products_show_what_the_engine_sees,
);
