//! One-shot commands as a script or a person sees them with output piped: plain results
//! on stdout, `error: …` on stderr with a failing exit code, no colour codes, no log
//! lines, and counts with the right noun.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::json;

use crate::binary::{run, write_config};
use crate::engine_helpers::shop;
use crate::helpers::{api_key, Backend, TestApp};

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

/// Neither stream has an ANSI escape or a log-formatted line (`2026-…  INFO restock::…`).
fn assert_plain(output: &Output) {
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let shown = text(stream);
        assert!(
            !shown.contains("\x1b["),
            "colour codes on {name}:\n{shown:?}"
        );
        for level in [" INFO ", " WARN ", " ERROR ", "restock::"] {
            assert!(!shown.contains(level), "a log line on {name}:\n{shown}");
        }
    }
}

/// A configuration file for the CLI over the test server's database, rules and feeds.
fn cli_config(app: &TestApp) -> PathBuf {
    let files = app.files.path();
    let feeds: serde_json::Map<String, serde_json::Value> = ["sv-SE", "pl-PL"]
        .iter()
        .map(|l| {
            (
                l.to_string(),
                json!(files.join("feeds").join(format!("{l}.jsonl"))),
            )
        })
        .collect();
    write_config(
        files,
        &json!({
            "database_url": app.backend.url(),
            "api_keys": [api_key()],
            "rules_dir": files.join("rules"),
            "templates_dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            "feeds": feeds,
            "unsubscribe_secret": "cli-secret",
        }),
    )
}

#[tokio::test]
async fn a_bad_configuration_is_one_error_line_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("restock.yaml");
    std::fs::write(&config, "listn: 127.0.0.1:1\n").unwrap();
    let output = run(dir.path(), &config, &["outbox", "list"]);
    assert!(!output.status.success(), "{output:?}");
    assert_plain(&output);
    assert_eq!(text(&output.stdout), "");
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot load the configuration: invalid configuration ("),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown field `listn`"),
        "the cause is shown: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("unknown field `listn`").count(),
        1,
        "said once: {stderr}"
    );
}

#[tokio::test]
async fn an_empty_outbox_says_so_and_dry_run_prints_a_table() {
    let app = shop(Backend::sqlite()).spawn().await;
    let config = cli_config(&app);
    let dir = app.files.path();

    let output = run(dir, &config, &["outbox", "list"]);
    assert!(output.status.success(), "{output:?}");
    assert_plain(&output);
    assert_eq!(text(&output.stdout), "", "stdout stays JSON lines (none)");
    assert_eq!(text(&output.stderr), "the outbox is empty\n");
    let output = run(dir, &config, &["outbox", "list", "--status", "dead"]);
    assert_eq!(
        text(&output.stderr),
        "the outbox has no dead notifications\n"
    );

    let output = run(dir, &config, &["rules", "check"]);
    assert!(output.status.success(), "{output:?}");
    assert_plain(&output);
    assert_eq!(text(&output.stdout), "ok: 1 file, 1 automation\n");

    let contact = app.create_contact("anna@example.com").await;
    let subscription = app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    let output = run(
        dir,
        &config,
        &["rules", "dry-run", "--sku", "SKU-1", "--quantity", "3"],
    );
    assert!(output.status.success(), "{output:?}");
    assert_plain(&output);
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0], "1 subscription matched: 1 would be notified, 0 dropped as expired",
        "{stdout}"
    );
    let header = lines
        .iter()
        .position(|l| l.starts_with("SUBSCRIPTION"))
        .expect(&stdout);
    let columns: Vec<&str> = lines[header].split_whitespace().collect();
    assert_eq!(
        columns,
        ["SUBSCRIPTION", "CONTACT", "LOCALE", "VERDICT"],
        "{stdout}"
    );
    let row = lines[header + 1];
    assert!(
        row.starts_with(subscription["id"].as_str().unwrap()),
        "{stdout}"
    );
    assert!(
        row.contains(&contact.to_string()) && row.contains("sv-SE"),
        "{stdout}"
    );
    assert!(row.ends_with("notify via everyone / sv-SE"), "{stdout}");
    let column = lines[header].find("LOCALE").unwrap();
    assert_eq!(
        row.find("sv-SE"),
        Some(column),
        "aligned under its header:\n{stdout}"
    );

    let output = run(dir, &config, &["outbox", "purge", "--status", "dead"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(text(&output.stdout), "0 dead notifications deleted\n");
    let output = run(dir, &config, &["outbox", "purge", "--status", "nonsense"]);
    assert!(!output.status.success());
    assert_plain(&output);
    assert_eq!(
        text(&output.stderr),
        "error: --status must be delivered or dead\n"
    );
}
