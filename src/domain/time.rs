use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// How every timestamp leaves Restock: RFC 3339 with an explicit offset, as Engage writes
/// them (`2023-12-07T12:21:28+00:00`).
pub fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `#[serde(serialize_with = "serialize_time")]` for a field that leaves as [`format_time`].
pub fn serialize_time<S: Serializer>(
    time: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_time(time))
}

/// [`serialize_time`] for an optional timestamp (`null` when absent).
pub fn serialize_optional_time<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_str(&format_time(time)),
        None => serializer.serialize_none(),
    }
}
