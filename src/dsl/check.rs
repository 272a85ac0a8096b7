//! The type checker: resolves every name, types every node, and reports every problem it
//! finds (not just the first), so a typo fails when the rule loads, not at 3 a.m.

use super::ast::{ArithOp, Expr, ExprKind, Span};
use super::diagnostic::Problem;
use super::ir::{Const, Node, Typed, Var};
use super::{resolve, Field, Schema, Type};

pub(crate) struct Checker<'a> {
    pub source: &'a str,
    pub schema: &'a Schema,
    pub problems: Vec<Problem>,
    pub references: Vec<Field>,
}

/// Checks a whole condition, which must be true or false.
pub(crate) fn check(
    expr: &Expr,
    source: &str,
    schema: &Schema,
) -> Result<(Typed, Vec<Field>), Vec<Problem>> {
    let mut checker = Checker {
        source,
        schema,
        problems: Vec::new(),
        references: Vec::new(),
    };
    let typed = checker.boolean(expr, "a condition");
    match typed {
        Some(typed) if checker.problems.is_empty() => Ok((typed, checker.references)),
        _ => Err(checker.problems),
    }
}

pub(crate) fn typed(ty: Type, node: Node, span: Span) -> Option<Typed> {
    Some(Typed { ty, node, span })
}

impl Checker<'_> {
    pub fn report(&mut self, problem: Problem) -> Option<Typed> {
        self.problems.push(problem);
        None
    }

    /// How to name an expression in a message: its own text when short.
    pub fn describe(&self, span: Span) -> String {
        let text = self.source.get(span.start..span.end).unwrap_or("").trim();
        if !text.is_empty() && text.chars().count() <= 40 && !text.contains('\n') {
            text.to_owned()
        } else {
            "this expression".to_owned()
        }
    }

    fn refer(&mut self, field: Field) {
        if !self.references.contains(&field) {
            self.references.push(field);
        }
    }

    /// An expression that must be true or false (`what` names its role in messages).
    pub fn boolean(&mut self, expr: &Expr, what: &str) -> Option<Typed> {
        let typed = self.expr(expr)?;
        if typed.ty == Type::Bool {
            return Some(typed);
        }
        let text = self.describe(expr.span);
        let problem = Problem::new(
            expr.span,
            format!("{what} must be true or false, but {text} is {}", typed.ty),
        );
        let help = match typed.ty {
            Type::Int | Type::Decimal => format!("compare it, as in {text} > 0"),
            Type::List(_) => format!("test it, as in {text} contains \"sale\""),
            _ => format!("compare it, as in exists({text}) or {text} == …"),
        };
        self.report(problem.help(help))
    }

    pub fn expr(&mut self, expr: &Expr) -> Option<Typed> {
        let span = expr.span;
        let constant = |c: Const, ty: Type| typed(ty, Node::Const(c), span);
        match &expr.kind {
            ExprKind::Int(i) => constant(Const::Int(*i), Type::Int),
            ExprKind::Decimal(d) => constant(Const::Decimal(*d), Type::Decimal),
            ExprKind::Str(s) => constant(Const::Str(s.as_str().into()), Type::String),
            ExprKind::Bool(b) => constant(Const::Bool(*b), Type::Bool),
            ExprKind::Duration(d) => constant(Const::Duration(*d), Type::Duration),
            ExprKind::Timestamp(t) => constant(Const::Timestamp(*t), Type::Timestamp),
            ExprKind::Null => self.report(null_value(span)),
            ExprKind::Now => {
                self.refer(Field::Now);
                typed(Type::Timestamp, Node::Var(Var::Now), span)
            }
            ExprKind::List(_) => self.report(
                Problem::new(span, "a list can only follow in or not in")
                    .help("as in locale in [\"sv-SE\", \"fi-FI\"]"),
            ),
            ExprKind::Field(path) => match resolve::resolve(path, self.schema) {
                Ok((var, ty, field)) => {
                    self.refer(field);
                    typed(ty, Node::Var(var), span)
                }
                Err(problem) => self.report(problem),
            },
            ExprKind::Exists(path) => match resolve::resolve(path, self.schema) {
                Ok((var, _, field)) => {
                    self.refer(field);
                    typed(Type::Bool, Node::Exists(var), span)
                }
                Err(problem) => self.report(problem),
            },
            ExprKind::Purchased(within) => {
                self.refer(Field::Purchased);
                typed(Type::Bool, Node::Purchased(*within), span)
            }
            ExprKind::Not(inner) => {
                let inner = self.boolean(inner, "the operand of not")?;
                typed(Type::Bool, Node::Not(Box::new(inner)), span)
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let word = if matches!(expr.kind, ExprKind::And(_)) {
                    "and"
                } else {
                    "or"
                };
                let what = format!("each side of {word}");
                let checked: Vec<_> = items.iter().map(|e| self.boolean(e, &what)).collect();
                let checked: Vec<Typed> = checked.into_iter().collect::<Option<_>>()?;
                let node = if word == "and" {
                    Node::And(checked)
                } else {
                    Node::Or(checked)
                };
                typed(Type::Bool, node, span)
            }
            ExprKind::Neg(inner) => {
                let inner = self.expr(inner)?;
                match inner.ty {
                    Type::Int | Type::Decimal | Type::Duration => {
                        typed(inner.ty, Node::Neg(Box::new(inner)), span)
                    }
                    ty => {
                        let text = self.describe(inner.span);
                        self.report(Problem::new(
                            span,
                            format!("cannot negate {text}, which is {ty}"),
                        ))
                    }
                }
            }
            ExprKind::Arith(op, lhs, rhs) => self.arith(*op, lhs, rhs, span),
            ExprKind::Compare(op, lhs, rhs) => self.compare(*op, lhs, rhs, span),
        }
    }

    fn arith(&mut self, op: ArithOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Typed> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        let (l, r) = (l?, r?);
        use Type::*;
        let ty = match (l.ty, op, r.ty) {
            (Int, ArithOp::Add | ArithOp::Sub | ArithOp::Mul, Int) => Some(Int),
            (a, _, b) if a.is_number() && b.is_number() => Some(Decimal),
            (Duration, ArithOp::Add | ArithOp::Sub, Duration) => Some(Duration),
            (Timestamp, ArithOp::Sub, Timestamp) => Some(Duration),
            (Timestamp, ArithOp::Add | ArithOp::Sub, Duration) => Some(Timestamp),
            (Duration, ArithOp::Add, Timestamp) => Some(Timestamp),
            (Duration, ArithOp::Mul | ArithOp::Div, Int) | (Int, ArithOp::Mul, Duration) => {
                Some(Duration)
            }
            _ => None,
        };
        let Some(ty) = ty else {
            let verb = match op {
                ArithOp::Add => "add",
                ArithOp::Sub => "subtract",
                ArithOp::Mul => "multiply",
                ArithOp::Div => "divide",
            };
            let (lt, rt) = (self.describe(lhs.span), self.describe(rhs.span));
            let message = format!("cannot {verb} {lt} ({}) and {rt} ({})", l.ty, r.ty);
            return self.report(Problem::new(span, message).help(
                "arithmetic works on numbers, on durations, and on timestamps with durations",
            ));
        };
        let zero = matches!(
            r.node,
            Node::Const(Const::Int(0)) | Node::Const(Const::Decimal(super::Decimal::ZERO))
        );
        if op == ArithOp::Div && zero {
            return self.report(Problem::new(rhs.span, "division by zero"));
        }
        typed(ty, Node::Arith(op, Box::new(l), Box::new(r)), span)
    }
}

pub(crate) fn null_value(span: Span) -> Problem {
    Problem::new(
        span,
        "null is not a value you can use: missing data is never equal to anything",
    )
    .help("test for missing data with exists(x) or not exists(x)")
}
