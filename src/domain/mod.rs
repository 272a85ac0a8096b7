//! Domain types: each one is valid by construction, so handlers and the store never see a
//! blank SKU, a malformed locale or a negative quantity.

mod attribute;
mod chars;
mod email;
mod error;
mod locale;
mod money;
mod quantity;
mod schema;
mod text;
mod time;
mod zone;

pub use attribute::AttributeType;
pub use email::EmailAddress;
pub use error::DomainError;
pub use locale::Locale;
pub use money::{Amount, Currency};
pub use quantity::Quantity;
pub use text::{ExternalId, Sku};
pub use time::{format_time, serialize_optional_time, serialize_time};
pub use zone::StatsZone;
