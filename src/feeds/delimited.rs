//! CSV and TSV feeds: a header row naming the fields, then one row per product.

use std::io::BufRead;
use std::path::Path;

use super::raw::RawItem;
use super::FeedError;

/// Reads a delimited feed. Without a `delimiter`, the header row decides: whichever of
/// comma, tab and semicolon it holds most (Merchant text feeds are tab separated, Excel
/// in much of Europe writes semicolons).
pub(super) fn read<R: BufRead>(
    mut input: R,
    delimiter: Option<u8>,
    path: &Path,
    item: &mut RawItem,
    mut on_item: impl FnMut(&RawItem) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    let syntax = |line: u64, message: String| FeedError::Syntax {
        path: path.to_owned(),
        line,
        column: None,
        message,
    };
    let delimiter = match delimiter {
        Some(d) => d,
        None => sniff(&mut input).map_err(|e| io_error(path, e))?,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, e, &csv::StringRecord::new()))?
        .clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(syntax(
            1,
            "no header row: the first line must name the fields (id, title, price, ...)".to_owned(),
        ));
    }
    let mut fields = Vec::with_capacity(headers.len());
    for (column, name) in headers.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(syntax(
                1,
                format!("column {} has no name in the header row", column + 1),
            ));
        }
        if let Some(earlier) = headers.iter().take(column).position(|h| h.trim() == name) {
            return Err(syntax(
                1,
                format!(
                    "column {} repeats the name {name:?} of column {}",
                    column + 1,
                    earlier + 1
                ),
            ));
        }
        fields.push(item.field(name).map_err(|m| syntax(1, m))?);
    }
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e, &headers))?
    {
        let line = record.position().map_or(0, |p| p.line());
        item.begin(line);
        for (&field, value) in fields.iter().zip(record.iter()) {
            item.set(field, 0, value, line);
        }
        on_item(item)?;
    }
    Ok(())
}

fn sniff<R: BufRead>(input: &mut R) -> std::io::Result<u8> {
    let buffer = input.fill_buf()?;
    let header = buffer.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    let best = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',');
    Ok(best)
}

fn io_error(path: &Path, source: std::io::Error) -> FeedError {
    FeedError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The column as messages name it: `column 3 "price"`.
fn column_name(headers: &csv::StringRecord, index: usize) -> String {
    match headers.get(index) {
        Some(name) => format!("column {} {:?}", index + 1, name.trim()),
        None => format!("column {}", index + 1),
    }
}

fn csv_error(path: &Path, error: csv::Error, headers: &csv::StringRecord) -> FeedError {
    let line = error.position().map_or(0, |p| p.line());
    // Records count the header row as record 0, so a data row's record is its number.
    let row = error.position().map_or(0, |p| p.record());
    let message = match error.into_kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let first = usize::try_from(len.min(expected_len)).unwrap_or(usize::MAX);
            let at = if len < expected_len {
                format!("; {} is the first missing", column_name(headers, first))
            } else {
                format!("; the extra fields start at column {}", first + 1)
            };
            format!("row {row} has {len} fields but the header row has {expected_len}{at}")
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            format!(
                "row {row}, {} is not valid UTF-8",
                column_name(headers, err.field())
            )
        }
        csv::ErrorKind::Io(source) => {
            return FeedError::Io {
                path: path.to_owned(),
                source,
            }
        }
        other => format!("malformed CSV: {other:?}"),
    };
    FeedError::Syntax {
        path: path.to_owned(),
        line,
        column: None,
        message,
    }
}
