use std::fmt;

use super::chars::is_invisible;
use super::DomainError;

/// An email address that our mailer will accept, kept as the contact typed it.
///
/// Uniqueness is decided on [`EmailAddress::key`], the lower-cased form, because
/// `Anna@Example.com` and `anna@example.com` reach the same shopper in practice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

const MAX_LEN: usize = 254;

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.trim().is_empty() {
            return Err(DomainError::Blank);
        }
        if raw.chars().all(is_invisible) {
            return Err(DomainError::OnlyInvisible);
        }
        if let Some(c) = raw.chars().find(|c| is_invisible(*c) && !c.is_ascii()) {
            return Err(DomainError::Invisible(c));
        }
        if raw.len() > MAX_LEN {
            return Err(DomainError::TooLong { max: MAX_LEN });
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(DomainError::Email)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(DomainError::Email);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to decide whether two addresses are the same contact.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The dot-atom form of RFC 5322 (quoted local parts are not accepted: no real shop uses
/// them and they are a classic header-injection vector). UTF-8 is allowed (RFC 6531).
fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_alphanumeric() || SPECIALS.contains(c) || !c.is_ascii() && !c.is_control()
                })
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_addresses() {
        for ok in [
            "anna@example.com",
            "a.b+tag@sub.example.co.uk",
            "åsa@exempel.se",
            "x_y@e-x.se",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_and_injection() {
        for bad in [
            "",
            "anna",
            "@example.com",
            "anna@",
            "anna@localhost",
            "anna@@example.com",
            "a..b@example.com",
            ".a@example.com",
            "anna@-example.com",
            "anna@example..com",
            "anna@example.com\r\nBcc: x@evil.com",
            "anna smith@example.com",
            "\"a\"@example.com",
            "\u{202E}anna@example.com",
            "anna\u{200B}@example.com",
            "anna@exam\u{200D}ple.com",
            "\u{200D}",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn names_the_hidden_character() {
        assert_eq!(
            EmailAddress::parse("\u{202E}anna@example.com"),
            Err(DomainError::Invisible('\u{202E}'))
        );
        assert_eq!(
            EmailAddress::parse("\u{2066}\u{200D}"),
            Err(DomainError::OnlyInvisible)
        );
    }

    #[test]
    fn key_is_case_insensitive() {
        let a = EmailAddress::parse("Anna@Example.COM").unwrap();
        assert_eq!(a.key(), "anna@example.com");
        assert_eq!(a.as_str(), "Anna@Example.COM");
    }
}
