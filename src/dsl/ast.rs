//! The syntax tree, exactly as written: names unresolved, types unchecked.

use std::fmt;

use super::{Decimal, Duration, Timestamp};

/// A byte range in the condition's source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// One node of the tree, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// A dotted name such as `product.price`, or `product["product_tags[0]"]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// `["product", "price"]`; a quoted segment holds its text, escapes resolved.
    pub segments: Vec<String>,
    /// Brackets were written without quotes (`product.tags[0]`): each bracket is part of
    /// the segment before it, and the checker asks for the quoted form.
    pub unquoted_brackets: bool,
    /// Where it is.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `5`
    Int(i64),
    /// `19.99`
    Decimal(Decimal),
    /// `"sv-SE"` (escapes resolved)
    Str(String),
    /// `true`
    Bool(bool),
    /// `null`
    Null,
    /// `30d`
    Duration(Duration),
    /// `2024-05-01T00:00:00Z`
    Timestamp(Timestamp),
    /// `now`
    Now,
    /// `["sv-SE", "en-US"]`
    List(Vec<Expr>),
    /// `product.price`
    Field(Path),
    /// `exists(product.price)`
    Exists(Path),
    /// `purchased`, `purchased(within 30d)`
    Purchased(Option<Duration>),
    /// `not x`
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `a and b and c`, flattened
    And(Vec<Expr>),
    /// `a or b or c`, flattened
    Or(Vec<Expr>),
    /// `a + b`
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `a < b`
    Compare(CompareOp, Box<Expr>, Box<Expr>),
}

/// `+ - * /`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// The comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `contains`
    Contains,
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `matches`
    Matches,
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        };
        f.write_str(s)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::In => "in",
            CompareOp::NotIn => "not in",
            CompareOp::Contains => "contains",
            CompareOp::StartsWith => "starts with",
            CompareOp::EndsWith => "ends with",
            CompareOp::Matches => "matches",
        };
        f.write_str(s)
    }
}

impl fmt::Display for Path {
    /// As a condition writes it: `product.price`, `product["product_tags[0]"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((first, rest)) = self.segments.split_first() else {
            return Ok(());
        };
        if self.unquoted_brackets {
            return f.write_str(&self.segments.join("."));
        }
        let mut text = first.clone();
        for segment in rest {
            text = super::field_path(&text, segment);
        }
        f.write_str(&text)
    }
}

impl fmt::Display for Expr {
    /// A compact S-expression, `(and (>= quantity 5) (not purchased))`, so tests can state
    /// a whole tree in one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, head: &str, items: &[Expr]| {
            write!(f, "({head}")?;
            items.iter().try_for_each(|e| write!(f, " {e}"))?;
            f.write_str(")")
        };
        match &self.kind {
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Decimal(d) => write!(f, "{d}"),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Duration(d) => write!(f, "{d}"),
            ExprKind::Timestamp(t) => write!(f, "{t}"),
            ExprKind::Now => f.write_str("now"),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, e) in items.iter().enumerate() {
                    write!(f, "{}{e}", if i == 0 { "" } else { " " })?;
                }
                f.write_str("]")
            }
            ExprKind::Field(p) => write!(f, "{p}"),
            ExprKind::Exists(p) => write!(f, "(exists {p})"),
            ExprKind::Purchased(None) => f.write_str("purchased"),
            ExprKind::Purchased(Some(d)) => write!(f, "(purchased {d})"),
            ExprKind::Not(e) => write!(f, "(not {e})"),
            ExprKind::Neg(e) => write!(f, "(- {e})"),
            ExprKind::And(items) => list(f, "and", items),
            ExprKind::Or(items) => list(f, "or", items),
            ExprKind::Arith(op, l, r) => write!(f, "({op} {l} {r})"),
            ExprKind::Compare(op, l, r) => write!(f, "({op} {l} {r})"),
        }
    }
}
