//! CSV downloads of console lists, written by the API's CSV writer (`insights::csv`: RFC
//! 4180, one header row, formula-like cells made text): the same rows as the page, or
//! every selected row streamed a page at a time.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ConsoleError;

/// The CSV text of `rows`, the header row first when given: one piece of a streamed
/// download.
pub fn lines(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<String, ConsoleError> {
    let header: Option<Vec<String>> = header.map(|h| h.iter().map(|c| (*c).to_owned()).collect());
    crate::insights::csv::records(header.as_deref(), rows)
        .map_err(|e| ConsoleError::Io(std::io::Error::from(e)))
}

/// `rows` as an attachment named `filename`, with `headers` first, in one piece.
pub fn download(
    filename: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Response, ConsoleError> {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    let body = lines(Some(headers), &rows)?;
    Ok((attachment(filename), body).into_response())
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
    (attachment(filename), axum::body::Body::from_stream(body)).into_response()
}

fn attachment(filename: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
    ]
}
