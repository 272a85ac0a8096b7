//! Assembles a [`Feed`] row by row: one column of 8-byte cells per field, text in the
//! arena, the SKU index built as rows arrive.

use std::collections::HashMap;

use super::arena::{ArenaBuilder, ArenaFull, MISSING};
use super::feed::{Column, FeedParts};
use super::index::SkuIndex;
use super::product::LIST_SEPARATOR;
use super::report::LoadReport;
use super::schema::Builtin;
use super::urls::is_url_field;
use super::FieldType;

/// At most this many warnings are kept per feed; the rest are only counted.
const MAX_WARNINGS: usize = 100;

/// After this many values of a column, de-duplication stops for it unless at least one in
/// [`WORTH_IT`] repeated: looking up every link or GTIN only to find it new costs load time.
const SAMPLE: u32 = 4096;
const WORTH_IT: u32 = 8;

/// How well de-duplicating a column's text pays off so far.
#[derive(Clone, Copy, Default)]
struct Dedupe {
    tried: u32,
    repeated: u32,
}

impl Dedupe {
    fn worth_it(&self) -> bool {
        self.tried < SAMPLE || self.repeated >= SAMPLE / WORTH_IT
    }
}

pub(super) struct FeedBuilder {
    pub(super) arena: ArenaBuilder,
    pub(super) columns: Vec<Column>,
    by_name: HashMap<Box<str>, usize>,
    dedupe: Vec<Dedupe>,
    /// Per column, whether its values are links (checked for their scheme).
    links: Vec<bool>,
    /// The cells of the row being built, one per column.
    row: Vec<u64>,
    /// Columns the current row repeats, with their values joined so far; stored as one
    /// list cell when the row ends.
    pub(super) repeated: Vec<(usize, String)>,
    rows: u32,
    index: SkuIndex,
    /// The line each row started on, for duplicate reports; dropped when the feed is built.
    lines: Vec<u64>,
    warnings: Vec<String>,
    warning_count: u64,
    /// What the load skipped or dropped, counted.
    pub(super) report: LoadReport,
}

impl FeedBuilder {
    /// `text_hint` is the file size, which bounds the text the feed will hold.
    pub(super) fn new(text_hint: usize) -> Self {
        let mut builder = Self {
            arena: ArenaBuilder::with_capacity(text_hint),
            columns: Vec::new(),
            by_name: HashMap::new(),
            dedupe: Vec::new(),
            links: Vec::new(),
            row: Vec::new(),
            repeated: Vec::new(),
            rows: 0,
            index: SkuIndex::default(),
            lines: Vec::new(),
            warnings: Vec::new(),
            warning_count: 0,
            report: LoadReport::default(),
        };
        for builtin in Builtin::ALL {
            builder.column(builtin.name(), builtin.ty());
        }
        builder
    }

    /// The column named `name`, created (empty for the rows so far) on first use.
    pub(super) fn column(&mut self, name: &str, ty: FieldType) -> usize {
        if let Some(&column) = self.by_name.get(name) {
            return column;
        }
        let column = self.columns.len();
        self.columns.push(Column {
            name: name.into(),
            ty,
            cells: vec![MISSING; self.rows as usize],
        });
        self.by_name.insert(name.into(), column);
        self.dedupe.push(Dedupe::default());
        self.links.push(is_url_field(name));
        self.row.push(MISSING);
        column
    }

    /// Whether the column holds links, judged once by its name.
    pub(super) fn is_link(&self, column: usize) -> bool {
        self.links.get(column).copied().unwrap_or(false)
    }

    pub(super) fn column_type(&self, column: usize) -> FieldType {
        self.columns.get(column).map_or(FieldType::String, |c| c.ty)
    }

    /// The line of the earlier row with this SKU, if there is one.
    pub(super) fn earlier(&self, sku: &str) -> Option<u64> {
        let (arena, skus) = (&self.arena, &self.columns[Builtin::Sku as usize].cells);
        let row = self.index.find(sku, |r| {
            arena.get(skus.get(r as usize).copied().unwrap_or(MISSING))
        })?;
        self.lines.get(row as usize).copied()
    }

    /// Sets a text cell of the current row. `unique` skips the de-duplication lookup for
    /// values that never repeat; columns whose values turn out not to repeat skip it too.
    /// A second value for a column in one row makes the column a list (earlier rows read
    /// as lists of one); built-in columns keep their first value.
    pub(super) fn set_text(
        &mut self,
        column: usize,
        value: &str,
        unique: bool,
    ) -> Result<(), ArenaFull> {
        let Some(&current) = self.row.get(column) else {
            return Ok(());
        };
        let value: std::borrow::Cow<'_, str> = if value.contains(LIST_SEPARATOR) {
            value.replace(LIST_SEPARATOR, " ").into()
        } else {
            value.into()
        };
        if current != MISSING {
            self.repeat(column, current, &value);
            return Ok(());
        }
        let cell = self.store(column, &value, unique)?;
        self.row[column] = cell;
        Ok(())
    }

    fn store(&mut self, column: usize, value: &str, unique: bool) -> Result<u64, ArenaFull> {
        let dedupe = &mut self.dedupe[column];
        let cell = if unique || !dedupe.worth_it() {
            self.arena.push(value)?
        } else {
            let (cell, repeated) = self.arena.intern(value)?;
            dedupe.tried = dedupe.tried.saturating_add(1);
            dedupe.repeated = dedupe.repeated.saturating_add(u32::from(repeated));
            cell
        };
        Ok(cell)
    }

    pub(super) fn set_number(&mut self, column: usize, value: f64) {
        self.set_cell(column, value.to_bits());
    }

    pub(super) fn set_bool(&mut self, column: usize, value: bool) {
        self.set_cell(column, u64::from(value));
    }

    fn set_cell(&mut self, column: usize, cell: u64) {
        if let Some(slot) = self.row.get_mut(column).filter(|slot| **slot == MISSING) {
            *slot = cell;
        }
    }

    /// Ends the current row, which must have its SKU set.
    pub(super) fn end_row(&mut self, line: u64) -> Result<(), String> {
        if self.rows == u32::MAX {
            return Err(format!("more than {} items", u32::MAX));
        }
        for (column, joined) in std::mem::take(&mut self.repeated) {
            let cell = self
                .store(column, &joined, false)
                .map_err(|_| "the feed holds more than 4 GiB of text".to_owned())?;
            self.row[column] = cell;
        }
        let row = self.rows;
        for (column, cell) in self.columns.iter_mut().zip(self.row.iter_mut()) {
            column.cells.push(std::mem::replace(cell, MISSING));
        }
        self.rows += 1;
        self.lines.push(line);
        let (arena, skus) = (&self.arena, &self.columns[Builtin::Sku as usize].cells);
        let sku = arena.get(skus[row as usize]);
        let sku_of = |r: u32| arena.get(skus.get(r as usize).copied().unwrap_or(MISSING));
        self.index.insert(row, sku, sku_of);
        Ok(())
    }

    /// Records a problem that does not stop the load.
    pub(super) fn warn(&mut self, message: String) {
        self.warning_count += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(message);
        }
    }

    pub(super) fn finish(self) -> FeedParts {
        let mut columns = self.columns;
        for column in &mut columns {
            column.cells.shrink_to_fit();
        }
        let kept = self.warnings.len() as u64;
        let mut warnings: Vec<String> = self.report.warnings().collect();
        warnings.extend(self.warnings);
        if self.warning_count > kept {
            warnings.push(format!(
                "... and {} more warnings",
                self.warning_count - kept
            ));
        }
        FeedParts {
            arena: self.arena.finish(),
            columns,
            by_name: self.by_name,
            index: self.index,
            rows: self.rows,
            warnings,
            report: self.report,
        }
    }
}
