//! Small builders of ONNX graph parts, for the rewrites.

use tract_onnx::pb::{
    AttributeProto, NodeProto, TensorProto, attribute_proto, tensor_proto::DataType,
};

/// An integer attribute.
pub(crate) fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_proto::AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
}

/// `Cast(input) -> output` to `to`.
pub(crate) fn cast(input: &str, output: &str, to: DataType, name: &str) -> NodeProto {
    NodeProto {
        input: vec![input.into()],
        output: vec![output.into()],
        name: name.into(),
        op_type: "Cast".into(),
        attribute: vec![int_attribute("to", to as i64)],
        ..Default::default()
    }
}

/// An int64 constant, a scalar when `scalar`.
pub(crate) fn int_constant(name: String, values: &[i64], scalar: bool) -> TensorProto {
    TensorProto {
        dims: dims(values.len(), scalar),
        data_type: DataType::Int64 as i32,
        int64_data: values.to_vec(),
        name,
        ..Default::default()
    }
}

/// A float constant, a scalar when `scalar`.
pub(crate) fn float_constant(name: String, values: &[f32], scalar: bool) -> TensorProto {
    TensorProto {
        dims: dims(values.len(), scalar),
        data_type: DataType::Float as i32,
        float_data: values.to_vec(),
        name,
        ..Default::default()
    }
}

/// The dimensions of a constant of `len` values: none for a scalar, else one.
fn dims(len: usize, scalar: bool) -> Vec<i64> {
    if scalar { vec![] } else { vec![len as i64] }
}
