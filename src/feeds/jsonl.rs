//! JSON lines feeds: one object per line, its keys the field names. Strings, numbers and
//! booleans are taken as written; nested arrays and objects are kept as JSON text.

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
        let syntax = |message: String| FeedError::Syntax {
            path: path.to_owned(),
            line,
            message,
        };
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
            syntax(format!("{what}: {e}"))
        })?;
        item.begin(line);
        for (key, value) in &object {
            let id = item.field(key).map_err(syntax)?;
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s.as_str(),
                Value::Bool(b) => {
                    if *b {
                        "true"
                    } else {
                        "false"
                    }
                }
                Value::Number(n) => {
                    scratch.clear();
                    scratch.push_str(&n.to_string());
                    scratch.as_str()
                }
                nested => {
                    scratch.clear();
                    scratch.push_str(&nested.to_string());
                    scratch.as_str()
                }
            };
            item.set(id, 0, text, line);
        }
        on_item(item)?;
    }
}
