//! marked-yaml's errors as diagnostics in plain words.

use marked_yaml::{Error as NodeError, FromNodeError, LoadError};

use super::file::{with_help, RulesFile};
use crate::dsl::Diagnostic;

/// A YAML syntax error.
pub(crate) fn load_error(file: &RulesFile<'_>, error: &LoadError) -> Diagnostic {
    match error {
        LoadError::ScanError(marker, scan) => {
            let info = scan.info().to_owned();
            file.at(Some(marker), 1, format!("this is not valid YAML: {info}"))
        }
        LoadError::DuplicateKey(inner) => {
            let key = inner.key.as_str();
            let first = inner.prev_key.span().start().map_or(0, |m| m.line());
            let d = file.at_span(
                inner.key.span(),
                key,
                format!("the key {key} appears twice"),
            );
            with_help(d, format!("it is already set on line {first}"))
        }
        LoadError::UnexpectedAnchor(marker) => file.at(
            Some(marker),
            1,
            "anchors and aliases are not supported in rules files",
        ),
        LoadError::UnexpectedTag(marker) => file.at(
            Some(marker),
            1,
            "tags (!name) are not supported in rules files",
        ),
        LoadError::MappingKeyMustBeScalar(marker) => {
            file.at(Some(marker), 1, "a key must be plain text")
        }
        LoadError::TopLevelMustBeMapping(marker) | LoadError::TopLevelMustBeSequence(marker) => {
            file.at(
                Some(marker),
                1,
                "a rules file holds an automation or a list of automations",
            )
        }
    }
}

/// A key of the wrong type, a missing key, or an unknown key.
pub(crate) fn node_error(file: &RulesFile<'_>, error: &FromNodeError) -> Diagnostic {
    let path = error.path().map(|p| format!("{p}: ")).unwrap_or_default();
    match &**error {
        NodeError::UnknownFieldError(key, expected, span) => {
            let d = file.at_span(span, key, format!("unknown key {key}"));
            let known: Vec<String> = expected.iter().map(|k| (*k).to_owned()).collect();
            match crate::dsl::suggest_name(key, &known) {
                Some(better) => with_help(d, format!("did you mean {better}?")),
                None => with_help(d, format!("the keys are {}", expected.join(", "))),
            }
        }
        NodeError::NotBoolean(span) => {
            file.at(span.start(), 1, format!("{path}expected true or false"))
        }
        NodeError::IntegerParseFailure(_, span) => {
            file.at(span.start(), 1, format!("{path}expected a whole number"))
        }
        NodeError::FloatParseFailure(_, span) => {
            file.at(span.start(), 1, format!("{path}expected a number"))
        }
        NodeError::Other(message, span) => match message.strip_prefix("missing field ") {
            Some(key) => {
                let key = key.trim_matches('`');
                let line = span.start().map_or(1, |m| m.line());
                let d = file.at(
                    Some(&marked_yaml::Marker::new(0, 0, line, 1)),
                    1,
                    format!("this automation has no {key}"),
                );
                with_help(d, format!("add {key}: …"))
            }
            None => file.at(span.start(), 1, format!("{path}{message}")),
        },
    }
}
