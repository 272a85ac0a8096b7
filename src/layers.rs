//! The layers' import rule (docs/design.md, "Layers"), checked on the source: a lower
//! layer that reaches up, or an HTTP surface that reaches into the other, fails the build's
//! tests instead of waiting for a reader to notice the circle.

use std::path::Path;

/// Each layer and the modules above it that it must not import.
const RULES: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "config",
            "store",
            "engine",
            "delivery",
            "plugins",
            "web",
            "api",
            "console",
            "storefront",
            "startup",
            "cli",
        ],
    ),
    (
        "config",
        &[
            "store",
            "engine",
            "delivery",
            "plugins",
            "web",
            "api",
            "console",
            "storefront",
            "startup",
            "cli",
        ],
    ),
    (
        "store",
        &[
            "engine",
            "delivery",
            "plugins",
            "web",
            "api",
            "console",
            "storefront",
            "startup",
            "cli",
        ],
    ),
    (
        "engine",
        &[
            "delivery",
            "web",
            "api",
            "console",
            "storefront",
            "startup",
            "cli",
        ],
    ),
    (
        "delivery",
        &["web", "api", "console", "storefront", "startup", "cli"],
    ),
    (
        "plugins",
        &["web", "api", "console", "storefront", "startup", "cli"],
    ),
    ("web", &["api", "console", "storefront", "startup", "cli"]),
    ("api", &["console", "storefront", "startup", "cli"]),
    ("console", &["api", "storefront", "startup", "cli"]),
    ("storefront", &["api", "console", "startup", "cli"]),
];

/// Every `crate::{module}` path in the layer's files that names a forbidden module, as
/// `file: crate::module`.
fn reaching_up(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut found = Vec::new();
    let mut files = vec![root.with_extension("rs"), root];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).expect("a readable source folder");
            files.extend(entries.map(|e| e.expect("a folder entry").path()));
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for module in forbidden {
            let needle = format!("crate::{module}");
            let hit = text.match_indices(&needle).any(|(at, _)| {
                let next = text[at + needle.len()..].chars().next();
                !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if hit {
                found.push(format!("{}: {needle}", path.display()));
            }
        }
    }
    found
}

#[test]
fn no_layer_imports_one_above_it_and_the_api_and_console_stay_apart() {
    let found: Vec<String> = RULES
        .iter()
        .flat_map(|(layer, forbidden)| reaching_up(layer, forbidden))
        .collect();
    assert!(found.is_empty(), "imports against the layers: {found:#?}");
}

#[test]
fn the_check_sees_an_import_that_reaches_up() {
    // The rule finds what it is meant to: `api` does import `store`.
    assert!(!reaching_up("api", &["store"]).is_empty());
}
