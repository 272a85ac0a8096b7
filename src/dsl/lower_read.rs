//! Leaf closures, monomorphised per field: a [`Read`] type per kind of field (quantity,
//! subscription age, locale, a product slot, an attribute slot, any other expression) and
//! a [`Build`] per kind of test, so `product.price < 1000` compiles to a closure that
//! indexes the product slice and compares two integers.

use super::eval::{apply, compare, StrSet, Val};
use super::eval_cmp::Accept;
use super::ir::Cmp;
use super::lower::Test;
use super::value::Scalar;
use super::{Decimal, Duration, Record, Timestamp, Value};

/// Reads one field of a record.
pub(crate) trait Read: Send + Sync + 'static {
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a>;
}

struct Quantity;
struct Age;
struct Locale;
struct Sku;
struct ProductSlot(usize);
struct AttributeSlot(usize);
struct Expr(Val);

impl Read for Quantity {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        Scalar::Int(r.quantity)
    }
}

impl Read for Age {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        r.now
            .since(r.subscription_created_on)
            .map_or(Scalar::Null, Scalar::Duration)
    }
}

impl Read for Locale {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        Scalar::Str(r.locale)
    }
}

impl Read for Sku {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        Scalar::Str(r.sku)
    }
}

impl Read for ProductSlot {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        r.product.get(self.0).map_or(Scalar::Null, Value::scalar)
    }
}

impl Read for AttributeSlot {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        r.contact_attributes
            .get(self.0)
            .map_or(Scalar::Null, Value::scalar)
    }
}

impl Read for Expr {
    #[inline(always)]
    fn read<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        self.0.get(r)
    }
}

/// Builds a test around a reader.
pub(crate) trait Build {
    fn build<R: Read>(self, read: R) -> Test;
}

/// Picks the reader for a value node and builds the test around it.
pub(crate) fn with_reader(v: Val, b: impl Build) -> Test {
    match v {
        Val::Quantity => b.build(Quantity),
        Val::Age => b.build(Age),
        Val::Locale => b.build(Locale),
        Val::Sku => b.build(Sku),
        Val::Product(slot) => b.build(ProductSlot(slot)),
        Val::Attribute(slot) => b.build(AttributeSlot(slot)),
        other => b.build(Expr(other)),
    }
}

/// A type compared with `<`, `==`, …: numbers, durations, timestamps.
pub(crate) trait Ordinal: Ord + Copy + Send + Sync + 'static {
    fn pick(s: Scalar<'_>) -> Option<Self>;
    fn scalar(self) -> Scalar<'static>;
}

macro_rules! ordinal {
    ($t:ty, $variant:ident) => {
        impl Ordinal for $t {
            #[inline(always)]
            fn pick(s: Scalar<'_>) -> Option<Self> {
                if let Scalar::$variant(v) = s {
                    Some(v)
                } else {
                    None
                }
            }
            fn scalar(self) -> Scalar<'static> {
                Scalar::$variant(self)
            }
        }
    };
}

ordinal!(i64, Int);
ordinal!(Decimal, Decimal);
ordinal!(Duration, Duration);
ordinal!(Timestamp, Timestamp);

/// `field <op> constant`. A field of another type than declared takes the general
/// comparison (an integer in a decimal slot still compares); a missing one is false.
pub(crate) struct Ordered<K> {
    cmp: Cmp,
    k: K,
}

impl<K: Ordinal> Ordered<K> {
    pub fn new(cmp: Cmp, k: K) -> Self {
        Ordered { cmp, k }
    }
}

impl<K: Ordinal> Build for Ordered<K> {
    fn build<R: Read>(self, read: R) -> Test {
        let Ordered { cmp, k } = self;
        let accept = Accept::new(cmp);
        Test::new(move |r| {
            let s = read.read(r);
            match K::pick(s) {
                Some(v) => accept.holds(v.cmp(&k)),
                None => apply(cmp, compare(s, k.scalar())),
            }
        })
    }
}

pub(crate) struct EqBool {
    pub value: bool,
    pub negated: bool,
}

impl Build for EqBool {
    fn build<R: Read>(self, read: R) -> Test {
        let EqBool { value, negated } = self;
        Test::new(move |r| matches!(read.read(r), Scalar::Bool(v) if (v == value) != negated))
    }
}

pub(crate) struct EqStr {
    pub value: Box<str>,
    pub negated: bool,
}

impl Build for EqStr {
    fn build<R: Read>(self, read: R) -> Test {
        let EqStr { value, negated } = self;
        Test::new(move |r| matches!(read.read(r), Scalar::Str(v) if (v == &*value) != negated))
    }
}

pub(crate) struct InStrs {
    pub set: StrSet,
    pub negated: bool,
}

impl Build for InStrs {
    fn build<R: Read>(self, read: R) -> Test {
        let InStrs { set, negated } = self;
        Test::new(move |r| matches!(read.read(r), Scalar::Str(s) if set.contains(s) != negated))
    }
}

/// A true/false field used as a condition: true only when present and true.
pub(crate) struct IsTrue;

impl Build for IsTrue {
    fn build<R: Read>(self, read: R) -> Test {
        Test::new(move |r| matches!(read.read(r), Scalar::Bool(true)))
    }
}

pub(crate) struct Exists;

impl Build for Exists {
    fn build<R: Read>(self, read: R) -> Test {
        Test::new(move |r| !matches!(read.read(r), Scalar::Null))
    }
}

pub(crate) struct Matches(pub regex::Regex);

impl Build for Matches {
    fn build<R: Read>(self, read: R) -> Test {
        let regex = self.0;
        Test::new(move |r| matches!(read.read(r), Scalar::Str(s) if regex.is_match(s)))
    }
}
