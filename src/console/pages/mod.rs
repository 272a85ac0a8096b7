//! One module per console page. Handlers gather what already exists (store, engine,
//! reload status) into plain JSON for the page's template.

pub mod automations;
pub mod contacts;
pub mod demand;
pub mod feeds;
pub mod history;
pub mod log;
pub mod numbers;
pub mod outbox;
pub mod overview;
pub mod paging;
pub mod templates;

use std::collections::HashMap;

use crate::console::{CheckError, ConsoleError};

/// What an editor's live check sends: JSON `{file, text}` (the rules and the template
/// editor alike).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub file: String,
    pub text: String,
}

impl CheckRequest {
    /// The body, or a 400 naming it; the text with line ends as a form's would be (LF).
    pub fn parse(body: &[u8]) -> Result<Self, CheckError> {
        let request: CheckRequest =
            serde_json::from_slice(body).map_err(|e| CheckError::field("body", e))?;
        Ok(CheckRequest {
            text: request.text.replace("\r\n", "\n"),
            ..request
        })
    }
}

/// A query string's parameters; empty values count as absent (a blank filter field).
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.into_owned(), v.trim().to_owned()));
        Params(pairs.collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A whole number within `range`, or `default` when absent.
    pub fn number(
        &self,
        name: &'static str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, ConsoleError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        raw.parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                let (lo, hi) = (range.start(), range.end());
                ConsoleError::bad(
                    name,
                    format!("must be a whole number from {lo} to {hi}, not {raw:?}"),
                )
            })
    }
}

/// A time a person typed: RFC 3339 (`2026-12-01T10:00:00+01:00`), or what a
/// `datetime-local` field sends (`2026-12-01T10:00`), read as UTC; years 1 to 9999, the
/// range every database takes.
pub(crate) fn parse_time(
    field: &'static str,
    raw: &str,
) -> Result<chrono::DateTime<chrono::Utc>, ConsoleError> {
    let time = read_time(raw).ok_or_else(|| {
        ConsoleError::bad(
            field,
            format!(
                "{raw:?} is not a time such as 2026-12-01T10:00 (UTC) or 2026-12-01T10:00:00+01:00"
            ),
        )
    })?;
    if !(1..=9999).contains(&chrono::Datelike::year(&time)) {
        return Err(ConsoleError::bad(
            field,
            format!("{raw:?} is outside the years 1 to 9999"),
        ));
    }
    Ok(time)
}

fn read_time(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(raw, format) {
            return Some(t.and_utc());
        }
    }
    let day = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// Runs blocking file work (checking, saving, reloading) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ConsoleError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ConsoleError::Io(std::io::Error::other(e)))
}
