//! The public sign-up: a shopper signs up with a solved proof of work, confirms from the
//! email, and the stock level then sends the back-in-stock email; and every way to abuse
//! the endpoint (no proof, a forged, expired or replayed one, the honeypot, another
//! origin, a burst, a huge body, hostile addresses) stores and sends nothing.

use std::time::Duration;

use restock::domain::EmailAddress;
use restock::storefront::{solve, Challenge, Challenges, LinkKey};
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::feeds_real::decoded;
use crate::helpers::{Backend, TestApp, UNSUBSCRIBE_SECRET};

/// Easy proofs: the tests' debug build solves them in milliseconds.
const DIFFICULTY: u8 = 6;
const SHOP: &str = "https://nordkust.example";

pub(crate) async fn storefront(backend: Backend) -> TestApp {
    storefront_with(backend, |_| {}).await
}

async fn storefront_with(
    backend: Backend,
    adjust: impl FnOnce(&mut restock::config::StorefrontConfig) + 'static,
) -> TestApp {
    shop(backend)
        .config(move |c| {
            c.storefront.enabled = true;
            c.storefront.difficulty = DIFFICULTY;
            c.storefront.allowed_origins = vec![SHOP.to_owned()];
            adjust(&mut c.storefront);
        })
        .spawn()
        .await
}

/// A challenge from the server, solved.
async fn proof(app: &TestApp) -> Value {
    let body: Value = app
        .client
        .get(format!("{}/storefront/challenge?locale=sv-SE", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let challenge = Challenge {
        text: body["challenge"].as_str().unwrap().to_owned(),
        difficulty: u8::try_from(body["difficulty"].as_u64().unwrap()).unwrap(),
        expires_ms: 0,
    };
    json!({"challenge": challenge.text, "nonce": solve(&challenge)})
}

fn signup(email: &str, sku: &str, proof: Value) -> Value {
    json!({
        "email": email,
        "sku": sku,
        "locale": "sv-SE",
        "consentVersion": "1",
        "sourcePage": format!("{SHOP}/products/{sku}"),
        "website": "",
        "proof": proof,
    })
}

async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/storefront/subscriptions", app.address))
        .header("origin", SHOP)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Status and body of a sign-up with a fresh proof.
pub(crate) async fn sign_up(app: &TestApp, email: &str, sku: &str) -> (u16, String) {
    let body = signup(email, sku, proof(app).await);
    let response = post(app, &body).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The decoded `.eml` files sent to `to`.
pub(crate) fn mail_to(app: &TestApp, to: &str) -> Vec<String> {
    let dir = app.files.path().join("outbox");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .filter(|eml| eml.contains(&format!("To: {to}")))
        .map(|eml| decoded(&eml))
        .collect()
}

fn emails_sent(app: &TestApp) -> usize {
    std::fs::read_dir(app.files.path().join("outbox"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// The confirmation link in an email.
pub(crate) fn confirm_link(mail: &str) -> String {
    public_link(mail, "/storefront/confirm/")
}

/// The first link under the public URL's `path` in `text` (an email or a page).
pub(crate) fn public_link(text: &str, path: &str) -> String {
    let prefix = format!("https://shop.example/restock{path}");
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_/:.".contains(*c))
        .collect()
}

/// The link's path on the test server (the public URL is the shop's).
pub(crate) fn local(app: &TestApp, link: &str) -> String {
    link.replace("https://shop.example/restock", &app.address)
}

async fn pending(app: &TestApp, email: &str) -> usize {
    app.store
        .pending_for(&email.to_lowercase())
        .await
        .unwrap()
        .len()
}

async fn contact_of(app: &TestApp, email: &str) -> Option<restock::store::Contact> {
    let address = EmailAddress::parse(email).unwrap();
    app.store.contact_by_email(&address).await.unwrap()
}

async fn stat(app: &TestApp, metric: &str) -> i64 {
    let today = app.store.stats_zone().today();
    app.store
        .daily_stats(today, today, None, None)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.metric == metric)
        .map(|r| r.value)
        .sum()
}

async fn a_shopper_signs_up_confirms_and_is_told_when_it_is_back(backend: Backend) {
    let app = storefront(backend).await;
    let (status, body) = sign_up(&app, "Anna@Example.com", "SKU-1").await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"status": "accepted", "confirmationRequired": true})
    );
    // Pending: no contact yet, and a stock level matches nothing.
    assert_eq!(pending(&app, "anna@example.com").await, 1);
    assert!(contact_of(&app, "anna@example.com").await.is_none());
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;
    assert!(app.outbox().await.is_empty());

    assert_eq!(app.confirmations.run_pending().await.unwrap(), 1);
    let mails = mail_to(&app, "Anna@Example.com");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("Bekräfta min bevakning"), "{mail}");
    assert!(
        mail.contains("Kånken"),
        "the feed's name of the product: {mail}"
    );
    let link = local(&app, &confirm_link(mail));

    // Opening the link (as a mail scanner would) confirms nothing.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-language"], "sv");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Vill du få ett mejl när Kånken finns i lager igen?"),
        "{html}"
    );
    assert!(html.contains("<form method=\"post\">"), "{html}");
    assert_eq!(pending(&app, "anna@example.com").await, 1);

    let done = app.client.post(&link).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("Din bevakning är bekräftad"));
    assert_eq!(pending(&app, "anna@example.com").await, 0);
    let contact = contact_of(&app, "anna@example.com")
        .await
        .expect("a contact");
    assert_eq!(contact.source.as_deref(), Some("storefront"));
    let subscriptions = app.subscriptions_of(contact.id).await;
    assert_eq!(subscriptions.len(), 1, "{subscriptions:?}");
    let consents = app.store.consents(contact.id).await.unwrap();
    assert_eq!(consents.len(), 1);
    let consent = &consents[0];
    assert_eq!(
        (
            consent.method.as_str(),
            consent.consent_version.as_str(),
            consent.sku.as_str()
        ),
        ("double_opt_in", "1", "SKU-1")
    );
    assert_eq!(consent.source_page, format!("{SHOP}/products/SKU-1"));
    assert_eq!(consent.ip, "127.0.0.0/24", "truncated by default");
    assert!(consent.confirmed_on >= consent.signed_up_on);
    assert_eq!(
        (stat(&app, "signed_up").await, stat(&app, "confirmed").await),
        (1, 1)
    );
    assert_eq!(stat(&app, "subscribed").await, 1);
    // The report and its CSV show them.
    let today = app
        .store
        .stats_zone()
        .today()
        .format("%Y-%m-%d")
        .to_string();
    let path = format!("/api/v3/reports/back-in-stock?from={today}&to={today}");
    let report: Value = app.call(reqwest::Method::GET, &path).await;
    let summary = &report["summary"];
    assert_eq!(
        (summary["signedUp"].as_i64(), summary["confirmed"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(summary["confirmationRate"], 1.0, "{report}");
    let csv = app
        .request(reqwest::Method::GET, &path)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines().next().unwrap().contains("signed up,confirmed"),
        "{csv}"
    );

    // The link is single-use.
    let again = app.client.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 404);

    // Now the stock level reaches the shopper.
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;
    app.delivery.run_pending().await.unwrap();
    let mails = mail_to(&app, "Anna@Example.com");
    assert_eq!(
        mails.len(),
        2,
        "the confirmation and the back-in-stock email"
    );
}

async fn the_answer_is_the_same_for_new_known_and_subscribed_addresses(backend: Backend) {
    let app = storefront(backend).await;
    let known = app.create_contact("known@example.com").await;
    let waiting = app.create_contact("waiting@example.com").await;
    app.subscribe(waiting, "SKU-1", "sv-SE", None).await;
    let mut answers = Vec::new();
    for email in [
        "new@example.com",
        "known@example.com",
        "waiting@example.com",
    ] {
        answers.push(sign_up(&app, email, "SKU-1").await);
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 202);
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(mail_to(&app, "new@example.com").len(), 1);
    assert_eq!(mail_to(&app, "known@example.com").len(), 1);
    assert!(
        mail_to(&app, "waiting@example.com").is_empty(),
        "already waiting: no email"
    );
    assert_eq!(
        app.subscriptions_of(known).await.len(),
        0,
        "pending until confirmed"
    );
}

async fn bad_proofs_are_refused_and_store_nothing(backend: Backend) {
    let app = storefront(backend).await;
    let key = LinkKey::new(UNSUBSCRIBE_SECRET).challenge_key();
    let ten_minutes_ago = chrono::Utc::now().timestamp_millis() - 600_000;
    let expired =
        Challenges::new(key.clone(), DIFFICULTY, Duration::from_secs(300)).issue(ten_minutes_ago);
    let forged = Challenges::new(
        b"not the key".to_vec(),
        DIFFICULTY,
        Duration::from_secs(300),
    )
    .issue(chrono::Utc::now().timestamp_millis());
    let good = proof(&app).await;
    let wrong_nonce = {
        let challenge = good["challenge"].as_str().unwrap();
        let nonce = (0u64..)
            .map(|n| n.to_string())
            .find(|n| restock::storefront::leading_zero_bits(challenge, n) < u32::from(DIFFICULTY))
            .unwrap();
        json!({"challenge": challenge, "nonce": nonce})
    };
    let cases = [
        ("missing", Value::Null, "the proof is missing"),
        (
            "forged",
            json!({"challenge": forged.text, "nonce": solve(&forged)}),
            "not one this server issued",
        ),
        (
            "expired",
            json!({"challenge": expired.text, "nonce": solve(&expired)}),
            "expired",
        ),
        ("wrong nonce", wrong_nonce, "does not solve"),
    ];
    for (case, proof, message) in cases {
        let mut body = signup("eve@example.com", "SKU-1", proof);
        if case == "missing" {
            body.as_object_mut().unwrap().remove("proof");
        }
        let response = post(&app, &body).await;
        assert_eq!(response.status(), 400, "{case}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errorCode"], "InvalidProof", "{case}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(message),
            "{case}: {problem}"
        );
    }
    // A good proof works once.
    let body = signup("eve@example.com", "SKU-1", good);
    assert_eq!(post(&app, &body).await.status(), 202);
    let replay = post(
        &app,
        &signup("mallory@example.com", "SKU-2", body["proof"].clone()),
    )
    .await;
    assert_eq!(replay.status(), 400);
    let problem: Value = replay.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("already used"),
        "{problem}"
    );
    assert_eq!(pending(&app, "eve@example.com").await, 1);
    assert_eq!(pending(&app, "mallory@example.com").await, 0);
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(
        emails_sent(&app),
        1,
        "only the sign-up with a good proof sends"
    );
}

async fn the_honeypot_hostile_values_other_origins_and_huge_bodies_change_nothing(
    backend: Backend,
) {
    let app = storefront(backend).await;
    // The honeypot: the same answer as a real sign-up, and nothing stored.
    let mut trap = signup("bot@example.com", "SKU-1", proof(&app).await);
    trap["website"] = json!("http://spam.example");
    let answer = post(&app, &trap).await;
    assert_eq!(answer.status(), 202);
    assert_eq!(pending(&app, "bot@example.com").await, 0);

    // Hostile addresses and values: named, refused.
    for (email, sku, field) in [
        ("anna@example.com\r\nBcc: all@example.com", "SKU-1", "email"),
        ("<script>alert(1)</script>@example.com", "SKU-1", "email"),
        ("anna@example.com", "", "sku"),
        ("", "SKU-1", "email"),
    ] {
        let response = post(&app, &signup(email, sku, proof(&app).await)).await;
        assert_eq!(response.status(), 400, "{email:?}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let mut other_version = signup("anna@example.com", "SKU-1", proof(&app).await);
    other_version["consentVersion"] = json!("0");
    assert_eq!(post(&app, &other_version).await.status(), 400);
    let mut script_page = signup("anna@example.com", "SKU-1", proof(&app).await);
    script_page["sourcePage"] = json!("javascript:alert(1)");
    assert_eq!(post(&app, &script_page).await.status(), 400);

    // Another origin: refused before it is read, with no CORS header.
    let foreign = app
        .client
        .post(format!("{}/storefront/subscriptions", app.address))
        .header("origin", "https://evil.example")
        .json(&signup("anna@example.com", "SKU-1", proof(&app).await))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/storefront/subscriptions", app.address),
        )
        .header("origin", SHOP)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], SHOP);

    // A body of 1 MB.
    let mut huge = signup("anna@example.com", "SKU-1", proof(&app).await);
    huge["sourcePage"] = json!(format!("{SHOP}/{}", "a".repeat(1 << 20)));
    let response = post(&app, &huge).await;
    assert_eq!(response.status(), 413);

    assert_eq!(pending(&app, "anna@example.com").await, 0);
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(emails_sent(&app), 0, "nothing was sent");
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    let metrics = metrics.text().await.unwrap();
    for line in [
        "restock_signups_total{outcome=\"honeypot\"} 1",
        "restock_signups_total{outcome=\"origin\"} 1",
        "restock_signups_total{outcome=\"accepted\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

async fn a_burst_from_one_client_is_cut_at_the_limit(backend: Backend) {
    let app = storefront(backend).await;
    let mut statuses = Vec::new();
    for n in 0..12 {
        let body = signup(&format!("burst{n}@example.com"), "SKU-1", proof(&app).await);
        let response = post(&app, &body).await;
        if response.status() == 429 {
            let wait: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=600).contains(&wait), "{wait}");
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [vec![202; 10], vec![429; 2]].concat());
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(emails_sent(&app), 10, "none beyond the limit");
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    let metrics = metrics.text().await.unwrap();
    for line in [
        "restock_signups_total{outcome=\"accepted\"} 10",
        "restock_signups_total{outcome=\"limited\"} 2",
        "restock_signups_total{outcome=\"honeypot\"} 0",
        "restock_confirmation_emails_total{outcome=\"sent\"} 10",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

async fn behind_a_trusted_proxy_each_shopper_is_limited_apart(backend: Backend) {
    let app = storefront_with(backend, |s| {
        s.trusted_proxies = vec![restock::config::Network::parse("127.0.0.0/8").unwrap()];
        s.limits.per_ip = 2;
        s.double_opt_in = restock::config::OptIn::Everywhere(false);
    })
    .await;
    let from = |n: usize, forwarded: &'static str| {
        let app = &app;
        async move {
            let body = signup(
                &format!("proxied{n}@example.com"),
                "SKU-1",
                proof(app).await,
            );
            app.client
                .post(format!("{}/storefront/subscriptions", app.address))
                .header("x-forwarded-for", forwarded)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // The client's own claim (left) is not believed; the proxy's (right) is.
    let statuses = [
        from(0, "192.0.2.1, 203.0.113.1").await,
        from(1, "192.0.2.2, 203.0.113.1").await,
        from(2, "203.0.113.1").await,
        from(3, "203.0.113.2").await,
    ];
    assert_eq!(statuses, [202, 202, 429, 202]);
    let contact = contact_of(&app, "proxied3@example.com").await.unwrap();
    let consent = &app.store.consents(contact.id).await.unwrap()[0];
    assert_eq!(consent.ip, "203.0.113.0/24");
}

async fn one_address_is_limited_and_mailed_once_per_cooldown(backend: Backend) {
    let app = storefront(backend).await;
    // The same sign-up again: one email.
    for _ in 0..2 {
        assert_eq!(sign_up(&app, "repeat@example.com", "SKU-1").await.0, 202);
        app.confirmations.run_pending().await.unwrap();
    }
    assert_eq!(mail_to(&app, "repeat@example.com").len(), 1);
    // Three sign-ups per address an hour by default: the fourth is refused.
    assert_eq!(sign_up(&app, "repeat@example.com", "SKU-2").await.0, 202);
    assert_eq!(sign_up(&app, "Repeat@Example.com", "SKU-3").await.0, 429);
    assert_eq!(pending(&app, "repeat@example.com").await, 2);
}

async fn after_the_cooldown_a_repeat_is_mailed_again_as_a_new_message(backend: Backend) {
    let app = storefront_with(backend, |s| s.cooldown = Duration::from_millis(1)).await;
    for _ in 0..2 {
        assert_eq!(sign_up(&app, "again@example.com", "SKU-1").await.0, 202);
        app.confirmations.run_pending().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mails = mail_to(&app, "again@example.com");
    assert_eq!(mails.len(), 2, "the repeat after the cool-down is mailed");
    assert_eq!(emails_sent(&app), 2, "two files: two Message-IDs");
    // One pending alert, which either email confirms (the re-send restarted its expiry,
    // so its link may differ), once.
    assert_eq!(pending(&app, "again@example.com").await, 1);
    let (first, second) = (
        local(&app, &confirm_link(&mails[0])),
        local(&app, &confirm_link(&mails[1])),
    );
    assert_eq!(app.client.post(&second).send().await.unwrap().status(), 200);
    assert_eq!(app.client.post(&first).send().await.unwrap().status(), 404);
    // A link that does not work speaks the browser's language.
    let page = app
        .client
        .get(format!("{}/storefront/confirm/nonsense", app.address))
        .header("accept-language", "fi-FI,fi;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("Linkki ei toimi"));
}

async fn where_double_opt_in_is_off_the_shopper_is_subscribed_at_once(backend: Backend) {
    let app = storefront_with(backend, |s| {
        s.double_opt_in = restock::config::OptIn::PerLocale(
            [("sv-SE".to_owned(), false), ("*".to_owned(), true)].into(),
        );
    })
    .await;
    // The locale as a client may write it: the configuration's sv-SE all the same.
    let mut body = signup("quick@example.com", "SKU-1", proof(&app).await);
    body["locale"] = json!("sv-se");
    let response = post(&app, &body).await;
    let (status, body) = (response.status().as_u16(), response.text().await.unwrap());
    assert_eq!(status, 202);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["confirmationRequired"],
        false
    );
    let contact = contact_of(&app, "quick@example.com")
        .await
        .expect("a contact");
    assert_eq!(app.subscriptions_of(contact.id).await.len(), 1);
    let consents = app.store.consents(contact.id).await.unwrap();
    assert_eq!(consents[0].method, "single_opt_in");
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(emails_sent(&app), 0, "no confirmation email");
}

async fn unconfirmed_sign_ups_expire_and_links_can_not_be_forged(backend: Backend) {
    let app = storefront(backend).await;
    assert_eq!(sign_up(&app, "late@example.com", "SKU-1").await.0, 202);
    app.confirmations.run_pending().await.unwrap();
    let link = local(&app, &confirm_link(&mail_to(&app, "late@example.com")[0]));
    let mut forged = link.clone();
    forged.pop();
    forged.push(if link.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(app.client.post(&forged).send().await.unwrap().status(), 404);
    assert_eq!(pending(&app, "late@example.com").await, 1);
    let later = chrono::Utc::now() + chrono::Duration::hours(49);
    let purged = app
        .store
        .purge_storefront(later, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(purged.pending, 1);
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 404);
    assert!(contact_of(&app, "late@example.com").await.is_none());
}

/// The "my alerts" link in an email or page.
fn alerts_link(app: &TestApp, text: &str) -> String {
    local(app, &public_link(text, "/storefront/alerts/"))
}

async fn my_alerts_lists_waiting_and_unconfirmed_alerts_and_cancels_them(backend: Backend) {
    let app = storefront(backend).await;
    for sku in ["SKU-1", "SKU-2"] {
        assert_eq!(sign_up(&app, "bo@example.com", sku).await.0, 202);
    }
    app.confirmations.run_pending().await.unwrap();
    let mails = mail_to(&app, "bo@example.com");
    let first = mails
        .iter()
        .find(|m| m.contains("Kånken"))
        .expect("SKU-1's email");
    let confirmed = app
        .client
        .post(local(&app, &confirm_link(first)))
        .send()
        .await
        .unwrap();
    let confirmed = confirmed.text().await.unwrap();
    let alerts = alerts_link(&app, &confirmed);
    assert_eq!(
        alerts,
        alerts_link(&app, first),
        "the page and the email name the same page"
    );

    let html = app
        .client
        .get(&alerts)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Mina bevakningar"), "{html}");
    assert!(html.contains("<strong>Kånken</strong><br>Väntar"), "{html}");
    assert!(
        html.contains("<strong>Tröja</strong><br>Inte bekräftad än"),
        "{html}"
    );
    assert!(
        html.contains("src=\"https://shop.example/SKU-1.jpg\""),
        "{html}"
    );

    // Cancel the unconfirmed one; an id of someone else's alert changes nothing.
    let pending_id = app.store.pending_for("bo@example.com").await.unwrap()[0].id;
    let other = app.create_contact("other@example.com").await;
    let theirs = app.subscribe(other, "SKU-1", "sv-SE", None).await;
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for cancel in [theirs.as_str(), &pending_id.to_string()] {
        let done = no_redirects
            .post(&alerts)
            .form(&[("cancel", cancel)])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 303);
    }
    assert_eq!(
        app.subscriptions_of(other).await.len(),
        1,
        "not theirs to cancel"
    );
    assert_eq!(pending(&app, "bo@example.com").await, 0);
    let html = app
        .client
        .get(format!("{alerts}?done=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Klart: bevakningen är avbruten."), "{html}");
    assert!(!html.contains("Tröja"), "{html}");

    // The back-in-stock email links the page too.
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;
    app.delivery.run_pending().await.unwrap();
    let mails = mail_to(&app, "bo@example.com");
    let notice = mails
        .iter()
        .find(|m| m.contains("finns i lager igen"))
        .expect("the notice");
    assert_eq!(alerts_link(&app, notice), alerts);

    // Cancel all: no alerts left, and no email to the address any more.
    assert_eq!(sign_up(&app, "bo@example.com", "SKU-2").await.0, 202);
    let done = no_redirects
        .post(&alerts)
        .form(&[("cancel", "all")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let html = app
        .client
        .get(&alerts)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Du har inga bevakningar."), "{html}");
    let contact = contact_of(&app, "bo@example.com").await.unwrap();
    assert!(!contact.accepts_email);
    // A forged link shows nothing.
    let forged = format!("{}x", &alerts[..alerts.len() - 1]);
    assert_eq!(app.client.get(&forged).send().await.unwrap().status(), 404);
}

/// The hidden token of a hosted form page.
fn form_token(html: &str) -> String {
    let at = html.find("name=\"token\" value=\"").expect(html) + "name=\"token\" value=\"".len();
    html[at..].chars().take_while(|c| *c != '"').collect()
}

async fn the_hosted_form_signs_up_without_javascript(backend: Backend) {
    let app = storefront(backend).await;
    let form = app
        .client
        .get(format!(
            "{}/storefront/subscribe?sku=SKU-1&locale=sv-SE",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("<strong>Kånken</strong>"), "{html}");
    assert!(
        html.contains("type=\"email\"") && html.contains("type=\"checkbox\""),
        "{html}"
    );
    let token = form_token(&html);
    let fields = |token: &str, consent: Option<&str>| {
        let mut f = vec![
            ("email", "form@example.com".to_owned()),
            ("sku", "SKU-1".to_owned()),
            ("locale", "sv-SE".to_owned()),
            ("consentVersion", "1".to_owned()),
            ("website", String::new()),
            ("token", token.to_owned()),
        ];
        if let Some(c) = consent {
            f.push(("consent", c.to_owned()));
        }
        f
    };
    let url = format!("{}/storefront/subscribe", app.address);
    // Without the box ticked: the form again, saying why, nothing stored.
    let unticked = app
        .client
        .post(&url)
        .form(&fields(&token, None))
        .send()
        .await
        .unwrap();
    assert_eq!(unticked.status(), 400);
    let again = unticked.text().await.unwrap();
    assert!(again.contains("Kryssa i rutan"), "{again}");
    assert!(
        again.contains("value=\"form@example.com\""),
        "what was typed stays: {again}"
    );
    assert_eq!(pending(&app, "form@example.com").await, 0);

    let done = app
        .client
        .post(&url)
        .form(&fields(&token, Some("on")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Kolla din inkorg"));
    assert_eq!(pending(&app, "form@example.com").await, 1);

    // The token is single-use, and no proof of work for the JSON endpoint either way.
    let replay = app
        .client
        .post(&url)
        .form(&fields(&token, Some("on")))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    let as_proof = post(
        &app,
        &signup(
            "json@example.com",
            "SKU-1",
            json!({"challenge": form_token(&html), "nonce": "0"}),
        ),
    )
    .await;
    assert_eq!(as_proof.status(), 400);
    let challenge = proof(&app).await;
    let as_token = app
        .client
        .post(&url)
        .form(&fields(
            challenge["challenge"].as_str().unwrap(),
            Some("on"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(as_token.status(), 400);
    assert_eq!(pending(&app, "json@example.com").await, 0);
    // Another site's page posting the form for its visitors: refused.
    let fresh = app
        .client
        .get(format!(
            "{}/storefront/subscribe?sku=SKU-1&locale=sv-SE",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut cross = fields(&form_token(&fresh), Some("on"));
    cross[0].1 = "victim@example.com".to_owned();
    let cross = app
        .client
        .post(&url)
        .header("origin", "https://evil.example")
        .form(&cross)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(pending(&app, "victim@example.com").await, 0);
    app.confirmations.run_pending().await.unwrap();
    assert_eq!(emails_sent(&app), 1);
}

async fn availability_follows_the_latest_stock_level(backend: Backend) {
    let app = storefront(backend).await;
    let ask = || async {
        let url = format!(
            "{}/storefront/availability?sku=SKU-1&locale=sv-SE",
            app.address
        );
        let response = app
            .client
            .get(url)
            .header("origin", SHOP)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], SHOP);
        response.json::<Value>().await.unwrap()["available"].clone()
    };
    assert_eq!(
        ask().await,
        Value::Null,
        "neither a level nor the feed's availability"
    );
    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 0}]))
        .await;
    assert_eq!(ask().await, json!(false));
    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 4}]))
        .await;
    assert_eq!(ask().await, json!(true));
    let bad = app
        .client
        .get(format!(
            "{}/storefront/availability?locale=sv-SE",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

async fn the_demo_page_is_served_only_when_asked_for(backend: Backend) {
    let app = storefront(backend).await;
    let url = format!("{}/storefront/demo/SKU-1", app.address);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 404);
    let backend = app.stop().await;
    let app = storefront_with(backend, |s| s.demo = true).await;
    let url = format!("{}/storefront/demo/SKU-1?locale=sv-SE", app.address);
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Kånken</h1>"), "{html}");
    assert!(html.contains("<script src=\"/storefront/widget.js\" defer></script>"));
    assert!(html.contains("data-restock-sku=\"SKU-1\" data-restock-locale=\"sv-SE\""));
    let widget = app
        .client
        .get(format!("{}/storefront/widget.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        widget.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(widget.text().await.unwrap().contains("data-restock-sku"));
}

async fn demand_and_the_console_show_consents_and_unconfirmed_sign_ups_apart(backend: Backend) {
    let app = storefront(backend).await;
    let waiting = app.create_contact("waits@example.com").await;
    app.subscribe(waiting, "SKU-1", "sv-SE", None).await;
    assert_eq!(sign_up(&app, "Cleo@Example.com", "SKU-1").await.0, 202);
    assert_eq!(sign_up(&app, "dag@example.com", "SKU-1").await.0, 202);
    app.confirmations.run_pending().await.unwrap();
    // Dag confirms; Cleo does not (yet).
    let link = local(&app, &confirm_link(&mail_to(&app, "dag@example.com")[0]));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    let demand = app
        .call(reqwest::Method::GET, "/api/v3/inventory/backinstock/demand")
        .await;
    let row = &demand["data"][0];
    assert_eq!(
        (
            row["sku"].as_str(),
            row["waiting"].as_u64(),
            row["pending"].as_u64()
        ),
        (Some("SKU-1"), Some(2), Some(1)),
        "{demand}"
    );

    let browser = crate::console::signed_in(&app).await;
    let page = browser.page("/admin/demand").await;
    assert!(
        page.contains("<th scope=\"col\" class=\"num\">Unconfirmed</th>"),
        "{page}"
    );
    let dag = contact_of(&app, "dag@example.com").await.unwrap();
    let page = browser.page(&format!("/admin/contacts?q={}", dag.id)).await;
    assert!(page.contains("id=\"consent-records\""), "{page}");
    assert!(
        page.contains("double opt-in") && page.contains("version 1"),
        "{page}"
    );
    assert!(
        !page.contains("127.0.0.0/24"),
        "the client address only when revealed"
    );
    let revealed = browser
        .page(&format!("/admin/contacts?q={}&reveal=1", dag.id))
        .await;
    assert!(revealed.contains("127.0.0.0/24"), "{revealed}");
    // The export download.
    assert!(
        page.contains(&format!("/admin/contacts/export?id={}", dag.id)),
        "{page}"
    );
    let download = browser
        .get(&format!("/admin/contacts/export?id={}", dag.id))
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        format!("attachment; filename=\"contact-{}.json\"", dag.id).as_str()
    );
    let export: Value = download.json().await.unwrap();
    assert_eq!(export["contact"]["attributes"]["email"], "dag@example.com");
    assert_eq!(export["consents"][0]["method"], "double_opt_in", "{export}");
    assert_eq!(export["subscriptions"][0]["sku"], "SKU-1", "{export}");
    let nobody = browser
        .get(&format!(
            "/admin/contacts/export?id={}",
            uuid::Uuid::now_v7()
        ))
        .await;
    assert_eq!(nobody.status(), 404);
    // Cleo has no contact yet; once she has one, her unconfirmed sign-up shows on it.
    assert!(contact_of(&app, "cleo@example.com").await.is_none());
    let cleo = app.create_contact("cleo@example.com").await;
    let page = browser.page(&format!("/admin/contacts?q={cleo}")).await;
    assert!(
        page.contains("id=\"pending-signups\"") && page.contains("SKU-1 (sv-SE)"),
        "{page}"
    );
}

crate::on_both_backends!(
    demand_and_the_console_show_consents_and_unconfirmed_sign_ups_apart,
    behind_a_trusted_proxy_each_shopper_is_limited_apart,
    after_the_cooldown_a_repeat_is_mailed_again_as_a_new_message,
    the_hosted_form_signs_up_without_javascript,
    availability_follows_the_latest_stock_level,
    the_demo_page_is_served_only_when_asked_for,
    my_alerts_lists_waiting_and_unconfirmed_alerts_and_cancels_them,
    a_shopper_signs_up_confirms_and_is_told_when_it_is_back,
    the_answer_is_the_same_for_new_known_and_subscribed_addresses,
    bad_proofs_are_refused_and_store_nothing,
    the_honeypot_hostile_values_other_origins_and_huge_bodies_change_nothing,
    a_burst_from_one_client_is_cut_at_the_limit,
    one_address_is_limited_and_mailed_once_per_cooldown,
    where_double_opt_in_is_off_the_shopper_is_subscribed_at_once,
    unconfirmed_sign_ups_expire_and_links_can_not_be_forged,
);
