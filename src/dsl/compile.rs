//! The checked tree → the evaluator: operators specialised by type, constant sets built,
//! constant arithmetic folded, `and`/`or` flattened.

use super::ast::ArithOp;
use super::eval::{Arith, Pred, StrSet, Val};
use super::eval_cmp::ConstCmp;
use super::ir::{Cmp, Const, Node, Typed, Var};
use super::{Decimal, Record, Type};

/// Lowers a checked condition (of type true/false).
pub(crate) fn predicate(t: Typed) -> Pred {
    match t.node {
        Node::Const(Const::Bool(b)) => Pred::Const(b),
        Node::And(items) => flatten(items, true),
        Node::Or(items) => flatten(items, false),
        Node::Not(inner) => match predicate(*inner) {
            Pred::Const(b) => Pred::Const(!b),
            Pred::Not(p) => *p,
            p => Pred::Not(Box::new(p)),
        },
        Node::Exists(var) => Pred::Exists(variable(var)),
        Node::Purchased(within) => Pred::Purchased(within),
        Node::Compare(cmp, l, r) => compare(cmp, *l, *r),
        Node::InSet { item, set, negated } => in_set(*item, set, negated),
        Node::InList {
            item,
            list,
            negated,
        } => Pred::InList {
            item: value(*item),
            list: value(*list),
            negated,
        },
        Node::Text(op, l, r) => {
            let ignore_case = l.ty == Type::Locale || r.ty == Type::Locale;
            Pred::Text {
                op,
                ignore_case,
                lhs: value(*l),
                rhs: value(*r),
            }
        }
        Node::Matches(v, regex) => Pred::Matches(value(*v), regex),
        node => Pred::IsTrue(value(Typed { node, ..t })),
    }
}

/// `and` of `and`s becomes one `and`; `true` operands drop out; a `false` one decides.
fn flatten(items: Vec<Typed>, and: bool) -> Pred {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match predicate(item) {
            Pred::Const(b) if b == and => {}
            Pred::Const(b) => return Pred::Const(b),
            Pred::And(inner) if and => out.extend(inner.into_vec()),
            Pred::Or(inner) if !and => out.extend(inner.into_vec()),
            p => out.push(p),
        }
    }
    match out.len() {
        0 => Pred::Const(and),
        1 => out.pop().unwrap_or(Pred::Const(and)),
        _ if and => Pred::And(out.into_boxed_slice()),
        _ => Pred::Or(out.into_boxed_slice()),
    }
}

fn compare(cmp: Cmp, l: Typed, r: Typed) -> Pred {
    let literal = |t: &Typed| matches!(t.node, Node::Const(_));
    let locale_vs_text = (l.ty == Type::Locale) != (r.ty == Type::Locale);
    if locale_vs_text && !literal(&l) && !literal(&r) {
        let negated = cmp == Cmp::Ne;
        return Pred::EqIgnoreCase {
            lhs: value(l),
            rhs: value(r),
            negated,
        };
    }
    // The constant on the right: `5 < quantity` is `quantity > 5`.
    let (l, cmp, r) = if literal(&l) && !literal(&r) {
        (r, flip(cmp), l)
    } else {
        (l, cmp, r)
    };
    if literal(&r) && !literal(&l) {
        let ty = l.ty;
        if let Node::Const(k) = r.node {
            return match specialise(value(l), ty, cmp, k) {
                Ok(c) => Pred::CompareConst(c),
                Err((lhs, k)) => Pred::Compare(cmp, lhs, Val::Const(k.into_value())),
            };
        }
        return Pred::Compare(cmp, value(l), value(r));
    }
    Pred::Compare(cmp, value(l), value(r))
}

fn flip(cmp: Cmp) -> Cmp {
    match cmp {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        same => same,
    }
}

/// The constant converted to the field's own representation, when there is one.
fn specialise(lhs: Val, ty: Type, cmp: Cmp, k: Const) -> Result<ConstCmp, (Val, Const)> {
    let equality = matches!(cmp, Cmp::Eq | Cmp::Ne);
    let negated = cmp == Cmp::Ne;
    Ok(match (ty, k) {
        (Type::Int, Const::Int(k)) => ConstCmp::Int(lhs, cmp, k),
        (Type::Decimal, Const::Decimal(k)) => ConstCmp::Decimal(lhs, cmp, k),
        (Type::Decimal, Const::Int(i)) => match Decimal::from_int(i) {
            Some(k) => ConstCmp::Decimal(lhs, cmp, k),
            None => return Err((lhs, Const::Int(i))),
        },
        (Type::Duration, Const::Duration(k)) => ConstCmp::Duration(lhs, cmp, k),
        (Type::Timestamp, Const::Timestamp(k)) => ConstCmp::Timestamp(lhs, cmp, k),
        (Type::Bool, Const::Bool(value)) if equality => ConstCmp::Bool {
            lhs,
            value,
            negated,
        },
        (Type::String | Type::Locale, Const::Str(value)) if equality => ConstCmp::Str {
            lhs,
            value,
            negated,
        },
        (_, k) => return Err((lhs, k)),
    })
}

fn in_set(item: Typed, set: Vec<Const>, negated: bool) -> Pred {
    let texts: Option<Vec<Box<str>>> = set
        .iter()
        .map(|c| match c {
            Const::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let item = value(item);
    match texts {
        Some(texts) => Pred::InStrs {
            item,
            set: StrSet::new(texts),
            negated,
        },
        None => {
            let set = set.into_iter().map(Const::into_value).collect();
            Pred::InValues { item, set, negated }
        }
    }
}

fn variable(var: Var) -> Val {
    match var {
        Var::Quantity => Val::Quantity,
        Var::Sku => Val::Sku,
        Var::Locale => Val::Locale,
        Var::ExternalId => Val::ExternalId,
        Var::Now => Val::Now,
        Var::CreatedOn => Val::CreatedOn,
        Var::Age => Val::Age,
        Var::Email => Val::Email,
        Var::ContactLocale => Val::ContactLocale,
        Var::Product(slot) => Val::Product(slot),
        Var::Attribute(slot) => Val::Attribute(slot),
    }
}

/// Lowers a value-typed node.
fn value(t: Typed) -> Val {
    let ty = t.ty;
    match t.node {
        Node::Const(c) => Val::Const(c.into_value()),
        Node::Var(var) => variable(var),
        Node::Neg(inner) => fold(Val::Neg(Box::new(value(*inner)))),
        Node::Arith(op, l, r) => {
            let kind = arith_kind(op, l.ty, r.ty, ty);
            fold(Val::Arith(kind, Box::new(value(*l)), Box::new(value(*r))))
        }
        // A condition used as a value, as in `(a and b) == true`.
        node => Val::Cond(super::lower::test(predicate(Typed { node, ..t }))),
    }
}

/// Evaluates an operator whose operands are constants once, now.
fn fold(v: Val) -> Val {
    let constant = |v: &Val| matches!(v, Val::Const(_));
    let foldable = match &v {
        Val::Neg(a) => constant(a),
        Val::Arith(_, a, b) => constant(a) && constant(b),
        _ => false,
    };
    if foldable {
        Val::Const(v.get(&Record::default()).to_value())
    } else {
        v
    }
}

fn arith_kind(op: ArithOp, l: Type, r: Type, result: Type) -> Arith {
    match (result, op) {
        (Type::Int, ArithOp::Add) => Arith::IntAdd,
        (Type::Int, ArithOp::Sub) => Arith::IntSub,
        (Type::Int, _) => Arith::IntMul,
        (Type::Decimal, ArithOp::Add) => Arith::DecAdd,
        (Type::Decimal, ArithOp::Sub) => Arith::DecSub,
        (Type::Decimal, ArithOp::Mul) => Arith::DecMul,
        (Type::Decimal, ArithOp::Div) => Arith::DecDiv,
        (Type::Duration, _) if l == Type::Timestamp => Arith::TsDiff,
        (Type::Duration, ArithOp::Add) => Arith::DurAdd,
        (Type::Duration, ArithOp::Sub) => Arith::DurSub,
        (Type::Duration, ArithOp::Mul) => Arith::DurMul,
        (Type::Duration, ArithOp::Div) => Arith::DurDiv,
        (_, ArithOp::Sub) if r == Type::Duration => Arith::TsSub,
        _ => Arith::TsAdd,
    }
}
