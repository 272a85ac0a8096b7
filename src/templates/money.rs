//! Prices for people: `1 299,00 kr` in Sweden, `$1,299.00` in the US. A small table of
//! the conventions of the common European and US locales stands in for ICU; any other
//! locale gets the unambiguous `1,299.00 SEK`.

use super::tags::{lookup, region};
use crate::domain::Locale;

/// Where the currency goes.
#[derive(Clone, Copy)]
enum Place {
    /// `$1,299.00`; `space` puts a space after a symbol (`€ 1.299,00`). An ISO code in
    /// front always has a space: `SEK 1,299.00`.
    Before { space: bool },
    /// `1 299,00 kr`.
    After,
}

/// How a locale writes an amount of money.
struct Conventions {
    decimal: &'static str,
    group: &'static str,
    place: Place,
}

const fn conv(decimal: &'static str, group: &'static str, place: Place) -> Conventions {
    Conventions {
        decimal,
        group,
        place,
    }
}

const BEFORE: Place = Place::Before { space: false };
const BEFORE_SPACED: Place = Place::Before { space: true };
const AFTER: Place = Place::After;

/// Language or language-REGION → conventions; the most specific entry wins.
const TABLE: &[(&str, Conventions)] = &[
    ("en", conv(".", ",", BEFORE)),
    ("sv", conv(",", " ", AFTER)),
    ("pl", conv(",", " ", AFTER)),
    ("de", conv(",", ".", AFTER)),
    ("de-CH", conv(".", "’", BEFORE_SPACED)),
    ("fi", conv(",", " ", AFTER)),
    ("nb", conv(",", " ", AFTER)),
    ("nn", conv(",", " ", AFTER)),
    ("no", conv(",", " ", AFTER)),
    ("da", conv(",", ".", AFTER)),
    ("is", conv(",", ".", AFTER)),
    ("fr", conv(",", " ", AFTER)),
    ("fr-CH", conv(",", " ", AFTER)),
    ("es", conv(",", ".", AFTER)),
    ("it", conv(",", ".", AFTER)),
    ("it-CH", conv(".", "’", BEFORE_SPACED)),
    ("pt", conv(",", " ", AFTER)),
    ("pt-BR", conv(",", ".", BEFORE_SPACED)),
    ("nl", conv(",", ".", BEFORE_SPACED)),
    ("et", conv(",", " ", AFTER)),
    ("lv", conv(",", " ", AFTER)),
    ("lt", conv(",", " ", AFTER)),
    ("cs", conv(",", " ", AFTER)),
    ("sk", conv(",", " ", AFTER)),
];

/// When no entry matches: `1,299.00 SEK`, readable everywhere.
const FALLBACK: Conventions = conv(".", ",", AFTER);

/// Currency symbols. A `home` symbol is used only in that region (`kr` means kronor in
/// Sweden but is ambiguous elsewhere); elsewhere the ISO code is shown.
const SYMBOLS: &[(&str, &str, Option<&str>)] = &[
    ("EUR", "€", None),
    ("GBP", "£", None),
    ("USD", "$", Some("US")),
    ("SEK", "kr", Some("SE")),
    ("NOK", "kr", Some("NO")),
    ("DKK", "kr.", Some("DK")),
    ("ISK", "kr", Some("IS")),
    ("PLN", "zł", Some("PL")),
    ("CZK", "Kč", Some("CZ")),
    ("HUF", "Ft", Some("HU")),
    ("BRL", "R$", Some("BR")),
];

/// Currencies without minor units in everyday prices.
const NO_DECIMALS: &[&str] = &["JPY", "KRW", "ISK", "CLP", "VND"];

/// Formats `amount` of the ISO 4217 `currency` as `locale` writes prices.
///
/// Separators are plain spaces, not no-break spaces, so that subjects and text parts stay
/// plain ASCII-spaced and tests can compare them as written.
pub fn format_price(amount: f64, currency: &str, locale: &Locale) -> Result<String, String> {
    if !amount.is_finite() {
        return Err(format!("{amount} is not an amount of money"));
    }
    let code = currency.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "{currency:?} is not an ISO 4217 currency code such as SEK"
        ));
    }
    let conventions = lookup(locale, TABLE).unwrap_or(&FALLBACK);
    let number = group_digits(amount, decimals(&code), conventions);
    let sign = if amount < 0.0 && number.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        "-"
    } else {
        ""
    };
    let symbol = match lookup(locale, TABLE) {
        Some(_) => symbol(&code, locale),
        None => None,
    };
    Ok(match (conventions.place, symbol) {
        (Place::Before { space: false }, Some(symbol)) => format!("{sign}{symbol}{number}"),
        (Place::Before { .. }, shown) => format!("{sign}{} {number}", shown.unwrap_or(&code)),
        (Place::After, shown) => format!("{sign}{number} {}", shown.unwrap_or(&code)),
    })
}

fn decimals(code: &str) -> usize {
    if NO_DECIMALS.contains(&code) {
        0
    } else {
        2
    }
}

/// The symbol for `code` in `locale`, or `None` to show the code.
fn symbol(code: &str, locale: &Locale) -> Option<&'static str> {
    let (_, symbol, home) = SYMBOLS.iter().find(|(c, _, _)| *c == code)?;
    match home {
        None => Some(symbol),
        Some(home) => (region(locale).as_deref() == Some(*home)).then_some(*symbol),
    }
}

/// The absolute amount with its group and decimal separators: `1 299,00`.
///
/// Rounds half up on the shortest decimal form of the amount (what the feed wrote), so
/// `9.995` is `10.00` as a person expects, not `9.99` as its binary value would round.
fn group_digits(amount: f64, decimals: usize, conventions: &Conventions) -> String {
    let written = amount.abs().to_string();
    let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
    let kept = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(decimals);
    let mut digits: Vec<u8> = whole.bytes().chain(kept).map(|b| b - b'0').collect();
    if fraction
        .as_bytes()
        .get(decimals)
        .is_some_and(|&next| next >= b'5')
    {
        let mut carry = true;
        for digit in digits.iter_mut().rev() {
            if *digit == 9 {
                *digit = 0;
            } else {
                *digit += 1;
                carry = false;
                break;
            }
        }
        if carry {
            digits.insert(0, 1);
        }
    }
    let split = digits.len() - decimals;
    let mut out = String::with_capacity(digits.len() + 8);
    for (i, digit) in digits.iter().enumerate() {
        if i == split {
            out.push_str(conventions.decimal);
        } else if i > 0 && i < split && (split - i) % 3 == 0 {
            out.push_str(conventions.group);
        }
        out.push(char::from(b'0' + digit));
    }
    out
}
