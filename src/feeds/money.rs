//! An item's price, sale price and currency, read together so that they agree.

use super::price::{parse_price, Currency, Price};
use super::raw::{RawItem, Value};

/// What a product row stores about money.
pub(super) struct Money {
    pub(super) price: Option<f64>,
    pub(super) sale_price: Option<f64>,
    pub(super) currency: Option<Currency>,
}

/// A problem with an item's money fields: the line it is on, the field, what is wrong.
pub(super) type Problem = (u64, u16, String);

/// Reads `price` and `sale_price` ("1 299.00 SEK"), and a separate `currency` field if the
/// feed has one. The currency is the one written beside the amounts, else the `currency`
/// field, else the feed's configured `default`; the written ones must all agree, and an
/// amount without any currency is refused rather than guessed.
pub(super) fn read(
    item: &RawItem,
    price: Option<&Value<'_>>,
    sale: Option<&Value<'_>>,
    currency: Option<&Value<'_>>,
    default: Option<Currency>,
) -> Result<Money, Problem> {
    let parse = |value: Option<&Value<'_>>| -> Result<Option<Price>, Problem> {
        let Some(value) = value else { return Ok(None) };
        parse_price(value.text).map(Some).map_err(|e| {
            (
                value.line,
                value.field,
                format!("{} {e}", item.name(value.field)),
            )
        })
    };
    let (regular, reduced) = (parse(price)?, parse(sale)?);
    let stated = match currency {
        Some(value) => Some(Currency::parse(value.text).ok_or_else(|| {
            let message = format!(
                "currency {:?} is not an ISO 4217 code such as SEK",
                value.text
            );
            (value.line, value.field, message)
        })?),
        None => None,
    };
    let written = [
        (regular.and_then(|p| p.currency), price),
        (reduced.and_then(|p| p.currency), sale),
        (stated, currency),
    ];
    let mut agreed: Option<(Currency, &Value<'_>)> = None;
    for (code, value) in written {
        let (Some(code), Some(value)) = (code, value) else {
            continue;
        };
        match agreed {
            Some((first, by)) if first != code => {
                let message = format!(
                    "{} is in {} but {} is in {}",
                    item.name(value.field),
                    code.as_str(),
                    item.name(by.field),
                    first.as_str()
                );
                return Err((value.line, value.field, message));
            }
            Some(_) => {}
            None => agreed = Some((code, value)),
        }
    }
    let currency = agreed.map(|(code, _)| code).or(default);
    if let (None, Some(value)) = (currency, price.or(sale)) {
        let message = format!(
            "{} {:?} has no currency: write it as \"{} SEK\" (with your currency) or set `currency` for this feed",
            item.name(value.field),
            value.text,
            value.text
        );
        return Err((value.line, value.field, message));
    }
    Ok(Money {
        price: regular.map(|p| p.amount),
        sale_price: reduced.map(|p| p.amount),
        currency,
    })
}
