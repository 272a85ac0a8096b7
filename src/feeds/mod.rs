//! Per-locale product feeds: what the engine knows about a SKU in a market.
//!
//! A feed is a Google Merchant style XML file (RSS `<item>`s or Atom `<entry>`s with the
//! `g:` namespace, as Voyado Engage uses), a CSV/TSV file with a header row (Merchant's
//! text feeds, Meta catalogs), or JSON lines. Each item becomes a [`Product`] with
//! built-in fields — `sku` (from `id`, or the configured `sku_field`), `name` (`title`),
//! `price` and `salePrice` (numbers, from `"1 299.00 SEK"`), `currency`, `brand`,
//! `category` (`product_type`, else `google_product_category`), `url` (`link`),
//! `imageUrl` (`image_link`), `availability` (normalised to `in_stock`, `out_of_stock`,
//! `preorder` or `backorder`) and `availabilityRaw` (as written) — and every other field
//! as a custom field under its feed name (`color`, `product_tags[0]`, `Custom label 0`),
//! a string unless the configuration types it, a list when an item repeats it.
//!
//! Rules for what is accepted: values are trimmed and empty ones are absent; a malformed
//! file, a bad SKU, a bad price or a mistyped custom field fails the whole load, naming
//! the file, the line and the column (the [`Catalog`] then keeps the last good version).
//! Items without a SKU and items repeating an earlier SKU (the first wins) are skipped;
//! links that are not http(s) URLs are dropped; availability text that is none of the
//! known spellings leaves `availability` empty. Each of these is counted in the feed's
//! [`LoadReport`], with its first example, and logged as a warning. `docs/feed-formats.md`
//! has the whole mapping.
//!
//! Memory: all text of a feed sits in one arena (repeated values stored once), each field
//! is a column of 8-byte cells, and SKUs are indexed by row number. See [`bench()`](bench()).

mod arena;
mod availability;
mod bench;
mod build;
mod build_list;
mod catalog;
mod config;
mod delimited;
mod error;
mod feed;
mod index;
mod jsonl;
mod lines;
mod load;
mod mapping;
mod mapping_values;
mod money;
mod price;
mod product;
mod raw;
mod report;
mod roles;
mod schema;
mod synth;
#[cfg(test)]
mod tests;
mod urls;
mod xml;

pub use availability::{Availability, AVAILABILITY_VALUES};
pub use bench::bench;
pub use catalog::{Catalog, FeedStatus};
pub use config::{FeedFormat, FeedSource, FeedsConfig};
pub use error::FeedError;
pub use feed::Feed;
pub use product::{FieldValue, Product, TextList};
pub use report::{LoadReport, Tally};
pub use schema::{builtin_fields, FieldType};
pub use synth::write_synthetic_feed;
pub use urls::{is_url_field, is_web_url};
pub use xml::GOOGLE_NS;
