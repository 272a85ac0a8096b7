//! The README's browser path ("A shopper signs up on the shop's page"), taken as written
//! against the real binary started on the repository's example configuration: the demo
//! page's widget in a headless Chromium, the README's shell block that finds the
//! confirmation email and prints its link, the confirmation page's button, and the block
//! that reports the stock level and finds the back-in-stock email. Skipped like the other
//! browser suites when Chromium is missing (required in CI).

use std::path::Path;
use std::process::{Command, Stdio};

use fantoccini::Locator;

use crate::console_browser::{browser_binaries, headless, Driver};
use crate::readme::{copy, walk_through, Server, README_ADDRESS};
use crate::storefront_browser::{body_text, sign_up_in_widget, wait_for};

const MARKER: &str = "<!-- browser-path -->";
/// The address the README's block sets, replaced by the one the browser typed.
const README_SHOPPER: &str = "SHOPPER=you@example.com";

/// Runs one block in bash (`set -euo pipefail`) in `dir`; its stdout, or a failure with
/// everything said.
fn run(dir: &Path, script: &str, server: &Server) -> String {
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "a README block failed:\n{script}\nstdout:\n{stdout}\nstderr:\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    stdout
}

#[tokio::test]
async fn the_readme_browser_path_signs_up_confirms_and_ends_in_the_email() {
    let Some(binaries) = browser_binaries() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let blocks = walk_through(&readme, MARKER);
    assert_eq!(
        blocks.len(),
        2,
        "the README's browser path has two shell blocks"
    );
    assert!(
        blocks[0].contains(README_SHOPPER),
        "the first block sets {README_SHOPPER}"
    );
    let page = "/storefront/demo/ABISKO-GRN-40?locale=sv-SE";
    assert!(
        readme.contains(&format!("{README_ADDRESS}{page}")),
        "the README opens {page}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    for part in ["restock.yaml", "examples", "rules", "templates"] {
        copy(&root.join(part), &dir.path().join(part));
    }
    let server = Server::start(dir.path());
    server.wait_ready();
    let address = server.address();
    let shopper = format!("ebba+{}@example.com", std::process::id());
    let blocks: Vec<String> = blocks
        .iter()
        .map(|b| {
            b.replace(README_ADDRESS, &address)
                .replace(README_SHOPPER, &format!("SHOPPER={shopper}"))
        })
        .collect();

    // 1. The demo page, its widget.
    let driver = Driver::start(&binaries.0);
    let profile = tempfile::tempdir().unwrap();
    let c = headless(&driver, &binaries.1, profile.path()).await;
    c.goto(&format!("{address}{page}")).await.unwrap();
    let said = sign_up_in_widget(&c, "[data-restock-sku]", &shopper).await;
    assert_eq!(said.trim(), "Kolla din inkorg för att bekräfta.");

    // 2. The block prints the link; the browser opens it and presses the button.
    let printed = run(dir.path(), &blocks[0], &server);
    let link = printed.trim();
    assert!(
        link.starts_with(&format!("{address}/storefront/confirm/")),
        "{printed}"
    );
    c.goto(link).await.unwrap();
    assert!(body_text(&c).await.contains("Vill du få ett mejl när"));
    c.find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for("the confirmed page", "Din bevakning är bekräftad", || {
        body_text(&c)
    })
    .await;

    // 3. The stock level, and the email.
    let printed = run(
        dir.path(),
        &format!("SHOPPER={shopper}\n{}", blocks[1]),
        &server,
    );
    assert!(printed.lines().any(|l| l.trim() == "202"), "{printed}");
    assert!(printed.contains(&format!("To: {shopper}")), "{printed}");
    c.close().await.unwrap();
}
