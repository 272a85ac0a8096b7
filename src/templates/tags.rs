//! Reading the parts of a BCP 47 tag that formatting depends on.

use crate::domain::Locale;

/// The language subtag: `sv` of `sv-SE`.
pub(super) fn language(locale: &Locale) -> &str {
    let tag = locale.as_str();
    tag.split('-').next().unwrap_or(tag)
}

/// The region: the tag's own (`SE` of `sv-SE`), else the language's usual one (`sv` →
/// `SE`), so that `sv` with SEK still says `kr`.
pub(super) fn region(locale: &Locale) -> Option<String> {
    if let Some(region) = explicit_region(locale) {
        return Some(region.to_owned());
    }
    let usual = match language(locale) {
        "en" => "US",
        "sv" => "SE",
        "pl" => "PL",
        "de" => "DE",
        "fi" => "FI",
        "nb" | "nn" | "no" => "NO",
        "da" => "DK",
        "is" => "IS",
        "cs" => "CZ",
        "hu" => "HU",
        _ => return None,
    };
    Some(usual.to_owned())
}

/// The most specific entry of `table` for `locale`: the whole tag, then language-REGION,
/// then the language alone.
pub(super) fn lookup<'t, T>(locale: &Locale, table: &'t [(&str, T)]) -> Option<&'t T> {
    let language = language(locale);
    let with_region = explicit_region(locale).map(|region| format!("{language}-{region}"));
    let candidates = [
        Some(locale.as_str()),
        with_region.as_deref(),
        Some(language),
    ];
    for key in candidates.into_iter().flatten() {
        if let Some((_, value)) = table.iter().find(|(k, _)| *k == key) {
            return Some(value);
        }
    }
    None
}

/// The region subtag as written: two capitals (canonical case) or three digits.
fn explicit_region(locale: &Locale) -> Option<&str> {
    locale.as_str().split('-').skip(1).find(|subtag| {
        (subtag.len() == 2 && subtag.bytes().all(|b| b.is_ascii_uppercase()))
            || (subtag.len() == 3 && subtag.bytes().all(|b| b.is_ascii_digit()))
    })
}
