//! Models with one input per data column, read as one float matrix.
//!
//! skl2onnx exports a pipeline fitted on a pandas DataFrame with one input per column, each
//! `[rows, 1]` of the column's type: float, double, integers, booleans or strings. seismo
//! gives every model one input, a float32 matrix `seismo_rows` whose columns are those inputs
//! in the graph's order: each original input becomes a `Gather` of its column, cast to its
//! type. A string column carries codes (see [`crate::strings`]), cast to int64. The rest of
//! the crate (batching, threads, the robustness tests) then sees one kind of model.
//!
//! Values travel as float32 on the way in: an integer column is exact up to 2^24, a double
//! column is rounded to float32 first (a model that computes in double then sees the rounded
//! values).

use tract_onnx::pb::{
    GraphProto, NodeProto, TypeProto, ValueInfoProto, tensor_proto::DataType, tensor_shape_proto,
    type_proto,
};

use crate::ModelError;
use crate::proto::{cast, int_attribute, int_constant};

/// The name of the matrix input a model with one input per column is given.
pub(crate) const ROWS: &str = "seismo_rows";

/// One input of a model that takes a column per input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    /// The input's name, which is the data column's by default.
    pub name: String,
    /// Whether it takes strings.
    pub text: bool,
}

/// When the graph has several inputs (or one `[rows, 1]` string input), rewrites them into
/// one float matrix input [`ROWS`] and returns them in order; `None` when its one input is
/// already a float matrix.
pub(crate) fn per_column(graph: &mut GraphProto) -> Result<Option<Vec<Column>>, ModelError> {
    let initializers: Vec<String> = graph.initializer.iter().map(|t| t.name.clone()).collect();
    let (inputs, constants): (Vec<ValueInfoProto>, Vec<ValueInfoProto>) =
        std::mem::take(&mut graph.input)
            .into_iter()
            .partition(|i| !initializers.contains(&i.name));
    graph.input = constants;
    let single_matrix = match inputs.as_slice() {
        [only] => {
            let (elem, dims) = tensor(only);
            elem == DataType::Float as i32
                && dims
                    .as_ref()
                    .is_some_and(|d| d.len() == 2 && !is_one(&d[1]))
        }
        _ => false,
    };
    if single_matrix || inputs.is_empty() {
        graph.input.extend(inputs);
        return Ok(None);
    }
    let mut nodes = Vec::with_capacity(inputs.len() * 2);
    let mut columns = Vec::with_capacity(inputs.len());
    for (j, input) in inputs.iter().enumerate() {
        let bad = |message: String| ModelError::Input {
            input: input.name.clone(),
            message,
        };
        let (elem, dims) = tensor(input);
        let Some(dims) = dims else {
            return Err(bad("has no declared shape".into()));
        };
        let rank = match dims.as_slice() {
            [_] => 1,
            [_, second] if is_one(second) => 2,
            _ => {
                return Err(bad(
                    "is not one column ([rows, 1]); with several inputs, each must be one column"
                        .into(),
                ));
            }
        };
        let elem = DataType::try_from(elem).map_err(|_| bad("has an unknown type".into()))?;
        let text = elem == DataType::String;
        let to = match elem {
            DataType::Float => None,
            DataType::String => Some(DataType::Int64),
            DataType::Double
            | DataType::Int64
            | DataType::Int32
            | DataType::Int16
            | DataType::Int8
            | DataType::Uint8
            | DataType::Uint16
            | DataType::Uint32
            | DataType::Uint64
            | DataType::Bool => Some(elem),
            other => {
                return Err(bad(format!(
                    "is of type {other:?}, which seismo cannot feed"
                )));
            }
        };
        let index = format!("seismo_column_{j}_index");
        graph
            .initializer
            .push(int_constant(index.clone(), &[j as i64], rank == 1));
        let picked = match to {
            None => input.name.clone(),
            Some(_) => format!("seismo_column_{j}_float"),
        };
        nodes.push(NodeProto {
            input: vec![ROWS.into(), index],
            output: vec![picked.clone()],
            name: format!("seismo_column_{j}_gather"),
            op_type: "Gather".into(),
            attribute: vec![int_attribute("axis", 1)],
            ..Default::default()
        });
        if let Some(to) = to {
            nodes.push(cast(
                &picked,
                &input.name,
                to,
                &format!("seismo_column_{j}_cast"),
            ));
        }
        columns.push(Column {
            name: input.name.clone(),
            text,
        });
    }
    nodes.append(&mut graph.node);
    graph.node = nodes;
    graph.input.insert(
        0,
        ValueInfoProto {
            name: ROWS.into(),
            r#type: Some(TypeProto {
                value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                    elem_type: DataType::Float as i32,
                    shape: Some(tract_onnx::pb::TensorShapeProto {
                        dim: vec![dimension(None), dimension(Some(columns.len() as i64))],
                    }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    Ok(Some(columns))
}

/// An input's element type and dimensions (`None`: no shape declared).
fn tensor(input: &ValueInfoProto) -> (i32, Option<Vec<tensor_shape_proto::Dimension>>) {
    match input.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(t)) => {
            (t.elem_type, t.shape.as_ref().map(|s| s.dim.clone()))
        }
        _ => (0, None),
    }
}

fn is_one(dim: &tensor_shape_proto::Dimension) -> bool {
    matches!(
        dim.value,
        Some(tensor_shape_proto::dimension::Value::DimValue(1))
    )
}

fn dimension(value: Option<i64>) -> tensor_shape_proto::Dimension {
    tensor_shape_proto::Dimension {
        value: Some(match value {
            Some(v) => tensor_shape_proto::dimension::Value::DimValue(v),
            None => tensor_shape_proto::dimension::Value::DimParam("rows".into()),
        }),
        ..Default::default()
    }
}
