//! CSV downloads of console lists, written like the API's CSV (`insights::csv`): the same
//! rows as the page, one header row, and cells a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) prefixed with `'` so a
//! hostile SKU cannot.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ConsoleError;

/// The CSV text of `rows` (RFC 4180 as [`crate::insights::csv::document`], cells made
/// inert), the header row first when given: one piece of a streamed download.
pub fn lines(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<String, ConsoleError> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let inert_all = |cells: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        cells.map(|c| inert(c).into_owned()).collect()
    };
    if let Some(header) = header {
        out.write_record(inert_all(&mut header.iter().copied()))
            .map_err(std::io::Error::from)?;
    }
    for row in rows {
        out.write_record(inert_all(&mut row.iter().map(String::as_str)))
            .map_err(std::io::Error::from)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A download named `filename` whose body is `pieces` as they come (each one page of
/// rows, from [`lines`]), so an export of many rows never sits in memory whole. An error
/// after the first piece ends the body early (the server logs it).
pub fn stream<S>(filename: &str, pieces: S) -> Response
where
    S: futures::Stream<Item = Result<String, ConsoleError>> + Send + 'static,
{
    use futures::StreamExt;
    let body = pieces.map(|piece| {
        piece.map_err(|e| {
            tracing::error!(error = %e, "console CSV download stopped");
            std::io::Error::other(e.to_string())
        })
    });
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
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
