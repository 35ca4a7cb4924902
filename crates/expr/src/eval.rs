//! Evaluating a typed tree on a record batch with Arrow's kernels. Literals stay scalars
//! (Arrow's `Datum`), so `price > 0` compares one array with one value.

use std::sync::Arc;

use arrow_arith::boolean::{and_kleene, is_not_null, is_null, not, or_kleene};
use arrow_arith::numeric;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Datum, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_cast::cast;
use arrow_ord::cmp;
use arrow_schema::{DataType, TimeUnit};

use crate::ExprError;
use crate::compile::{Arith, Compare, Node, Type};

/// A value during evaluation: a column-long array, one value, or the literal null.
enum Operand {
    Array(ArrayRef),
    Scalar(ArrayRef),
    Null,
}

impl Datum for Operand {
    fn get(&self) -> (&dyn Array, bool) {
        match self {
            Self::Array(a) => (a.as_ref(), false),
            Self::Scalar(a) => (a.as_ref(), true),
            Self::Null => unreachable!("null operands are handled before kernels"),
        }
    }
}

fn fail(e: impl std::fmt::Display) -> ExprError {
    ExprError::at(None, e.to_string())
}

/// The condition `root` on every row of `batch`; null where unknown.
pub(crate) fn evaluate_condition(
    root: &Node,
    batch: &RecordBatch,
) -> Result<BooleanArray, ExprError> {
    let rows = batch.num_rows();
    Ok(match evaluate(root, batch)? {
        Operand::Array(a) => a.as_boolean().clone(),
        Operand::Scalar(a) => broadcast(a.as_boolean(), rows),
        Operand::Null => BooleanArray::new_null(rows),
    })
}

fn broadcast(one: &BooleanArray, rows: usize) -> BooleanArray {
    if one.is_null(0) {
        BooleanArray::new_null(rows)
    } else {
        BooleanArray::from(vec![one.value(0); rows])
    }
}

/// A condition operand as a column-long boolean array.
fn booleans(operand: Operand, rows: usize) -> BooleanArray {
    match operand {
        Operand::Array(a) => a.as_boolean().clone(),
        Operand::Scalar(a) => broadcast(a.as_boolean(), rows),
        Operand::Null => BooleanArray::new_null(rows),
    }
}

fn evaluate(node: &Node, batch: &RecordBatch) -> Result<Operand, ExprError> {
    let rows = batch.num_rows();
    Ok(match node {
        Node::Column { name, ty } => Operand::Array(column(batch, name, *ty)?),
        Node::Number(v) => Operand::Scalar(Arc::new(Float64Array::from(vec![*v]))),
        Node::Text(s) => Operand::Scalar(Arc::new(StringArray::from(vec![s.as_str()]))),
        Node::Boolean(b) => Operand::Scalar(Arc::new(BooleanArray::from(vec![*b]))),
        Node::Time(t) => Operand::Scalar(Arc::new(Int64Array::from(vec![*t]))),
        Node::Null => Operand::Null,
        Node::Compare(op, l, r) => {
            let (l, r) = (evaluate(l, batch)?, evaluate(r, batch)?);
            if matches!(l, Operand::Null) || matches!(r, Operand::Null) {
                return Ok(Operand::Null);
            }
            let kernel = match op {
                Compare::Eq => cmp::eq,
                Compare::NotEq => cmp::neq,
                Compare::Lt => cmp::lt,
                Compare::LtEq => cmp::lt_eq,
                Compare::Gt => cmp::gt,
                Compare::GtEq => cmp::gt_eq,
            };
            let result = kernel(&l, &r).map_err(fail)?;
            wrap(Arc::new(result), &l, &r)
        }
        Node::Arith(op, l, r) => {
            let (l, r) = (evaluate(l, batch)?, evaluate(r, batch)?);
            if matches!(l, Operand::Null) || matches!(r, Operand::Null) {
                return Ok(Operand::Null);
            }
            let kernel = match op {
                Arith::Add => numeric::add,
                Arith::Sub => numeric::sub,
                Arith::Mul => numeric::mul,
                Arith::Div => numeric::div,
                Arith::Rem => numeric::rem,
            };
            let result = kernel(&l, &r).map_err(fail)?;
            wrap(canonical_numbers(result), &l, &r)
        }
        Node::Negate(inner) => match evaluate(inner, batch)? {
            Operand::Array(a) => Operand::Array(canonical_numbers(numeric::neg(&a).map_err(fail)?)),
            Operand::Scalar(a) => {
                Operand::Scalar(canonical_numbers(numeric::neg(&a).map_err(fail)?))
            }
            Operand::Null => Operand::Null,
        },
        Node::And(l, r) | Node::Or(l, r) => {
            let l = booleans(evaluate(l, batch)?, rows);
            let r = booleans(evaluate(r, batch)?, rows);
            let result = if matches!(node, Node::And(..)) {
                and_kleene(&l, &r)
            } else {
                or_kleene(&l, &r)
            };
            Operand::Array(Arc::new(result.map_err(fail)?))
        }
        Node::Not(inner) => {
            let value = booleans(evaluate(inner, batch)?, rows);
            Operand::Array(Arc::new(not(&value).map_err(fail)?))
        }
        Node::IsNull(inner, negated) => {
            let result = match evaluate(inner, batch)? {
                Operand::Array(a) => if *negated {
                    is_not_null(&a)
                } else {
                    is_null(&a)
                }
                .map_err(fail)?,
                Operand::Scalar(_) => BooleanArray::from(vec![*negated; rows]),
                Operand::Null => BooleanArray::from(vec![!*negated; rows]),
            };
            Operand::Array(Arc::new(result))
        }
    })
}

/// A kernel's result: a scalar when both inputs were.
fn wrap(result: ArrayRef, l: &Operand, r: &Operand) -> Operand {
    if matches!(l, Operand::Scalar(_)) && matches!(r, Operand::Scalar(_)) {
        Operand::Scalar(result)
    } else {
        Operand::Array(result)
    }
}

/// A batch column read as its expression type: numbers as `f64` (NaN as null), text as
/// `Utf8`, times as UTC microseconds.
fn column(batch: &RecordBatch, name: &str, ty: Type) -> Result<ArrayRef, ExprError> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| fail(format!("the data has no column `{name}`")))?;
    if Type::of(array.data_type()) != Some(ty) {
        return Err(fail(format!(
            "column `{name}` holds {} here, not a {ty} as when the expression was compiled",
            array.data_type()
        )));
    }
    Ok(match ty {
        Type::Number => canonical_numbers(cast(array, &DataType::Float64).map_err(fail)?),
        Type::Text if array.data_type() == &DataType::Utf8 => array.clone(),
        Type::Text => cast(array, &DataType::Utf8).map_err(fail)?,
        Type::Time => {
            let utc = DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("+00:00")));
            let micros = cast(array, &utc).map_err(fail)?;
            cast(&micros, &DataType::Int64).map_err(fail)?
        }
        Type::Boolean | Type::Null => array.clone(),
    })
}

/// Numbers as conditions see them: NaN becomes null (not a number any condition can hold
/// for), and `-0.0` becomes `0.0`. Arrow's float comparisons follow the IEEE total order, in
/// which `-0.0 < 0.0` and `-0.0 != 0.0`; in SQL, as in arithmetic, the two are one number.
fn canonical_numbers(array: ArrayRef) -> ArrayRef {
    let Some(floats) = array.as_primitive_opt::<Float64Type>() else {
        return array;
    };
    let values = floats.values();
    let negative_zero = |v: &f64| *v == 0.0 && v.is_sign_negative();
    let (nan, zero) = (
        values.iter().any(|v| v.is_nan()),
        values.iter().any(negative_zero),
    );
    if !nan && !zero {
        return array;
    }
    let values = if zero {
        // Adding +0.0 changes no value but -0.0.
        values.iter().map(|v| v + 0.0).collect()
    } else {
        values.clone()
    };
    let valid = NullBuffer::new(BooleanBuffer::collect_bool(values.len(), |i| {
        !values[i].is_nan()
    }));
    let nulls = NullBuffer::union(floats.nulls(), Some(&valid));
    Arc::new(Float64Array::new(values, nulls))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Predicate;
    use arrow_array::{Int32Array, TimestampSecondArray};

    fn batch() -> RecordBatch {
        RecordBatch::try_from_iter([
            (
                "a",
                Arc::new(Int32Array::from(vec![Some(1), Some(5), None, Some(10)])) as ArrayRef,
            ),
            (
                "b",
                Arc::new(Float64Array::from(vec![2.0, f64::NAN, 3.0, 4.0])) as ArrayRef,
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![
                    Some("x"),
                    Some("y"),
                    Some("x"),
                    None,
                ])) as ArrayRef,
            ),
            (
                "t",
                Arc::new(TimestampSecondArray::from(vec![
                    0, 86_400, 172_800, 259_200,
                ])) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    fn eval(text: &str) -> Vec<Option<bool>> {
        let b = batch();
        Predicate::compile(text, &b.schema())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .evaluate(&b)
            .unwrap()
            .iter()
            .collect()
    }

    const T: Option<bool> = Some(true);
    const F: Option<bool> = Some(false);
    const N: Option<bool> = None;

    #[test]
    fn comparisons_and_arithmetic_follow_sql() {
        assert_eq!(eval("a < b"), vec![T, N, N, F]);
        assert_eq!(eval("a * 2 + 1 >= 11"), vec![F, T, N, T]);
        assert_eq!(eval("-a = -5"), vec![F, T, N, F]);
        assert_eq!(eval("a % 2 = 1"), vec![T, T, N, F]);
        assert_eq!(eval("a / 0 > 1000"), vec![T, T, N, T]);
        // Unknown and false is false (row 3); unknown and unknown stays unknown (row 4).
        assert_eq!(
            eval("(a between 2 and 10) and not (s = 'x')"),
            vec![F, T, F, N]
        );
        assert_eq!(eval("a not between 2 and 10"), vec![T, F, N, F]);
        assert_eq!(eval("s in ('y', 'z')"), vec![F, T, F, N]);
        assert_eq!(eval("s not in ('y')"), vec![T, F, T, N]);
    }

    #[test]
    fn nulls_and_nan_are_unknown_and_is_null_sees_both() {
        assert_eq!(eval("b is null"), vec![F, T, F, F]);
        assert_eq!(eval("a is not null or s is null"), vec![T, T, F, T]);
        // Kleene logic: false and unknown is false; true or unknown is true.
        assert_eq!(eval("a > 100 and b > 0"), vec![F, F, N, F]);
        assert_eq!(eval("a > 0 or b > 0"), vec![T, T, T, T]);
        assert_eq!(eval("a = null"), vec![N, N, N, N]);
        assert_eq!(eval("null is null"), vec![T, T, T, T]);
        assert_eq!(eval("1 < 2"), vec![T, T, T, T]);
    }

    #[test]
    fn signed_zeros_are_one_number() {
        let tiny = f64::from_bits(1);
        let b = RecordBatch::try_from_iter([(
            "z",
            Arc::new(Float64Array::from(vec![-0.0, 0.0, tiny, -tiny])) as ArrayRef,
        )])
        .unwrap();
        let eval = |text: &str| -> Vec<Option<bool>> {
            Predicate::compile(text, &b.schema())
                .unwrap()
                .evaluate(&b)
                .unwrap()
                .iter()
                .collect()
        };
        assert_eq!(eval("z = 0"), vec![T, T, F, F]);
        assert_eq!(eval("z >= 0"), vec![T, T, T, F]);
        assert_eq!(eval("z < 0"), vec![F, F, F, T]);
        assert_eq!(eval("z = -0.0"), vec![T, T, F, F]);
        assert_eq!(eval("-z = 0"), vec![T, T, F, F]);
        assert_eq!(eval("z * -1 <= 0"), vec![T, T, T, F]);
    }

    #[test]
    fn times_compare_with_times_and_dates() {
        assert_eq!(eval("t >= '1970-01-02'"), vec![F, T, T, T]);
        assert_eq!(
            eval("t < '1970-01-03T00:00:00Z' and t > '1970-01-01 12:00:00'"),
            vec![F, T, F, F]
        );
        assert_eq!(eval("t <= t"), vec![T, T, T, T]);
    }

    #[test]
    fn compile_errors_say_where() {
        let schema = batch().schema();
        let error = |text: &str| Predicate::compile(text, &schema).unwrap_err().to_string();
        assert_eq!(
            error("a <= "),
            "column 6: Expected: an expression, found: EOF"
        );
        assert_eq!(
            error("a = = 1"),
            "column 5: Expected: an expression, found: ="
        );
        assert_eq!(
            error("a > 1 b"),
            "column 7: unexpected `b` after a complete expression"
        );
        assert_eq!(
            error("s > 1"),
            "column 5: cannot compare a text with a number"
        );
        assert_eq!(
            error("a + s > 1"),
            "column 5: `+` needs a number, not a text"
        );
        assert_eq!(
            error("t > 'soon'"),
            "column 5: 'soon' is not a time (write '2026-10-01' or '2026-10-01T12:00:00Z')"
        );
        assert_eq!(
            error("a + 1"),
            "column 1: `a + 1` is a number, not a condition; compare it, as in `a + 1 > 0`"
        );
        assert_eq!(
            error("zzz > 1"),
            "column 1: no column `zzz` (columns: a, b, s, t)"
        );
        assert_eq!(
            error("s = \"x\""),
            "column 5: no column `x` (columns: a, b, s, t); strings take single quotes: 'x'"
        );
        assert_eq!(
            error("s like 'x%'"),
            "column 1: `s LIKE 'x%'` is not supported here: use comparisons, and/or/not, in, between, is null and arithmetic"
        );
        assert_eq!(error(""), "column 1: the expression is empty");
        assert_eq!(
            error("a > 1 and\n  zz = 2"),
            "line 2, column 3: no column `zz` (columns: a, b, s, t)"
        );
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let schema = batch().schema();
        let deep = format!("{}a > 1{}", "(".repeat(500), ")".repeat(500));
        for text in [
            "(((",
            "a >",
            "'open",
            "a > 1)",
            "in",
            "not",
            "a in ()",
            "a between 1",
            "\u{0}",
            "1e999999 > a",
            "a > 1; drop table x",
            "select 1",
            "a.b > 1",
            "s > -'x'",
            &deep,
        ] {
            assert!(Predicate::compile(text, &schema).is_err(), "{text}");
        }
    }
}
