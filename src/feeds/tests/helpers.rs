use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::domain::Locale;
use crate::feeds::{Feed, FeedError, FeedSource};

pub fn sv() -> Locale {
    Locale::parse("sv-SE").unwrap()
}

/// A file of tests/fixtures/feeds.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name)
}

/// Writes `content` to `name` in `dir` and returns the path.
pub fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

pub fn load_source(source: &FeedSource) -> Result<Arc<Feed>, FeedError> {
    Feed::load(&sv(), source).map(Arc::new)
}

pub fn load(path: &Path) -> Arc<Feed> {
    load_source(&FeedSource::new(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `content` written to a temporary file named `name`.
pub fn load_text(name: &str, content: &str) -> Result<Arc<Feed>, FeedError> {
    let dir = tempfile::tempdir().unwrap();
    load_source(&FeedSource::new(write(&dir, name, content)))
}

/// The error text of loading `content` as `name`, with the temporary folder left out.
pub fn error_text(name: &str, content: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, name, content);
    let error = load_source(&FeedSource::new(&path)).expect_err("the feed should be rejected");
    error
        .to_string()
        .replace(&dir.path().display().to_string(), "DIR")
}

/// The product as `GET /api/v3/products/{locale}/{sku}` shows it.
pub fn shown(feed: &Arc<Feed>, sku: &str) -> Value {
    let product = feed
        .product(sku)
        .unwrap_or_else(|| panic!("no product {sku}"));
    serde_json::to_value(&product).unwrap()
}
