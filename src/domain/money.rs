//! Money on receipts: an ISO 4217 currency code and an amount kept exactly, in 1/10000 of
//! the unit, so revenue sums never drift the way binary floating point does.

use std::fmt;

use super::DomainError;

/// An ISO 4217 alphabetic code (`SEK`, `EUR`): three capital letters. Revenue is summed
/// per currency, never across them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(DomainError::Currency),
        }
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII capitals by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many fractional digits an [`Amount`] keeps.
pub const AMOUNT_PLACES: usize = 4;
const SCALE: i64 = 10_000;

/// A paid amount of zero or more, in 1/10000 of the currency unit (`199.95` is
/// `1_999_500`): what the `revenue_e4` columns and `revenue:<CURRENCY>` statistics hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// Reads a plain decimal (`199`, `199.95`) as JSON writes it; refuses negative
    /// amounts, exponents, and more than four fractional digits rather than rounding.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim();
        if text.starts_with('-') {
            return Err(DomainError::Negative);
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(DomainError::Amount(
                "is not a decimal number such as 199.95",
            ));
        }
        if fraction.len() > AMOUNT_PLACES {
            return Err(DomainError::Amount(
                "has more than 4 digits after the decimal point",
            ));
        }
        let too_large =
            || DomainError::Amount("is more than 922337203685477.5807, the largest amount");
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        let padded = format!("{fraction:0<AMOUNT_PLACES$}");
        let fraction: i64 = padded.parse().unwrap_or_default();
        whole
            .checked_mul(SCALE)
            .and_then(|w| w.checked_add(fraction))
            .map(Self)
            .ok_or_else(too_large)
    }

    /// The amount with exactly `e4` ten-thousandths; `None` if negative.
    pub fn from_e4(e4: i64) -> Option<Self> {
        (e4 >= 0).then_some(Self(e4))
    }

    /// Ten-thousandths of the unit.
    pub fn e4(self) -> i64 {
        self.0
    }

    /// The sum, or `None` past the range (about 922 trillion units).
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Self)
    }
}

impl fmt::Display for Amount {
    /// `199.95`, `200`: trailing zeros of the fraction dropped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / SCALE, self.0 % SCALE);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let fraction = format!("{fraction:04}");
        write!(f, "{whole}.{}", fraction.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_three_capitals() {
        assert_eq!(Currency::parse("SEK").unwrap().as_str(), "SEK");
        for bad in ["sek", "SE", "SEKK", "S3K", "", "ÅÄÖ"] {
            assert_eq!(Currency::parse(bad), Err(DomainError::Currency), "{bad}");
        }
    }

    #[test]
    fn amounts_are_exact_ten_thousandths() {
        assert_eq!(Amount::parse("199.95").unwrap().e4(), 1_999_500);
        assert_eq!(Amount::parse("200").unwrap().e4(), 2_000_000);
        assert_eq!(Amount::parse("0.0001").unwrap().e4(), 1);
        assert_eq!(Amount::parse("0.1").unwrap().to_string(), "0.1");
        assert_eq!(Amount::parse("1999.5").unwrap().to_string(), "1999.5");
        assert_eq!(Amount::parse("12").unwrap().to_string(), "12");
        assert_eq!(Amount::parse("-1"), Err(DomainError::Negative));
        for bad in [
            "1.00001",
            "1e3",
            "abc",
            ".5",
            "1.2.3",
            "99999999999999999999",
            "922337203685477.5808",
        ] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
        for exact in [
            "12345678901234.5678",
            "99999999999999.9999",
            "922337203685477.5807",
        ] {
            assert_eq!(Amount::parse(exact).unwrap().to_string(), exact);
        }
    }
}
