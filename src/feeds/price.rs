//! Prices and numbers as feeds write them: `199.00 SEK`, `1 299.00 SEK`, `SEK 1299`,
//! `1,299.00 USD`, `1.299,00 EUR`, `49,90 PLN`, `1'299.50 CHF`.

/// An amount with the ISO 4217 code written beside it, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Price {
    pub(super) amount: f64,
    pub(super) currency: Option<Currency>,
}

/// A three-letter currency code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Currency([u8; 3]);

impl Currency {
    pub(super) fn parse(code: &str) -> Option<Currency> {
        match code.as_bytes() {
            &[a, b, c] if code.bytes().all(|b| b.is_ascii_alphabetic()) => Some(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

const PRICE_HINT: &str = "expected an amount and an ISO 4217 currency code, such as \"199.00 SEK\"";

/// Parses a price. The currency code may come before or after the amount; spaces
/// (including no-break spaces), apostrophes, commas and dots may group thousands.
pub(super) fn parse_price(raw: &str) -> Result<Price, String> {
    let text = raw.trim();
    let (amount, currency) = split_currency(text);
    if amount.starts_with('-') {
        return Err(format!("{raw:?} is negative"));
    }
    let amount = parse_amount(amount).map_err(|why| format!("{raw:?}: {why}; {PRICE_HINT}"))?;
    Ok(Price { amount, currency })
}

/// Parses a plain number (a custom field typed `number`), with the same separators.
pub(super) fn parse_number(raw: &str) -> Result<f64, String> {
    let text = raw.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let value = parse_amount(digits).map_err(|why| format!("{raw:?} is not a number ({why})"))?;
    Ok(if negative { -value } else { value })
}

/// Parses a custom field typed `boolean`.
pub(super) fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Ok(true),
        "false" | "no" | "n" | "0" => Ok(false),
        _ => Err(format!(
            "{raw:?} is not a boolean (true/false, yes/no, 1/0)"
        )),
    }
}

fn split_currency(text: &str) -> (&str, Option<Currency>) {
    let is_code = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if let Some(code) = text
        .get(text.len().saturating_sub(3)..)
        .filter(|s| is_code(s))
    {
        return (text[..text.len() - 3].trim_end(), Currency::parse(code));
    }
    if let Some(code) = text.get(..3).filter(|s| is_code(s)) {
        return (text[3..].trim_start(), Currency::parse(code));
    }
    (text, None)
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'')
}

/// Turns a written amount into a number, deciding which of `,` and `.` is the decimal
/// separator: the last one when both appear; a lone `,` followed by exactly three digits
/// groups thousands (as in Merchant's `1,299`), otherwise it is a decimal comma.
fn parse_amount(text: &str) -> Result<f64, &'static str> {
    let compact: String = text.chars().filter(|&c| !is_group_space(c)).collect();
    if compact.is_empty() {
        return Err("no amount");
    }
    if !compact
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return Err("unexpected characters");
    }
    let commas = compact.matches(',').count();
    let dots = compact.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        (_, 0) if commas == 1 && digits_after(&compact, ',') != 3 => Some(','),
        (0, 1) => Some('.'),
        (_, 0) | (0, _) => None,
        _ => compact
            .rfind([',', '.'])
            .and_then(|i| compact[i..].chars().next()),
    };
    let (whole, fraction) = match decimal {
        Some(sep) => compact.rsplit_once(sep).ok_or("no amount")?,
        None => (compact.as_str(), ""),
    };
    let group = match decimal {
        Some(',') => '.',
        Some(_) => ',',
        None if dots > 0 => '.',
        None => ',',
    };
    let digits = ungroup(whole, group)?;
    if fraction.contains([',', '.']) || (digits.is_empty() && fraction.is_empty()) {
        return Err("misplaced separators");
    }
    let number = format!(
        "{}.{}",
        if digits.is_empty() { "0" } else { &digits },
        fraction
    );
    let number = number.trim_end_matches('.');
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or("not a number")
}

fn digits_after(text: &str, sep: char) -> usize {
    text.rsplit_once(sep).map_or(0, |(_, after)| after.len())
}

/// Removes thousands separators, checking that they group digits by three.
fn ungroup(whole: &str, group: char) -> Result<String, &'static str> {
    if !whole.chars().all(|c| c.is_ascii_digit() || c == group) {
        return Err("misplaced separators");
    }
    let mut parts = whole.split(group);
    let first = parts.next().unwrap_or("");
    let mut digits = first.to_owned();
    for part in parts {
        if part.len() != 3 || first.is_empty() {
            return Err("thousands must be grouped by three digits");
        }
        digits.push_str(part);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(raw: &str) -> (f64, Option<String>) {
        let p = parse_price(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        (p.amount, p.currency.map(|c| c.as_str().to_owned()))
    }

    #[test]
    fn merchant_and_engage_prices() {
        let sek = Some("SEK".to_owned());
        assert_eq!(price("199.00 SEK"), (199.0, sek.clone()));
        assert_eq!(price("1 299.00 SEK"), (1299.0, sek.clone()));
        assert_eq!(price("1\u{a0}299.00 SEK"), (1299.0, sek.clone()));
        assert_eq!(price("1\u{202f}299,50 SEK"), (1299.5, sek.clone()));
        assert_eq!(price("SEK 1299"), (1299.0, sek.clone()));
        assert_eq!(price("199 sek"), (199.0, sek));
    }

    #[test]
    fn decimal_and_thousands_separators_of_other_markets() {
        assert_eq!(price("1,299.00 USD"), (1299.0, Some("USD".into())));
        assert_eq!(price("1.299,00 EUR"), (1299.0, Some("EUR".into())));
        assert_eq!(price("49,90 PLN"), (49.9, Some("PLN".into())));
        assert_eq!(price("1'299.50 CHF"), (1299.5, Some("CHF".into())));
        assert_eq!(price("1,299 USD"), (1299.0, Some("USD".into())));
        assert_eq!(price("1.234.567 ISK"), (1234567.0, Some("ISK".into())));
        assert_eq!(price("15 JPY"), (15.0, Some("JPY".into())));
        assert_eq!(price(".5 EUR"), (0.5, Some("EUR".into())));
        assert_eq!(price("199.00"), (199.0, None));
    }

    #[test]
    fn bad_prices_say_what_was_expected() {
        assert_eq!(
            parse_price("€199").unwrap_err(),
            "\"€199\": unexpected characters; expected an amount and an ISO 4217 currency code, such as \"199.00 SEK\""
        );
        assert_eq!(
            parse_price("-5.00 SEK").unwrap_err(),
            "\"-5.00 SEK\" is negative"
        );
        for bad in [
            "SEK",
            "",
            "1,2,3 SEK",
            "12.34.5,6,7 SEK",
            "1.2.3",
            "12 kronor",
            "1,,2 SEK",
            "NaN SEK",
        ] {
            assert!(parse_price(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(parse_number("4.5"), Ok(4.5));
        assert_eq!(parse_number("-3"), Ok(-3.0));
        assert_eq!(parse_number("12 000"), Ok(12000.0));
        assert_eq!(
            parse_number("four").unwrap_err(),
            "\"four\" is not a number (unexpected characters)"
        );
        assert_eq!(parse_bool("Yes"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
