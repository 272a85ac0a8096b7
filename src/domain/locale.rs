use std::fmt;

use super::DomainError;

/// A BCP 47 language tag in canonical case (`sv-SE`, `zh-Hant-TW`, `es-419`).
///
/// Engage compares locales case-insensitively; keeping one canonical spelling makes that
/// plain string equality in the database and in rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale(String);

pub(super) const MAX_LEN: usize = 64;

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::Blank);
        }
        if raw.len() > MAX_LEN {
            return Err(DomainError::TooLong { max: MAX_LEN });
        }
        if raw.contains('_') {
            return Err(DomainError::Locale("subtags are separated by '-', not '_'"));
        }
        canonicalize(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Locale {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where in the tag the parser is: subtags must come in this order.
#[derive(PartialEq, PartialOrd, Clone, Copy)]
enum Stage {
    Language,
    Script,
    Region,
    Variant,
    Extension,
}

fn canonicalize(raw: &str) -> Result<String, DomainError> {
    let mut subtags = raw.split('-');
    let language = subtags.next().unwrap_or_default();
    if !(is_alpha(language, 2..=3) || is_alpha(language, 5..=8)) {
        return Err(DomainError::Locale("the language must be 2-3 letters"));
    }
    let mut out = language.to_ascii_lowercase();
    let mut stage = Stage::Language;
    for subtag in subtags {
        if stage == Stage::Extension {
            if !is_alnum(subtag, 1..=8) {
                return Err(DomainError::Locale(
                    "an extension subtag is 1-8 letters or digits",
                ));
            }
            push(&mut out, &subtag.to_ascii_lowercase());
            continue;
        }
        let (next, canonical) = classify(subtag, stage)?;
        stage = next;
        push(&mut out, &canonical);
    }
    Ok(out)
}

fn classify(subtag: &str, stage: Stage) -> Result<(Stage, String), DomainError> {
    if stage < Stage::Script && is_alpha(subtag, 4..=4) {
        let mut s = subtag.to_ascii_lowercase();
        s[..1].make_ascii_uppercase();
        return Ok((Stage::Script, s));
    }
    if stage < Stage::Region && (is_alpha(subtag, 2..=2) || is_digit(subtag, 3)) {
        return Ok((Stage::Region, subtag.to_ascii_uppercase()));
    }
    let starts_with_digit = subtag.starts_with(|c: char| c.is_ascii_digit());
    if is_alnum(subtag, 5..=8) || (starts_with_digit && is_alnum(subtag, 4..=4)) {
        return Ok((Stage::Variant, subtag.to_ascii_lowercase()));
    }
    if is_alnum(subtag, 1..=1) {
        return Ok((Stage::Extension, subtag.to_ascii_lowercase()));
    }
    Err(DomainError::Locale(
        "expected language[-Script][-REGION], e.g. sv-SE",
    ))
}

fn push(out: &mut String, subtag: &str) {
    out.push('-');
    out.push_str(subtag);
}

fn is_alpha(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_alnum(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_digit(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Locale::parse(s).unwrap().to_string()
    }

    #[test]
    fn canonical_case() {
        assert_eq!(canon("sv-se"), "sv-SE");
        assert_eq!(canon("SV-SE"), "sv-SE");
        assert_eq!(canon("pl-PL"), "pl-PL");
        assert_eq!(canon("en"), "en");
        assert_eq!(canon("ZH-hant-tw"), "zh-Hant-TW");
        assert_eq!(canon("es-419"), "es-419");
        assert_eq!(canon("de-CH-1996"), "de-CH-1996");
        assert_eq!(canon("en-US-u-CA-gregory"), "en-US-u-ca-gregory");
    }

    #[test]
    fn rejects_what_is_not_a_tag() {
        for bad in [
            "",
            "s",
            "sv_SE",
            "sv-",
            "-SE",
            "sv--SE",
            "sv-SE-",
            "123",
            "sv SE",
            "swedishlanguage-SE",
            "sv-SE-x-",
            "sv-ÅÄ",
            "sv-SE-toolongvariant",
        ] {
            assert!(Locale::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn rejects_huge_input() {
        assert_eq!(
            Locale::parse(&"a".repeat(10_000)),
            Err(DomainError::TooLong { max: MAX_LEN })
        );
    }
}
