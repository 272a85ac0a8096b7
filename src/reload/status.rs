use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::domain::{format_time, serialize_time};

/// A reload that did not produce a new value: when it happened and why.
///
/// `error` is the builder's own error, kept typed so an admin endpoint can render it in
/// detail (for example one diagnostic per file:line:col); it is `None` when the builder
/// panicked, in which case `message` holds the panic text.
#[derive(Debug)]
pub struct Failure<E> {
    /// When the reload failed.
    pub at: DateTime<Utc>,
    /// The error as text, for logs and admin pages.
    pub message: String,
    /// The builder's error, if it returned one.
    pub error: Option<Arc<E>>,
}

impl<E> Clone for Failure<E> {
    fn clone(&self) -> Self {
        Self {
            at: self.at,
            message: self.message.clone(),
            error: self.error.clone(),
        }
    }
}

impl<E> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {})", self.message, self.at.to_rfc3339())
    }
}

/// Serializes as `{"message": "...", "on": "..."}`: the one shape every admin endpoint
/// (automations, templates, feeds) shows a failed reload in, timed like Engage's
/// `createdOn`.
impl<E> Serialize for Failure<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            message: &'a str,
            on: String,
        }
        Shown {
            message: &self.message,
            on: format_time(&self.at),
        }
        .serialize(serializer)
    }
}

/// The schema of [`Failure`]'s JSON shape, whatever its error type, for the OpenAPI
/// document: a field of type `Failure<E>` says `#[schema(value_type = ReloadFailure)]`.
pub struct ReloadFailure;

impl utoipa::PartialSchema for ReloadFailure {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .description(Some(
                "Why the most recent reload failed; the last good value stays live.",
            ))
            .property("message", ObjectBuilder::new().schema_type(Type::String))
            .property(
                "on",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            )
            .required("message")
            .required("on")
            .into()
    }
}

impl utoipa::ToSchema for ReloadFailure {
    fn name() -> std::borrow::Cow<'static, str> {
        "ReloadFailure".into()
    }
}

/// What an admin endpoint shows about one reloadable value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", bound = "")]
#[schema(bound = "")]
pub struct ReloadStatus<E> {
    /// The name given at construction, e.g. `feed sv-SE`.
    pub name: String,
    /// Starts at 1 for the first value and grows by one with each successful reload.
    pub generation: u64,
    /// When the live value was built.
    #[serde(serialize_with = "serialize_time")]
    pub loaded_on: DateTime<Utc>,
    /// The failure of the most recent reload, if it failed; cleared by the next success.
    #[schema(value_type = Option<ReloadFailure>)]
    pub last_error: Option<Failure<E>>,
}

impl<E> Clone for ReloadStatus<E> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            generation: self.generation,
            loaded_on: self.loaded_on,
            last_error: self.last_error.clone(),
        }
    }
}
