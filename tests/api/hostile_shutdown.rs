//! SIGTERM to the real binary stops it within `http.shutdown_timeout`, even while a slow
//! client holds a connection with a request half sent.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::helpers::api_key;

const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);
const MARGIN: Duration = Duration::from_secs(3);

#[tokio::test]
async fn sigterm_stops_the_server_while_a_slow_client_holds_a_connection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = json!({
        "listen": format!("127.0.0.1:{port}"),
        "database_url": format!("sqlite://{}?mode=rwc", dir.path().join("restock.db").display()),
        "api_keys": [api_key()],
        "rules_dir": dir.path().join("rules"),
        "templates_dir": dir.path().join("templates"),
        "mail": {"dir": dir.path().join("outbox")},
        "unsubscribe_secret": "shutdown-test",
        "webhook": {"secret": "shutdown-test"},
        "http": {"shutdown_timeout": "1s", "header_read_timeout": "60s",
                 "body_read_timeout": "60s", "keep_alive_timeout": "60s"},
    });
    let path = dir.path().join("restock.yaml");
    std::fs::write(&path, config.to_string()).unwrap();
    let log = dir.path().join("restock.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_restock"))
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start restock");
    let address = format!("127.0.0.1:{port}");
    wait_ready(&address, &log).await;

    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v3/contacts HTTP/1.1\r\nHost: restock\r\napikey: {}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"email\":",
        api_key()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if signalled.elapsed() > SHUTDOWN_TIMEOUT + MARGIN {
            let _ = child.kill();
            panic!(
                "still running {:?} after SIGTERM; log:\n{}",
                signalled.elapsed(),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log.contains("shutdown deadline passed"), "{log}");
}

async fn wait_ready(address: &str, log: &std::path::Path) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = client.get(format!("http://{address}/ready")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "restock did not become ready:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
