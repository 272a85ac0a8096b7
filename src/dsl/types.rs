//! The types a field can have, as declared in a [`Schema`](super::Schema).

use std::fmt;

/// The type of a field. Product fields take theirs from the feed, contact attributes from
/// the declared attribute schema; the checker uses them to reject `quantity == "five"`
/// when the rule is loaded rather than when it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// An exact decimal number, such as a price ([`Decimal`](super::Decimal)).
    Decimal,
    /// Text.
    String,
    /// A BCP 47 locale such as `sv-SE`, compared case-insensitively. Values bound to a
    /// locale field must be in canonical case (see [`canonical_locale`](super::canonical_locale)).
    Locale,
    /// A span of time ([`Duration`](super::Duration)).
    Duration,
    /// An instant ([`Timestamp`](super::Timestamp)).
    Timestamp,
    /// A list of values, such as a product's tags; used with `in` and `contains`.
    List(Elem),
}

/// The type of a list's items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Elem {
    /// Whole numbers.
    Int,
    /// Decimal numbers.
    Decimal,
    /// Text.
    String,
}

impl Elem {
    /// The scalar type of one item.
    pub fn item(self) -> Type {
        match self {
            Elem::Int => Type::Int,
            Elem::Decimal => Type::Decimal,
            Elem::String => Type::String,
        }
    }
}

impl Type {
    /// Whole and decimal numbers mix freely in comparisons and arithmetic.
    pub(crate) fn is_number(self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }

    /// Text-like types: the text operators (`contains`, `starts with`, …) apply.
    pub(crate) fn is_text(self) -> bool {
        matches!(self, Type::String | Type::Locale)
    }
}

impl fmt::Display for Type {
    /// Plain words, as diagnostics use them: "cannot compare quantity (a whole number) …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "true or false",
            Type::Int => "a whole number",
            Type::Decimal => "a decimal number",
            Type::String => "text",
            Type::Locale => "a locale",
            Type::Duration => "a duration",
            Type::Timestamp => "a timestamp",
            Type::List(Elem::Int) => "a list of whole numbers",
            Type::List(Elem::Decimal) => "a list of decimal numbers",
            Type::List(Elem::String) => "a list of text",
        })
    }
}
