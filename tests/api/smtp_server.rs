//! A real SMTP server for the email tests: `tests/smtp/server.py` (aiosmtpd), started on a
//! free port and killed on drop. Its replies are switched through a mode file (`accept`,
//! `451`, `550 [recipient]`); "refuses connections" is the server not started yet.
//!
//! Without python3 and aiosmtpd the SMTP tests print `SKIPPED: SMTP suite — …` and pass,
//! unless `SMTP_TEST_REQUIRED` is set (CI), where that is a failure.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct SmtpServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    tally: bool,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py")
}

fn python() -> String {
    std::env::var("SMTP_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Whether python3 with aiosmtpd is here; `false` (with the SKIPPED line) outside CI.
fn available() -> bool {
    let found = Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("SMTP_TEST_REQUIRED").is_none(),
            "SMTP_TEST_REQUIRED is set but python3 with aiosmtpd is not available (pip install aiosmtpd)"
        );
        crate::helpers::announce_skip(
            "SMTP",
            "python3 with aiosmtpd is not available (pip install aiosmtpd)",
        );
    }
    found
}

impl SmtpServer {
    /// A free port and a folder for messages, with no server listening yet; `None` when
    /// the SMTP suite is skipped.
    pub fn reserve() -> Option<Self> {
        if !available() {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Some(Self {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
            tally: false,
        })
    }

    /// A running server that keeps only a tally of Message-IDs and recipients (see
    /// [`SmtpServer::tally`]), for tens of thousands of messages; `None` when skipped.
    pub fn start_tally() -> Option<Self> {
        let mut server = Self::reserve()?;
        server.tally = true;
        server.listen();
        Some(server)
    }

    /// A running server; `None` when the SMTP suite is skipped.
    pub fn start() -> Option<Self> {
        let mut server = Self::reserve()?;
        server.listen();
        Some(server)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn listen(&mut self) {
        let child = Command::new(python())
            .arg(script())
            .arg(self.port.to_string())
            .arg(self.dir.path().join("messages"))
            .arg(self.dir.path().join("mode"))
            .args(self.tally.then_some("--tally"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start the SMTP server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `accept`, `451`, `550`, optionally followed by the one recipient it applies to.
    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).expect("write mode");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Every accepted message: `{mailFrom, rcptTos, headers, text, html}`.
    pub fn messages(&self) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("messages")) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json"))
            .collect()
    }
}

impl SmtpServer {
    /// Every accepted message of a tally server, in order: (Message-ID, recipient).
    pub fn tally(&self) -> Vec<(String, String)> {
        let path = self.dir.path().join("messages").join("tally.log");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(id, rcpt)| (id.to_owned(), rcpt.to_lowercase()))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
