//! What a load left out or changed without failing: items without an id, repeated ids,
//! links that are not web URLs, availability text none of the known spellings. Each is
//! counted with its first example, logged as a WARN and shown in the feed's status.

use serde::Serialize;

/// The counts of one load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    /// Items skipped because they have no SKU field.
    pub without_id: Tally,
    /// Items skipped because an earlier item has their SKU (the first one is kept).
    pub duplicate_ids: Tally,
    /// Link values dropped because they are not absolute http(s) URLs.
    pub unsafe_urls: Tally,
    /// `availability` values none of the known spellings (kept as `availabilityRaw`).
    pub unknown_availability: Tally,
}

/// How often one thing happened, and where first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub count: u64,
    /// The first occurrence, such as `line 12: link "javascript:alert(1)"`.
    pub example: Option<String>,
}

impl Tally {
    /// Counts one occurrence; `example` is only built for the first.
    pub(super) fn add(&mut self, example: impl FnOnce() -> String) {
        if self.count == 0 {
            self.example = Some(example());
        }
        self.count += 1;
    }

    fn summary(&self, what: &str) -> Option<String> {
        let example = self.example.as_deref()?;
        Some(format!("{} {what}; the first: {example}", self.count))
    }
}

impl LoadReport {
    /// One warning per non-zero count.
    pub(super) fn warnings(&self) -> impl Iterator<Item = String> {
        [
            self.without_id
                .summary("items have no id and were skipped"),
            self.duplicate_ids
                .summary("items repeat the id of an earlier item and were skipped (the first is kept)"),
            self.unsafe_urls
                .summary("links are not http(s) URLs and were dropped"),
            self.unknown_availability.summary(
                "availability values are none of in_stock, out_of_stock, preorder, backorder (availability is left empty, availabilityRaw keeps the text)",
            ),
        ]
        .into_iter()
        .flatten()
    }
}
