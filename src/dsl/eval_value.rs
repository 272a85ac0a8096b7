//! Reading values: record fields by slot, constants, and arithmetic that yields null on
//! overflow or division by zero instead of panicking.

use super::eval::{Arith, Val};
use super::value::Scalar;
use super::{Decimal, Record, Value};

impl Val {
    #[inline]
    pub(crate) fn get<'a>(&'a self, r: &Record<'a>) -> Scalar<'a> {
        match self {
            Val::Const(v) => v.scalar(),
            Val::Quantity => Scalar::Int(r.quantity),
            Val::Sku => Scalar::Str(r.sku),
            Val::Locale => Scalar::Str(r.locale),
            Val::ExternalId => r.external_id.map_or(Scalar::Null, Scalar::Str),
            Val::Now => Scalar::Timestamp(r.now),
            Val::CreatedOn => Scalar::Timestamp(r.subscription_created_on),
            Val::Age => r
                .now
                .since(r.subscription_created_on)
                .map_or(Scalar::Null, Scalar::Duration),
            Val::Email => r.contact_email.map_or(Scalar::Null, Scalar::Str),
            Val::ContactLocale => r.contact_locale.map_or(Scalar::Null, Scalar::Str),
            Val::Product(slot) => r.product.get(*slot).map_or(Scalar::Null, Value::scalar),
            Val::Attribute(slot) => r
                .contact_attributes
                .get(*slot)
                .map_or(Scalar::Null, Value::scalar),
            Val::Neg(v) => negate(v.get(r)),
            Val::Arith(op, a, b) => arith(*op, a.get(r), b.get(r)),
            Val::Cond(test) => Scalar::Bool(test.run(r)),
        }
    }
}

fn negate(v: Scalar<'_>) -> Scalar<'static> {
    let negated = match v {
        Scalar::Int(i) => i.checked_neg().map(Scalar::Int),
        Scalar::Decimal(d) => d.checked_neg().map(Scalar::Decimal),
        Scalar::Duration(d) => d.checked_neg().map(Scalar::Duration),
        _ => None,
    };
    negated.unwrap_or(Scalar::Null)
}

fn decimal(v: Scalar<'_>) -> Option<Decimal> {
    match v {
        Scalar::Decimal(d) => Some(d),
        Scalar::Int(i) => Decimal::from_int(i),
        _ => None,
    }
}

/// Applies an operator whose operand types the checker fixed; anything else (a missing
/// value, a slot of the wrong type, an overflow) is null.
pub(crate) fn arith(op: Arith, a: Scalar<'_>, b: Scalar<'_>) -> Scalar<'static> {
    use Scalar as S;
    let result = match (op, a, b) {
        (Arith::IntAdd, S::Int(x), S::Int(y)) => x.checked_add(y).map(S::Int),
        (Arith::IntSub, S::Int(x), S::Int(y)) => x.checked_sub(y).map(S::Int),
        (Arith::IntMul, S::Int(x), S::Int(y)) => x.checked_mul(y).map(S::Int),
        (Arith::DecAdd | Arith::DecSub | Arith::DecMul | Arith::DecDiv, x, y) => {
            let (Some(x), Some(y)) = (decimal(x), decimal(y)) else {
                return S::Null;
            };
            let d = match op {
                Arith::DecAdd => x.checked_add(y),
                Arith::DecSub => x.checked_sub(y),
                Arith::DecMul => x.checked_mul(y),
                _ => x.checked_div(y),
            };
            d.map(S::Decimal)
        }
        (Arith::DurAdd, S::Duration(x), S::Duration(y)) => x.checked_add(y).map(S::Duration),
        (Arith::DurSub, S::Duration(x), S::Duration(y)) => x.checked_sub(y).map(S::Duration),
        (Arith::DurMul, S::Duration(d), S::Int(n)) | (Arith::DurMul, S::Int(n), S::Duration(d)) => {
            d.checked_mul(n).map(S::Duration)
        }
        (Arith::DurDiv, S::Duration(d), S::Int(n)) => d.checked_div(n).map(S::Duration),
        (Arith::TsDiff, S::Timestamp(x), S::Timestamp(y)) => x.since(y).map(S::Duration),
        (Arith::TsAdd, S::Timestamp(t), S::Duration(d))
        | (Arith::TsAdd, S::Duration(d), S::Timestamp(t)) => t.checked_add(d).map(S::Timestamp),
        (Arith::TsSub, S::Timestamp(t), S::Duration(d)) => t.checked_sub(d).map(S::Timestamp),
        _ => None,
    };
    result.unwrap_or(S::Null)
}

impl Scalar<'_> {
    /// An owned copy, for constants folded at compile time.
    pub(crate) fn to_value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Decimal(d) => Value::Decimal(d),
            Scalar::Str(s) => Value::Str(s.into()),
            Scalar::Duration(d) => Value::Duration(d),
            Scalar::Timestamp(t) => Value::Timestamp(t),
            Scalar::List(items) => Value::List(items.into()),
        }
    }
}
