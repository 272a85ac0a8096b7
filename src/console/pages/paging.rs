//! Paging for the console's lists: the page size (`limit`, bounded), where the page
//! starts (`after` or `before` a row's key: keyset paging, newest first), and the
//! previous and next links, which keep every filter of the page they are on.

use serde_json::{json, Value};

use super::Params;
use crate::console::ConsoleError;
use crate::store::{Keyset, Page};

/// Rows per page unless `limit` says otherwise, and the bounds of `limit`.
pub const DEFAULT_SIZE: i64 = 100;
pub const MAX_SIZE: i64 = 1_000;

/// `limit`: a whole number from 1 to [`MAX_SIZE`]; anything else is a 400 naming it.
pub fn size(params: &Params) -> Result<usize, ConsoleError> {
    let n = params.number("limit", DEFAULT_SIZE, 1..=MAX_SIZE)?;
    Ok(usize::try_from(n).unwrap_or(100))
}

/// Where the page starts: `after=KEY` (older rows), `before=KEY` (newer rows), or the
/// newest rows; `parse` reads a key, and its error names the parameter.
pub fn keyset<K>(
    params: &Params,
    parse: impl Fn(&str) -> Option<K>,
    what: &str,
) -> Result<Keyset<K>, ConsoleError> {
    let read = |field: &'static str, raw: &str| {
        parse(raw).ok_or_else(|| {
            ConsoleError::bad(
                field,
                format!("{raw:?} is not {what} (use the page's links)"),
            )
        })
    };
    match (params.get("after"), params.get("before")) {
        (Some(_), Some(_)) => Err(ConsoleError::bad(
            "before",
            "give after or before, not both",
        )),
        (Some(raw), None) => Ok(Keyset::After(read("after", raw)?)),
        (None, Some(raw)) => Ok(Keyset::Before(read("before", raw)?)),
        (None, None) => Ok(Keyset::First),
    }
}

/// The page's navigation: `newer` / `older` links (null at either end) built from
/// `path`, the filters to keep (name, value; empty values left out) and the keys of the
/// page's first and last rows.
pub fn links<T>(
    path: &str,
    filters: &[(&str, Option<String>)],
    page: &Page<T>,
    key: impl Fn(&T) -> String,
) -> Value {
    let link = |name: &str, row: Option<&T>| -> Option<String> {
        let mut query = serializer(filters);
        query.append_pair(name, &key(row?));
        Some(format!("{path}?{}", query.finish()))
    };
    let newer = page
        .newer
        .then(|| link("before", page.rows.first()))
        .flatten();
    let older = page
        .older
        .then(|| link("after", page.rows.last()))
        .flatten();
    let first = page.newer.then(|| {
        let query = serializer(filters).finish();
        match query.is_empty() {
            true => path.to_owned(),
            false => format!("{path}?{query}"),
        }
    });
    json!({"newer": newer, "older": older, "first": first})
}

/// A query string holding the filters that have a value.
fn serializer(filters: &[(&str, Option<String>)]) -> form_urlencoded::Serializer<'static, String> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (field, value) in filters {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(field, value);
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_point_past_the_page() {
        let page = Page {
            rows: vec![9, 8],
            newer: true,
            older: true,
        };
        let filters = [("sku", Some("A B&C".to_owned())), ("held", None)];
        let nav = links("/admin/log", &filters, &page, |n| n.to_string());
        assert_eq!(nav["newer"], "/admin/log?sku=A+B%26C&before=9");
        assert_eq!(nav["older"], "/admin/log?sku=A+B%26C&after=8");
        assert_eq!(nav["first"], "/admin/log?sku=A+B%26C");
        let end = Page {
            rows: vec![1],
            newer: false,
            older: false,
        };
        let nav = links("/admin/log", &[], &end, |n| n.to_string());
        assert!(nav["newer"].is_null() && nav["older"].is_null() && nav["first"].is_null());
    }

    #[test]
    fn bad_sizes_and_keys_name_their_field() {
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=ten", "limit"),
        ] {
            let err = size(&Params::parse(Some(query))).unwrap_err();
            assert!(err.to_string().starts_with(field), "{query}: {err}");
        }
        assert_eq!(size(&Params::parse(None)).unwrap(), 100);
        let parse = |raw: &str| raw.parse::<u32>().ok();
        let err = keyset(&Params::parse(Some("after=x")), parse, "a key").unwrap_err();
        assert!(err.to_string().starts_with("after"), "{err}");
        let err = keyset(&Params::parse(Some("after=1&before=2")), parse, "a key").unwrap_err();
        assert!(err.to_string().starts_with("before"), "{err}");
        assert_eq!(
            keyset(&Params::parse(Some("before=2")), parse, "a key").unwrap(),
            Keyset::Before(2)
        );
    }
}
