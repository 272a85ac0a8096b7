//! Characters that change how text looks, or hide, without being visible themselves:
//! a SKU made only of U+200D looks blank, and U+202E in an email address turns the
//! `To:` line around.

/// Bidirectional formatting: embeddings, overrides, isolates and the marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing (Unicode's default-ignorable code points, and
/// whitespace). Some have a use inside text — U+200D joins emoji — but a value made only
/// of them is blank.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Invisible characters that have no use inside an identifier: everything invisible but
/// the joiners and variation selectors of emoji and scripts that need them, and spaces
/// (which identifiers may contain).
pub fn is_hidden_in_identifier(c: char) -> bool {
    is_invisible(c)
        && !c.is_whitespace()
        && !matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for c in ['\u{202E}', '\u{2066}', '\u{200F}'] {
            assert!(is_bidi_control(c) && is_invisible(c) && is_hidden_in_identifier(c));
        }
        assert!(is_invisible('\u{200D}') && !is_hidden_in_identifier('\u{200D}'));
        assert!(is_hidden_in_identifier('\u{200B}') && is_hidden_in_identifier('\u{FEFF}'));
        for c in ['a', 'Å', '😀', '-', 'ü'] {
            assert!(!is_invisible(c), "{c}");
        }
    }
}
