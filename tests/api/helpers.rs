//! `spawn_app()` gives each test a real listening server on its own database: a fresh
//! SQLite file, or a fresh PostgreSQL database on the machine's server.

use std::sync::Arc;

use reqwest::{Method, RequestBuilder, Response};
use std::path::Path;

use restock::config::{Config, DeliveryConfig, EngineConfig, MailConfig, Secret};
use restock::delivery::Delivery;
use restock::engine::Engine;
use restock::reload::Reloadable;
use restock::startup::Application;
use restock::store::{self, Store};
use restock::templates::{TemplateError, Templates};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The API key every test server accepts.
pub fn api_key() -> &'static str {
    "test-key-1"
}

/// The key test servers sign unsubscribe links with.
pub const UNSUBSCRIBE_SECRET: &str = "test-unsubscribe-secret";

/// Where a test's data lives. Dropping it removes the PostgreSQL database.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

impl Backend {
    pub fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh database on the PostgreSQL server, or `None` (with a message) when no server
    /// answers outside CI. Under CI a missing server is a failure, never a silent skip.
    pub async fn postgres() -> Option<Self> {
        PgDatabase::create().await.map(Backend::Postgres)
    }

    pub fn url(&self) -> String {
        match self {
            Backend::Sqlite(dir) => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("restock.db").display()
            ),
            Backend::Postgres(db) => db.url(),
        }
    }

    /// Ends the sessions of connections left inside a transaction, as a crash would close
    /// them. A test that "crashes" the engine by dropping its future keeps its connections:
    /// on PostgreSQL one dropped while `BEGIN` was in flight stays in that transaction,
    /// holding its locks (sqlx #4393). SQLite needs nothing: sqlx rolls back there.
    pub async fn end_abandoned_transactions(&self) {
        if let Backend::Postgres(db) = self {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url())
                .await
                .expect("connect");
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                 AND state LIKE 'idle in transaction%'",
            )
            .execute(&mut conn)
            .await
            .expect("terminate");
        }
    }

    /// A second handle on the same database, as another instance would open it.
    pub async fn open_store(&self) -> Arc<dyn Store> {
        store::connect(&self.url(), 4).await.expect("open store")
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("POSTGRES_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub struct PgDatabase {
    name: String,
}

impl PgDatabase {
    async fn create() -> Option<Self> {
        use sqlx::Connection;
        let admin = postgres_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(err) if std::env::var_os("POSTGRES_TEST_REQUIRED").is_none() => {
                announce_skip(
                    "PostgreSQL",
                    &format!("no server at {admin} ({err}); set POSTGRES_TEST_URL"),
                );
                return None;
            }
            Err(err) => {
                panic!("POSTGRES_TEST_REQUIRED is set but {admin} does not answer: {err}")
            }
        };
        let name = format!("restock_test_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        Some(Self { name })
    }

    fn url(&self) -> String {
        let admin = postgres_admin_url();
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    pub delivery: Arc<Delivery>,
    /// Sends the storefront's confirmation emails, driven with `run_pending()`.
    pub confirmations: Arc<restock::storefront::ConfirmationMailer>,
    pub templates: Option<Reloadable<Templates, TemplateError>>,
    pub backend: Backend,
    /// Holds `rules/` and `feeds/`.
    pub files: tempfile::TempDir,
    /// The configuration the server was built from.
    pub config: Config,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn test_config(backend: &Backend, files: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        database_url: Secret::new(backend.url()),
        api_keys: vec![Secret::new(api_key())],
        max_body_bytes: 2 * 1024 * 1024,
        rules_dir: files.join("rules"),
        // Emails go to .eml files in the test's folder unless a test configures SMTP.
        mail: MailConfig {
            dir: files.join("outbox"),
            ..MailConfig::default()
        },
        public_url: "https://shop.example/restock".to_owned(),
        unsubscribe_secret: Some(Secret::new(UNSUBSCRIBE_SECRET)),
        webhook: restock::config::WebhookConfig {
            secret_file: files.join("restock.webhook.key"),
            ..Default::default()
        },
        // Tests drive the engine step by step with `app.engine.run_pending()`.
        engine: EngineConfig {
            enabled: false,
            chunk_size: 3,
            ..EngineConfig::default()
        },
        // … and delivery with `app.delivery.run_pending()`.
        delivery: DeliveryConfig {
            enabled: false,
            ..DeliveryConfig::default()
        },
        // Tests share one key at full speed; the rate limit has its own tests.
        rate_limit: restock::config::RateLimitConfig {
            enabled: false,
            ..Default::default()
        },
        ..Config::default()
    }
}

/// A change to the configuration before the server starts.
type Adjust = Box<dyn FnOnce(&mut Config)>;

/// A test server to be: its database, rules files, feeds and configuration.
pub struct Setup {
    backend: Backend,
    files: tempfile::TempDir,
    adjust: Vec<Adjust>,
}

pub fn setup(backend: Backend) -> Setup {
    let files = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(files.path().join("rules")).expect("rules dir");
    std::fs::create_dir_all(files.path().join("feeds")).expect("feeds dir");
    Setup {
        backend,
        files,
        adjust: Vec::new(),
    }
}

impl Setup {
    /// Writes a rules file.
    pub fn rule(self, name: &str, yaml: &str) -> Self {
        std::fs::write(self.files.path().join("rules").join(name), yaml).expect("write rule");
        self
    }

    /// Writes a JSON-lines product feed for `locale` and configures it.
    pub fn feed(mut self, locale: &str, products: &[Value]) -> Self {
        let path = self
            .files
            .path()
            .join("feeds")
            .join(format!("{locale}.jsonl"));
        let lines: Vec<String> = products.iter().map(Value::to_string).collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("write feed");
        let locale = locale.to_owned();
        self.adjust.push(Box::new(move |config: &mut Config| {
            let mut sources = std::mem::take(&mut config.feeds.sources);
            sources.insert(
                restock::domain::Locale::parse(&locale).expect("locale"),
                restock::feeds::FeedSource::new(path),
            );
            config.feeds.sources = sources;
        }));
        self
    }

    pub fn config(mut self, adjust: impl FnOnce(&mut Config) + 'static) -> Self {
        self.adjust.push(Box::new(adjust));
        self
    }

    pub async fn spawn(self) -> TestApp {
        let mut config = test_config(&self.backend, self.files.path());
        for adjust in self.adjust {
            adjust(&mut config);
        }
        let app = Application::build(&config).await.expect("build app");
        let address = format!("http://{}", app.local_addr().expect("address"));
        let (store, engine, delivery) = (app.store(), app.engine(), app.delivery());
        let templates = app.templates();
        let confirmations = app.confirmation_mailer();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            address,
            client: reqwest::Client::new(),
            store,
            engine,
            delivery,
            confirmations,
            templates,
            backend: self.backend,
            files: self.files,
            config,
            shutdown: Some(tx),
            server: Some(server),
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    setup(backend).spawn().await
}

pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config) + 'static) -> TestApp {
    setup(backend).config(adjust).spawn().await
}

impl TestApp {
    /// Stops the server gracefully and hands back its database, to start another on it.
    pub async fn stop(mut self) -> Backend {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
        self.backend
    }

    /// A request with the API key.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
            .header("apikey", api_key())
    }

    /// A bodiless call with the API key, its answer read as JSON (whatever the status).
    pub async fn call(&self, method: Method, path: &str) -> Value {
        self.request(method, path)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    pub async fn post_contact(&self, body: Value) -> Response {
        self.request(Method::POST, "/api/v3/contacts")
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a contact and returns its id.
    pub async fn create_contact(&self, email: &str) -> Uuid {
        let response = self
            .post_contact(json!({"email": email, "firstName": "Test"}))
            .await;
        assert_eq!(response.status(), 201, "creating contact {email}");
        let body: Value = response.json().await.expect("json");
        body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("contact id")
    }

    pub async fn post_subscription(&self, body: Value) -> Response {
        self.request(Method::POST, "/api/v3/inventory/backinstock/subscriptions")
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn subscribe(
        &self,
        contact: Uuid,
        sku: &str,
        locale: &str,
        external_id: Option<&str>,
    ) -> Value {
        let response = self
            .post_subscription(json!({"contactId": contact, "sku": sku, "locale": locale, "externalId": external_id}))
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("json")
    }

    pub async fn get_subscriptions(&self, contact: &str) -> Response {
        self.request(
            Method::GET,
            &format!("/api/v3/contacts/{contact}/backinstock/subscriptions"),
        )
        .send()
        .await
        .expect("request")
    }

    /// The contact's subscriptions as Engage lists them (`data`), asserting 200.
    pub async fn subscriptions_of(&self, contact: Uuid) -> Vec<Value> {
        let response = self.get_subscriptions(&contact.to_string()).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["data"].as_array().expect("data array").clone()
    }

    pub async fn put_stock_levels(&self, body: Value) -> Response {
        self.request(Method::PUT, "/api/v3/inventory/stock-levels")
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Sends a raw body with a JSON content type (for malformed input tests).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.request(method, path)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

/// Reads a problem+json answer, asserting its status and content type.
pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.expect("json")
}

/// The `field` of every listed validation error.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The message of the validation error for `field`; panics, showing the problem, without one.
pub fn message_of(p: &Value, field: &str) -> String {
    p["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {p}"))
        .to_owned()
}

/// Runs each named `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test($crate::helpers::Backend::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    if let Some(backend) = $crate::helpers::Backend::postgres().await {
                        super::$test(backend).await
                    }
                }
            )*
        }
    };
}

/// Says that a suite is skipped where the person running `cargo test` sees it: written
/// straight to the process's stderr (the test harness captures only `eprintln!`), once
/// per suite and run, so a skip is never silent and never floods the terminal.
pub fn announce_skip(suite: &str, why: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if said.iter().any(|s| s == suite) {
        return;
    }
    said.push(suite.to_owned());
    let _ = writeln!(std::io::stderr(), "\nSKIPPED: {suite} suite — {why}");
}
