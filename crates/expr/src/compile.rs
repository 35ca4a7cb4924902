//! From text to a typed tree: `sqlparser` parses, this module keeps the supported subset,
//! resolves columns against a schema and checks types, each error at its position.

use std::fmt;

use arrow_schema::{DataType, Schema};
use sqlparser::ast::{BinaryOperator, Expr, Ident, Spanned, UnaryOperator, Value, ValueWithSpan};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Span, Token};

use crate::{ExprError, Position};

/// The type of a value in an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Numbers of any Arrow numeric type, computed as `f64`.
    Number,
    /// Strings.
    Text,
    /// Booleans: conditions and boolean columns.
    Boolean,
    /// Dates and timestamps, computed as UTC microseconds.
    Time,
    /// The literal `null`, which fits anywhere.
    Null,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Number => "number",
            Self::Text => "text",
            Self::Boolean => "condition",
            Self::Time => "time",
            Self::Null => "null",
        })
    }
}

impl Type {
    /// The type an Arrow column is read as, if expressions can read it.
    pub fn of(data_type: &DataType) -> Option<Self> {
        match data_type {
            d if d.is_numeric() => Some(Self::Number),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some(Self::Text),
            DataType::Boolean => Some(Self::Boolean),
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => Some(Self::Time),
            DataType::Dictionary(_, value) => Self::of(value).filter(|t| *t != Self::Boolean),
            _ => None,
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A typed expression tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Column {
        name: String,
        ty: Type,
    },
    Number(f64),
    Text(String),
    Boolean(bool),
    /// A time literal: UTC microseconds.
    Time(i64),
    Null,
    Compare(Compare, Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    IsNull(Box<Node>, bool),
}

impl Node {
    pub(crate) fn ty(&self) -> Type {
        match self {
            Self::Column { ty, .. } => *ty,
            Self::Number(_) | Self::Arith(..) | Self::Negate(_) => Type::Number,
            Self::Text(_) => Type::Text,
            Self::Time(_) => Type::Time,
            Self::Null => Type::Null,
            Self::Boolean(_)
            | Self::Compare(..)
            | Self::And(..)
            | Self::Or(..)
            | Self::Not(_)
            | Self::IsNull(..) => Type::Boolean,
        }
    }
}

fn position(location: Location) -> Option<Position> {
    (location.line > 0).then_some(Position {
        line: location.line as usize,
        column: location.column as usize,
    })
}

fn start(span: Span) -> Option<Position> {
    position(span.start)
}

/// Where the text ends (for "expected more" errors that sqlparser gives no position for).
fn end_of(text: &str) -> Position {
    let line = text.lines().count().max(1);
    let column = text.lines().last().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Parses and checks `text`; returns the tree and the columns it reads.
pub(crate) fn compile(text: &str, schema: &Schema) -> Result<(Node, Vec<String>), ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::at(
            Some(Position { line: 1, column: 1 }),
            "the expression is empty",
        ));
    }
    let dialect = GenericDialect {};
    let syntax = |e: sqlparser::parser::ParserError| syntax_error(text, &e.to_string());
    let mut parser = Parser::new(&dialect).try_with_sql(text).map_err(syntax)?;
    let expr = parser.parse_expr().map_err(syntax)?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(ExprError::at(
            start(next.span),
            format!("unexpected `{}` after a complete expression", next.token),
        ));
    }
    let mut binder = Binder {
        schema,
        columns: Vec::new(),
    };
    let node = binder.bind(&expr)?;
    Ok((node, binder.columns))
}

/// sqlparser's messages end in ` at Line: L, Column: C` when it knows where.
fn syntax_error(text: &str, message: &str) -> ExprError {
    let message = message.trim_start_matches("sql parser error: ");
    if let Some((what, at)) = message.rsplit_once(" at Line: ")
        && let Some((line, column)) = at.split_once(", Column: ")
        && let (Ok(line), Ok(column)) = (line.trim().parse(), column.trim().parse())
    {
        return ExprError::at(Some(Position { line, column }), what.to_owned());
    }
    ExprError::at(Some(end_of(text)), message.to_owned())
}

struct Binder<'a> {
    schema: &'a Schema,
    columns: Vec<String>,
}

impl Binder<'_> {
    fn bind(&mut self, expr: &Expr) -> Result<Node, ExprError> {
        let at = start(expr.span());
        match expr {
            Expr::Identifier(ident) => self.column(ident),
            Expr::CompoundIdentifier(parts) => Err(ExprError::at(
                at,
                format!(
                    "`{}` is not a column name; quote names with dots: \"{}\"",
                    parts
                        .iter()
                        .map(|p| p.value.as_str())
                        .collect::<Vec<_>>()
                        .join("."),
                    parts
                        .iter()
                        .map(|p| p.value.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                ),
            )),
            Expr::Value(value) => literal(value),
            Expr::Nested(inner) => self.bind(inner),
            Expr::UnaryOp { op, expr: inner } => {
                let node = self.bind(inner)?;
                match op {
                    UnaryOperator::Not => {
                        expect(&node, Type::Boolean, start(inner.span()), "`not`")?;
                        Ok(Node::Not(Box::new(node)))
                    }
                    UnaryOperator::Minus => {
                        expect(&node, Type::Number, start(inner.span()), "`-`")?;
                        Ok(match node {
                            // `-0` is the number 0 (see eval's `canonical_numbers`).
                            Node::Number(v) => Node::Number(-v + 0.0),
                            other => Node::Negate(Box::new(other)),
                        })
                    }
                    UnaryOperator::Plus => {
                        expect(&node, Type::Number, start(inner.span()), "`+`")?;
                        Ok(node)
                    }
                    other => Err(ExprError::at(at, format!("`{other}` is not supported"))),
                }
            }
            Expr::BinaryOp { left, op, right } => {
                let l = self.bind(left)?;
                let r = self.bind(right)?;
                let (lat, rat) = (start(left.span()), start(right.span()));
                match op {
                    BinaryOperator::And | BinaryOperator::Or => {
                        expect(&l, Type::Boolean, lat, &format!("`{op}`"))?;
                        expect(&r, Type::Boolean, rat, &format!("`{op}`"))?;
                        let (l, r) = (Box::new(l), Box::new(r));
                        Ok(if *op == BinaryOperator::And {
                            Node::And(l, r)
                        } else {
                            Node::Or(l, r)
                        })
                    }
                    BinaryOperator::Eq => compare(Compare::Eq, l, r, lat, rat),
                    BinaryOperator::NotEq => compare(Compare::NotEq, l, r, lat, rat),
                    BinaryOperator::Lt => compare(Compare::Lt, l, r, lat, rat),
                    BinaryOperator::LtEq => compare(Compare::LtEq, l, r, lat, rat),
                    BinaryOperator::Gt => compare(Compare::Gt, l, r, lat, rat),
                    BinaryOperator::GtEq => compare(Compare::GtEq, l, r, lat, rat),
                    BinaryOperator::Plus => arith(Arith::Add, l, r, lat, rat, op),
                    BinaryOperator::Minus => arith(Arith::Sub, l, r, lat, rat, op),
                    BinaryOperator::Multiply => arith(Arith::Mul, l, r, lat, rat, op),
                    BinaryOperator::Divide => arith(Arith::Div, l, r, lat, rat, op),
                    BinaryOperator::Modulo => arith(Arith::Rem, l, r, lat, rat, op),
                    other => Err(ExprError::at(
                        lat,
                        format!("the operator `{other}` is not supported"),
                    )),
                }
            }
            Expr::IsNull(inner) => Ok(Node::IsNull(Box::new(self.bind(inner)?), false)),
            Expr::IsNotNull(inner) => Ok(Node::IsNull(Box::new(self.bind(inner)?), true)),
            Expr::InList {
                expr: inner,
                list,
                negated,
            } => {
                let subject = self.bind(inner)?;
                let mut any: Option<Node> = None;
                for item in list {
                    let value = self.bind(item)?;
                    let test = compare(
                        Compare::Eq,
                        subject.clone(),
                        value,
                        start(inner.span()),
                        start(item.span()),
                    )?;
                    any = Some(match any {
                        None => test,
                        Some(so_far) => Node::Or(Box::new(so_far), Box::new(test)),
                    });
                }
                let any =
                    any.ok_or_else(|| ExprError::at(at, "`in ()` needs at least one value"))?;
                Ok(if *negated {
                    Node::Not(Box::new(any))
                } else {
                    any
                })
            }
            Expr::Between {
                expr: inner,
                negated,
                low,
                high,
            } => {
                let subject = self.bind(inner)?;
                let (lo, hi) = (self.bind(low)?, self.bind(high)?);
                let sat = start(inner.span());
                let above = compare(Compare::GtEq, subject.clone(), lo, sat, start(low.span()))?;
                let below = compare(Compare::LtEq, subject, hi, sat, start(high.span()))?;
                let both = Node::And(Box::new(above), Box::new(below));
                Ok(if *negated {
                    Node::Not(Box::new(both))
                } else {
                    both
                })
            }
            other => Err(ExprError::at(
                at,
                format!(
                    "`{other}` is not supported here: use comparisons, and/or/not, in, between, is null and arithmetic"
                ),
            )),
        }
    }

    fn column(&mut self, ident: &Ident) -> Result<Node, ExprError> {
        let at = start(ident.span);
        let name = &ident.value;
        // Bare names are matched without regard to case when no exact match exists.
        let field = self.schema.field_with_name(name).ok().or_else(|| {
            (ident.quote_style.is_none())
                .then(|| {
                    self.schema
                        .fields()
                        .iter()
                        .find(|f| f.name().eq_ignore_ascii_case(name))
                        .map(|f| f.as_ref())
                })
                .flatten()
        });
        let Some(field) = field else {
            let keyword = matches!(name.to_ascii_lowercase().as_str(), "true" | "false");
            if keyword {
                return Ok(Node::Boolean(name.eq_ignore_ascii_case("true")));
            }
            let mut message = unknown_column(name, self.schema);
            if ident.quote_style == Some('"') {
                message.push_str(&format!("; strings take single quotes: '{name}'"));
            }
            return Err(ExprError::at(at, message));
        };
        let ty = Type::of(field.data_type()).ok_or_else(|| {
            ExprError::at(
                at,
                format!(
                    "column `{}` holds {}, which expressions cannot read",
                    field.name(),
                    field.data_type()
                ),
            )
        })?;
        if !self.columns.contains(field.name()) {
            self.columns.push(field.name().clone());
        }
        Ok(Node::Column {
            name: field.name().clone(),
            ty,
        })
    }
}

/// "no column `x`", with the closest name when one is close, else the list of columns.
pub fn unknown_column(name: &str, schema: &Schema) -> String {
    let closest = schema
        .fields()
        .iter()
        .map(|f| {
            (
                edit_distance(&name.to_lowercase(), &f.name().to_lowercase()),
                f.name(),
            )
        })
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 3 && *d * 2 <= name.chars().count());
    match closest {
        Some((_, n)) => format!("no column `{name}` (did you mean `{n}`?)"),
        None => {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            format!("no column `{name}` (columns: {})", names.join(", "))
        }
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != b[j]));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn literal(value: &ValueWithSpan) -> Result<Node, ExprError> {
    let at = start(value.span);
    match &value.value {
        Value::Number(text, _) => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Node::Number)
            .ok_or_else(|| ExprError::at(at, format!("`{text}` is not a finite number"))),
        Value::SingleQuotedString(s) => Ok(Node::Text(s.clone())),
        Value::Boolean(b) => Ok(Node::Boolean(*b)),
        Value::Null => Ok(Node::Null),
        Value::DoubleQuotedString(s) => Err(ExprError::at(
            at,
            format!("\"{s}\" is in double quotes: write strings in single quotes, '{s}'"),
        )),
        other => Err(ExprError::at(
            at,
            format!("the literal `{other}` is not supported"),
        )),
    }
}

fn expect(node: &Node, ty: Type, at: Option<Position>, what: &str) -> Result<(), ExprError> {
    if node.ty() == ty || node.ty() == Type::Null {
        Ok(())
    } else {
        Err(ExprError::at(
            at,
            format!("{what} needs a {ty}, not a {}", node.ty()),
        ))
    }
}

fn arith(
    op: Arith,
    l: Node,
    r: Node,
    lat: Option<Position>,
    rat: Option<Position>,
    symbol: &BinaryOperator,
) -> Result<Node, ExprError> {
    let what = format!("`{symbol}`");
    expect(&l, Type::Number, lat, &what)?;
    expect(&r, Type::Number, rat, &what)?;
    Ok(Node::Arith(op, Box::new(l), Box::new(r)))
}

/// A comparison whose sides fit: same type, or null, or a time with a string that parses as
/// one.
fn compare(
    op: Compare,
    l: Node,
    r: Node,
    lat: Option<Position>,
    rat: Option<Position>,
) -> Result<Node, ExprError> {
    let (lty, rty) = (l.ty(), r.ty());
    let (l, r) = (as_time(l, rty, lat)?, as_time(r, lty, rat)?);
    let (lt, rt) = (l.ty(), r.ty());
    if lt != rt && lt != Type::Null && rt != Type::Null {
        return Err(ExprError::at(
            rat,
            format!("cannot compare a {lt} with a {rt}"),
        ));
    }
    Ok(Node::Compare(op, Box::new(l), Box::new(r)))
}

/// A string literal compared with a time becomes a time.
fn as_time(node: Node, other: Type, at: Option<Position>) -> Result<Node, ExprError> {
    match (&node, other) {
        (Node::Text(s), Type::Time) => {
            seismo_core::parse_instant(s)
                .map(Node::Time)
                .ok_or_else(|| {
                    ExprError::at(
                        at,
                        format!(
                            "'{s}' is not a time (write '2026-10-01' or '2026-10-01T12:00:00Z')"
                        ),
                    )
                })
        }
        _ => Ok(node),
    }
}
