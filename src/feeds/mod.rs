//! Per-locale product feeds: what the engine knows about a SKU in a market.
//!
//! A feed is a Google Merchant style XML file (RSS `<item>`s or Atom `<entry>`s with the
//! `g:` namespace, as Voyado Engage uses), a CSV/TSV file with a header row, or JSON lines.
//! Each item becomes a [`Product`] with built-in fields — `sku` (from `id`, or the
//! configured `sku_field`), `name` (`title`), `price` and `salePrice` (numbers, from
//! `"1 299.00 SEK"`), `currency`, `brand`, `category` (`product_type`, else
//! `google_product_category`), `url` (`link`), `imageUrl` (`image_link`), `availability` —
//! and every other field as a custom field under its feed name (`color`, `gtin`), a
//! string unless the configuration types it.
//!
//! Rules for what is accepted: values are trimmed and empty ones are absent; a malformed
//! file, an item without a SKU, a bad price or a mistyped custom field fails the whole
//! load with the file and line (the [`Catalog`] then keeps the last good version); a
//! repeated SKU is a warning and the *first* item with it wins.
//!
//! Memory: all text of a feed sits in one arena (repeated values stored once), each field
//! is a column of 8-byte cells, and SKUs are indexed by row number. See [`bench()`](bench()).

mod arena;
mod bench;
mod build;
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
mod money;
mod price;
mod product;
mod raw;
mod roles;
mod schema;
mod synth;
#[cfg(test)]
mod tests;
mod xml;

pub use bench::bench;
pub use catalog::{Catalog, FeedStatus};
pub use config::{FeedFormat, FeedSource, FeedsConfig};
pub use error::FeedError;
pub use feed::Feed;
pub use product::{FieldValue, Product};
pub use schema::{builtin_fields, FieldType};
pub use synth::write_synthetic_feed;
pub use xml::GOOGLE_NS;
