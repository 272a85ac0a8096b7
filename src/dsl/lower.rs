//! The plan → closures that run. Each node becomes one boxed closure, monomorphised for
//! its operator, operand types and field (see `lower_read`), so evaluating a comparison
//! costs one indirect call and no further dispatch — the difference between an
//! interpreter that is 2.5× a hand-written closure and one that is close to it.

use std::cmp::Ordering;
use std::fmt;

use super::eval::{apply, compare, purchased, text, Pred};
use super::eval_cmp::ConstCmp;
use super::lower_read::{with_reader, EqBool, EqStr, Exists, InStrs, IsTrue, Matches, Ordered};
use super::value::Scalar;
use super::Record;

type TestFn = dyn Fn(&Record<'_>) -> bool + Send + Sync;

/// A compiled test of a record.
pub(crate) struct Test(Box<TestFn>);

impl Test {
    pub fn new(f: impl Fn(&Record<'_>) -> bool + Send + Sync + 'static) -> Self {
        Test(Box::new(f))
    }

    #[inline]
    pub fn run(&self, r: &Record<'_>) -> bool {
        (self.0)(r)
    }
}

impl fmt::Debug for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Test(..)")
    }
}

/// Lowers a plan node to its closure.
pub(crate) fn test(p: Pred) -> Test {
    match p {
        Pred::Const(b) => Test::new(move |_| b),
        Pred::And(items) => all(items.into_vec().into_iter().map(test).collect()),
        Pred::Or(items) => any(items.into_vec().into_iter().map(test).collect()),
        Pred::Not(inner) => {
            let inner = test(*inner);
            Test::new(move |r| !inner.run(r))
        }
        Pred::IsTrue(v) => with_reader(v, IsTrue),
        Pred::Exists(v) => with_reader(v, Exists),
        Pred::Purchased(within) => Test::new(move |r| purchased(r, within)),
        Pred::Compare(cmp, lhs, rhs) => {
            Test::new(move |r| apply(cmp, compare(lhs.get(r), rhs.get(r))))
        }
        Pred::CompareConst(c) => match c {
            ConstCmp::Int(lhs, cmp, k) => with_reader(lhs, Ordered::new(cmp, k)),
            ConstCmp::Decimal(lhs, cmp, k) => with_reader(lhs, Ordered::new(cmp, k)),
            ConstCmp::Duration(lhs, cmp, k) => with_reader(lhs, Ordered::new(cmp, k)),
            ConstCmp::Timestamp(lhs, cmp, k) => with_reader(lhs, Ordered::new(cmp, k)),
            ConstCmp::Bool {
                lhs,
                value,
                negated,
            } => with_reader(lhs, EqBool { value, negated }),
            ConstCmp::Str {
                lhs,
                value,
                negated,
            } => with_reader(lhs, EqStr { value, negated }),
        },
        Pred::EqIgnoreCase { lhs, rhs, negated } => {
            Test::new(move |r| match (lhs.get(r), rhs.get(r)) {
                (Scalar::Str(a), Scalar::Str(b)) => a.eq_ignore_ascii_case(b) != negated,
                _ => false,
            })
        }
        Pred::InStrs { item, set, negated } => with_reader(item, InStrs { set, negated }),
        Pred::InValues { item, set, negated } => Test::new(move |r| match item.get(r) {
            Scalar::Null => false,
            x => {
                set.iter()
                    .any(|v| compare(x, v.scalar()) == Some(Ordering::Equal))
                    != negated
            }
        }),
        Pred::InList {
            item,
            list,
            negated,
        } => Test::new(move |r| match (item.get(r), list.get(r)) {
            (Scalar::Null, _) => false,
            (x, Scalar::List(items)) => {
                items
                    .iter()
                    .any(|v| compare(x, v.scalar()) == Some(Ordering::Equal))
                    != negated
            }
            _ => false,
        }),
        Pred::Text {
            op,
            ignore_case,
            lhs,
            rhs,
        } => Test::new(move |r| match (lhs.get(r), rhs.get(r)) {
            (Scalar::Str(a), Scalar::Str(b)) => text(op, ignore_case, a, b),
            _ => false,
        }),
        Pred::Matches(v, regex) => with_reader(v, Matches(regex)),
    }
}

/// `and`: short-circuits left to right. Up to six operands get one closure with a call
/// site per operand, which the branch predictor follows far better than one call site in
/// a loop; longer chains loop.
fn all(items: Vec<Test>) -> Test {
    let items = match <[Test; 2]>::try_from(items) {
        Ok([a, b]) => return Test::new(move |r| a.run(r) && b.run(r)),
        Err(items) => items,
    };
    let items = match <[Test; 3]>::try_from(items) {
        Ok([a, b, c]) => return Test::new(move |r| a.run(r) && b.run(r) && c.run(r)),
        Err(items) => items,
    };
    let items = match <[Test; 4]>::try_from(items) {
        Ok([a, b, c, d]) => {
            return Test::new(move |r| a.run(r) && b.run(r) && c.run(r) && d.run(r))
        }
        Err(items) => items,
    };
    let items = match <[Test; 5]>::try_from(items) {
        Ok([a, b, c, d, e]) => {
            return Test::new(move |r| a.run(r) && b.run(r) && c.run(r) && d.run(r) && e.run(r))
        }
        Err(items) => items,
    };
    let items = match <[Test; 6]>::try_from(items) {
        Ok([a, b, c, d, e, f]) => {
            return Test::new(move |r| {
                a.run(r) && b.run(r) && c.run(r) && d.run(r) && e.run(r) && f.run(r)
            })
        }
        Err(items) => items,
    };
    Test::new(move |r| items.iter().all(|t| t.run(r)))
}

/// `or`: short-circuits left to right; like [`all`] for two to four operands.
fn any(items: Vec<Test>) -> Test {
    let items = match <[Test; 2]>::try_from(items) {
        Ok([a, b]) => return Test::new(move |r| a.run(r) || b.run(r)),
        Err(items) => items,
    };
    let items = match <[Test; 3]>::try_from(items) {
        Ok([a, b, c]) => return Test::new(move |r| a.run(r) || b.run(r) || c.run(r)),
        Err(items) => items,
    };
    let items = match <[Test; 4]>::try_from(items) {
        Ok([a, b, c, d]) => {
            return Test::new(move |r| a.run(r) || b.run(r) || c.run(r) || d.run(r))
        }
        Err(items) => items,
    };
    Test::new(move |r| items.iter().any(|t| t.run(r)))
}
