//! Exact decimal numbers for prices and other product data.

use std::fmt;
use std::str::FromStr;

/// How many fractional digits a [`Decimal`] keeps.
pub const DECIMAL_PLACES: u32 = 6;
const SCALE: i64 = 10i64.pow(DECIMAL_PLACES);

/// A fixed-point decimal with six fractional digits.
///
/// Prices are compared for equality (`product.price == 19.99`) and scaled
/// (`product.price * 3 == 59.97`); binary floating point gets both wrong, so the
/// language keeps exact millionths instead. The range (about ±9.2 trillion) is far
/// beyond any price; arithmetic that would leave it yields null, never a wrong number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i64);

/// Why a text is not a [`Decimal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// The text is not digits with an optional sign and decimal point.
    #[error("not a decimal number")]
    Invalid,
    /// More fractional digits than [`DECIMAL_PLACES`].
    #[error("a decimal number has at most {DECIMAL_PLACES} digits after the point")]
    TooPrecise,
    /// Outside the representable range.
    #[error("the number is too large")]
    TooLarge,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);

    /// The decimal with exactly `micros` millionths (`19_990_000` is 19.99).
    pub const fn from_micros(micros: i64) -> Self {
        Decimal(micros)
    }

    /// The number of millionths this decimal holds.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// A whole number as a decimal; `None` if it is out of range.
    pub fn from_int(value: i64) -> Option<Self> {
        value.checked_mul(SCALE).map(Decimal)
    }

    /// The nearest decimal to a float; `None` for NaN, infinities and values out of range.
    /// Feeds that already parsed a price into `f64` use this; parsing the text with
    /// [`str::parse`] is exact and preferred.
    pub fn from_f64(value: f64) -> Option<Self> {
        let scaled = (value * SCALE as f64).round();
        (scaled.is_finite() && scaled.abs() < i64::MAX as f64).then_some(Decimal(scaled as i64))
    }

    pub(crate) fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Decimal)
    }

    pub(crate) fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Decimal)
    }

    pub(crate) fn checked_mul(self, other: Self) -> Option<Self> {
        let product = i128::from(self.0) * i128::from(other.0) / i128::from(SCALE);
        i64::try_from(product).ok().map(Decimal)
    }

    /// Division rounds toward zero at the sixth decimal; dividing by zero yields `None`.
    pub(crate) fn checked_div(self, other: Self) -> Option<Self> {
        if other.0 == 0 {
            return None;
        }
        let quotient = i128::from(self.0) * i128::from(SCALE) / i128::from(other.0);
        i64::try_from(quotient).ok().map(Decimal)
    }

    pub(crate) fn checked_neg(self) -> Option<Self> {
        self.0.checked_neg().map(Decimal)
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    /// Parses `19.99`, `-3`, `+0.5`: an optional sign, digits, and optionally a point
    /// followed by at most six digits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(DecimalError::Invalid);
        }
        if unsigned.ends_with('.') {
            return Err(DecimalError::Invalid);
        }
        if fraction.len() > DECIMAL_PLACES as usize {
            return Err(DecimalError::TooPrecise);
        }
        let mut micros: i64 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            micros = micros
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or(DecimalError::TooLarge)?;
        }
        let padding = 10i64.pow(DECIMAL_PLACES - fraction.len() as u32);
        let micros = micros.checked_mul(padding).ok_or(DecimalError::TooLarge)?;
        Ok(Decimal(if negative { -micros } else { micros }))
    }
}

impl fmt::Display for Decimal {
    /// The shortest exact form: `19.99`, `5`, `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, fraction) = (abs / SCALE as u64, abs % SCALE as u64);
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let digits = format!("{fraction:06}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for text in ["19.99", "5", "-0.5", "0.000001", "1000000"] {
            assert_eq!(
                text.parse::<Decimal>().map(|d| d.to_string()),
                Ok(text.into())
            );
        }
        assert_eq!(
            "+2.50".parse::<Decimal>().map(|d| d.micros()),
            Ok(2_500_000)
        );
    }

    #[test]
    fn rejects_what_is_not_a_decimal() {
        for text in ["", "-", ".5", "5.", "1.2.3", "1e5", "abc", "1,5"] {
            assert_eq!(
                text.parse::<Decimal>(),
                Err(DecimalError::Invalid),
                "{text}"
            );
        }
        assert_eq!(
            "0.1234567".parse::<Decimal>(),
            Err(DecimalError::TooPrecise)
        );
        assert_eq!(
            "99999999999999999".parse::<Decimal>(),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn arithmetic_is_exact_and_overflow_is_none() {
        let price: Decimal = "19.99".parse().unwrap();
        let three = Decimal::from_int(3).unwrap();
        assert_eq!(price.checked_mul(three), "59.97".parse().ok());
        assert_eq!(three.checked_div(Decimal::ZERO), None);
        assert_eq!(Decimal::from_micros(i64::MAX).checked_add(price), None);
        assert_eq!(Decimal::from_f64(0.1 + 0.2), "0.3".parse().ok());
        assert_eq!(Decimal::from_f64(f64::NAN), None);
    }
}
