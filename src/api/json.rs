//! A JSON body extractor whose every failure speaks problem+json and names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::AppState;

/// Like `axum::Json`, but a wrong type or unknown field answers with the path of the field
/// at fault (`[2].quantity`), and an oversized or empty body with its own error code.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
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
        parse(&bytes).map(Json)
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
/// wrong shape, reported against the field's path).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyBody);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_data() {
            let field = if path == "." { "body".to_owned() } else { path };
            ApiError::field(field, strip_position(&inner.to_string()))
        } else {
            ApiError::MalformedJson(inner.to_string())
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
        serde_urlencoded::from_str(query)
            .map(Query)
            .map_err(|e| ApiError::field("query", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
