use std::path::PathBuf;

use thiserror::Error;

/// Why a feed could not be loaded. Every message names the file, and where the fault is
/// in it, so whoever produces the feed can find and fix it.
#[derive(Debug, Error)]
pub enum FeedError {
    /// The feed's configuration is unusable (format unknown, bad currency code, ...).
    #[error("feed {}: {message}", .path.display())]
    Config { path: PathBuf, message: String },
    /// The file cannot be opened or read.
    #[error("cannot read feed {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed XML, CSV or JSON lines, or is cut short.
    #[error("{}:{line}{}: {message}", .path.display(), column_note(.column))]
    Syntax {
        path: PathBuf,
        line: u64,
        /// 1-based character position in the line, where the parser knows it.
        column: Option<u64>,
        message: String,
    },
    /// One item is well-formed but unusable: a bad SKU, a bad price, a mistyped field, a
    /// field name no rule could use.
    #[error("{}:{line}: item {item}{}, {field}: {message}", .path.display(), sku_note(.sku))]
    Item {
        path: PathBuf,
        line: u64,
        /// 1-based position of the item in the file.
        item: u64,
        sku: Option<String>,
        /// The column, element or key at fault, as `column 3 "price"`, `element
        /// <g:price>` or `key "price"`.
        field: String,
        message: String,
    },
    /// The whole feed is unusable (too large, too many fields).
    #[error("{}: {message}", .path.display())]
    Feed { path: PathBuf, message: String },
    /// Several feeds failed at once (at start-up); each is listed.
    #[error("{} feeds failed to load:\n{}", .0.len(), list(.0))]
    Several(Vec<FeedError>),
}

fn sku_note(sku: &Option<String>) -> String {
    sku.as_ref()
        .map(|sku| format!(" (sku {sku:?})"))
        .unwrap_or_default()
}

fn column_note(column: &Option<u64>) -> String {
    column.map(|c| format!(":{c}")).unwrap_or_default()
}

fn list(errors: &[FeedError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
