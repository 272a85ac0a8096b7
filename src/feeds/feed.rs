use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::arena::{self, MISSING};
use super::index::SkuIndex;
use super::product::TextList;
use super::report::LoadReport;
use super::schema::Builtin;
use super::{FeedFormat, FieldType, FieldValue, Product};
use crate::domain::Locale;

/// One locale's products, held compactly: all text in one arena, one column of 8-byte
/// cells per field (text as arena offset and length, numbers as `f64`), and a SKU index of
/// row numbers. A feed never changes once built; a reload builds a new one.
pub struct Feed {
    locale: Locale,
    path: PathBuf,
    format: FeedFormat,
    arena: String,
    columns: Vec<Column>,
    by_name: HashMap<Box<str>, usize>,
    index: SkuIndex,
    rows: u32,
    warnings: Vec<String>,
    report: LoadReport,
    loaded_at: DateTime<Utc>,
    load_time: Duration,
}

/// One field's cells, a cell per product.
pub(super) struct Column {
    pub(super) name: Box<str>,
    pub(super) ty: FieldType,
    pub(super) cells: Vec<u64>,
}

/// What the builder hands over.
pub(super) struct FeedParts {
    pub(super) arena: String,
    pub(super) columns: Vec<Column>,
    pub(super) by_name: HashMap<Box<str>, usize>,
    pub(super) index: SkuIndex,
    pub(super) rows: u32,
    pub(super) warnings: Vec<String>,
    pub(super) report: LoadReport,
}

/// Where a feed came from and how long it took to read.
pub(super) struct Origin {
    pub(super) locale: Locale,
    pub(super) path: PathBuf,
    pub(super) format: FeedFormat,
    pub(super) load_time: Duration,
}

impl Feed {
    pub(super) fn new(parts: FeedParts, origin: Origin) -> Self {
        Self {
            locale: origin.locale,
            path: origin.path,
            format: origin.format,
            arena: parts.arena,
            columns: parts.columns,
            by_name: parts.by_name,
            index: parts.index,
            rows: parts.rows,
            warnings: parts.warnings,
            report: parts.report,
            loaded_at: Utc::now(),
            load_time: origin.load_time,
        }
    }

    /// The product with this SKU (compared exactly, as SKUs are). The product keeps this
    /// feed alive, so it stays valid after a reload swaps in a newer feed.
    pub fn product(self: &Arc<Self>, sku: &str) -> Option<Product> {
        self.row_of(sku)
            .map(|row| Product::new(Arc::clone(self), row))
    }

    /// Whether the feed has product data for this SKU.
    pub fn contains(&self, sku: &str) -> bool {
        self.row_of(sku).is_some()
    }

    pub(super) fn row_of(&self, sku: &str) -> Option<u32> {
        let skus = &self.columns[Builtin::Sku as usize].cells;
        let arena = &self.arena;
        self.index.find(sku, |row| {
            arena::text(arena, skus.get(row as usize).copied().unwrap_or(MISSING))
        })
    }

    /// The value of column `column` for row `row`, if present.
    pub(super) fn value(&self, column: usize, row: u32) -> Option<FieldValue<'_>> {
        let column = self.columns.get(column)?;
        let cell = *column.cells.get(row as usize)?;
        if cell == MISSING {
            return None;
        }
        Some(match column.ty {
            FieldType::String => FieldValue::Text(arena::text(&self.arena, cell)),
            FieldType::Number => FieldValue::Number(f64::from_bits(cell)),
            FieldType::Boolean => FieldValue::Boolean(cell != 0),
            FieldType::List => FieldValue::List(TextList(arena::text(&self.arena, cell))),
        })
    }

    /// The column of a field as the rule language names it (`imageUrl`, `color`).
    pub(super) fn column_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub(super) fn column_names(&self) -> impl Iterator<Item = (usize, &str)> {
        self.columns.iter().enumerate().map(|(i, c)| (i, &*c.name))
    }

    /// The fields this feed has, built-in ones first, with their types.
    pub fn schema(&self) -> Vec<(String, FieldType)> {
        self.columns
            .iter()
            .map(|c| (c.name.to_string(), c.ty))
            .collect()
    }

    /// The number of products.
    pub fn len(&self) -> usize {
        self.rows as usize
    }

    /// True for a feed without products (which loads, with a warning in the log).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The locale this feed serves.
    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// The file this feed was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format the file was read as.
    pub fn format(&self) -> FeedFormat {
        self.format
    }

    /// Problems that did not stop the load (duplicate SKUs, ignored fields).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What the load skipped or dropped (items without an id, repeated ids, unsafe
    /// links, unknown availability), counted.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// When this version was built.
    pub fn loaded_at(&self) -> DateTime<Utc> {
        self.loaded_at
    }

    /// How long reading and indexing the file took.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// Bytes of heap the feed holds (arena, columns, index), for capacity planning.
    pub fn heap_bytes(&self) -> usize {
        let columns: usize = self
            .columns
            .iter()
            .map(|c| c.cells.capacity() * 8 + c.name.len())
            .sum();
        self.arena.capacity() + columns + self.index.heap_bytes()
    }
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("locale", &self.locale)
            .field("path", &self.path)
            .field("format", &self.format)
            .field("products", &self.rows)
            .field("heap_bytes", &self.heap_bytes())
            .finish_non_exhaustive()
    }
}
