//! Source text → syntax tree: one `parse_*` function per grammar rule, precedence by
//! pest's Pratt parser, depth bounded as the tree grows.

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{pratt_precedence, Assoc, ConstPrattParser, Op};
use pest::Parser as _;

use super::ast::{ArithOp, CompareOp, Expr, ExprKind, Path, Span};
use super::diagnostic::{Diagnostic, Diagnostics, Origin, Problem};
use super::limits::{self, MAX_DEPTH};
use super::{literal, syntax_error};

#[derive(pest_derive::Parser)]
#[grammar = "dsl/grammar.pest"]
pub(crate) struct Grammar;

/// An expression and the depth of its tree.
type Node = (Expr, u32);
type Parsed<T> = Result<T, Problem>;

static LOGIC: ConstPrattParser<Rule, 3> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::or_op, Assoc::Left),
    Op::infix(Rule::and_op, Assoc::Left),
    Op::prefix(Rule::not_op),
]);

static ARITH: ConstPrattParser<Rule, 5> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left),
    Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left),
    Op::prefix(Rule::neg_op),
]);

/// Parses a condition into its syntax tree without resolving names or checking types —
/// for tools (formatters, editors) and tests. Most callers want
/// [`Condition::compile`](super::Condition::compile).
pub fn parse(source: &str) -> Result<Expr, Diagnostics> {
    parse_source(source).map_err(|problem| {
        let origin = Origin::default();
        Diagnostics::new(vec![Diagnostic::from_problem(problem, source, &origin)])
    })
}

/// Parses a condition into its syntax tree, or the first syntax error.
pub(crate) fn parse_source(source: &str) -> Parsed<Expr> {
    limits::check_source(source)?;
    let mut pairs = Grammar::parse(Rule::condition, source)
        .map_err(|error| syntax_error::describe(&error, source))?;
    let condition = pairs
        .next()
        .ok_or_else(|| Problem::new(Span::default(), "empty input"))?;
    parse_condition(condition)
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

fn node(kind: ExprKind, span: Span, depth: u32) -> Parsed<Node> {
    if depth > MAX_DEPTH {
        return Err(limits::too_deep(span));
    }
    Ok((Expr { kind, span }, depth))
}

fn parse_condition(pair: Pair<'_, Rule>) -> Parsed<Expr> {
    let logic = pair.into_inner().find(|p| p.as_rule() == Rule::logic);
    let logic = logic.ok_or_else(|| Problem::new(Span::default(), "empty condition"))?;
    parse_logic(logic).map(|(expr, _)| expr)
}

/// A run of prefix operators recurses once per operator in the Pratt parser; refuse long
/// runs before they get there.
fn check_prefix_runs(pairs: Pairs<'_, Rule>, prefix: Rule) -> Parsed<()> {
    let mut run = 0;
    for pair in pairs {
        run = if pair.as_rule() == prefix { run + 1 } else { 0 };
        if run > MAX_DEPTH {
            return Err(limits::too_deep(span(&pair)));
        }
    }
    Ok(())
}

fn parse_logic(pair: Pair<'_, Rule>) -> Parsed<Node> {
    check_prefix_runs(pair.clone().into_inner(), Rule::not_op)?;
    LOGIC
        .map_primary(parse_comparison)
        .map_prefix(|op, rhs| {
            let (rhs, depth) = rhs?;
            let whole = span(&op).to(rhs.span);
            node(ExprKind::Not(Box::new(rhs)), whole, depth + 1)
        })
        .map_infix(|lhs, op, rhs| join_logic(lhs?, op.as_rule() == Rule::and_op, rhs?))
        .parse(pair.into_inner())
}

/// `a and b and c` becomes one `And` with three operands, so long chains stay shallow.
fn join_logic((lhs, ld): Node, and: bool, (rhs, rd): Node) -> Parsed<Node> {
    let whole = lhs.span.to(rhs.span);
    match (lhs.kind, and) {
        (ExprKind::And(mut items), true) | (ExprKind::Or(mut items), false) => {
            items.push(rhs);
            let kind = if and {
                ExprKind::And(items)
            } else {
                ExprKind::Or(items)
            };
            node(kind, whole, ld.max(rd + 1))
        }
        (kind, _) => {
            let items = vec![
                Expr {
                    kind,
                    span: lhs.span,
                },
                rhs,
            ];
            let kind = if and {
                ExprKind::And(items)
            } else {
                ExprKind::Or(items)
            };
            node(kind, whole, ld.max(rd) + 1)
        }
    }
}

fn parse_comparison(pair: Pair<'_, Rule>) -> Parsed<Node> {
    let mut inner = pair.into_inner();
    let lhs = inner
        .next()
        .ok_or_else(|| Problem::new(Span::default(), "missing operand"))?;
    let (lhs, ld) = parse_sum(lhs)?;
    let (Some(op), Some(rhs)) = (inner.next(), inner.next()) else {
        return Ok((lhs, ld));
    };
    let op = parse_compare_op(&op)?;
    let (rhs, rd) = parse_sum(rhs)?;
    let whole = lhs.span.to(rhs.span);
    node(
        ExprKind::Compare(op, Box::new(lhs), Box::new(rhs)),
        whole,
        ld.max(rd) + 1,
    )
}

fn parse_compare_op(pair: &Pair<'_, Rule>) -> Parsed<CompareOp> {
    Ok(match pair.as_rule() {
        Rule::eq => CompareOp::Eq,
        Rule::ne => CompareOp::Ne,
        Rule::lt => CompareOp::Lt,
        Rule::le => CompareOp::Le,
        Rule::gt => CompareOp::Gt,
        Rule::ge => CompareOp::Ge,
        Rule::in_op => CompareOp::In,
        Rule::not_in => CompareOp::NotIn,
        Rule::contains => CompareOp::Contains,
        Rule::starts_with => CompareOp::StartsWith,
        Rule::ends_with => CompareOp::EndsWith,
        Rule::matches => CompareOp::Matches,
        _ => return Err(Problem::new(span(pair), "expected a comparison operator")),
    })
}

fn parse_sum(pair: Pair<'_, Rule>) -> Parsed<Node> {
    check_prefix_runs(pair.clone().into_inner(), Rule::neg_op)?;
    ARITH
        .map_primary(parse_operand)
        .map_prefix(|op, rhs| {
            let (rhs, depth) = rhs?;
            let whole = span(&op).to(rhs.span);
            node(ExprKind::Neg(Box::new(rhs)), whole, depth + 1)
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, ld), (rhs, rd)) = (lhs?, rhs?);
            let op = match op.as_rule() {
                Rule::add => ArithOp::Add,
                Rule::sub => ArithOp::Sub,
                Rule::mul => ArithOp::Mul,
                _ => ArithOp::Div,
            };
            let whole = lhs.span.to(rhs.span);
            node(
                ExprKind::Arith(op, Box::new(lhs), Box::new(rhs)),
                whole,
                ld.max(rd) + 1,
            )
        })
        .parse(pair.into_inner())
}

fn parse_operand(pair: Pair<'_, Rule>) -> Parsed<Node> {
    let at = span(&pair);
    let leaf = |kind| node(kind, at, 1);
    match pair.as_rule() {
        Rule::list => parse_list(pair),
        Rule::group => parse_group(pair),
        Rule::path => leaf(ExprKind::Field(parse_path(pair)?)),
        Rule::exists => leaf(ExprKind::Exists(parse_exists(pair)?)),
        Rule::purchased => leaf(ExprKind::Purchased(parse_purchased(pair)?)),
        Rule::null => leaf(ExprKind::Null),
        Rule::now => leaf(ExprKind::Now),
        Rule::boolean => leaf(ExprKind::Bool(pair.as_str().eq_ignore_ascii_case("true"))),
        Rule::string => leaf(ExprKind::Str(literal::parse_string(pair)?)),
        Rule::integer => leaf(ExprKind::Int(literal::parse_integer(pair)?)),
        Rule::decimal => leaf(ExprKind::Decimal(literal::parse_decimal(pair)?)),
        Rule::duration => leaf(ExprKind::Duration(literal::parse_duration(pair)?)),
        Rule::timestamp => leaf(ExprKind::Timestamp(literal::parse_timestamp(pair)?)),
        Rule::date_only => Err(literal::date_without_time(pair)),
        _ => Err(Problem::new(at, "expected a value or a field name")),
    }
}

fn parse_list(pair: Pair<'_, Rule>) -> Parsed<Node> {
    let at = span(&pair);
    let mut items = Vec::new();
    let mut depth = 0;
    for item in pair.into_inner().filter(|p| p.as_rule() == Rule::sum) {
        let (item, d) = parse_sum(item)?;
        depth = depth.max(d);
        items.push(item);
    }
    node(ExprKind::List(items), at, depth + 1)
}

fn parse_group(pair: Pair<'_, Rule>) -> Parsed<Node> {
    let at = span(&pair);
    let logic = pair.into_inner().find(|p| p.as_rule() == Rule::logic);
    let logic = logic.ok_or_else(|| Problem::new(at, "expected a condition inside ( )"))?;
    let (mut inner, depth) = parse_logic(logic)?;
    inner.span = at;
    node(inner.kind, at, depth + 1)
}

fn parse_path(pair: Pair<'_, Rule>) -> Parsed<Path> {
    let at = span(&pair);
    let mut path = Path {
        segments: Vec::new(),
        unquoted_brackets: false,
        span: at,
    };
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::quoted_key => {
                let string = part.into_inner().find(|p| p.as_rule() == Rule::string);
                let name = string.map(literal::parse_string).transpose()?;
                path.segments.push(name.unwrap_or_default());
            }
            Rule::bare_key => {
                path.unquoted_brackets = true;
                match path.segments.last_mut() {
                    Some(last) => last.push_str(part.as_str()),
                    None => path.segments.push(part.as_str().to_owned()),
                }
            }
            _ => path.segments.push(part.as_str().to_owned()),
        }
    }
    Ok(path)
}

fn parse_exists(pair: Pair<'_, Rule>) -> Parsed<Path> {
    let at = span(&pair);
    let path = pair.into_inner().find(|p| p.as_rule() == Rule::path);
    path.map(parse_path)
        .ok_or_else(|| Problem::new(at, "exists() needs a field name"))?
}

fn parse_purchased(pair: Pair<'_, Rule>) -> Parsed<Option<super::Duration>> {
    let window = pair.into_inner().find(|p| p.as_rule() == Rule::duration);
    window.map(literal::parse_duration).transpose()
}
