//! Strings in the graph as integer codes, and the encoders that read them.
//!
//! tract computes on numbers. A scikit-learn pipeline exported with its encoders takes
//! strings (a category per column) and moves them through shape operators (`Concat`,
//! `Gather`, `Reshape`, `Where`) to the encoders (`OneHotEncoder`, `LabelEncoder`,
//! `CategoryMapper`). seismo numbers every string the graph mentions, in order of first
//! mention: that is the model's [`Vocabulary`], and any other string has one more code,
//! *unknown*. Every string tensor becomes an int64 tensor of codes: string constants are
//! rewritten, shape operators move codes as they moved strings, and each encoder becomes
//! standard operators on codes:
//! - `OneHotEncoder`: `Equal(Unsqueeze(x, -1), categories)` cast to float. An unknown
//!   category is all zeros, as scikit-learn's `handle_unknown="ignore"` exports it (an
//!   encoder exported with `zeros=0` makes onnxruntime refuse the row instead);
//! - `LabelEncoder` and `CategoryMapper` from strings: a `Gather` from a table with one entry
//!   per code, the default at every code that is no key (unknown included); from numbers:
//!   `Where(Equal(x, key), value, …)` per key, the default last.
//!
//! Any other operator that takes a string (a `Cast` that parses numbers, a string
//! comparison other than `Equal`) is refused by name. Two different unknown strings have one
//! code, so `Equal` between two string inputs sees them as equal; the exports seismo reads
//! compare inputs with constants only, which is exact.

use std::collections::{HashMap, HashSet};

use tract_onnx::pb::{
    AttributeProto, GraphProto, NodeProto, TensorProto, attribute_proto, tensor_proto::DataType,
};

use crate::ModelError;
use crate::proto::{cast, float_constant, int_attribute, int_constant};

/// Numeric keys a `LabelEncoder` or `CategoryMapper` may have: each is two operators.
const MAX_NUMERIC_KEYS: usize = 256;

/// The strings a model knows, numbered in order of first mention in its graph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    words: Vec<String>,
    index: HashMap<String, i64>,
}

impl Vocabulary {
    /// The known strings; a string's code is its position.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The code of `word`: its position, or [`Vocabulary::unknown`].
    pub fn code(&self, word: &str) -> i64 {
        self.index.get(word).copied().unwrap_or(self.unknown())
    }

    /// The code of every string the model does not know.
    pub fn unknown(&self) -> i64 {
        self.words.len() as i64
    }

    /// The code of a missing value: the empty string's (the missing marker of exported string
    /// imputers) when the model knows it, else unknown.
    pub fn missing(&self) -> i64 {
        self.code("")
    }

    fn add(&mut self, word: &[u8]) -> i64 {
        let word = String::from_utf8_lossy(word).into_owned();
        if let Some(code) = self.index.get(&word) {
            return *code;
        }
        let code = self.words.len() as i64;
        self.index.insert(word.clone(), code);
        self.words.push(word);
        code
    }
}

/// The default of a string-valued encoder that declares none (the ONNX specification's).
const UNUSED: &[u8] = b"_Unused";

/// Rewrites the strings of `graph` into codes and its encoders into standard operators.
/// `text` names the tensors that hold strings from the start (the string inputs, after
/// [`crate::front`]); `opset` is the graph's default-domain operator set version.
pub(crate) fn encode(
    graph: &mut GraphProto,
    text: &[String],
    opset: i64,
) -> Result<Vocabulary, ModelError> {
    let vocabulary = vocabulary(graph);
    let mut strings: HashSet<String> = text.iter().cloned().collect();
    for tensor in &mut graph.initializer {
        if tensor.data_type == DataType::String as i32 {
            strings.insert(tensor.name.clone());
            to_codes(tensor, &vocabulary);
        }
    }
    let mut nodes = Vec::with_capacity(graph.node.len());
    for (index, mut node) in std::mem::take(&mut graph.node).into_iter().enumerate() {
        let string_in: Vec<bool> = node.input.iter().map(|i| strings.contains(i)).collect();
        let takes_strings = string_in.iter().any(|s| *s);
        let refuse = |what: &str| ModelError::Unsupported {
            operator: format!(
                "{}:{}{what}",
                if node.domain.is_empty() {
                    "ai.onnx"
                } else {
                    &node.domain
                },
                node.op_type
            ),
            node: node.name.clone(),
        };
        let mut gives_strings = false;
        match (node.domain.as_str(), node.op_type.as_str()) {
            ("ai.onnx.ml", "OneHotEncoder") => {
                let (mut rewritten, constants) = one_hot(&node, index, &vocabulary, opset)?;
                nodes.append(&mut rewritten);
                graph.initializer.extend(constants);
                continue;
            }
            ("ai.onnx.ml", op @ ("LabelEncoder" | "CategoryMapper")) => {
                let lookup = if op == "LabelEncoder" {
                    label_encoder(&node, &vocabulary, takes_strings).map_err(refuse)?
                } else {
                    category_mapper(&node, &vocabulary, takes_strings)
                };
                let (mut rewritten, constants) = lookup.wire(&node, index, &refuse)?;
                nodes.append(&mut rewritten);
                graph.initializer.extend(constants);
                mark(&mut strings, &node, lookup.gives_strings);
                continue;
            }
            ("", "Constant") => {
                for attribute in &mut node.attribute {
                    if let Some(t) = attribute.t.as_mut().filter(|_| attribute.name == "value")
                        && t.data_type == DataType::String as i32
                    {
                        to_codes(t, &vocabulary);
                        gives_strings = true;
                    }
                    if attribute.name == "value_strings" {
                        let codes = attribute.strings.iter().map(|s| vocabulary.code(&lossy(s)));
                        *attribute = AttributeProto {
                            name: "value_ints".into(),
                            r#type: attribute_proto::AttributeType::Ints as i32,
                            ints: codes.collect(),
                            ..Default::default()
                        };
                        gives_strings = true;
                    }
                }
            }
            ("", "Cast")
                if node
                    .attribute
                    .iter()
                    .any(|a| a.name == "to" && a.i == DataType::String as i64) =>
            {
                return Err(refuse(" to strings"));
            }
            _ if !takes_strings => {}
            // Shape operators move strings; their data input decides.
            ("", "Where") => gives_strings = string_in.iter().skip(1).any(|s| *s),
            ("", "Concat") => gives_strings = true,
            (
                "",
                "Gather" | "Reshape" | "Identity" | "Squeeze" | "Unsqueeze" | "Flatten" | "Slice"
                | "Transpose" | "Expand" | "Tile" | "Split",
            )
            | ("ai.onnx.ml", "ArrayFeatureExtractor") => gives_strings = string_in[0],
            ("", "Equal") => {}
            _ => return Err(refuse(" on strings")),
        }
        mark(&mut strings, &node, gives_strings);
        nodes.push(node);
    }
    graph.node = nodes;
    Ok(vocabulary)
}

fn mark(strings: &mut HashSet<String>, node: &NodeProto, gives_strings: bool) {
    if gives_strings {
        strings.extend(node.output.iter().cloned());
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every string the graph mentions, in order: string constants, then the encoders' categories,
/// keys, values and defaults, node by node.
fn vocabulary(graph: &GraphProto) -> Vocabulary {
    let mut vocabulary = Vocabulary::default();
    for tensor in &graph.initializer {
        if tensor.data_type == DataType::String as i32 {
            tensor.string_data.iter().for_each(|s| {
                vocabulary.add(s);
            });
        }
    }
    for node in &graph.node {
        for attribute in &node.attribute {
            match attribute.name.as_str() {
                "cats_strings" | "keys_strings" | "values_strings" | "value_strings" => {
                    attribute.strings.iter().for_each(|s| {
                        vocabulary.add(s);
                    });
                }
                "default_string" => {
                    vocabulary.add(&attribute.s);
                }
                "value" => {
                    if let Some(t) = attribute
                        .t
                        .as_ref()
                        .filter(|t| t.data_type == DataType::String as i32)
                    {
                        t.string_data.iter().for_each(|s| {
                            vocabulary.add(s);
                        });
                    }
                }
                _ => {}
            }
        }
        let string_valued = (node.op_type == "LabelEncoder"
            && node.attribute.iter().any(|a| a.name == "values_strings"))
            || node.op_type == "CategoryMapper";
        if node.domain == "ai.onnx.ml"
            && string_valued
            && !node.attribute.iter().any(|a| a.name == "default_string")
        {
            vocabulary.add(UNUSED);
        }
    }
    vocabulary
}

/// A string tensor as the int64 tensor of its codes.
fn to_codes(tensor: &mut TensorProto, vocabulary: &Vocabulary) {
    tensor.int64_data = tensor
        .string_data
        .iter()
        .map(|s| vocabulary.code(&lossy(s)))
        .collect();
    tensor.string_data.clear();
    tensor.data_type = DataType::Int64 as i32;
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// `OneHotEncoder(x)` as `Cast(Equal(Unsqueeze(Cast(x, int64), -1), categories), float)`.
fn one_hot(
    node: &NodeProto,
    index: usize,
    vocabulary: &Vocabulary,
    opset: i64,
) -> Result<(Vec<NodeProto>, Vec<TensorProto>), ModelError> {
    let categories: Vec<i64> = match (
        attribute(node, "cats_strings"),
        attribute(node, "cats_int64s"),
    ) {
        (Some(s), _) if !s.strings.is_empty() => s
            .strings
            .iter()
            .map(|w| vocabulary.code(&lossy(w)))
            .collect(),
        (_, Some(i)) => i.ints.clone(),
        _ => {
            return Err(ModelError::Read(format!(
                "OneHotEncoder node `{}` has no categories",
                node.name
            )));
        }
    };
    let (Some(input), Some(output)) = (node.input.first(), node.output.first()) else {
        return Err(ModelError::Read(format!(
            "OneHotEncoder node `{}` must have an input and an output",
            node.name
        )));
    };
    let name = |what: &str| format!("seismo_onehot_{index}_{what}");
    let mut constants = vec![int_constant(name("categories"), &categories, false)];
    let mut unsqueeze = NodeProto {
        input: vec![name("codes")],
        output: vec![name("column")],
        name: name("unsqueeze"),
        op_type: "Unsqueeze".into(),
        ..Default::default()
    };
    // The axes are an attribute before operator set 13, an input since.
    if opset < 13 {
        unsqueeze.attribute.push(AttributeProto {
            name: "axes".into(),
            r#type: attribute_proto::AttributeType::Ints as i32,
            ints: vec![-1],
            ..Default::default()
        });
    } else {
        unsqueeze.input.push(name("axes"));
        constants.push(int_constant(name("axes"), &[-1], false));
    }
    let nodes = vec![
        cast(input, &name("codes"), DataType::Int64, &name("cast")),
        unsqueeze,
        NodeProto {
            input: vec![name("column"), name("categories")],
            output: vec![name("equal")],
            name: name("equal"),
            op_type: "Equal".into(),
            ..Default::default()
        },
        cast(&name("equal"), output, DataType::Float, &node.name),
    ];
    Ok((nodes, constants))
}

/// What a lookup encoder maps from and to.
enum Keys {
    /// String keys, as codes.
    Codes(Vec<i64>),
    Ints(Vec<i64>),
    Floats(Vec<f32>),
}

enum Values {
    /// Integers, or string values as codes.
    Ints(Vec<i64>, i64),
    Floats(Vec<f32>, f32),
}

struct Lookup {
    keys: Keys,
    values: Values,
    gives_strings: bool,
    /// The number of codes (the vocabulary and unknown), for a table over codes.
    codes: usize,
}

fn label_encoder(
    node: &NodeProto,
    vocabulary: &Vocabulary,
    takes_strings: bool,
) -> Result<Lookup, &'static str> {
    let strings = |name: &str| -> Option<Vec<i64>> {
        attribute(node, name).map(|a| {
            a.strings
                .iter()
                .map(|s| vocabulary.code(&lossy(s)))
                .collect()
        })
    };
    if ["keys_tensor", "values_tensor", "default_tensor"]
        .iter()
        .any(|n| attribute(node, n).is_some())
    {
        return Err(" with tensor attributes (operator set 4), which seismo does not read yet");
    }
    let keys = if let Some(codes) = strings("keys_strings") {
        Keys::Codes(codes)
    } else if let Some(a) = attribute(node, "keys_int64s") {
        Keys::Ints(a.ints.clone())
    } else {
        let keys = attribute(node, "keys_floats").ok_or(" without keys")?;
        Keys::Floats(keys.floats.clone())
    };
    if matches!(keys, Keys::Codes(_)) != takes_strings {
        return Err(" whose keys are not of its input's type");
    }
    let (values, gives_strings) = if let Some(codes) = strings("values_strings") {
        let default = attribute(node, "default_string").map_or(UNUSED, |a| a.s.as_slice());
        (Values::Ints(codes, vocabulary.code(&lossy(default))), true)
    } else if let Some(a) = attribute(node, "values_int64s") {
        (
            Values::Ints(
                a.ints.clone(),
                attribute(node, "default_int64").map_or(-1, |d| d.i),
            ),
            false,
        )
    } else {
        let floats = attribute(node, "values_floats")
            .ok_or(" without values")?
            .floats
            .clone();
        (
            Values::Floats(
                floats,
                attribute(node, "default_float").map_or(-0.0, |d| d.f),
            ),
            false,
        )
    };
    Ok(Lookup {
        keys,
        values,
        gives_strings,
        codes: vocabulary.unknown() as usize + 1,
    })
}

/// `CategoryMapper`: strings to their integers (`cats_strings[i]` → `cats_int64s[i]`), or
/// integers to their strings, whichever its input holds.
fn category_mapper(node: &NodeProto, vocabulary: &Vocabulary, takes_strings: bool) -> Lookup {
    let codes: Vec<i64> = attribute(node, "cats_strings")
        .map(|a| {
            a.strings
                .iter()
                .map(|s| vocabulary.code(&lossy(s)))
                .collect()
        })
        .unwrap_or_default();
    let ints = attribute(node, "cats_int64s")
        .map(|a| a.ints.clone())
        .unwrap_or_default();
    let (keys, values) = if takes_strings {
        let default = attribute(node, "default_int64").map_or(-1, |a| a.i);
        (Keys::Codes(codes), Values::Ints(ints, default))
    } else {
        let default = attribute(node, "default_string").map_or(UNUSED, |a| a.s.as_slice());
        (
            Keys::Ints(ints),
            Values::Ints(codes, vocabulary.code(&lossy(default))),
        )
    };
    Lookup {
        keys,
        values,
        gives_strings: !takes_strings,
        codes: vocabulary.unknown() as usize + 1,
    }
}

impl Lookup {
    fn wire(
        &self,
        node: &NodeProto,
        index: usize,
        refuse: &dyn Fn(&str) -> ModelError,
    ) -> Result<(Vec<NodeProto>, Vec<TensorProto>), ModelError> {
        let (Some(input), Some(output)) = (node.input.first(), node.output.first()) else {
            return Err(refuse(" without an input and an output"));
        };
        let name = |what: String| format!("seismo_lookup_{index}_{what}");
        let value = |k: usize, name: String| match &self.values {
            Values::Ints(v, _) => int_constant(name, &[v[k]], true),
            Values::Floats(v, _) => float_constant(name, &[v[k]], true),
        };
        let count = match &self.values {
            Values::Ints(v, _) => v.len(),
            Values::Floats(v, _) => v.len(),
        };
        let keys = match &self.keys {
            Keys::Codes(k) | Keys::Ints(k) => k.len(),
            Keys::Floats(k) => k.len(),
        };
        if keys != count {
            return Err(refuse(&format!(" with {keys} keys and {count} values")));
        }
        if let Keys::Codes(codes) = &self.keys {
            // One table entry per code: the value of the key with that code, else the default.
            let table = name("table".into());
            let constant = match &self.values {
                Values::Ints(v, default) => {
                    let mut t = vec![*default; self.codes];
                    for (c, v) in codes.iter().zip(v) {
                        t[*c as usize] = *v;
                    }
                    int_constant(table.clone(), &t, false)
                }
                Values::Floats(v, default) => {
                    let mut t = vec![*default; self.codes];
                    for (c, v) in codes.iter().zip(v) {
                        t[*c as usize] = *v;
                    }
                    float_constant(table.clone(), &t, false)
                }
            };
            let gather = NodeProto {
                input: vec![table, input.clone()],
                output: vec![output.clone()],
                name: node.name.clone(),
                op_type: "Gather".into(),
                attribute: vec![int_attribute("axis", 0)],
                ..Default::default()
            };
            return Ok((vec![gather], vec![constant]));
        }
        if keys == 0 {
            return Err(refuse(" without keys"));
        }
        if keys > MAX_NUMERIC_KEYS {
            return Err(refuse(&format!(
                " with {keys} numeric keys (seismo reads up to {MAX_NUMERIC_KEYS})"
            )));
        }
        // Where(x == key_k, value_k, previous), from the default up.
        let mut constants = vec![match &self.values {
            Values::Ints(_, d) => int_constant(name("default".into()), &[*d], true),
            Values::Floats(_, d) => float_constant(name("default".into()), &[*d], true),
        }];
        let mut nodes = Vec::with_capacity(2 * keys);
        let mut previous = name("default".into());
        for k in 0..keys {
            constants.push(match &self.keys {
                Keys::Codes(v) | Keys::Ints(v) => {
                    int_constant(name(format!("key_{k}")), &[v[k]], true)
                }
                Keys::Floats(v) => float_constant(name(format!("key_{k}")), &[v[k]], true),
            });
            constants.push(value(k, name(format!("value_{k}"))));
            let out = if k + 1 == keys {
                output.clone()
            } else {
                name(format!("out_{k}"))
            };
            nodes.push(NodeProto {
                input: vec![input.clone(), name(format!("key_{k}"))],
                output: vec![name(format!("equal_{k}"))],
                name: name(format!("equal_{k}")),
                op_type: "Equal".into(),
                ..Default::default()
            });
            nodes.push(NodeProto {
                input: vec![
                    name(format!("equal_{k}")),
                    name(format!("value_{k}")),
                    previous,
                ],
                output: vec![out.clone()],
                name: name(format!("where_{k}")),
                op_type: "Where".into(),
                ..Default::default()
            });
            previous = out;
        }
        Ok((nodes, constants))
    }
}
