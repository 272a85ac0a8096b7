//! A contact's attributes as the API takes them: a flat object whose declared attributes
//! (`contact_attributes` in the configuration) have the declared type, so rules never read
//! `vip: "yes"` as a missing flag, nor an email say "Hi 42".

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::ApiError;
use super::validate::Fields;
use crate::domain::{EmailAddress, Locale};
use crate::dsl::{Decimal, Timestamp};
use crate::engine::AttributeType;
use crate::store::Attributes;

pub(super) const MAX_ATTRIBUTES: usize = 200;
pub(super) const MAX_NAME_LEN: usize = 64;
pub(super) const MAX_TEXT_LEN: usize = 4_000;

#[derive(PartialEq)]
pub enum Mode {
    Create,
    /// Null removes an attribute, except `email`, which a contact always has.
    Update,
}

/// Checks a flat attribute object: names are identifiers, values are scalars of their
/// declared type, `email` is a valid address. On create, null values are simply left out.
pub fn check_attributes(
    body: Attributes,
    declared: &BTreeMap<String, AttributeType>,
    mode: Mode,
) -> Result<(Option<EmailAddress>, Attributes), ApiError> {
    let mut fields = Fields::new();
    if body.len() > MAX_ATTRIBUTES {
        fields.error("body", format!("has more than {MAX_ATTRIBUTES} attributes"));
    }
    let mut email = None;
    let mut attributes = Attributes::new();
    for (name, value) in body {
        if let Err(message) = check_name(&name) {
            fields.error(&name, message);
            continue;
        }
        match (&value, name.as_str()) {
            (Value::Null, "email") => {
                fields.error("email", "cannot be removed: a contact always has an email")
            }
            (Value::Null, _) if mode == Mode::Create => continue,
            (Value::Null, _) => {}
            (Value::String(raw), "email") => {
                email = fields.required("email", Some(raw), EmailAddress::parse)
            }
            (_, "email") => fields.error("email", "must be a string"),
            (Value::String(s), _) if s.chars().count() > MAX_TEXT_LEN => fields.error(
                &name,
                format!("must be at most {MAX_TEXT_LEN} characters long"),
            ),
            (Value::Array(_) | Value::Object(_), _) => fields.error(
                &name,
                "must be a string, number, boolean or null: attributes are flat",
            ),
            (value, name) => match declared.get(name).map(|ty| check_type(*ty, value)) {
                Some(Err(message)) => fields.error(name, message),
                Some(Ok(Some(canonical))) => {
                    attributes.insert(name.to_owned(), canonical);
                    continue;
                }
                _ => {}
            },
        }
        attributes.insert(name, value);
    }
    fields.finish()?;
    Ok((email, attributes))
}

/// A declared attribute's value, read the way rules will read it; `Some` is the form to
/// store instead (a locale in its canonical case, `sv-se` → `sv-SE`, as rules, templates and
/// subscriptions compare it).
fn check_type(ty: AttributeType, value: &Value) -> Result<Option<Value>, String> {
    let ok = match (ty, value) {
        (AttributeType::String, Value::String(_)) => true,
        (AttributeType::Boolean, Value::Bool(_)) => true,
        (AttributeType::Integer, Value::Number(n)) => n.as_i64().is_some(),
        (AttributeType::Number, Value::Number(n)) => n
            .as_i64()
            .and_then(Decimal::from_int)
            .or_else(|| n.as_f64().and_then(Decimal::from_f64))
            .is_some(),
        (AttributeType::Timestamp, Value::String(s)) => Timestamp::parse_rfc3339(s).is_some(),
        (AttributeType::Locale, Value::String(s)) => {
            return Locale::parse(s)
                .map(|locale| Some(Value::String(locale.as_str().to_owned())))
                .map_err(|e| e.to_string())
        }
        _ => false,
    };
    if ok {
        Ok(None)
    } else {
        Err(format!("is declared {}: {}", name(ty), expected(ty)))
    }
}

fn name(ty: AttributeType) -> &'static str {
    match ty {
        AttributeType::String => "string",
        AttributeType::Boolean => "boolean",
        AttributeType::Integer => "integer",
        AttributeType::Number => "number",
        AttributeType::Timestamp => "timestamp",
        AttributeType::Locale => "locale",
    }
}

fn expected(ty: AttributeType) -> &'static str {
    match ty {
        AttributeType::String => "send a JSON string",
        AttributeType::Boolean => "send true or false",
        AttributeType::Integer => "send a whole JSON number",
        AttributeType::Number => "send a JSON number",
        AttributeType::Timestamp => {
            "send an RFC 3339 timestamp with offset, e.g. 2023-12-07T12:21:28+01:00"
        }
        AttributeType::Locale => "send a BCP 47 locale, e.g. sv-SE",
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_with_letter || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "is not a valid attribute name (letters, digits and _, starting with a letter)".into(),
        );
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "attribute names are at most {MAX_NAME_LEN} characters long"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn declared() -> BTreeMap<String, AttributeType> {
        [
            ("vip", AttributeType::Boolean),
            ("locale", AttributeType::Locale),
            ("firstName", AttributeType::String),
            ("visits", AttributeType::Integer),
            ("score", AttributeType::Number),
            ("since", AttributeType::Timestamp),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_owned(), t))
        .collect()
    }

    fn check(body: Value) -> Result<(), Vec<String>> {
        let Value::Object(body) = body else { panic!() };
        match check_attributes(body, &declared(), Mode::Create) {
            Ok(_) => Ok(()),
            Err(ApiError::Validation(errors)) => Err(errors.into_iter().map(|e| e.field).collect()),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn declared_types_are_enforced() {
        let good = json!({"email": "a@example.com", "vip": true, "locale": "sv-se",
            "firstName": "Anna", "visits": 3, "score": 2.5, "since": "2024-01-01T00:00:00Z",
            "undeclared": "anything"});
        assert_eq!(check(good), Ok(()));
        let bad = json!({"email": "a@example.com", "vip": "yes", "locale": "not a locale",
            "firstName": 42, "visits": 1.5, "score": "2", "since": "yesterday"});
        let mut fields = check(bad).unwrap_err();
        fields.sort();
        assert_eq!(
            fields,
            ["firstName", "locale", "score", "since", "vip", "visits"]
        );
    }

    #[test]
    fn a_locale_is_stored_in_its_canonical_case() {
        let Value::Object(body) = json!({"email": "a@example.com", "locale": "sv-se"}) else {
            panic!()
        };
        let (_, attributes) = check_attributes(body, &declared(), Mode::Create).unwrap();
        assert_eq!(attributes["locale"], "sv-SE");
    }
}
