//! Values the engine binds into a [`Record`](super::Record)'s product and contact slots.

use super::{Decimal, Duration, Timestamp};

/// One field's value. Owned, so a feed or a contact can keep its values in a
/// `Box<[Value]>` in schema slot order and lend them to every evaluation without copying.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// Missing data. Every comparison with it is false; `exists()` tests for it.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// Text (for a locale field: in canonical case, `sv-SE`).
    Str(Box<str>),
    /// A span of time.
    Duration(Duration),
    /// An instant.
    Timestamp(Timestamp),
    /// A list of values, such as tags.
    List(Box<[Value]>),
}

/// A borrowed view of a value during evaluation: `Copy`, no allocation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    Str(&'a str),
    Duration(Duration),
    Timestamp(Timestamp),
    List(&'a [Value]),
}

impl Value {
    #[inline]
    pub(crate) fn scalar(&self) -> Scalar<'_> {
        match self {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Decimal(d) => Scalar::Decimal(*d),
            Value::Str(s) => Scalar::Str(s),
            Value::Duration(d) => Scalar::Duration(*d),
            Value::Timestamp(t) => Scalar::Timestamp(*t),
            Value::List(items) => Scalar::List(items),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Decimal> for Value {
    fn from(d: Decimal) -> Self {
        Value::Decimal(d)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into_boxed_str())
    }
}

impl From<Duration> for Value {
    fn from(d: Duration) -> Self {
        Value::Duration(d)
    }
}

impl From<Timestamp> for Value {
    fn from(t: Timestamp) -> Self {
        Value::Timestamp(t)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}
