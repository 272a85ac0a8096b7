//! The real `restock` binary, for tests that read what a person or a log collector sees:
//! `restock serve` in a child process with its log in a file, and one-shot commands with
//! their stdout and stderr piped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary cargo built for this test run.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_restock"))
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Writes `config` (JSON is YAML) to `dir/restock.yaml` and returns its path.
pub fn write_config(dir: &Path, config: &Value) -> PathBuf {
    let path = dir.join("restock.yaml");
    std::fs::write(&path, config.to_string()).expect("write config");
    path
}

/// Runs a one-shot command in `dir` with stdout and stderr piped (so neither is a
/// terminal) and `RUST_LOG` unset, as a script would.
pub fn run(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .current_dir(dir)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run restock")
}

/// `restock serve` in a child process, killed when dropped.
pub struct Served {
    pub address: String,
    log: PathBuf,
    child: Child,
}

impl Served {
    /// Starts `restock --config CONFIG serve` in `dir` with `env`, its stdout and stderr
    /// going to `dir/restock.log`, and waits until it is ready.
    pub async fn start(dir: &Path, config: &Path, port: u16, env: &[(&str, &str)]) -> Self {
        let log = dir.join("restock.log");
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(binary())
            .current_dir(dir)
            .arg("--config")
            .arg(config)
            .arg("serve")
            .env("RUST_LOG", "info,sqlx=warn")
            .envs(env.iter().copied())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start restock");
        let served = Self {
            address: format!("http://127.0.0.1:{port}"),
            log,
            child,
        };
        served.wait_ready().await;
        served
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&self) {
        wait_ready(&self.address, &self.log).await;
    }

    /// Waits until `found` holds for the log, failing with the log after 30 s.
    pub async fn wait_for_log(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.log();
            if found(&log) {
                return log;
            }
            assert!(Instant::now() < deadline, "no {what} in the log:\n{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Points `config` at a copy of the shipped templates beside its rules folder, so a test can
/// edit or prune them; the copy's folder.
pub fn own_templates(config: &mut restock::config::Config) -> PathBuf {
    let dir = config.rules_dir.with_file_name("templates");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &dir,
    );
    config.templates_dir = dir.clone();
    dir
}

/// Copies a folder (the shipped templates) so a test can edit or prune its copy.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from)
        .expect("read folder")
        .filter_map(Result::ok)
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// Waits until `{address}/ready` answers 2xx, failing with the log at `log` after 60 s.
async fn wait_ready(address: &str, log: &Path) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = client
            .get(format!("{address}/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "restock did not become ready; its log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The configuration the multi-process tests start from: the shipped templates, the
/// rules folder and the en-US feed in `dir`, one API key; callers add their mail, engine
/// and delivery settings.
pub fn shop_config(dir: &Path, database_url: &str, unsubscribe_secret: &str) -> Value {
    serde_json::json!({
        "database_url": database_url,
        "api_keys": [crate::helpers::api_key()],
        "rules_dir": dir.join("rules"),
        "templates_dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        "feeds": {"en-US": dir.join("en-US.jsonl")},
        "public_url": "https://shop.example/restock",
        "unsubscribe_secret": unsubscribe_secret,
    })
}

/// One of several `restock serve` processes of a test, each with its own configuration
/// file, port and log (appended to across restarts), started and `kill -9`ed at will.
pub struct Instance {
    config: PathBuf,
    pub log: PathBuf,
    port: u16,
    rust_log: &'static str,
    child: Option<Child>,
}

impl Instance {
    /// Instance `n` in `dir`: `config` with `listen` set to a free port, written to
    /// `dir/restock-{n}.yaml`; not started yet.
    pub fn new(dir: &Path, n: usize, mut config: Value, rust_log: &'static str) -> Self {
        let port = free_port();
        config["listen"] = Value::from(format!("127.0.0.1:{port}"));
        let path = dir.join(format!("restock-{n}.yaml"));
        std::fs::write(&path, config.to_string()).expect("config");
        Self {
            config: path,
            log: dir.join(format!("restock-{n}.log")),
            port,
            rust_log,
            child: None,
        }
    }

    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process, appending to its log.
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = Command::new(binary())
            .arg("--config")
            .arg(&self.config)
            .arg("serve")
            .env("RUST_LOG", self.rust_log)
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start restock");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush, no retiring of claims.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            child.wait().expect("reap");
        }
    }

    pub async fn wait_ready(&self) {
        wait_ready(&self.address(), &self.log).await;
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
