//! ONNX-ML operators that scikit-learn exports use and tract does not run, rewritten into
//! standard ONNX operators before tract reads the graph.
//!
//! Rewriting the graph (rather than adding tract operators) keeps the semantics in a few
//! lines each, checked against onnxruntime by the crate's tests:
//! - `Scaler(X; offset, scale)` is `(X − offset) · scale`: a `Sub` and a `Mul` with the
//!   attributes as constants (one value for all columns, or one per column);
//! - `ArrayFeatureExtractor(X, indices)` picks columns of the last axis: a `Gather` on the
//!   last axis;
//! - `ZipMap` turns a probability matrix into a list of maps, class label → probability.
//!   seismo reads the matrix: the node becomes an `Identity`, and the graph output it fed is
//!   declared a float tensor.
//!
//! Operators that neither tract nor these rewrites cover are refused here, by name, instead
//! of deep inside tract.

use tract_onnx::pb::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, tensor_proto,
    type_proto,
};

use crate::ModelError;

/// ONNX-ML operators (domain `ai.onnx.ml`) that tract 0.23 runs.
const TRACT_ML: [&str; 5] = [
    "CategoryMapper",
    "LinearClassifier",
    "LinearRegressor",
    "Normalizer",
    "TreeEnsembleClassifier",
];

/// Rewrites the graph of `model` in place; an error names the first operator left that
/// cannot run. Returns the class labels of a classifier (the first `classlabels_int64s` or
/// `classlabels_ints` of its nodes), if any.
pub(crate) fn standardize(model: &mut ModelProto) -> Result<Option<Vec<i64>>, ModelError> {
    let graph = model
        .graph
        .as_mut()
        .ok_or_else(|| ModelError::Read("the file holds no graph".into()))?;
    // Before the rewrites: a ZipMap, which carries them too, loses its attributes.
    let labels = graph.node.iter().find_map(|n| {
        n.attribute
            .iter()
            .find(|a| a.name == "classlabels_int64s" || a.name == "classlabels_ints")
            .map(|a| a.ints.clone())
    });
    let mut nodes = Vec::with_capacity(graph.node.len() + 1);
    for (index, mut node) in std::mem::take(&mut graph.node).into_iter().enumerate() {
        if node.domain == "ai.onnx.ml" {
            match node.op_type.as_str() {
                "Scaler" => {
                    let (sub, mul, offset, scale) = scaler(&node, index)?;
                    nodes.extend([sub, mul]);
                    graph.initializer.extend([offset, scale]);
                    continue;
                }
                "ArrayFeatureExtractor" => array_feature_extractor(&mut node),
                "ZipMap" => zip_map(&mut node),
                "TreeEnsembleClassifier" => binary_base_values(&mut node),
                op if TRACT_ML.contains(&op) => {}
                op => {
                    return Err(ModelError::Unsupported {
                        operator: format!("ai.onnx.ml:{op}"),
                        node: node.name.clone(),
                    });
                }
            }
        }
        nodes.push(node);
    }
    graph.node = nodes;
    declare_tensor_outputs(graph);
    Ok(labels)
}

/// A binary tree ensemble whose leaves all score class 0 is scored as one logit (the
/// positive class's); skl2onnx then gives one base value, where tract wants one per class.
/// The second is never read (tract keeps the first column and its complement), so it is 0.
fn binary_base_values(node: &mut NodeProto) {
    let classes = node
        .attribute
        .iter()
        .find(|a| a.name == "classlabels_int64s")
        .map_or(0, |a| a.ints.len());
    if let Some(base) = node.attribute.iter_mut().find(|a| a.name == "base_values")
        && classes == 2
        && base.floats.len() == 1
    {
        base.floats.push(0.0);
    }
}

/// `Scaler` as `Mul(Sub(X, offset), scale)`: the two nodes, in order, and their constants.
fn scaler(
    node: &NodeProto,
    index: usize,
) -> Result<(NodeProto, NodeProto, TensorProto, TensorProto), ModelError> {
    let floats = |name: &str| -> Vec<f32> {
        node.attribute
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.floats.clone())
            .unwrap_or_default()
    };
    let (offset, scale) = (floats("offset"), floats("scale"));
    if node.input.len() != 1 || node.output.len() != 1 {
        return Err(ModelError::Read(format!(
            "Scaler node `{}` must have one input and one output",
            node.name
        )));
    }
    let offset_name = format!("seismo_scaler_{index}_offset");
    let scale_name = format!("seismo_scaler_{index}_scale");
    let shifted = format!("seismo_scaler_{index}_shifted");
    let output = node.output[0].clone();
    let sub = NodeProto {
        input: vec![node.input[0].clone(), offset_name.clone()],
        output: vec![shifted.clone()],
        name: format!("{}_sub", node.name),
        op_type: "Sub".into(),
        ..Default::default()
    };
    let mul = NodeProto {
        input: vec![shifted, scale_name.clone()],
        output: vec![output],
        name: format!("seismo_scaler_{index}_mul"),
        op_type: "Mul".into(),
        ..Default::default()
    };
    Ok((
        sub,
        mul,
        float_constant(
            offset_name,
            if offset.is_empty() { vec![0.0] } else { offset },
        ),
        float_constant(scale_name, if scale.is_empty() { vec![1.0] } else { scale }),
    ))
}

fn array_feature_extractor(node: &mut NodeProto) {
    node.domain.clear();
    node.op_type = "Gather".into();
    node.attribute = vec![AttributeProto {
        name: "axis".into(),
        r#type: tract_onnx::pb::attribute_proto::AttributeType::Int as i32,
        i: -1,
        ..Default::default()
    }];
}

fn zip_map(node: &mut NodeProto) {
    node.domain.clear();
    node.op_type = "Identity".into();
    node.attribute.clear();
}

/// Graph outputs declared as something other than a tensor (the sequence of maps a ZipMap
/// made) are declared float tensors of unknown shape; tract infers the rest.
fn declare_tensor_outputs(graph: &mut GraphProto) {
    for output in &mut graph.output {
        let is_tensor = matches!(
            output.r#type.as_ref().and_then(|t| t.value.as_ref()),
            Some(type_proto::Value::TensorType(_))
        );
        if !is_tensor {
            output.r#type = Some(TypeProto {
                value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                    elem_type: tensor_proto::DataType::Float as i32,
                    shape: None,
                })),
                ..Default::default()
            });
        }
    }
}

fn float_constant(name: String, values: Vec<f32>) -> TensorProto {
    TensorProto {
        dims: vec![values.len() as i64],
        data_type: tensor_proto::DataType::Float as i32,
        float_data: values,
        name,
        ..Default::default()
    }
}
