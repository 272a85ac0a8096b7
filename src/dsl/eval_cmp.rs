//! Comparisons with a constant, specialised by type at compile time: the hot path of
//! almost every condition (`quantity >= 5`, `product.price < 1000`, `subscription.age <
//! 30d`). When the record holds the declared type, each runs as a load, an integer
//! comparison and a branch-free test of the result against the operator ([`Accept`]).

use std::cmp::Ordering;

use super::eval::Val;
use super::ir::Cmp;
use super::{Decimal, Duration, Timestamp};

/// The orderings an operator accepts, one bit each for less, equal, greater.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Accept(u8);

impl Accept {
    pub fn new(cmp: Cmp) -> Self {
        Accept(match cmp {
            Cmp::Lt => 0b001,
            Cmp::Le => 0b011,
            Cmp::Eq => 0b010,
            Cmp::Ge => 0b110,
            Cmp::Gt => 0b100,
            Cmp::Ne => 0b101,
        })
    }

    #[inline(always)]
    pub fn holds(self, o: Ordering) -> bool {
        (self.0 >> (o as i8 + 1)) & 1 == 1
    }
}

/// `field <op> constant`, with the constant already in the field's representation.
#[derive(Debug)]
pub(crate) enum ConstCmp {
    Int(Val, Cmp, i64),
    Decimal(Val, Cmp, Decimal),
    Duration(Val, Cmp, Duration),
    Timestamp(Val, Cmp, Timestamp),
    /// `==` (or, negated, `!=`) a boolean.
    Bool {
        lhs: Val,
        value: bool,
        negated: bool,
    },
    /// `==` (or, negated, `!=`) a text.
    Str {
        lhs: Val,
        value: Box<str>,
        negated: bool,
    },
}
