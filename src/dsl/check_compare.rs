//! Typing of the comparison operators: which pairs of types each one accepts, locale
//! literals normalised to canonical case, regexes compiled once here.

use super::ast::{CompareOp, Expr, ExprKind, Span};
use super::check::{typed, Checker};
use super::diagnostic::Problem;
use super::ir::{Cmp, Const, Node, TextOp, Typed, Var};
use super::{canonical_locale, Type};

/// A regex may compile to at most this many bytes, so a hostile pattern cannot eat memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

pub(crate) fn comparable(a: Type, b: Type) -> bool {
    a == b || (a.is_number() && b.is_number()) || (a.is_text() && b.is_text())
}

impl Checker<'_> {
    pub fn compare(&mut self, op: CompareOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let null_side = [lhs, rhs]
            .into_iter()
            .position(|e| e.kind == ExprKind::Null);
        if let Some(side) = null_side {
            let other = if side == 0 { rhs } else { lhs };
            let text = self.describe(other.span);
            let help = match op {
                CompareOp::Ne => format!("to require the data, write exists({text})"),
                _ => format!("to test for missing data, write not exists({text})"),
            };
            let _ = self.expr(other);
            let problem = Problem::new(span, "a comparison with null is always false");
            return self.report(problem.help(help));
        }
        match op {
            CompareOp::In => self.membership(lhs, rhs, false, span),
            CompareOp::NotIn => self.membership(lhs, rhs, true, span),
            CompareOp::Contains => self.contains(lhs, rhs, span),
            CompareOp::StartsWith => self.text_test(TextOp::StartsWith, lhs, rhs, span),
            CompareOp::EndsWith => self.text_test(TextOp::EndsWith, lhs, rhs, span),
            CompareOp::Matches => self.matches(lhs, rhs, span),
            CompareOp::Eq => self.ordering(Cmp::Eq, lhs, rhs, span),
            CompareOp::Ne => self.ordering(Cmp::Ne, lhs, rhs, span),
            CompareOp::Lt => self.ordering(Cmp::Lt, lhs, rhs, span),
            CompareOp::Le => self.ordering(Cmp::Le, lhs, rhs, span),
            CompareOp::Gt => self.ordering(Cmp::Gt, lhs, rhs, span),
            CompareOp::Ge => self.ordering(Cmp::Ge, lhs, rhs, span),
        }
    }

    /// A text literal compared with a locale, rewritten to canonical case (`"SV-se"` →
    /// `"sv-SE"`) so evaluation is an exact string comparison.
    pub(crate) fn locale_literal(&mut self, t: Typed) -> Option<Typed> {
        let Node::Const(Const::Str(text)) = &t.node else {
            return Some(t);
        };
        match canonical_locale(text) {
            Some(canonical) => typed(
                Type::Locale,
                Node::Const(Const::Str(canonical.into())),
                t.span,
            ),
            None => {
                let fixed = canonical_locale(&text.replace('_', "-"));
                let help = fixed.map_or("a locale looks like sv-SE or en".into(), |f| {
                    format!("write it as \"{f}\"")
                });
                let problem = Problem::new(t.span, format!("\"{text}\" is not a locale"));
                self.report(problem.help(help))
            }
        }
    }

    /// Whether `value` can be a value of `field`, when `field` is a product field
    /// restricted to a few values and `value` a text literal; reports it if not.
    pub(crate) fn choice(&mut self, field: &Typed, value: &Typed) -> bool {
        let (Node::Var(Var::Product(slot)), Node::Const(Const::Str(text))) =
            (&field.node, &value.node)
        else {
            return true;
        };
        let Some(values) = self.schema.choices(*slot) else {
            return true;
        };
        if values.contains(&&**text) {
            return true;
        }
        let loose = |v: &str| v.trim().to_lowercase().replace([' ', '-'], "_");
        let owned: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        let better = values
            .iter()
            .find(|v| loose(v) == loose(text))
            .map(|v| (*v).to_owned())
            .or_else(|| super::suggest_name(text, &owned));
        let name = self.describe(field.span);
        let problem = Problem::new(
            value.span,
            format!(
                "\"{text}\" is never a value of {name}: it is one of {}",
                values.join(", ")
            ),
        );
        let problem = match better {
            Some(better) => problem.help(format!("did you mean \"{better}\"?")),
            None => problem,
        };
        self.report(problem);
        false
    }

    fn mismatch(&mut self, l: &Typed, r: &Typed, span: Span) -> Option<Typed> {
        let (lt, rt) = (self.describe(l.span), self.describe(r.span));
        let message = format!("cannot compare {lt} ({}) with {rt} ({})", l.ty, r.ty);
        let problem = Problem::new(span, message);
        let number = |t: &Typed| match t.node {
            Node::Const(Const::Int(n)) => Some(n),
            _ => None,
        };
        let unitless = match (l.ty, r.ty) {
            (Type::Duration, _) => number(r),
            (_, Type::Duration) => number(l),
            _ => None,
        };
        match unitless {
            Some(n) => {
                self.report(problem.help(format!("give the number a unit, as in {n}d or {n}h")))
            }
            None => self.report(problem),
        }
    }

    fn ordering(&mut self, cmp: Cmp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (mut l, mut r) = (l?, r?);
        if l.ty == Type::Locale {
            r = self.locale_literal(r)?;
        } else if r.ty == Type::Locale {
            l = self.locale_literal(l)?;
        }
        if matches!(l.ty, Type::List(_)) || matches!(r.ty, Type::List(_)) {
            let problem = Problem::new(span, "lists cannot be compared with == or <");
            return self.report(problem.help("use in, not in or contains with a list"));
        }
        if !comparable(l.ty, r.ty) {
            return self.mismatch(&l, &r, span);
        }
        if matches!(cmp, Cmp::Eq | Cmp::Ne) && !(self.choice(&l, &r) && self.choice(&r, &l)) {
            return None;
        }
        let ordered = matches!(
            l.ty,
            Type::Int | Type::Decimal | Type::Duration | Type::Timestamp
        );
        if !ordered && !matches!(cmp, Cmp::Eq | Cmp::Ne) {
            let text = self.describe(l.span);
            let problem = Problem::new(span, format!("{text} is {}, which has no order", l.ty));
            let help = match l.ty {
                Type::Bool => "use == or !=".to_owned(),
                _ => "use ==, !=, in, contains, starts with, ends with or matches".to_owned(),
            };
            return self.report(problem.help(help));
        }
        typed(
            Type::Bool,
            Node::Compare(cmp, Box::new(l), Box::new(r)),
            span,
        )
    }

    fn text_test(&mut self, op: TextOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (l, r) = (l?, r?);
        if !l.ty.is_text() || !r.ty.is_text() {
            let word = if op == TextOp::StartsWith {
                "starts with"
            } else {
                "ends with"
            };
            let bad = if l.ty.is_text() { &r } else { &l };
            let text = self.describe(bad.span);
            let message = format!("{word} works on text, but {text} is {}", bad.ty);
            return self.report(Problem::new(bad.span, message));
        }
        typed(Type::Bool, Node::Text(op, Box::new(l), Box::new(r)), span)
    }

    fn matches(&mut self, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let l = self.expr(lhs);
        let ExprKind::Str(pattern) = &rhs.kind else {
            let problem = Problem::new(rhs.span, "matches needs a regular expression in quotes");
            return self.report(problem.help("as in sku matches \"^SKU-\\d+$\""));
        };
        let regex = regex::RegexBuilder::new(pattern)
            .case_insensitive(l.as_ref().is_some_and(|l| l.ty == Type::Locale))
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build();
        let regex = match regex {
            Ok(regex) => regex,
            Err(error) => return self.report(regex_problem(&error, rhs.span)),
        };
        let l = l?;
        if !l.ty.is_text() {
            let text = self.describe(l.span);
            let message = format!("matches works on text, but {text} is {}", l.ty);
            return self.report(Problem::new(l.span, message));
        }
        typed(Type::Bool, Node::Matches(Box::new(l), regex), span)
    }
}

fn regex_problem(error: &regex::Error, span: Span) -> Problem {
    let detail = match error {
        regex::Error::CompiledTooBig(_) => "it is too large".to_owned(),
        other => {
            let text = other.to_string();
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            last.trim().trim_start_matches("error: ").to_owned()
        }
    };
    Problem::new(span, format!("invalid regular expression: {detail}"))
}
