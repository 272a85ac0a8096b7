//! A JSON body extractor whose every failure speaks problem+json and names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::strict::Strict;
use super::well_formed::{WellFormed, DUPLICATE};
use super::AppState;

/// Like `axum::Json`, but a wrong type or unknown field answers with the path of the field
/// at fault (`[2].quantity`), and an oversized or empty body with its own error code.
pub struct Json<T>(pub T);

/// A request body's type. `FLAT`: every object in it is a struct serde derives (no map, no
/// free-form value), which refuses a key given twice by itself, so a body that reads needs
/// no second pass over its bytes; the whole-body pass then runs only for one that does not,
/// to tell why. A 1,000-level stock call and every subscription are read once.
pub trait Body: DeserializeOwned {
    const FLAT: bool = false;
}

impl<T: Body> Body for Vec<T> {
    const FLAT: bool = T::FLAT;
}

/// A contact's attributes: free-form, so read in two passes.
impl Body for serde_json::Map<String, serde_json::Value> {}

impl<T: Body> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.max_body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(limit)
            } else {
                ApiError::MalformedJson(rejection.body_text())
            }
        })?;
        read_body(&bytes, T::FLAT).map(Json)
    }
}

fn is_json(req: &Request) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Deserializes a body, telling syntax errors (not JSON) from data errors (JSON of the
/// wrong shape, reported against the field's path). The whole body is checked as JSON
/// first, so a truncated body is `MalformedJson` even when its first field is already
/// wrong, and an object with a key twice is refused wherever it is.
///
/// `flat` ([`Body::FLAT`]): the same answers, in one pass when the body reads.
fn read_body<T: DeserializeOwned>(bytes: &[u8], flat: bool) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyBody);
    }
    if flat {
        return read(bytes).or_else(|err| {
            read::<WellFormed>(bytes)?;
            Err(err)
        });
    }
    read::<WellFormed>(bytes)?;
    read(bytes)
}

fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(Strict(&mut de)).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return ApiError::MalformedJson(inner.to_string());
        }
        let message = strip_position(&inner.to_string());
        let field = |path: String| if path == "." { "body".to_owned() } else { path };
        match message.strip_prefix(DUPLICATE) {
            Some(key) if path == "." => ApiError::field(key, "appears more than once"),
            Some(key) => ApiError::field(format!("{path}.{key}"), "appears more than once"),
            None => ApiError::field(field(path), message),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok(value)
}

/// serde_json appends "at line 1 column 42" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Like `axum::extract::Query`, but a bad query string answers problem+json.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = form_urlencoded::parse(query.as_bytes());
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Query)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                match named_parameter(&message) {
                    Some(("unknown", name)) => {
                        ApiError::field(name, "is not a parameter of this call")
                    }
                    Some((_, name)) => ApiError::field(name, "is given more than once"),
                    None if path == "." => ApiError::field("query", message),
                    None => ApiError::field(path, message),
                }
            })
    }
}

/// serde's "unknown field `x`, expected …" or "duplicate field `x`": which, and the name.
fn named_parameter(message: &str) -> Option<(&str, &str)> {
    let (kind, rest) = message.split_once(" field `")?;
    let kind = match kind {
        "unknown" | "duplicate" => kind,
        _ => return None,
    };
    rest.split_once('`').map(|(name, _)| (kind, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body read in two passes, as a type with free-form maps is.
    fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
        read_body(bytes, false)
    }
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        quantity: i64,
        sku: String,
    }

    fn field_errors(err: ApiError) -> Vec<(String, String)> {
        match err {
            ApiError::Validation(errors) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse::<Vec<Item>>(br#"[{"quantity":1,"sku":"a"},{"quantity":"5","sku":"b"}]"#)
            .unwrap_err();
        let errors = field_errors(err);
        assert_eq!(errors[0].0, "[1].quantity");
        assert!(
            errors[0].1.contains("invalid type: string \"5\""),
            "{errors:?}"
        );
    }

    #[test]
    fn unknown_field_is_named() {
        let err = parse::<Item>(br#"{"quantity":1,"sku":"a","colour":"red"}"#).unwrap_err();
        let errors = field_errors(err);
        assert!(errors[0].1.contains("unknown field `colour`"), "{errors:?}");
    }

    #[test]
    fn arrays_are_not_objects() {
        let err = parse::<Vec<Item>>(br#"[[1,"SKU"]]"#).unwrap_err();
        let errors = field_errors(err);
        assert_eq!(errors[0].0, "[0]");
        assert!(errors[0].1.contains("expected a JSON object"), "{errors:?}");
        assert!(parse::<Vec<Item>>(br#"[{"quantity":1,"sku":"a"}]"#).is_ok());
    }

    #[test]
    fn repeated_keys_are_named_at_any_depth() {
        let err = parse::<serde_json::Value>(br#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert_eq!(
            field_errors(err),
            [("b.c".to_owned(), "appears more than once".to_owned())]
        );
        let err = parse::<serde_json::Value>(br#"{"email":"x","email":"y"}"#).unwrap_err();
        assert_eq!(field_errors(err)[0].0, "email");
    }

    /// Objects with more keys than are compared one by one still have every repeat found,
    /// before and after their keys move into a set.
    #[test]
    fn repeated_keys_are_found_in_objects_of_any_size() {
        for (keys, repeat) in [(3, 1), (8, 8), (9, 2), (9, 9), (30, 17)] {
            let mut body: Vec<String> = (1..=keys).map(|i| format!("\"k{i}\":{i}")).collect();
            body.push(format!("\"k{repeat}\":0"));
            let err = parse::<serde_json::Value>(format!("{{{}}}", body.join(",")).as_bytes())
                .unwrap_err();
            assert_eq!(field_errors(err)[0].0, format!("k{repeat}"), "{keys} keys");
            let unique = format!("{{{}}}", body[..keys].join(","));
            assert!(parse::<serde_json::Value>(unique.as_bytes()).is_ok());
        }
    }

    /// A key with an escape is read into a copy, not borrowed: it still counts as the same key.
    #[test]
    fn a_repeated_key_spelled_with_an_escape_is_still_repeated() {
        let err = parse::<serde_json::Value>(br#"{"email":"x","\u0065mail":"y"}"#).unwrap_err();
        assert_eq!(field_errors(err)[0].0, "email");
    }

    #[test]
    fn truncated_json_is_malformed_even_when_a_field_is_wrong() {
        assert!(matches!(
            parse::<Item>(br#"{"colour":"red","quantity":"#),
            Err(ApiError::MalformedJson(_))
        ));
    }

    #[test]
    fn syntax_errors_empty_bodies_and_trailing_garbage() {
        assert!(matches!(
            parse::<Item>(b"{\"quantity\":"),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(parse::<Item>(b"  \n"), Err(ApiError::EmptyBody)));
        assert!(matches!(
            parse::<Item>(br#"{"quantity":1,"sku":"a"} x"#),
            Err(ApiError::MalformedJson(_))
        ));
    }
}
