//! CSV downloads of console lists, written by the API's CSV writer (`insights::csv`): the
//! same rows as the page, one header row, formula-like cells made text.

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
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
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
