//! The real `restock` binary: its log has one line per settled notification and one per
//! change of the transport's state, and `restock mail check | send-test` try the
//! transport from the command line.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::engine_helpers::{product, EVERYONE};
use crate::helpers::api_key;
use crate::smtp_server::SmtpServer;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_restock"))
}

/// A folder with rules, a Swedish feed and a configuration for `mail` (JSON is YAML);
/// returns the configuration's path.
fn configure(dir: &Path, port: u16, mail: Value) -> PathBuf {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/everyone.yaml"), EVERYONE).unwrap();
    let feed = product("SKU-1", "Kånken", "899.00 SEK").to_string();
    std::fs::write(dir.join("sv-SE.jsonl"), feed + "\n").unwrap();
    let config = json!({
        "listen": format!("127.0.0.1:{port}"),
        "database_url": format!("sqlite://{}?mode=rwc", dir.join("restock.db").display()),
        "api_keys": [api_key()],
        "rules_dir": dir.join("rules"),
        "templates_dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        "feeds": {"sv-SE": dir.join("sv-SE.jsonl")},
        "public_url": "https://shop.example/restock",
        "unsubscribe_secret": "mail-transport-test",
        "mail": mail,
        "delivery": {"retry_schedule": ["1h"]},
    });
    let path = dir.join("restock.yaml");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn smtp_mail(url: &str) -> Value {
    json!({"transport": "smtp", "smtp_url": url, "from": "Butiken <shop@shop.example>"})
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

/// `restock serve`, its stdout and stderr in one log file; killed on drop.
struct Served {
    child: Child,
    log: PathBuf,
    address: String,
    client: reqwest::Client,
}

impl Served {
    async fn start(dir: &Path, mail: Value) -> Self {
        let port = free_port();
        let config = configure(dir, port, mail);
        let log = dir.join("restock.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(binary())
            .current_dir(dir)
            .args(["--config".as_ref(), config.as_os_str(), "serve".as_ref()])
            .env("RUST_LOG", "info,sqlx=warn")
            .env("NO_COLOR", "1")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start restock");
        let served = Self {
            child,
            log,
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        served
            .wait_until(|s| async move { s.get("/ready").await.is_some() })
            .await;
        served
    }

    /// The log so far, without colour codes, one entry per line.
    fn log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().map(without_ansi).collect()
    }

    async fn get(&self, path: &str) -> Option<Value> {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .header("apikey", api_key())
            .send()
            .await
            .ok()?;
        response.status().is_success().then_some(())?;
        response.json().await.ok()
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("apikey", api_key())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// One contact per name subscribed to SKU-1 in Swedish, then SKU-1 back in stock.
    async fn notify(&self, names: &[&str]) {
        for name in names {
            let contact = self
                .send(
                    reqwest::Method::POST,
                    "/api/v3/contacts",
                    json!({"email": format!("{name}@example.com"), "firstName": name}),
                )
                .await;
            let body = json!({"contactId": contact["id"], "sku": "SKU-1", "locale": "sv-SE"});
            let path = "/api/v3/inventory/backinstock/subscriptions";
            self.send(reqwest::Method::POST, path, body).await;
        }
        let levels = json!([{"sku": "SKU-1", "quantity": 5}]);
        let path = "/api/v3/inventory/stock-levels";
        self.send(reqwest::Method::PUT, path, levels).await;
    }

    /// The notifications, each with its contact's address: `(address, notification)`.
    async fn outbox(&self) -> Vec<(String, Value)> {
        let Some(body) = self.get("/api/v3/outbox").await else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for n in body["data"].as_array().cloned().unwrap_or_default() {
            let path = format!("/api/v3/contacts/{}", n["contactId"].as_str().unwrap());
            let contact = self.get(&path).await.unwrap_or_default();
            found.push((
                contact["attributes"]["email"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                n,
            ));
        }
        found
    }

    async fn wait_until<'a, F, Fut>(&'a self, done: F)
    where
        F: Fn(&'a Self) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(self).await {
            assert!(
                Instant::now() < deadline,
                "timed out; the log:\n{}",
                self.log().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes terminal colour sequences (`ESC [ … m`), whatever the log format decides.
fn without_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// The log lines that mention `needle`.
fn lines_with<'a>(log: &'a [String], needle: &str) -> Vec<&'a String> {
    log.iter().filter(|l| l.contains(needle)).collect()
}

#[tokio::test]
async fn each_delivered_retried_and_dead_lettered_notification_is_logged_once() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    server.set_mode("451 bert@example.com\n550 carl@example.com");
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), smtp_mail(&server.url())).await;
    served.notify(&["anna", "bert", "carl"]).await;
    // Settled: `attempts` counts at the claim, the status and last error only once the
    // outcome is recorded, after its log line.
    served
        .wait_until(|s| async move {
            let outbox = s.outbox().await;
            let settled = |(_, n): &(String, Value)| {
                n["status"] != "pending"
                    || n["lastError"].as_str().is_some_and(|e| e.contains("451"))
            };
            outbox.len() == 3 && outbox.iter().all(settled)
        })
        .await;

    let log = served.log();
    let expected = [
        ("anna", "delivered", "INFO", None),
        ("bert", "retry", "WARN", Some("451")),
        ("carl", "dead", "ERROR", Some("550")),
    ];
    for (address, notification) in served.outbox().await {
        let (_, outcome, level, reason) = expected
            .iter()
            .find(|(name, ..)| address.starts_with(name))
            .expect("a known contact");
        let id = notification["id"].as_str().unwrap();
        let lines: Vec<_> = lines_with(&log, id)
            .into_iter()
            .filter(|l| l.contains("outcome="))
            .collect();
        assert_eq!(lines.len(), 1, "one line for {address} ({id}): {lines:#?}");
        let line = lines[0];
        assert!(line.contains(level), "{line}");
        assert!(line.contains(&format!("outcome={outcome}")), "{line}");
        assert!(line.contains("automation=everyone"), "{line}");
        assert!(line.contains("action=email"), "{line}");
        if let Some(code) = reason {
            assert!(line.contains("reason=") && line.contains(code), "{line}");
        }
    }
}

#[tokio::test]
async fn a_transport_fault_is_logged_once_going_down_and_once_coming_back() {
    let Some(mut server) = SmtpServer::reserve() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), smtp_mail(&server.url())).await;
    served.notify(&["anna", "bert", "carl"]).await;
    // Tried, put back unspent; then a few seconds of failing probes.
    served
        .wait_until(|s| async move {
            let outbox = s.outbox().await;
            outbox.len() == 3
                && outbox.iter().all(|(_, n)| {
                    n["attempts"] == 0
                        && n["lastError"]
                            .as_str()
                            .is_some_and(|e| e.contains("cannot connect"))
                })
        })
        .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    server.listen();
    served
        .wait_until(|s| async move {
            let outbox = s.outbox().await;
            outbox.len() == 3 && outbox.iter().all(|(_, n)| n["status"] == "delivered")
        })
        .await;

    let log = served.log();
    let down = lines_with(&log, "the mail transport is down");
    assert_eq!(down.len(), 1, "{down:#?}");
    assert!(
        down[0].contains("ERROR") && down[0].contains("cannot connect"),
        "{down:?}"
    );
    let back = lines_with(&log, "the mail transport is back up");
    assert_eq!(back.len(), 1, "{back:#?}");
    assert!(back[0].contains("INFO"), "{back:?}");
    assert_eq!(lines_with(&log, "outcome=delivered").len(), 3);
    let spent: Vec<_> = log
        .iter()
        .filter(|l| l.contains("outcome=retry") || l.contains("outcome=dead"))
        .collect();
    assert!(spent.is_empty(), "{spent:#?}");
}

/// `restock --config <file> mail <args>` in `dir`.
fn mail_command(dir: &Path, mail: Value, args: &[&str]) -> Output {
    let config = configure(dir, free_port(), mail);
    Command::new(binary())
        .current_dir(dir)
        .arg("--config")
        .arg(config)
        .arg("mail")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run restock")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn mail_check_names_the_missing_starttls_and_passes_on_a_plain_connection() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let strict = server.url().replace("?tls=none", "");
    let out = mail_command(dir.path(), smtp_mail(&strict), &["check"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains("does not offer STARTTLS") && stderr.contains("?tls=none"),
        "{stderr}"
    );

    let out = mail_command(dir.path(), smtp_mail(&server.url()), &["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "the smtp mail transport works\n");
    assert!(server.messages().is_empty(), "a check sends nothing");
}

#[test]
fn mail_check_of_a_server_that_is_not_there_fails() {
    let Some(server) = SmtpServer::reserve() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = mail_command(dir.path(), smtp_mail(&server.url()), &["check"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: SMTP: cannot connect to 127.0.0.1:"),
        "{stderr}"
    );
}

#[test]
fn mail_send_test_delivers_one_message_to_the_server() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mail = smtp_mail(&server.url());
    let out = mail_command(
        dir.path(),
        mail.clone(),
        &["send-test", "--to", "ops@example.com"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "sent the test message to ops@example.com over SMTP\n"
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["rcptTos"], json!(["ops@example.com"]));
    assert_eq!(messages[0]["headers"]["Subject"], "Restock test message");
    assert_eq!(
        messages[0]["headers"]["From"],
        "Butiken <shop@shop.example>"
    );

    let out = mail_command(dir.path(), mail, &["send-test", "--to", "not an address"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: --to is not a valid mailbox"),
        "{stderr}"
    );
    assert_eq!(server.messages().len(), 1, "nothing more was sent");
}

#[test]
fn mail_send_test_with_the_file_transport_prints_the_eml_path() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("outbox");
    let mail = json!({"transport": "file", "dir": folder, "from": "shop@shop.example"});
    let out = mail_command(dir.path(), mail, &["send-test", "--to", "ops@example.com"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let path = stdout
        .trim_end()
        .strip_prefix("wrote the test message to ")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(Path::new(path).starts_with(&folder), "{path}");
    let eml = std::fs::read_to_string(path).unwrap();
    assert!(eml.contains("To: ops@example.com") && eml.contains("Subject: Restock test message"));
}
