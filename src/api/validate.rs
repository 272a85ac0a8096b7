//! Turns request fields into domain values, collecting every problem so the client learns
//! about all of them in one answer.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::{ApiError, FieldError};

/// Collects field errors under a path prefix (`[3].` for the fourth item of a batch).
#[derive(Default)]
pub struct Fields {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// A collector for one element of an array body; merge it back with [`Fields::absorb`].
    pub fn item(index: usize) -> Self {
        Self {
            prefix: format!("[{index}]."),
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, field: &str, message: impl ToString) {
        self.errors
            .push(FieldError::new(format!("{}{field}", self.prefix), message));
    }

    /// A required field: missing → "is required"; present → parsed.
    pub fn required<T, E: ToString>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match value {
            None => {
                self.error(field, "is required");
                None
            }
            Some(raw) => self.parse(field, raw, parse),
        }
    }

    /// An optional field: missing or null is `None`; present must parse.
    pub fn optional<T, E: ToString>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match value {
            None => Some(None),
            Some(raw) => self.parse(field, raw, parse).map(Some),
        }
    }

    fn parse<T, E: ToString>(
        &mut self,
        field: &str,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match parse(raw) {
            Ok(value) => Some(value),
            Err(err) => {
                self.error(field, err);
                None
            }
        }
    }

    pub fn absorb(&mut self, other: Fields) {
        self.errors.extend(other.errors);
    }

    /// `Ok` when nothing was wrong; the collected errors otherwise.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

pub fn guid(raw: &str) -> Result<Uuid, &'static str> {
    Uuid::try_parse(raw).map_err(|_| "is not a valid GUID")
}

/// A path segment that must be a GUID.
pub fn path_id(raw: &str, name: &'static str) -> Result<Uuid, ApiError> {
    guid(raw).map_err(|_| ApiError::InvalidId(name))
}

pub fn timestamp(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "is not an RFC 3339 timestamp with offset, e.g. 2023-12-07T12:21:28+01:00")
}

pub use crate::domain::format_time;
