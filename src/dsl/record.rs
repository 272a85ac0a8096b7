//! The data one evaluation reads, as a plain struct the engine fills.

use super::{Timestamp, Value};

/// Everything a condition can read about one triggered subscription.
///
/// A plain struct of borrowed data rather than a map, so binding costs a few stores and
/// a lookup costs one load: product fields and contact attributes are read from the
/// slices by the slot index the [`Schema`](super::Schema) assigned when the condition was
/// compiled. A slot that is missing, `Value::Null`, or of a different type than declared
/// reads as null. Build it with struct-update syntax:
///
/// ```
/// use restock::dsl::{Record, Timestamp, Value};
/// let product = [Value::from("Trail shoe"), Value::Decimal("899".parse().unwrap())];
/// let record = Record {
///     quantity: 12,
///     sku: "SKU-1",
///     locale: "sv-SE",
///     product: &product,
///     now: Timestamp::from_millis(1_700_000_000_000),
///     ..Record::default()
/// };
/// # let _ = record;
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Record<'a> {
    /// The stock level's quantity (`quantity`).
    pub quantity: i64,
    /// The SKU (`sku`).
    pub sku: &'a str,
    /// The subscription's locale in canonical case, `sv-SE` (`locale`).
    pub locale: &'a str,
    /// The subscription's external id, if any (`externalId`).
    pub external_id: Option<&'a str>,
    /// The time of evaluation (`now`), supplied so a batch is judged at one instant.
    pub now: Timestamp,
    /// When the shopper subscribed (`subscription.createdOn`; `subscription.age` is
    /// `now` minus this).
    pub subscription_created_on: Timestamp,
    /// The contact's email address (`contact.email`).
    pub contact_email: Option<&'a str>,
    /// The contact's locale in canonical case (`contact.locale`).
    pub contact_locale: Option<&'a str>,
    /// The contact's most recent purchase of this SKU, if any. `purchased` is true when it
    /// is at or after the subscription's creation; `purchased(within 30d)` when it is at
    /// or after `now - 30d`.
    pub last_purchase: Option<Timestamp>,
    /// Product data of the subscription's locale, in [`Schema`](super::Schema) product
    /// slot order.
    pub product: &'a [Value],
    /// Contact attributes, in [`Schema`](super::Schema) attribute slot order.
    pub contact_attributes: &'a [Value],
}
