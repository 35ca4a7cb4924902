//! ONNX-ML operators that scikit-learn exports use and tract does not run, rewritten into
//! standard ONNX operators before tract reads the graph.
//!
//! Rewriting the graph (rather than adding tract operators) keeps the semantics in a few
//! lines each, checked against onnxruntime by the crate's tests:
//! - `Scaler(X; offset, scale)` is `(X − offset) · scale`: a `Sub` and a `Mul` with the
//!   attributes as constants (one value for all columns, or one per column);
//! - `ArrayFeatureExtractor(X, indices)` picks columns of the last axis: a `Gather` on the
//!   last axis;
//! - `Imputer(X; imputed, replaced)` is `Where(IsNaN(X), imputed, X)` when the replaced
//!   value is NaN, `Where(Equal(X, replaced), imputed, X)` otherwise (one imputed value for
//!   all columns, or one per column);
//! - `ZipMap` turns a probability matrix into a list of maps, class label → probability.
//!   seismo reads the matrix: the node becomes an `Identity`, and the graph output it fed is
//!   declared a float tensor.
//!
//! - `TreeEnsembleRegressor` (gradient boosting and random forest regressors) runs on tract's
//!   `TreeEnsembleClassifier`, which sums the same trees (below).
//!
//! Operators that neither tract nor these rewrites cover are refused here, by name, instead
//! of deep inside tract.

use tract_onnx::pb::{
    AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, tensor_proto,
    type_proto,
};

use crate::ModelError;
use crate::proto::{float_constant, int_constant};

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
                "TreeEnsembleRegressor" => {
                    let (rewritten, constant) = tree_regressor(&node, index)?;
                    nodes.extend(rewritten);
                    graph.initializer.push(constant);
                    continue;
                }
                "Imputer" => {
                    let (mut rewritten, constants) = imputer(&node, index)?;
                    nodes.append(&mut rewritten);
                    graph.initializer.extend(constants);
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
            if offset.is_empty() {
                &[0.0][..]
            } else {
                &offset
            },
            false,
        ),
        float_constant(
            scale_name,
            if scale.is_empty() { &[1.0][..] } else { &scale },
            false,
        ),
    ))
}

/// `TreeEnsembleRegressor` as tract's `TreeEnsembleClassifier`, which sums the same trees:
/// the targets become classes (`target_*` attributes renamed `class_*`), an average becomes
/// a sum of weights divided by the number of trees, and the scores are read before any
/// classifier step. One target is scored as a binary classifier whose leaves all score the
/// first class: tract then returns `[1 − s, s]`, and a `Gather` takes `s`, bit for bit.
fn tree_regressor(
    node: &NodeProto,
    index: usize,
) -> Result<(Vec<NodeProto>, TensorProto), ModelError> {
    let unsupported = |what: String| ModelError::Unsupported {
        operator: format!("ai.onnx.ml:TreeEnsembleRegressor with {what}"),
        node: node.name.clone(),
    };
    let attribute = |name: &str| node.attribute.iter().find(|a| a.name == name);
    let text = |name: &str| attribute(name).map(|a| String::from_utf8_lossy(&a.s).into_owned());
    if let Some(transform) = text("post_transform").filter(|t| t != "NONE") {
        return Err(unsupported(format!("post_transform {transform}")));
    }
    let aggregate = text("aggregate_function").unwrap_or_else(|| "SUM".into());
    let n_targets = attribute("n_targets").map_or(1, |a| a.i.max(1)) as usize;
    let n_trees = attribute("nodes_treeids")
        .and_then(|a| a.ints.iter().max())
        .map_or(1, |m| *m as usize + 1);
    let mut attributes = Vec::with_capacity(node.attribute.len() + 1);
    for a in &node.attribute {
        let mut a = a.clone();
        match a.name.as_str() {
            "target_ids" | "target_nodeids" | "target_treeids" => {
                a.name = a.name.replacen("target", "class", 1);
            }
            "target_weights" => {
                a.name = "class_weights".into();
                match aggregate.as_str() {
                    "SUM" => {}
                    "AVERAGE" => a.floats.iter_mut().for_each(|w| *w /= n_trees as f32),
                    other => return Err(unsupported(format!("aggregate_function {other}"))),
                }
            }
            "base_values" if n_targets == 1 => a.floats.resize(2, 0.0),
            "n_targets" | "aggregate_function" | "post_transform" => continue,
            _ => {}
        }
        attributes.push(a);
    }
    let classes: Vec<i64> = (0..n_targets.max(2) as i64).collect();
    attributes.push(AttributeProto {
        name: "classlabels_int64s".into(),
        r#type: tract_onnx::pb::attribute_proto::AttributeType::Ints as i32,
        ints: classes,
        ..Default::default()
    });
    let output = node
        .output
        .first()
        .cloned()
        .ok_or_else(|| ModelError::Read(format!("node `{}` has no output", node.name)))?;
    let scores = format!("seismo_regressor_{index}_scores");
    let column = format!("seismo_regressor_{index}_column");
    let ensemble = NodeProto {
        input: node.input.clone(),
        output: vec![format!("seismo_regressor_{index}_label"), scores.clone()],
        name: node.name.clone(),
        op_type: "TreeEnsembleClassifier".into(),
        domain: "ai.onnx.ml".into(),
        attribute: attributes,
        ..Default::default()
    };
    let pick = if n_targets == 1 {
        NodeProto {
            input: vec![scores, column.clone()],
            output: vec![output],
            name: format!("seismo_regressor_{index}_value"),
            op_type: "Gather".into(),
            attribute: vec![AttributeProto {
                name: "axis".into(),
                r#type: tract_onnx::pb::attribute_proto::AttributeType::Int as i32,
                i: -1,
                ..Default::default()
            }],
            ..Default::default()
        }
    } else {
        NodeProto {
            input: vec![scores],
            output: vec![output],
            name: format!("seismo_regressor_{index}_value"),
            op_type: "Identity".into(),
            ..Default::default()
        }
    };
    let second = int_constant(column, &[1], false);
    Ok((vec![ensemble, pick], second))
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

/// `Imputer` as `Where(missing, imputed, X)`, `missing` being `IsNaN(X)` for a NaN replaced
/// value and `Equal(X, replaced)` otherwise.
fn imputer(
    node: &NodeProto,
    index: usize,
) -> Result<(Vec<NodeProto>, Vec<TensorProto>), ModelError> {
    let attribute = |name: &str| node.attribute.iter().find(|a| a.name == name);
    let (Some(input), Some(output)) = (node.input.first(), node.output.first()) else {
        return Err(ModelError::Read(format!(
            "Imputer node `{}` must have an input and an output",
            node.name
        )));
    };
    let name = |what: &str| format!("seismo_imputer_{index}_{what}");
    let mut constants = Vec::with_capacity(2);
    let mut nodes = Vec::with_capacity(2);
    match attribute("imputed_value_int64s").filter(|a| !a.ints.is_empty()) {
        Some(imputed) => {
            let replaced = attribute("replaced_value_int64").map_or(0, |a| a.i);
            constants.push(int_constant(name("imputed"), &imputed.ints, false));
            constants.push(int_constant(name("replaced"), &[replaced], true));
            nodes.push(binary("Equal", input, &name("replaced"), &name("missing")));
        }
        None => {
            let imputed = attribute("imputed_value_floats")
                .map(|a| a.floats.clone())
                .unwrap_or_default();
            if imputed.is_empty() {
                return Err(ModelError::Read(format!(
                    "Imputer node `{}` has no imputed values",
                    node.name
                )));
            }
            constants.push(float_constant(name("imputed"), &imputed, false));
            let replaced = attribute("replaced_value_float").map_or(0.0, |a| a.f);
            if replaced.is_nan() {
                nodes.push(NodeProto {
                    input: vec![input.clone()],
                    output: vec![name("missing")],
                    name: name("isnan"),
                    op_type: "IsNaN".into(),
                    ..Default::default()
                });
            } else {
                constants.push(float_constant(name("replaced"), &[replaced], true));
                nodes.push(binary("Equal", input, &name("replaced"), &name("missing")));
            }
        }
    }
    nodes.push(NodeProto {
        input: vec![name("missing"), name("imputed"), input.clone()],
        output: vec![output.clone()],
        name: node.name.clone(),
        op_type: "Where".into(),
        ..Default::default()
    });
    Ok((nodes, constants))
}

fn binary(op: &str, a: &str, b: &str, output: &str) -> NodeProto {
    NodeProto {
        input: vec![a.into(), b.into()],
        output: vec![output.into()],
        name: output.into(),
        op_type: op.into(),
        ..Default::default()
    }
}
