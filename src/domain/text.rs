use std::fmt;

use super::chars::{is_hidden_in_identifier, is_invisible};
use super::DomainError;

pub(super) const MAX_LEN: usize = 255;

/// Checks the rules shared by every free-text identifier that integrators send us.
fn parse_identifier(raw: &str) -> Result<&str, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::Blank);
    }
    if raw.chars().all(is_invisible) {
        return Err(DomainError::OnlyInvisible);
    }
    if raw.chars().count() > MAX_LEN {
        return Err(DomainError::TooLong { max: MAX_LEN });
    }
    if raw.trim() != raw {
        return Err(DomainError::Padded);
    }
    if raw.chars().any(char::is_control) {
        return Err(DomainError::ControlCharacter);
    }
    if let Some(c) = raw.chars().find(|c| is_hidden_in_identifier(*c)) {
        return Err(DomainError::Invisible(c));
    }
    Ok(raw)
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses an identifier as an integrator sent it; case is kept as is.
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                parse_identifier(raw).map(|s| Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

identifier!(
    /// A retailer's stock keeping unit: non-blank, at most 255 characters, no padding.
    /// SKUs are compared exactly (case-sensitive), as Engage does.
    Sku
);

identifier!(
    /// The retailer's own id for a product variant in one market (e.g. `SE-SKU-1`).
    ExternalId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_and_unicode_skus() {
        assert_eq!(Sku::parse("SKU-1").unwrap().as_str(), "SKU-1");
        assert_eq!(Sku::parse("Tröja-ÅÄÖ-😀").unwrap().as_str(), "Tröja-ÅÄÖ-😀");
    }

    #[test]
    fn rejects_blank_padded_long_and_control() {
        assert_eq!(Sku::parse(""), Err(DomainError::Blank));
        assert_eq!(Sku::parse("   "), Err(DomainError::Blank));
        assert_eq!(Sku::parse(" SKU"), Err(DomainError::Padded));
        assert_eq!(Sku::parse("SK\u{0}U"), Err(DomainError::ControlCharacter));
        assert_eq!(
            Sku::parse(&"x".repeat(256)),
            Err(DomainError::TooLong { max: 255 })
        );
        assert!(Sku::parse(&"ö".repeat(255)).is_ok());
    }

    #[test]
    fn rejects_invisible_and_bidi() {
        assert_eq!(Sku::parse("\u{200D}"), Err(DomainError::OnlyInvisible));
        assert_eq!(
            Sku::parse("\u{200B}\u{FEFF}"),
            Err(DomainError::OnlyInvisible)
        );
        assert_eq!(
            Sku::parse("SKU\u{202E}1"),
            Err(DomainError::Invisible('\u{202E}'))
        );
        assert_eq!(
            ExternalId::parse("\u{2066}SE-1"),
            Err(DomainError::Invisible('\u{2066}'))
        );
        assert_eq!(
            Sku::parse("A\u{200B}B"),
            Err(DomainError::Invisible('\u{200B}'))
        );
        assert!(
            Sku::parse("👨\u{200D}👩").is_ok(),
            "emoji joiners stay allowed"
        );
        assert_eq!(
            DomainError::Invisible('\u{202E}').to_string(),
            "must not contain invisible or bidirectional control characters (found U+202E)"
        );
    }
}
