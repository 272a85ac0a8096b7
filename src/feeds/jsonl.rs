//! JSON lines feeds: one object per line, its keys the field names. Strings, numbers and
//! booleans are taken as written; an array of them is a repeated field (a list); other
//! nested values are kept as JSON text.

use std::io::BufRead;
use std::path::Path;

use serde_json::{Map, Value};

use super::raw::RawItem;
use super::FeedError;

pub(super) fn read<R: BufRead>(
    mut input: R,
    path: &Path,
    item: &mut RawItem,
    mut on_item: impl FnMut(&RawItem) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    let mut text = String::new();
    let mut scratch = String::new();
    let mut line = 0u64;
    loop {
        text.clear();
        line += 1;
        let at = |column: Option<u64>, message: String| FeedError::Syntax {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        let syntax = |message: String| at(None, message);
        let read = input.read_line(&mut text).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => syntax("the line is not valid UTF-8".to_owned()),
            _ => FeedError::Io {
                path: path.to_owned(),
                source: e,
            },
        })?;
        if read == 0 {
            return Ok(());
        }
        let json = text.trim_start_matches('\u{feff}').trim();
        if json.is_empty() {
            continue;
        }
        let object: Map<String, Value> = serde_json::from_str(json).map_err(|e| {
            let what = if e.is_data() {
                "not a JSON object"
            } else {
                "malformed JSON"
            };
            // serde_json counts columns in bytes; report characters, as editors do.
            let column = json
                .get(..e.column().saturating_sub(1))
                .map_or(e.column(), |before| before.chars().count() + 1);
            let leading = text.len() - text.trim_start_matches('\u{feff}').trim_start().len();
            let leading = text.get(..leading).map_or(0, |l| l.chars().count());
            // serde_json places the error in the trimmed line; the error's own place is the file's.
            let text = e.to_string();
            let text = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(t, _)| t);
            at(Some((column + leading) as u64), format!("{what}: {text}"))
        })?;
        item.begin(line);
        for (key, value) in &object {
            let id = item.field(key).map_err(syntax)?;
            match value {
                Value::Array(items) if items.iter().all(is_scalar) => {
                    for value in items {
                        set(item, id, value, line, &mut scratch);
                    }
                }
                value => set(item, id, value, line, &mut scratch),
            }
        }
        on_item(item)?;
    }
}

fn is_scalar(value: &Value) -> bool {
    matches!(
        value,
        Value::Null | Value::String(_) | Value::Bool(_) | Value::Number(_)
    )
}

/// Records one value as text: strings as written, numbers and booleans in JSON's own
/// spelling, nested values as JSON text; null is absent.
fn set(item: &mut RawItem, id: u16, value: &Value, line: u64, scratch: &mut String) {
    let text = match value {
        Value::Null => return,
        Value::String(s) => s.as_str(),
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        other => {
            scratch.clear();
            scratch.push_str(&other.to_string());
            scratch.as_str()
        }
    };
    item.set(id, 0, text, line);
}
