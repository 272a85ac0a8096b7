//! The checked tree: every name resolved to a variable, every node typed. The checker
//! builds it; the compiler lowers it to the evaluator.

use super::ast::{ArithOp, Span};
use super::{Decimal, Duration, Timestamp, Type, Value};

/// A typed node.
#[derive(Debug)]
pub(crate) struct Typed {
    pub ty: Type,
    pub node: Node,
    pub span: Span,
}

/// A variable the record supplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Var {
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
}

/// A fixed value written in the condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Const {
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    Str(Box<str>),
    Duration(Duration),
    Timestamp(Timestamp),
}

impl Const {
    pub fn into_value(self) -> Value {
        match self {
            Const::Bool(b) => Value::Bool(b),
            Const::Int(i) => Value::Int(i),
            Const::Decimal(d) => Value::Decimal(d),
            Const::Str(s) => Value::Str(s),
            Const::Duration(d) => Value::Duration(d),
            Const::Timestamp(t) => Value::Timestamp(t),
        }
    }
}

/// `== != < <= > >=`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The text tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug)]
pub(crate) enum Node {
    Const(Const),
    Var(Var),
    Exists(Var),
    Purchased(Option<Duration>),
    Not(Box<Typed>),
    Neg(Box<Typed>),
    And(Vec<Typed>),
    Or(Vec<Typed>),
    Arith(ArithOp, Box<Typed>, Box<Typed>),
    Compare(Cmp, Box<Typed>, Box<Typed>),
    /// `item in [constants]`
    InSet {
        item: Box<Typed>,
        set: Vec<Const>,
        negated: bool,
    },
    /// `item in product.tags`, `product.tags contains item`
    InList {
        item: Box<Typed>,
        list: Box<Typed>,
        negated: bool,
    },
    Text(TextOp, Box<Typed>, Box<Typed>),
    Matches(Box<Typed>, regex::Regex),
}
