//! What every aggregate's rows share: ids, timestamps at the databases' precision, the
//! empty string for an absent locale or external id, and reading a stored value back into
//! its domain type.

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use super::StoreError;
use crate::domain::{DomainError, Sku};

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters with six columns.
pub(crate) const INSERT_CHUNK: usize = 1_000;

/// The current time at the precision both databases keep (microseconds), so a value we
/// return equals the value we later read back.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn new_id() -> Uuid {
    Uuid::now_v7()
}

pub(crate) fn corrupt(what: &str, value: &str, err: DomainError) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?} {err}"))
}

pub(crate) fn optional<T>(
    raw: &str,
    what: &str,
    parse: fn(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, StoreError> {
    if raw == ABSENT {
        return Ok(None);
    }
    parse(raw).map(Some).map_err(|e| corrupt(what, raw, e))
}

pub(crate) fn sku(raw: &str) -> Result<Sku, StoreError> {
    Sku::parse(raw).map_err(|e| corrupt("sku", raw, e))
}

/// Columns store an absent locale or external id as the empty string, which no valid
/// value can be, so unique keys and equality need no NULL handling.
pub(crate) const ABSENT: &str = "";

pub(crate) fn column<T: AsRef<str>>(value: &Option<T>) -> &str {
    value.as_ref().map_or(ABSENT, AsRef::as_ref)
}
