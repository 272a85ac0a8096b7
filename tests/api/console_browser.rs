//! The console in a real browser: Debian's `chromium`, driven headless through
//! `chromedriver` (WebDriver), both from the distribution's packages. Skipped with a
//! message when they are missing, a failure when `CI=true` or `BROWSER_TEST_REQUIRED` is
//! set. Every page is checked for script errors, CSP violations and requests to another
//! origin, and saved as a screenshot under `target/tmp/console-screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{api_key, Backend, TestApp};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The driver and browser, or `None` (said on stderr) when this machine lacks them.
pub(crate) fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let driver =
        PathBuf::from(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into()));
    let browser = PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into()));
    if driver.exists() && browser.exists() {
        return Some((driver, browser));
    }
    let required = std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var_os("BROWSER_TEST_REQUIRED").is_some();
    let why = format!(
        "no {} or {} (apt-get install chromium chromium-driver)",
        driver.display(),
        browser.display()
    );
    assert!(
        !required,
        "the browser suite is required here but cannot run: {why}"
    );
    crate::helpers::announce_skip("browser", &why);
    None
}

/// chromedriver on a free local port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub(crate) fn start(path: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn headless(driver: &Driver, browser: &Path, profile: &Path) -> Client {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": browser.display().to_string(), "args": args}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Where the screenshots go: kept by the test run for people to look at.
pub(crate) fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Session<'a> {
    c: Client,
    app: &'a TestApp,
    shots: PathBuf,
    taken: usize,
    /// The browser's profile and its chromedriver, kept for the session's life.
    _profile: tempfile::TempDir,
    _driver: Driver,
}

impl<'a> Session<'a> {
    /// A headless Chromium on `app`, through its own chromedriver and a fresh profile;
    /// its screenshots are numbered from `first + 1`.
    async fn start(app: &'a TestApp, binaries: &(PathBuf, PathBuf), first: usize) -> Self {
        let driver = Driver::start(&binaries.0);
        let profile = tempfile::tempdir().unwrap();
        let c = headless(&driver, &binaries.1, profile.path()).await;
        Session {
            c,
            app,
            shots: shots(),
            taken: first,
            _profile: profile,
            _driver: driver,
        }
    }
}

impl Session<'_> {
    async fn open(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.app.address))
            .await
            .unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits (up to 5 s) for an element matching `css` whose text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            for e in self.c.find_all(Locator::Css(css)).await.unwrap() {
                let text = e.text().await.unwrap_or_default();
                if text.contains(needle) {
                    return text;
                }
            }
            if started.elapsed() > Duration::from_secs(5) {
                let body = self.text("body").await;
                panic!("no {css} containing {needle:?} on the page:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails on a script error, a CSP violation or a request to another origin, then
    /// saves a screenshot named `name`.
    async fn check_page(&mut self, name: &str) {
        let report = self
            .c
            .execute(
                "return {errors: window.restockErrors || null, \
                  foreign: performance.getEntriesByType('resource').map(e => e.name)\
                    .filter(n => !n.startsWith(location.origin))};",
                vec![],
            )
            .await
            .unwrap();
        let url = self.c.current_url().await.unwrap();
        assert!(
            report["errors"].is_array(),
            "the console script did not run on {url}"
        );
        assert_eq!(report["errors"], json!([]), "script errors on {url}");
        assert_eq!(
            report["foreign"],
            json!([]),
            "requests to other origins from {url}"
        );
        self.taken += 1;
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(
            self.shots.join(format!("{:02}-{name}.png", self.taken)),
            png,
        )
        .unwrap();
    }

    /// Signs in with the test key through the form and waits for the overview.
    async fn sign_in(&self) {
        self.open("/admin/login").await;
        self.fill("#apikey", api_key()).await;
        self.click("form.login button").await;
        self.wait_text("h1", "Overview").await;
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.c.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

const TYPO: &str = "id: cheap\nname: Cheap things\npriority: 5\nwhen: product.prise < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";
const GOOD: &str = "id: cheap\nname: Cheap things\npriority: 5\nwhen: product.price < 100\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";

/// A shop with a subscription that was notified (pending in the outbox) and one whose
/// notification went to the dead letter.
async fn shop_with_history() -> TestApp {
    let app = shop(Backend::sqlite())
        .config(|c| c.public_url = "http://127.0.0.1".into())
        .spawn()
        .await;
    let ada = app.create_contact("ada@example.com").await;
    let bo = app.create_contact("bo@example.com").await;
    app.subscribe(ada, "SKU-1", "sv-SE", None).await;
    app.subscribe(bo, "SKU-2", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 4, "locale": "sv-SE"}, {"sku": "SKU-2", "quantity": 2, "locale": "sv-SE"}]))
        .await;
    let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
    sqlx::query("UPDATE notifications SET status = 'dead', attempts = 5, last_error = 'smtp: 550 mailbox unavailable' WHERE contact_id = $1")
        .bind(bo)
        .execute(&pool)
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn a_marketer_signs_in_reads_every_page_fixes_a_rule_and_signs_out() {
    let Some(binaries) = browser_binaries() else {
        return;
    };
    let app = shop_with_history().await;
    let mut s = Session::start(&app, &binaries, 0).await;

    // Signing in: a wrong key is refused, the right one opens the overview.
    s.open("/admin").await;
    assert!(s
        .c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/admin/login"));
    s.check_page("login").await;
    s.fill("#apikey", "not-the-key").await;
    s.click("form.login button").await;
    s.wait_text("p.error", "not one this server accepts").await;
    let typed =
        s.c.find(Locator::Css("#apikey"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
    assert_eq!(
        typed.as_deref(),
        Some(""),
        "the refused key is not put back in the page"
    );
    s.fill("#apikey", api_key()).await;
    s.click("form.login button").await;
    s.wait_text("h1", "Overview").await;
    s.check_page("overview").await;
    let stored =
        s.c.execute(
            "return [document.cookie, localStorage.length, sessionStorage.length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        stored,
        json!(["", 0, 0]),
        "the session is HttpOnly and nothing is stored"
    );
    s.wait_text("tr", "Feed sv-SE").await;

    // Real data on every page.
    s.open("/admin/log").await;
    s.wait_text("table.log tr", "SKU-1").await;
    s.check_page("integration-log").await;
    s.open("/admin/feeds").await;
    s.c.find(Locator::Css("#locale"))
        .await
        .unwrap()
        .select_by_value("sv-SE")
        .await
        .unwrap();
    s.fill("#sku", "SKU-1").await;
    s.click("form.inline button").await;
    s.wait_text("table.product", "Kånken").await;
    s.check_page("feeds").await;

    // A dead letter, retried: it moves to pending.
    s.open("/admin/outbox").await;
    s.wait_text("tr", "550 mailbox unavailable").await;
    s.check_page("outbox-dead").await;
    s.click("form[action='/admin/outbox/retry'] input[name=confirm]")
        .await;
    s.click("#retry-dead").await;
    s.wait_text("p.done", "1 dead notifications were given a fresh start")
        .await;
    s.wait_text("tr", "SKU-2").await;
    let dead = s.text("nav.tabs").await;
    assert!(dead.contains("dead 0"), "{dead}");
    s.check_page("outbox-retried").await;

    // The editor checks while typing, at the right line, with the suggestion.
    s.open("/admin/automations/edit?file=cheap.yaml").await;
    s.c.find(Locator::Css("textarea[data-live=on]"))
        .await
        .expect("the live check started");
    s.fill("#text", TYPO).await;
    let problem = s
        .wait_text("#problems .problem", "did you mean product.price")
        .await;
    assert!(problem.starts_with("line 4, column 7"), "{problem}");
    let marked = s.text("#gutter .bad").await;
    assert_eq!(marked, "4", "the gutter marks line 4");
    s.check_page("editor-typo").await;

    // A valid file saved from the browser is live at once.
    s.fill("#text", GOOD).await;
    s.wait_text("#problems", "No problems: 1 automations").await;
    s.click("#save").await;
    s.wait_text("p.done", "Saved and live").await;
    s.check_page("editor-saved").await;
    let live = app.call(Method::GET, "/api/v3/automations").await;
    let ids: Vec<&str> = live["automations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["cheap", "everyone"], "{live}");
    s.open("/admin/automations").await;
    s.wait_text("tr", "Cheap things").await;
    s.check_page("automations").await;

    // Signing out ends the session: the console asks to sign in again.
    s.click("form.signout button").await;
    s.wait_text("h1", "Sign in").await;
    s.open("/admin/outbox").await;
    s.wait_text("h1", "Sign in").await;
    let sessions: Value = json!(count_sessions(&app).await);
    assert_eq!(sessions, json!(0));
    s.c.close().await.unwrap();
}

async fn count_sessions(app: &TestApp) -> i64 {
    let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM console_sessions")
        .fetch_one(&pool)
        .await
        .unwrap()
}

/// The Demand and Contacts pages in the browser: the most wanted product first with its
/// feed name, filtering with the form, finding a contact, revealing the masked address,
/// and deleting with the confirmation box.
#[tokio::test]
async fn an_admin_reads_the_demand_finds_a_contact_and_deletes_them() {
    let Some(binaries) = browser_binaries() else {
        return;
    };
    let app = shop_with_history().await;
    let cy = app.create_contact("cy@example.com").await;
    for sku in ["SKU-2", "SKU-9"] {
        app.subscribe(cy, sku, "sv-SE", None).await;
    }
    let dee = app.create_contact("dee@example.com").await;
    app.subscribe(dee, "SKU-2", "sv-SE", None).await;
    let mut s = Session::start(&app, &binaries, 100).await;
    s.sign_in().await;

    s.click("nav a[href='/admin/demand']").await;
    s.wait_text("h1", "Demand").await;
    let first = s.text("table.demand tbody tr").await;
    assert!(
        first.contains("SKU-2") && first.contains("Tröja") && !first.contains("SKU-9"),
        "the most wanted first: {first}"
    );
    s.check_page("demand").await;
    s.fill("#skuPrefix", "SKU-9").await;
    s.click("form.filters button").await;
    s.wait_text("p.note", "rows 1–1 of 1").await;
    s.wait_text("table.demand tr", "not in the sv-SE feed")
        .await;
    s.check_page("demand-filtered").await;

    s.click("nav a[href='/admin/contacts']").await;
    s.wait_text("h1", "Contacts").await;
    s.fill("#q", &cy.to_string()).await;
    s.click("form.filters button").await;
    s.wait_text("td.email", "c•••@example.com").await;
    s.wait_text("table.history tr", "SKU-9").await;
    s.check_page("contact-masked").await;
    s.click("#reveal").await;
    s.wait_text("td.email", "cy@example.com").await;
    s.check_page("contact-revealed").await;
    s.click("form[action='/admin/contacts/delete'] input[name=confirm]")
        .await;
    s.click("#delete-contact").await;
    s.wait_text("p.done", "was deleted").await;
    s.check_page("contact-deleted").await;
    let gone = app
        .request(Method::GET, &format!("/api/v3/contacts/{cy}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    s.c.close().await.unwrap();
}

#[tokio::test]
async fn a_marketer_previews_a_template_edits_it_and_restores_the_old_text() {
    let Some(binaries) = browser_binaries() else {
        return;
    };
    let app = shop(Backend::sqlite())
        .config(|c| {
            c.public_url = "http://127.0.0.1".into();
            crate::binary::own_templates(c);
        })
        .spawn()
        .await;
    let mut s = Session::start(&app, &binaries, 200).await;
    s.sign_in().await;

    // The table and a preview, whose HTML part loads in the sandboxed frame.
    s.click("a[href='/admin/templates']").await;
    s.wait_text("tr", "sv-SE").await;
    s.check_page("templates").await;
    s.c.find(Locator::Css("#locale"))
        .await
        .unwrap()
        .select_by_value("sv-SE")
        .await
        .unwrap();
    s.fill("#sku", "SKU-1").await;
    s.click("#preview-form button").await;
    s.wait_text("dd.subject", "Kånken finns i lager igen").await;
    let frame = s.c.find(Locator::Css("iframe.email")).await.unwrap();
    assert_eq!(
        frame.attr("sandbox").await.unwrap().as_deref(),
        Some(""),
        "sandboxed, nothing allowed"
    );
    frame.enter_frame().await.unwrap();
    let body =
        s.c.find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(body.contains("Kånken"), "the frame shows the email: {body}");
    s.c.enter_parent_frame().await.unwrap();
    s.check_page("templates-preview").await;

    // A broken edit is refused at its line; a good one saved; then restored.
    let file = "sv-SE/back-in-stock.subject.hbs";
    s.open(&format!("/admin/templates/edit?file={file}")).await;
    s.fill("#text", "{{#if product.name}}Tillbaka").await;
    // Checked as it is typed, before any button: the line that breaks the set.
    s.wait_text("#problems .problem", "line 1").await;
    s.check_page("template-live-check").await;
    s.click("#save").await;
    s.wait_text("#problems .problem", "line 1").await;
    s.check_page("template-refused").await;
    s.fill("#text", "Nu finns {{default product.name \"den\"}} igen")
        .await;
    s.click("#save").await;
    s.wait_text("p.done", "Saved and live").await;
    s.check_page("template-saved").await;
    s.click("table.versions a[href*='/diff']").await;
    s.wait_text("table.diff", "Nu finns").await;
    s.check_page("template-diff").await;
    s.click("form[action='/admin/templates/restore'] input[name=confirm]")
        .await;
    s.click("#restore").await;
    s.wait_text("p.done", "Restored version").await;
    s.check_page("template-restored").await;
    let restored = std::fs::read_to_string(app.config.templates_dir.join(file)).unwrap();
    assert!(restored.contains("finns i lager igen"), "{restored}");
    s.c.close().await.unwrap();
}
