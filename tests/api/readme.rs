//! The README's walk-through, run as written, so that it cannot silently stop working.
//!
//! Its shell blocks — each fenced ```` ```sh ```` block right after a `<!-- walk-through -->`
//! line — are pasted into one bash (`set -euo pipefail`) twice in a row, as a newcomer
//! pasting the page twice would, against the real binary's `restock serve` started in a
//! temporary folder holding copies of the repository's `restock.yaml`, `examples/`,
//! `rules/` and `templates/`: a fresh clone's setup, API key file and all.
//!
//! One thing differs from the README: its address, `http://127.0.0.1:8080`, is replaced in
//! the blocks by this server's, since tests run side by side and cannot all have port 8080.
//! The server is given that address through `RESTOCK_LISTEN` and `RESTOCK_PUBLIC_URL`, so
//! the unsubscribe link in the email points at it too. The blocks need bash, curl, grep,
//! sed and coreutils, nothing else. The server's log goes to a file, shown on failure.
//!
//! Then it signs in to the console with `restock.key`, as the README says next, and finds the
//! walk-through's contact, subscription, stock level and delivered email there.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The line that marks the next fenced block as part of the walk-through.
pub(crate) const MARKER: &str = "<!-- walk-through -->";
/// The address the README's commands use.
pub(crate) const README_ADDRESS: &str = "http://127.0.0.1:8080";
/// Printed between the two pastes, to tell their output apart.
const SECOND_PASTE: &str = "=== the walk-through, pasted again ===";

#[test]
fn the_readme_walk_through_pasted_twice_ends_in_a_swedish_email_each_time() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let blocks = walk_through(&readme, MARKER);
    assert!(
        blocks.len() >= 6,
        "the README marks {} walk-through blocks; expected the six steps from contact to unsubscribe",
        blocks.len()
    );
    let script = blocks.join("\n");
    assert!(
        script.contains(README_ADDRESS),
        "the walk-through no longer uses {README_ADDRESS}: update this test's substitution"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    for part in ["restock.yaml", "examples", "rules", "templates"] {
        copy(&root.join(part), &dir.path().join(part));
    }
    let server = Server::start(dir.path());
    server.wait_ready();

    let script = script.replace(README_ADDRESS, &server.address());
    let output = paste_twice(dir.path(), &script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let context = || {
        format!(
            "stdout:\n{stdout}\nstderr:\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            server.log()
        )
    };
    assert!(
        output.status.success(),
        "the walk-through failed ({}).\n{}",
        output.status,
        context()
    );

    let (first, second) = stdout
        .split_once(SECOND_PASTE)
        .unwrap_or_else(|| panic!("no second paste.\n{}", context()));
    for (n, paste) in [("first", first), ("second", second)] {
        for line in ["201", "202", "confirmation page: 200", "unsubscribe: 200"] {
            assert!(
                paste.lines().any(|l| l.trim() == line),
                "the {n} paste did not print `{line}`.\n{}",
                context()
            );
        }
        assert!(
            paste.contains("\"acceptsEmail\":false"),
            "the {n} paste: the contact still accepts email after unsubscribing.\n{}",
            context()
        );
    }

    let emails = outbox(&dir.path().join("outbox"));
    assert_eq!(
        emails.len(),
        2,
        "one email per paste expected.\n{}",
        context()
    );
    for email in &emails {
        assert_swedish_back_in_stock(email, &server.address());
    }
    let to = |email: &str| {
        email
            .lines()
            .find(|l| l.starts_with("To: "))
            .map(str::to_owned)
    };
    assert_ne!(
        to(&emails[0]),
        to(&emails[1]),
        "both pastes mailed the same address"
    );

    // The README's next paragraph: the same in the console, signed in with restock.key.
    let key = std::fs::read_to_string(dir.path().join("restock.key")).expect("restock.key");
    let address = to(&emails[1]).expect("a To header");
    let address = address.trim_start_matches("To: ").trim();
    let address = address.trim_start_matches('<').trim_end_matches('>');
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(console_shows_the_walk_through(
            &server.address(),
            key.trim(),
            address,
        ));
}

/// A newcomer signs in at `/admin` and finds the walk-through's contact and subscription
/// (Contacts), its stock level (Integration log) and the email's notification (Outbox).
async fn console_shows_the_walk_through(address: &str, key: &str, email: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let signed = client
        .post(format!("{address}/admin/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("apikey", key)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed.status(), 303, "signing in with restock.key");
    let cookie = signed.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let page = |path: String| {
        let request = client
            .get(format!("{address}{path}"))
            .header("cookie", &cookie);
        async move {
            let response = request.send().await.expect("console page");
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.expect("page text")
        }
    };
    let query: String = url_encoded(email);
    let contact = page(format!("/admin/contacts?q={query}")).await;
    for needle in [
        email,
        "KIRUNA-BLK-M",
        "sv-SE",
        "back-in-stock-nordics",
        "delivered",
    ] {
        assert!(
            contact.contains(needle),
            "the Contacts page lacks {needle:?}:\n{contact}"
        );
    }
    let log = page("/admin/log?sku=KIRUNA-BLK-M".to_owned()).await;
    for needle in ["KIRUNA-BLK-M", "back-in-stock-nordics", ">12<"] {
        assert!(
            log.contains(needle),
            "the integration log lacks {needle:?}:\n{log}"
        );
    }
    let outbox = page("/admin/outbox?status=delivered".to_owned()).await;
    assert!(
        outbox.contains("KIRUNA-BLK-M") && outbox.contains("back-in-stock-nordics"),
        "the Outbox lacks the delivered email:\n{outbox}"
    );
}

fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sv-SE template, filled from the sv-SE example feed, linking to this server.
fn assert_swedish_back_in_stock(email: &str, address: &str) {
    let expected = [
        "Subject: Vinterjacka Kiruna, svart, M finns i lager igen",
        "Hej Anna!",
        "Pris: 1 999,00 kr (ordinarie pris 2 499,00 kr)",
        "<html lang=3D\"sv\">",
        "https://shop.example.com/images/kiruna-winter-parka.jpg",
    ];
    for text in expected {
        assert!(email.contains(text), "the email lacks {text:?}:\n{email}");
    }
    let unsubscribe = format!("List-Unsubscribe: <{address}/unsubscribe/");
    assert!(
        email.contains(&unsubscribe),
        "the email's unsubscribe link does not point at the server:\n{email}"
    );
}

/// The body of every fenced block that directly follows a `marker` line.
pub(crate) fn walk_through(readme: &str, marker: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != marker {
            continue;
        }
        let fence = lines.next().unwrap_or_default();
        assert_eq!(
            fence.trim(),
            "```sh",
            "{marker} must be followed by a ```sh fence"
        );
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        blocks.push(body.join("\n"));
    }
    blocks
}

/// Runs `script` twice in one bash, as one terminal would run two pastes.
fn paste_twice(dir: &Path, script: &str) -> Output {
    let text = format!("set -euo pipefail\n{script}\necho '{SECOND_PASTE}'\n{script}\n");
    let path = dir.join("walk-through.sh");
    std::fs::write(&path, text).expect("write the script");
    Command::new("bash")
        .arg(&path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run bash")
}

/// The `.eml` files in `dir`, oldest name first (names are time-ordered ids).
fn outbox(dir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "eml"));
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read an .eml"))
        .collect()
}

pub(crate) fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create a folder");
        for entry in std::fs::read_dir(from).expect("read a folder") {
            let entry = entry.expect("read a folder");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy a file");
    }
}

/// `restock serve` in `dir`, as a newcomer starts it, on a port of its own.
pub(crate) struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    pub(crate) fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = dir.join("server.log");
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_restock"))
            .arg("serve")
            .current_dir(dir)
            .env("RESTOCK_LISTEN", format!("127.0.0.1:{port}"))
            .env("RESTOCK_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start restock");
        Self { child, port, log }
    }

    pub(crate) fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.ready() {
            assert!(
                Instant::now() < deadline,
                "restock serve did not become ready; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `GET /ready` answers 200.
    fn ready(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let request = "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        let mut answer = String::new();
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_to_string(&mut answer).is_ok()
            && answer.starts_with("HTTP/1.1 200")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
