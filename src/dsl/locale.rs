//! Canonical BCP 47 casing, so locales compare case-insensitively at the cost of an
//! exact string comparison: literals are normalised once, at compile time.

/// The canonical case of a BCP 47 language tag (`SV-se` → `sv-SE`, `zh-hant-tw` →
/// `zh-Hant-TW`): language lower case, script title case, region upper case, everything
/// after a singleton (`-u-`, `-x-`) lower case. `None` if the text is not shaped like a
/// tag (subtags of 1–8 ASCII letters or digits, a language of 2–3 letters as in ISO 639).
/// The engine binds locales in this form; the DSL normalises its literals to it.
pub fn canonical_locale(tag: &str) -> Option<String> {
    let mut out = String::with_capacity(tag.len());
    let mut after_singleton = false;
    for (i, subtag) in tag.split('-').enumerate() {
        let valid =
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            return None;
        }
        if i == 0 {
            let letters = subtag.bytes().all(|b| b.is_ascii_alphabetic());
            if !letters || !(2..=3).contains(&subtag.len()) {
                return None;
            }
            out.push_str(&subtag.to_ascii_lowercase());
            continue;
        }
        out.push('-');
        let alphabetic = subtag.bytes().all(|b| b.is_ascii_alphabetic());
        if after_singleton {
            out.push_str(&subtag.to_ascii_lowercase());
        } else if subtag.len() == 1 {
            after_singleton = true;
            out.push_str(&subtag.to_ascii_lowercase());
        } else if subtag.len() == 2 && alphabetic {
            out.push_str(&subtag.to_ascii_uppercase());
        } else if subtag.len() == 4 && alphabetic {
            out.push_str(&subtag[..1].to_ascii_uppercase());
            out.push_str(&subtag[1..].to_ascii_lowercase());
        } else {
            out.push_str(&subtag.to_ascii_lowercase());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::canonical_locale;

    #[test]
    fn canonical_case_per_subtag_kind() {
        let cases = [
            ("sv-se", "sv-SE"),
            ("SV-SE", "sv-SE"),
            ("en", "en"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("de-CH-1996", "de-CH-1996"),
            ("en-US-u-CA-Gregory", "en-US-u-ca-gregory"),
            ("en-x-AB", "en-x-ab"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                canonical_locale(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_tag() {
        for input in [
            "",
            "sv_SE",
            "sv-",
            "-SE",
            "s",
            "1sv",
            "swed1sh",
            "sv--SE",
            "sv-SEEEEEEEE",
            "sv SE",
            "svéSE",
            "english",
        ] {
            assert_eq!(canonical_locale(input), None, "{input}");
        }
    }
}
