//! CSV downloads of console lists, written by the API's CSV writer (`insights::csv`: RFC
//! 4180, one header row, formula-like cells made text): the same rows as the page, or
//! every selected row streamed a page at a time.

use std::future::Future;
use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ConsoleError;
use crate::store::{Keyset, Page};

/// Rows a download of a paged list holds at most (newest first): a week of a busy shop's
/// log, and a bound on what one request reads.
pub const CSV_MAX: usize = 100_000;
/// Rows read per step of such a download.
const CSV_STEP: usize = 1_000;

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

/// A page's own JSON rows as a download named `filename`: one column per `(header,
/// pointer)`, the cell the value at that JSON pointer (`/notification/status`) — strings
/// bare, a list's items joined by "; ", null and absent empty — so the file holds what
/// the page shows, by the code that shows it.
pub fn values(
    filename: &str,
    columns: &[(&str, &str)],
    rows: &[serde_json::Value],
) -> Result<Response, ConsoleError> {
    let headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    let cells = rows.iter().map(|row| {
        columns
            .iter()
            .map(|(_, pointer)| text(row.pointer(pointer)))
            .collect()
    });
    download(filename, &headers, cells)
}

fn text(value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| text(Some(item)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
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

/// Every row of a keyset-paged list, newest first and at most [`CSV_MAX`], as a download
/// named `filename` streamed [`CSV_STEP`] rows at a time: `read(at, size)` reads a page,
/// `key` is a row's key for the next one, `cells` turns rows into CSV rows. The first page
/// is read before answering, so a failing database is an error page, not a cut-off file.
pub async fn every_row<T, K, F, Fut>(
    filename: &str,
    header: &'static [&'static str],
    cells: fn(&[T]) -> Vec<Vec<String>>,
    key: fn(&T) -> K,
    read: F,
) -> Result<Response, ConsoleError>
where
    T: Send + 'static,
    K: Send + 'static,
    F: Fn(Keyset<K>, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, ConsoleError>> + Send,
{
    let first = read(Keyset::First, CSV_STEP).await?;
    let read = Arc::new(read);
    let start = (Some(first), 0usize, true);
    let pieces = futures::stream::unfold(start, move |(next, done, with_header)| {
        let read = read.clone();
        async move {
            let page = next?;
            let done = done + page.rows.len();
            let piece = lines(with_header.then_some(header), &cells(&page.rows));
            let after = page.rows.last().filter(|_| page.older && done < CSV_MAX);
            let following = match after.map(key) {
                Some(after) => match read(Keyset::After(after), CSV_STEP.min(CSV_MAX - done)).await
                {
                    Ok(p) => Some(p),
                    Err(e) => return Some((Err(e), (None, done, false))),
                },
                None => None,
            };
            Some((piece, (following, done, false)))
        }
    });
    Ok(stream(filename, pieces))
}
