//! The evaluation plan: a tree of pre-resolved, pre-typed nodes, which `lower` turns into
//! the closures that run. Evaluating reads record fields by slot, compares plain integers
//! and string slices, and never allocates.

use std::cmp::Ordering;

use super::eval_cmp::ConstCmp;
use super::ir::{Cmp, TextOp};
use super::lower::Test;
use super::value::Scalar;
use super::{Duration, Record, Value};

/// A node that yields true or false. Under the null rules every comparison with a missing
/// value is false, including `!=` and `not in`.
#[derive(Debug)]
pub(crate) enum Pred {
    Const(bool),
    And(Box<[Pred]>),
    Or(Box<[Pred]>),
    Not(Box<Pred>),
    /// A true/false value used as a condition: true only if it is present and true.
    IsTrue(Val),
    Exists(Val),
    Purchased(Option<Duration>),
    Compare(Cmp, Val, Val),
    /// A comparison with a constant, specialised by type.
    CompareConst(ConstCmp),
    /// `==`/`!=` between a locale and text that is not a literal: case-insensitive.
    EqIgnoreCase {
        lhs: Val,
        rhs: Val,
        negated: bool,
    },
    InStrs {
        item: Val,
        set: StrSet,
        negated: bool,
    },
    InValues {
        item: Val,
        set: Box<[Value]>,
        negated: bool,
    },
    InList {
        item: Val,
        list: Val,
        negated: bool,
    },
    Text {
        op: TextOp,
        ignore_case: bool,
        lhs: Val,
        rhs: Val,
    },
    Matches(Val, regex::Regex),
}

/// A node that yields a value.
#[derive(Debug)]
pub(crate) enum Val {
    Const(Value),
    Quantity,
    Sku,
    Locale,
    ExternalId,
    Now,
    CreatedOn,
    Age,
    Email,
    ContactLocale,
    Product(usize),
    Attribute(usize),
    Neg(Box<Val>),
    Arith(Arith, Box<Val>, Box<Val>),
    /// A condition used as a value, as in `(a and b) == true`.
    Cond(Test),
}

/// Arithmetic with its operand types decided at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    IntAdd,
    IntSub,
    IntMul,
    DecAdd,
    DecSub,
    DecMul,
    DecDiv,
    DurAdd,
    DurSub,
    DurMul,
    DurDiv,
    TsDiff,
    TsAdd,
    TsSub,
}

/// A set of text constants. Short texts (up to 16 bytes: locales, most SKUs) are
/// compared as their length and two overlapping machine words, which costs a few integer
/// comparisons instead of a `memcmp` call per item; small sets are scanned, large ones
/// binary-searched.
#[derive(Debug)]
pub(crate) struct StrSet {
    sorted: Box<[Box<str>]>,
    short: Box<[(usize, u64, u64)]>,
}

/// The length and two overlapping words that together identify a text of ≤ 16 bytes.
#[inline(always)]
fn short_key(s: &[u8]) -> Option<(usize, u64, u64)> {
    let word4 = |b: &[u8]| <[u8; 4]>::try_from(b).map_or(0, |w| u64::from(u32::from_le_bytes(w)));
    let word8 = |b: &[u8]| <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes);
    let n = s.len();
    Some(match n {
        0..=3 => (n, s.iter().fold(0, |acc, &b| acc << 8 | u64::from(b)), 0),
        4..=8 => (n, word4(&s[..4]), word4(&s[n - 4..])),
        9..=16 => (n, word8(&s[..8]), word8(&s[n - 8..])),
        _ => return None,
    })
}

impl StrSet {
    pub fn new(mut items: Vec<Box<str>>) -> Self {
        items.sort();
        items.dedup();
        let short: Option<Vec<_>> = items.iter().map(|s| short_key(s.as_bytes())).collect();
        let short = short.filter(|keys| keys.len() <= 16).unwrap_or_default();
        StrSet {
            sorted: items.into_boxed_slice(),
            short: short.into_boxed_slice(),
        }
    }

    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        if !self.short.is_empty() {
            return short_key(s.as_bytes()).is_some_and(|key| self.short.contains(&key));
        }
        if self.sorted.len() <= 8 {
            self.sorted.iter().any(|item| **item == *s)
        } else {
            self.sorted.binary_search_by(|item| (**item).cmp(s)).is_ok()
        }
    }
}

pub(crate) fn purchased(r: &Record<'_>, within: Option<Duration>) -> bool {
    let Some(last) = r.last_purchase else {
        return false;
    };
    match within {
        None => last >= r.subscription_created_on,
        Some(window) => r.now.checked_sub(window).is_some_and(|since| last >= since),
    }
}

#[inline]
pub(crate) fn apply(cmp: Cmp, ordering: Option<Ordering>) -> bool {
    let Some(o) = ordering else { return false };
    match cmp {
        Cmp::Eq => o == Ordering::Equal,
        Cmp::Ne => o != Ordering::Equal,
        Cmp::Lt => o == Ordering::Less,
        Cmp::Le => o != Ordering::Greater,
        Cmp::Gt => o == Ordering::Greater,
        Cmp::Ge => o != Ordering::Less,
    }
}

/// Orders two values of comparable types; `None` when either is null or the types do not
/// compare (a slot bound with the wrong type reads as missing, never as a crash).
#[inline]
pub(crate) fn compare(a: Scalar<'_>, b: Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Decimal(x), Scalar::Decimal(y)) => Some(x.cmp(&y)),
        (Scalar::Int(x), Scalar::Decimal(y)) => Some(widen(x).cmp(&i128::from(y.micros()))),
        (Scalar::Decimal(x), Scalar::Int(y)) => Some(i128::from(x.micros()).cmp(&widen(y))),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(&y)),
        (Scalar::Duration(x), Scalar::Duration(y)) => Some(x.cmp(&y)),
        (Scalar::Timestamp(x), Scalar::Timestamp(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// A whole number in millionths, the unit of [`Decimal`].
fn widen(int: i64) -> i128 {
    i128::from(int) * 1_000_000
}

pub(crate) fn text(op: TextOp, ignore_case: bool, a: &str, b: &str) -> bool {
    if !ignore_case {
        return match op {
            TextOp::Contains => a.contains(b),
            TextOp::StartsWith => a.starts_with(b),
            TextOp::EndsWith => a.ends_with(b),
        };
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let fits = b.len() <= a.len();
    match op {
        TextOp::Contains => {
            b.is_empty() || (fits && a.windows(b.len()).any(|w| w.eq_ignore_ascii_case(b)))
        }
        TextOp::StartsWith => fits && a[..b.len()].eq_ignore_ascii_case(b),
        TextOp::EndsWith => fits && a[a.len() - b.len()..].eq_ignore_ascii_case(b),
    }
}
