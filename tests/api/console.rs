//! The web console under `/admin`, over HTTP: sign-in and its cookie, sessions kept in the
//! database (sign-out, idle expiry, revocation), the failed sign-in limit, the cross-site
//! check, the security headers, escaping, and the rules editor's check and save.

use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{api_key, Backend, TestApp};

/// A client that does not follow redirects, so each answer's status and cookie are seen.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A signed-in (or not yet) person's browser: the session cookie and `Sec-Fetch-Site:
/// same-origin` on every request, as a browser sends from the console's own pages.
pub(crate) struct Browser<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) client: reqwest::Client,
    pub(crate) cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: client(),
            cookie: None,
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.app.address))
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = &self.cookie {
            r = r.header("cookie", cookie);
        }
        r
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    pub(crate) async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.request(Method::POST, path)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Signs in with `key`; the answer, keeping the cookie if one was set.
    async fn sign_in(&mut self, key: &str) -> Response {
        let response = self.post_form("/admin/login", &[("apikey", key)]).await;
        if let Some(set) = response.headers().get(SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        response
    }

    pub(crate) async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// A CSV download: 200, `text/csv`, an attachment named `filename`; its text.
    pub(crate) async fn csv(&self, path: &str, filename: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            response.headers()["content-disposition"],
            format!("attachment; filename=\"{filename}\"").as_str()
        );
        response.text().await.unwrap()
    }
}

pub(crate) fn location(response: &Response) -> &str {
    response.headers()[LOCATION].to_str().unwrap()
}

pub(crate) async fn signed_in(app: &TestApp) -> Browser<'_> {
    let mut browser = Browser::new(app);
    let response = browser.sign_in(api_key()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_session_cookie_that_is_not_the_key() {
    let app = shop(Backend::sqlite()).spawn().await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/login");

    let form = browser.page("/admin/login").await;
    assert!(form.contains("name=\"apikey\"") && form.contains("type=\"password\""));
    let response = browser.sign_in(api_key()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/admin"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(
        !cookie.contains(api_key()),
        "the key is in the cookie: {cookie}"
    );

    let overview = browser.page("/admin").await;
    assert!(overview.contains("<h1>Overview</h1>"));
    assert!(!overview.contains(api_key()), "the key is in the page");
}

#[tokio::test]
async fn the_cookie_is_not_secure_when_the_public_url_is_plain_http() {
    let app = shop(Backend::sqlite())
        .config(|c| c.public_url = "http://127.0.0.1:8080".into())
        .spawn()
        .await;
    let response = Browser::new(&app).sign_in(api_key()).await;
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_wrong_key_is_refused_without_a_session_or_an_echo() {
    let app = shop(Backend::sqlite()).spawn().await;
    let mut browser = Browser::new(&app);
    let response = browser.sign_in("guessed-key-123").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains("not one this server accepts"));
    assert!(!page.contains("guessed-key-123"));
    let response = browser.get("/admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "no session");
}

#[tokio::test]
async fn failed_sign_ins_beyond_the_limit_are_refused_even_with_the_right_key() {
    let app = shop(Backend::sqlite())
        .config(|c| c.console.failed_sign_ins_per_minute = 3)
        .spawn()
        .await;
    let mut browser = Browser::new(&app);
    for _ in 0..3 {
        assert_eq!(
            browser.sign_in("wrong").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = browser.sign_in(api_key()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(response.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn pages_carry_a_strict_csp_and_are_not_cached() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    for path in [
        "/admin/login",
        "/admin",
        "/admin/feeds",
        "/admin/log",
        "/admin/outbox",
        "/admin/automations",
        "/admin/templates",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{csp}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        let html = response.text().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains(" style="),
            "inline code in {path}"
        );
        assert!(!html.contains("://"), "a link to another origin in {path}");
    }
}

#[tokio::test]
async fn assets_are_served_from_the_binary_with_long_caching_and_etags() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = Browser::new(&app);
    let page = browser.page("/admin/login").await;
    let js = page
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a script link")
        .replace("&#x3D;", "=");
    assert!(js.starts_with("/admin/assets/console.js?v="), "{js}");
    let response = browser.get(&js).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.text().await.unwrap().contains("restockErrors"));
    let again = browser
        .request(Method::GET, &js)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(browser.get("/admin/assets/nothing.js").await.status(), 404);
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let cookie = browser.cookie.clone().unwrap();
    let post = |site: Option<&'static str>, origin: Option<&'static str>| {
        let mut r = client()
            .post(format!("{}/admin/logout", app.address))
            .header("cookie", cookie.clone());
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            r = r.header("origin", origin);
        }
        r.send()
    };
    for (site, origin) in [
        (Some("cross-site"), None),
        (Some("same-site"), Some("https://shop.example")),
        (None, Some("https://evil.example")),
        (None, Some("null")),
    ] {
        let response = post(site, origin).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{site:?} {origin:?}"
        );
        assert!(response.text().await.unwrap().contains("another site"));
    }
    assert_eq!(browser.get("/admin").await.status(), 200, "still signed in");
    let login = client()
        .post(format!("{}/admin/login", app.address))
        .header("sec-fetch-site", "cross-site")
        .form(&[("apikey", api_key())])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN, "login CSRF");
    assert!(login.headers().get(SET_COOKIE).is_none());
}

async fn sessions(app: &TestApp) -> Vec<(String, i64)> {
    let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
    sqlx::query_as("SELECT id_digest, last_seen_ms FROM console_sessions")
        .fetch_all(&pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_out_ends_the_session_in_the_database() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let stored = sessions(&app).await;
    assert_eq!(stored.len(), 1);
    let value = browser.cookie.clone().unwrap();
    assert!(
        !stored[0].0.contains(value.split('=').nth(1).unwrap()),
        "the id is stored bare"
    );

    let response = browser.post_form("/admin/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert!(sessions(&app).await.is_empty());
    let response = browser.get("/admin").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn an_idle_session_expires_and_ending_all_sessions_signs_everyone_out() {
    let app = shop(Backend::sqlite())
        .config(|c| c.console.session_idle_minutes = 30)
        .spawn()
        .await;
    let idle = signed_in(&app).await;
    let other = signed_in(&app).await;
    let third = signed_in(&app).await;
    let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
    let idle_digest = {
        let id = idle.cookie.as_ref().unwrap().split('=').nth(1).unwrap();
        hex_sha256(id)
    };
    let long_ago = chrono::Utc::now().timestamp_millis() - 31 * 60 * 1000;
    sqlx::query("UPDATE console_sessions SET last_seen_ms = $1 WHERE id_digest = $2")
        .bind(long_ago)
        .bind(&idle_digest)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        idle.get("/admin").await.status(),
        StatusCode::SEE_OTHER,
        "idle too long"
    );
    assert_eq!(other.get("/admin").await.status(), 200);
    assert_eq!(
        sessions(&app).await.len(),
        2,
        "the expired session was deleted"
    );

    let response = other.post_form("/admin/sessions/end-all", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(third.get("/admin").await.status(), StatusCode::SEE_OTHER);
    assert!(sessions(&app).await.is_empty());
}

fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn a_session_works_on_another_instance_sharing_the_postgres_database() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let url = backend.url();
    let first = shop(backend).spawn().await;
    let browser = signed_in(&first).await;
    let second = shop(Backend::sqlite())
        .config(move |c| c.database_url = restock::config::Secret::new(url))
        .spawn()
        .await;
    let other = Browser {
        app: &second,
        client: client(),
        cookie: browser.cookie.clone(),
    };
    assert_eq!(
        other.get("/admin").await.status(),
        200,
        "signed in on the second instance"
    );
    assert_eq!(
        browser.post_form("/admin/logout", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        other.get("/admin").await.status(),
        StatusCode::SEE_OTHER,
        "signed out on both"
    );
}

#[tokio::test]
async fn pages_show_feeds_products_and_the_integration_log_with_hostile_text_escaped() {
    let app = shop(Backend::sqlite()).spawn().await;
    let contact = app.create_contact("ada@example.com").await;
    let hostile = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
    app.subscribe(contact, hostile, "sv-SE", None).await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": hostile, "quantity": 3, "locale": "sv-SE"}, {"sku": "SKU-1", "quantity": 4, "locale": "sv-SE"}]))
        .await;
    let browser = signed_in(&app).await;

    let feeds = browser.page("/admin/feeds").await;
    assert!(feeds.contains("sv-SE") && feeds.contains("pl-PL"));
    assert!(feeds.contains("jsonl"));
    for (csv, file, header, expected) in [
        (
            "/admin/feeds.csv",
            "feeds.csv",
            "locale,file,format,products,loadedOn,version,warnings,lastError",
            ",jsonl,2,",
        ),
        (
            "/admin/automations.csv",
            "automations.csv",
            "id,name,enabled,priority,threshold,expiresAfter,throttlePerUnit,when,split,file,line",
            "everyone,Everyone,true,100,1,,,,\"sv-SE: email; default: email, log\",everyone.yaml,",
        ),
    ] {
        let body = browser.csv(csv, file).await;
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], header, "{csv}");
        assert!(
            lines[1..].iter().any(|l| l.contains(expected)),
            "{csv}: {body}"
        );
    }
    let product = browser.page("/admin/feeds?locale=sv-SE&sku=SKU-1").await;
    assert!(
        product.contains("Kånken") && product.contains("899"),
        "{product}"
    );
    let missing = browser.page("/admin/feeds?locale=sv-SE&sku=NOPE").await;
    assert!(missing.contains("noProductData"));
    let bad = browser
        .get("/admin/feeds?locale=xx-nope-1234567&sku=A")
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("locale"));

    let log = browser.page("/admin/log").await;
    assert!(
        log.contains("SKU-1") && log.contains("everyone / sv-SE: 1"),
        "{log}"
    );
    assert!(
        log.contains("noProductData: 1"),
        "the hostile SKU is not in the feed: {log}"
    );
    assert!(
        !log.contains("<script>alert") && !log.contains("<img src=x"),
        "unescaped"
    );
    assert!(log.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
    let held = browser.page("/admin/log?held=1").await;
    assert!(
        held.contains("noProductData") && !held.contains(">SKU-1<"),
        "{held}"
    );
    let one = browser.page("/admin/log?sku=SKU-1").await;
    assert!(one.contains("SKU-1") && !one.contains("noProductData"));
    let bad = browser.get("/admin/log?since=yesterday").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("since"));

    let overview = browser.page("/admin").await;
    assert!(overview.contains("<svg") && overview.contains("Feed sv-SE"));
    let outbox = browser.page("/admin/outbox?status=pending").await;
    assert!(
        outbox.contains("SKU-1") && outbox.contains("everyone / sv-SE"),
        "{outbox}"
    );
}

#[tokio::test]
async fn outbox_actions_need_their_confirmation_box() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let response = browser
        .post_form("/admin/outbox/purge", &[("status", "delivered")])
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("confirm"));
    let response = browser
        .post_form(
            "/admin/outbox/purge",
            &[("status", "pending"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), 400, "pending is never purged");
    let response = browser
        .post_form("/admin/outbox/retry", &[("confirm", "yes")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/admin/outbox?status=pending&requeued=0"
    );
}

const TYPO: &str = "id: cheap\nname: Cheap things\npriority: 5\nwhen: product.prise < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
const GOOD: &str = "id: cheap\nname: Cheap things\npriority: 5\nwhen: product.price < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";

async fn live_ids(app: &TestApp) -> Vec<String> {
    let body = app.call(Method::GET, "/api/v3/automations").await;
    body["automations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_live_check_gives_rules_check_diagnostics_at_the_right_line() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let check = |text: &'static str| {
        browser
            .request(Method::POST, "/admin/automations/check")
            .json(&json!({"file": "cheap.yaml", "text": text}))
            .send()
    };
    let body: Value = check(TYPO).await.unwrap().json().await.unwrap();
    assert_eq!(body["ok"], false);
    let problem = &body["problems"][0];
    assert_eq!(problem["line"], 4, "{body}");
    assert_eq!(problem["column"], 7, "{body}");
    assert!(
        problem["help"]
            .as_str()
            .unwrap()
            .contains("did you mean product.price"),
        "{body}"
    );
    let body: Value = check(GOOD).await.unwrap().json().await.unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["automations"], 1);

    let duplicate = "id: everyone\nname: Again\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
    let body: Value = browser
        .request(Method::POST, "/admin/automations/check")
        .json(&json!({"file": "again.yaml", "text": duplicate}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("used twice"),
        "{body}"
    );

    let bad = browser
        .request(Method::POST, "/admin/automations/check")
        .json(&json!({"file": "../escape.yaml", "text": GOOD}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
}

async fn save(browser: &Browser<'_>, file: &str, text: &str) -> Response {
    let form = [("file", file), ("text", text), ("action", "save")];
    browser.post_form("/admin/automations/edit", &form).await
}

#[tokio::test]
async fn saving_a_broken_rule_is_refused_and_a_good_one_is_live_with_the_old_kept() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let response = save(&browser, "cheap.yaml", TYPO).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Not saved") && page.contains("line 4, column 7"),
        "{page}"
    );
    assert!(page.contains("did you mean product.price"));
    let rules = app.files.path().join("rules");
    assert!(!rules.join("cheap.yaml").exists(), "nothing written");
    assert_eq!(live_ids(&app).await, ["everyone"]);

    let response = save(&browser, "cheap.yaml", GOOD).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Saved and live"));
    assert_eq!(live_ids(&app).await, ["cheap", "everyone"]);
    assert_eq!(
        std::fs::read_to_string(rules.join("cheap.yaml")).unwrap(),
        GOOD
    );

    let cheaper = "id: cheap\nname: Cheaper things\npriority: 5\nwhen: product.price < 50\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
    let page = save(&browser, "cheap.yaml", cheaper)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("The previous text is kept as version"),
        "{page}"
    );
    let kept: Vec<_> = std::fs::read_dir(rules.join(".history"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read_to_string(kept[0].path()).unwrap(), GOOD);
    let version = kept[0]
        .file_name()
        .to_string_lossy()
        .trim_start_matches("cheap.yaml.")
        .to_owned();
    let restore = browser
        .page(&format!(
            "/admin/automations/edit?file=cheap.yaml&version={version}"
        ))
        .await;
    assert!(
        restore.contains("product.price &lt; 100"),
        "the kept text, to restore"
    );
    let listing = browser.page("/admin/automations").await;
    assert!(listing.contains("Cheaper things") && listing.contains("product.price &lt; 50"));
}

#[tokio::test]
async fn a_read_only_rules_folder_is_shown_and_saving_is_refused() {
    let app = shop(Backend::sqlite())
        .config(|c| c.rules_dir = c.rules_dir.join("missing"))
        .spawn()
        .await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/automations").await;
    assert!(
        page.contains("Read-only") && page.contains("does not exist"),
        "{page}"
    );
    let response = browser
        .post_form(
            "/admin/automations/edit",
            &[("file", "cheap.yaml"), ("text", GOOD), ("action", "save")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(live_ids(&app).await.is_empty());
}

#[tokio::test]
async fn the_dry_run_form_says_who_would_be_notified() {
    let app = shop(Backend::sqlite()).spawn().await;
    let contact = app.create_contact("bo@example.com").await;
    app.subscribe(contact, "SKU-2", "pl-PL", None).await;
    let browser = signed_in(&app).await;
    let page = browser
        .page("/admin/automations?sku=SKU-2&quantity=3&locale=pl-PL")
        .await;
    assert!(
        page.contains(
            "<strong>1</strong> subscriptions match: <strong>1</strong> would be notified"
        ),
        "{page}"
    );
    assert!(page.contains(&contact.to_string()));
    let page = browser
        .page("/admin/automations?sku=SKU-2&quantity=0")
        .await;
    assert!(page.contains("noStock: 1"), "{page}");
    assert_eq!(
        browser
            .get("/admin/automations?sku=SKU-2&quantity=lots")
            .await
            .status(),
        400
    );
    assert_eq!(app.outbox().await.len(), 0, "a dry run sends nothing");
}

#[tokio::test]
async fn the_console_can_be_turned_off() {
    let app = shop(Backend::sqlite())
        .config(|c| c.console.enabled = false)
        .spawn()
        .await;
    assert_eq!(Browser::new(&app).get("/admin/login").await.status(), 404);
}

#[tokio::test]
async fn the_check_button_works_without_javascript_and_writes_nothing() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let form = [("file", "cheap.yaml"), ("text", TYPO), ("action", "check")];
    let response = browser.post_form("/admin/automations/edit", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("data-line=\"4\"") && page.contains("did you mean product.price"),
        "{page}"
    );
    let form = [("file", "cheap.yaml"), ("text", GOOD), ("action", "check")];
    let page = browser
        .post_form("/admin/automations/edit", &form)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("No problems: 1 automations"), "{page}");
    assert!(!app.files.path().join("rules/cheap.yaml").exists());
    let form = [
        ("file", "../../etc/passwd"),
        ("text", GOOD),
        ("action", "save"),
    ];
    let response = browser.post_form("/admin/automations/edit", &form).await;
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("not a rules file name"));
}

#[tokio::test]
async fn the_integration_log_downloads_as_csv_with_formulas_made_inert() {
    let app = shop(Backend::sqlite()).spawn().await;
    let contact = app.create_contact("cy@example.com").await;
    app.subscribe(contact, "=HYPERLINK(\"http://evil\")", "sv-SE", None)
        .await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "=HYPERLINK(\"http://evil\")", "quantity": 1, "locale": "sv-SE"}, {"sku": "SKU-1", "quantity": 2, "locale": "sv-SE"}]))
        .await;
    let browser = signed_in(&app).await;
    let page = browser.page("/admin/log?sku=SKU-1").await;
    assert!(
        page.contains("href=\"/admin/log.csv?sku&#x3D;SKU-1\""),
        "{page}"
    );
    let text = browser.csv("/admin/log.csv", "integration-log.csv").await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "loggedOn,sku,locale,externalId,quantity,predefinedConditionsPassed,matched,sent,heldBack,expired");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(",SKU-1,sv-SE,,2,true,1,everyone / sv-SE: 1,,"),
        "{text}"
    );
    assert!(
        lines[2].contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",sv-SE,"),
        "{text}"
    );
    let one = browser
        .get("/admin/log.csv?sku=SKU-1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(one.lines().count(), 2);
}

#[tokio::test]
async fn viewing_the_automations_does_not_touch_the_rules_folder() {
    let app = shop(Backend::sqlite()).spawn().await;
    let browser = signed_in(&app).await;
    let before = app.engine.rules().status().generation;
    for _ in 0..3 {
        browser.page("/admin/automations").await;
        browser
            .page("/admin/automations/edit?file=everyone.yaml")
            .await;
    }
    // Longer than the watcher's debounce: a touched folder would have reloaded by now.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.engine.rules().status().generation, before);
    let names: Vec<_> = std::fs::read_dir(app.files.path().join("rules"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["everyone.yaml"]);
}
