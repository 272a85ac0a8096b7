//! Typing of the list operators: `in` / `not in` a list of constants or a list field,
//! and `contains` on a list.

use super::ast::{Expr, ExprKind, Span};
use super::check::{typed, Checker};
use super::check_compare::comparable;
use super::diagnostic::Problem;
use super::ir::{Const, Node, TextOp, Typed};
use super::Type;

impl Checker<'_> {
    pub(crate) fn membership(
        &mut self,
        lhs: &Expr,
        rhs: &Expr,
        negated: bool,
        span: Span,
    ) -> Option<Typed> {
        let item = self.expr(lhs);
        let ExprKind::List(items) = &rhs.kind else {
            let (item, list) = (item?, self.expr(rhs)?);
            return self.in_list(item, list, negated, span);
        };
        if items.is_empty() {
            return self.report(Problem::new(
                rhs.span,
                "this list is empty, so it can never match",
            ));
        }
        let consts: Vec<Option<Typed>> = items.iter().map(|e| self.list_item(e)).collect();
        let item = item?;
        if matches!(item.ty, Type::List(_)) {
            let text = self.describe(item.span);
            let problem = Problem::new(lhs.span, format!("{text} is a list"));
            return self.report(problem.help(format!("use {text} contains … to test its items")));
        }
        let mut set = Vec::with_capacity(consts.len());
        for c in consts {
            let Some(mut c) = c else { continue };
            if item.ty == Type::Locale {
                let Some(normalised) = self.locale_literal(c) else {
                    continue;
                };
                c = normalised;
            }
            if !comparable(item.ty, c.ty) {
                let (it, ct) = (self.describe(item.span), self.describe(c.span));
                let message = format!("{ct} is {}, but {it} is {}", c.ty, item.ty);
                self.report(Problem::new(c.span, message));
                continue;
            }
            if !self.choice(&item, &c) {
                continue;
            }
            if let Node::Const(value) = c.node {
                set.push(value);
            }
        }
        if set.len() != items.len() {
            return None;
        }
        typed(
            Type::Bool,
            Node::InSet {
                item: Box::new(item),
                set,
                negated,
            },
            span,
        )
    }

    /// A fixed list item: a literal, or a negated number or duration.
    fn list_item(&mut self, e: &Expr) -> Option<Typed> {
        let fixed = match &e.kind {
            ExprKind::Neg(inner) => {
                matches!(
                    inner.kind,
                    ExprKind::Int(_) | ExprKind::Decimal(_) | ExprKind::Duration(_)
                )
            }
            ExprKind::Null => return self.report(super::check::null_value(e.span)),
            kind => matches!(
                kind,
                ExprKind::Int(_)
                    | ExprKind::Decimal(_)
                    | ExprKind::Str(_)
                    | ExprKind::Bool(_)
                    | ExprKind::Duration(_)
                    | ExprKind::Timestamp(_)
            ),
        };
        if !fixed {
            let problem = Problem::new(e.span, "list items must be fixed values");
            return self.report(problem.help("such as \"sv-SE\", 5 or 30d"));
        }
        let t = self.expr(e)?;
        let Node::Neg(inner) = t.node else {
            return Some(t);
        };
        let negated = match inner.node {
            Node::Const(Const::Int(i)) => Const::Int(-i),
            Node::Const(Const::Decimal(d)) => Const::Decimal(d.checked_neg()?),
            Node::Const(Const::Duration(d)) => Const::Duration(d.checked_neg()?),
            _ => return None,
        };
        typed(t.ty, Node::Const(negated), t.span)
    }

    pub(crate) fn in_list(
        &mut self,
        item: Typed,
        list: Typed,
        negated: bool,
        span: Span,
    ) -> Option<Typed> {
        let Type::List(elem) = list.ty else {
            let text = self.describe(list.span);
            let problem = Problem::new(
                list.span,
                format!("in needs a list, but {text} is {}", list.ty),
            );
            return self.report(
                problem.help("write the values in brackets, as in [\"sv-SE\", \"fi-FI\"]"),
            );
        };
        if !comparable(item.ty, elem.item()) {
            let (it, lt) = (self.describe(item.span), self.describe(list.span));
            let message = format!(
                "{lt} is {}, so it cannot contain {it} ({})",
                list.ty, item.ty
            );
            return self.report(Problem::new(span, message));
        }
        let node = Node::InList {
            item: Box::new(item),
            list: Box::new(list),
            negated,
        };
        typed(Type::Bool, node, span)
    }

    pub(crate) fn contains(&mut self, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (l, r) = (l?, r?);
        match l.ty {
            Type::List(_) => self.in_list(r, l, false, span),
            ty if ty.is_text() && r.ty.is_text() => typed(
                Type::Bool,
                Node::Text(TextOp::Contains, Box::new(l), Box::new(r)),
                span,
            ),
            _ => {
                let (lt, rt) = (self.describe(l.span), self.describe(r.span));
                let message = format!("{lt} ({}) cannot contain {rt} ({})", l.ty, r.ty);
                self.report(Problem::new(span, message).help("contains works on text and lists"))
            }
        }
    }
}
