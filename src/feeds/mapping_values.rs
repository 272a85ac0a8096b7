//! The values a mapper checks rather than copies: availability, normalised with the text
//! kept beside it; links, kept only when they are http(s) URLs (scheme-relative ones
//! resolved as https); and how an error names
//! the field at fault.

use super::availability::Availability;
use super::mapping::Mapper;
use super::raw::{RawItem, Value};
use super::schema::Builtin;
use super::urls::web_url;
use super::{FeedError, FeedFormat};

impl Mapper {
    /// `availability` normalised, and as written in `availabilityRaw`.
    pub(super) fn availability(&mut self, raw: &Value<'_>) -> Result<(), FeedError> {
        self.text(Builtin::AvailabilityRaw as usize, raw.text, false)?;
        match Availability::parse(raw.text) {
            Some(availability) => {
                self.text(Builtin::Availability as usize, availability.as_str(), false)
            }
            None => {
                let example = || format!("line {}: {:?}", raw.line, raw.text);
                self.builder.report.unknown_availability.add(example);
                Ok(())
            }
        }
    }

    /// The link to keep: absolute http(s) URLs as they are, scheme-relative ones as
    /// https; the rest is counted and dropped.
    pub(super) fn safe_link<'v>(
        &mut self,
        item: &RawItem,
        value: &Value<'v>,
    ) -> Option<std::borrow::Cow<'v, str>> {
        if let Some(link) = web_url(value.text) {
            return Some(link);
        }
        let example = || {
            let name = item.name(value.field);
            format!("line {}: {name} {:?}", value.line, value.text)
        };
        self.builder.report.unsafe_urls.add(example);
        None
    }

    /// The column, element or key `field` is, as an error names it.
    pub(super) fn describe(&self, item: &RawItem, field: u16) -> String {
        let name = item.name(field);
        match self.format {
            FeedFormat::Csv | FeedFormat::Tsv => format!("column {} {name:?}", field + 1),
            FeedFormat::Xml => format!("element <{name}>"),
            FeedFormat::Jsonl => format!("key {name:?}"),
        }
    }
}
