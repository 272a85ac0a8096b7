//! `restock rules check`: the shipped examples pass; problems are printed and fail.

use std::path::PathBuf;

use crate::rules::{check_paths, rule_files};

fn run(paths: &[PathBuf]) -> (bool, String) {
    let mut out = Vec::new();
    let ok = check_paths(paths, &mut out).expect("writing to a Vec cannot fail");
    (ok, String::from_utf8(out).expect("utf-8 output"))
}

fn shipped_rules() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
}

#[test]
fn the_shipped_examples_pass() {
    let (ok, out) = run(&[shipped_rules()]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("ok: 2 files, 3 automations; conditions read "),
        "{out}"
    );
    assert!(
        out.contains("contact.attributes.vip") && out.contains("purchased"),
        "{out}"
    );
}

#[test]
fn directories_list_their_yaml_files_sorted() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["b.yml", "a.yaml", "notes.txt"] {
        std::fs::write(dir.path().join(name), "").expect("write");
    }
    let files = rule_files(&[dir.path().to_owned()]).expect("list");
    let names: Vec<_> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str())
        .collect();
    assert_eq!(names, ["a.yaml", "b.yml"]);
}

#[test]
fn problems_are_printed_and_fail_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = "id: dup\nsplit: {by: locale, branches: {default: [log]}}\n";
    std::fs::write(dir.path().join("a.yaml"), good).expect("write");
    std::fs::write(dir.path().join("b.yaml"), good).expect("write");
    let bad = "id: bad\nwhen: |\n  quantity > 5\n  and locale == \"sv_SE\"\nsplit: {by: locale, branches: {default: [log]}}\n";
    std::fs::write(dir.path().join("c.yaml"), bad).expect("write");
    let (ok, out) = run(&[dir.path().to_owned(), dir.path().join("missing.yaml")]);
    assert!(!ok);
    assert!(
        out.contains("cannot read") && out.contains("missing.yaml"),
        "{out}"
    );
    assert!(out.contains("c.yaml:4:17\n"), "{out}");
    assert!(out.contains("4 |   and locale == \"sv_SE\"\n"), "{out}");
    assert!(out.contains("the automation id dup is used twice"), "{out}");
    assert!(
        out.ends_with("failed: 3 errors in 4 files (2 automations valid)\n"),
        "{out}"
    );
}
