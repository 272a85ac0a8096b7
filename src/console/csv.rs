//! CSV downloads of console lists, written like the API's CSV (`insights::csv`): the same
//! rows as the page, one header row, and cells a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) prefixed with `'` so a
//! hostile SKU cannot.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ConsoleError;

/// `rows` as an attachment named `filename`, with `headers` first.
pub fn download(
    filename: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Response, ConsoleError> {
    let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| row.iter().map(|cell| inert(cell).into_owned()).collect())
        .collect();
    let body = crate::insights::csv::document(&headers, &rows).map_err(std::io::Error::from)?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_text() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("SKU-1"), "SKU-1");
        assert_eq!(inert("-5"), "'-5");
    }
}
