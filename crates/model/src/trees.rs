//! Tree ensembles evaluated in flat arrays.
//!
//! tract reads ONNX-ML tree ensembles into its `TreeEnsembleClassifier` operator, whose
//! evaluation reaches a leaf's votes by stepping an iterator over every vote before them
//! (`outer_iter().skip(start)`): each tree costs time in proportion to the votes of all the
//! trees before it, so a forest's cost per row grows with the square of its size (5,000 rows
//! of a 50-tree gradient boosting model took 0.47 s). [`Trees`] holds the same nodes and
//! votes as plain vectors and indexes a leaf's votes directly; it replaces tract's operator
//! in the typed model before optimization ([`speed_up`]). The arithmetic is tract's, in the
//! same order (trees in order, a leaf's votes in order, summed), so the
//! results are the same bits. One difference: a `BRANCH_GTE` node is a branch here, where
//! tract's reading of its own node table takes it for a leaf.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx_opl::ml::tree::{Aggregate, TreeEnsemble};
use tract_onnx_opl::ml::tree_ensemble_classifier::TreeEnsembleClassifier;

/// A node in 16 bytes: a branch (`cmp` 1..=6, tract's `Cmp`) or a leaf (`cmp` 0;
/// `true_id..false_id` are its votes). `flags` holds `cmp` in its low byte and
/// [`NAN_IS_TRUE`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    value: f32,
    /// The feature compared (branches).
    feature: u16,
    flags: u16,
    true_id: u32,
    false_id: u32,
}

/// A missing value (NaN) takes the branch's true side.
const NAN_IS_TRUE: u16 = 0x100;

impl Node {
    fn cmp(&self) -> u8 {
        (self.flags & 0xFF) as u8
    }
}

/// A tree ensemble as flat vectors; evaluates to a score per class and row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Trees {
    roots: Vec<u32>,
    nodes: Vec<Node>,
    /// A vote: the class it goes to and its weight.
    votes: Vec<(u32, f32)>,
    classes: usize,
    features: usize,
    /// The comparison every branch makes, when they all make the same one (scikit-learn's
    /// exports: `<=`): the walk is then compiled for it.
    mode: Option<u8>,
}

impl std::hash::Hash for Trees {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.roots.hash(state);
        self.nodes.len().hash(state);
        self.votes.len().hash(state);
        self.classes.hash(state);
    }
}

impl Eq for Trees {}

impl Trees {
    /// The same ensemble as tract's, or `None` when its layout does not allow the fast walk:
    /// more than 65,536 features, or a branch whose children do not come after it (so that
    /// every walk ends, without counting steps).
    fn from_tract(ensemble: &TreeEnsemble) -> TractResult<Option<Self>> {
        let data = &ensemble.data;
        let roots = words(&data.trees)?;
        let words_of_nodes = words(&data.nodes)?;
        let mut nodes = Vec::with_capacity(words_of_nodes.len() / 5);
        for row in words_of_nodes.chunks_exact(5) {
            let cmp = (row[4] & 0xFF) as u16;
            nodes.push(if (1..=6).contains(&cmp) {
                let Ok(feature) = u16::try_from(row[0]) else {
                    return Ok(None);
                };
                Node {
                    value: f32::from_bits(row[3]),
                    feature,
                    flags: cmp | if row[4] & 0x100 != 0 { NAN_IS_TRUE } else { 0 },
                    true_id: row[1],
                    false_id: row[2],
                }
            } else {
                // A leaf: tract keeps its votes' range in the first two words.
                Node {
                    value: 0.0,
                    feature: 0,
                    flags: 0,
                    true_id: row[0],
                    false_id: row[1],
                }
            });
        }
        let votes = words(&data.leaves)?
            .chunks_exact(2)
            .map(|v| (v[0], f32::from_bits(v[1])))
            .collect::<Vec<_>>();
        // Every index is checked once here, so evaluation cannot step outside.
        let node_ok = |id: u32| (id as usize) < nodes.len();
        for (id, node) in nodes.iter().enumerate() {
            let ok = if node.cmp() == 0 {
                node.true_id <= node.false_id && node.false_id as usize <= votes.len()
            } else {
                node_ok(node.true_id) && node_ok(node.false_id)
            };
            if !ok {
                bail!("a tree node points outside the ensemble");
            }
            if node.cmp() != 0 && (node.true_id as usize <= id || node.false_id as usize <= id) {
                return Ok(None);
            }
        }
        if !roots.iter().all(|r| node_ok(*r))
            || votes
                .iter()
                .any(|(class, _)| *class as usize >= ensemble.n_classes)
        {
            bail!("a tree or vote points outside the ensemble");
        }
        let mut modes = nodes.iter().map(Node::cmp).filter(|c| *c != 0);
        let first = modes.next();
        let mode = first.filter(|m| modes.all(|c| c == *m));
        Ok(Some(Self {
            roots,
            nodes,
            votes,
            classes: ensemble.n_classes,
            features: ensemble.max_used_feature + 1,
            mode,
        }))
    }

    /// The leaf a row reaches in the tree rooted at `root`, each branch deciding by
    /// `goes_true(x, threshold, cmp)`. The walk ends: children come after their branch.
    #[inline(always)]
    fn leaf(&self, root: u32, row: &[f32], goes_true: impl Fn(f32, f32, u8) -> bool) -> &Node {
        let mut node = &self.nodes[root as usize];
        loop {
            let cmp = node.cmp();
            if cmp == 0 {
                return node;
            }
            let x = row[node.feature as usize];
            let go_true = if x.is_nan() {
                node.flags & NAN_IS_TRUE != 0
            } else {
                goes_true(x, node.value, cmp)
            };
            node = &self.nodes[if go_true { node.true_id } else { node.false_id } as usize];
        }
    }

    /// The scores of `rows` (`[rows, features]`, row-major) into `out` (`[rows, classes]`).
    fn eval_rows(&self, rows: &[f32], width: usize, out: &mut [f32]) {
        match self.mode {
            Some(3) => self.eval_with(rows, width, out, |x, v, _| x < v),
            Some(5) => self.eval_with(rows, width, out, |x, v, _| x <= v),
            _ => self.eval_with(rows, width, out, |x, v, cmp| match cmp {
                1 => x == v,
                2 => x != v,
                3 => x < v,
                4 => x > v,
                5 => x <= v,
                _ => x >= v,
            }),
        }
    }

    /// Adds a leaf's votes to a row's scores (the first `classes` of `scores`).
    #[inline(always)]
    fn vote(&self, leaf: &Node, scores: &mut [f32]) {
        for (class, weight) in &self.votes[leaf.true_id as usize..leaf.false_id as usize] {
            scores[*class as usize] += *weight;
        }
    }

    #[inline(always)]
    fn eval_with(
        &self,
        rows: &[f32],
        width: usize,
        out: &mut [f32],
        goes_true: impl Fn(f32, f32, u8) -> bool + Copy,
    ) {
        // Tree by tree over a block of rows, so that a tree's nodes stay in cache while the
        // block walks it. Each row still adds its trees' votes in tree order: the same sums.
        const BLOCK: usize = 256;
        const LANES: usize = 8;
        for (block, scores) in rows
            .chunks(width * BLOCK)
            .zip(out.chunks_mut(self.classes * BLOCK))
        {
            let n = block.len() / width;
            for root in &self.roots {
                // Eight rows walk the tree at once: their chains of dependent loads overlap.
                let mut first = 0;
                while first + LANES <= n {
                    let mut at = [*root; LANES];
                    loop {
                        let mut moved = false;
                        for (lane, id) in at.iter_mut().enumerate() {
                            let node = &self.nodes[*id as usize];
                            let cmp = node.cmp();
                            if cmp != 0 {
                                let x = block[(first + lane) * width + node.feature as usize];
                                let go_true = if x.is_nan() {
                                    node.flags & NAN_IS_TRUE != 0
                                } else {
                                    goes_true(x, node.value, cmp)
                                };
                                *id = if go_true { node.true_id } else { node.false_id };
                                moved = true;
                            }
                        }
                        if !moved {
                            break;
                        }
                    }
                    for (lane, id) in at.iter().enumerate() {
                        let row = first + lane;
                        self.vote(&self.nodes[*id as usize], &mut scores[row * self.classes..]);
                    }
                    first += LANES;
                }
                for row in first..n {
                    let leaf = self.leaf(*root, &block[row * width..][..width], goes_true);
                    self.vote(leaf, &mut scores[row * self.classes..]);
                }
            }
        }
    }
}

impl Op for Trees {
    fn name(&self) -> StaticName {
        "SeismoTreeEnsemble".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Trees {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let input = input.cast_to::<f32>()?;
        let shape = input.shape().to_vec();
        let (rows, width) = match shape.as_slice() {
            [n, k] => (*n, *k),
            [k] => (1, *k),
            _ => bail!("a tree ensemble takes a matrix, got shape {shape:?}"),
        };
        if width < self.features {
            bail!(
                "the input has {width} features and the trees use feature #{}",
                self.features - 1
            );
        }
        let mut out = vec![0f32; rows * self.classes];
        let input = input.to_plain_array_view::<f32>()?;
        match input.as_slice() {
            Some(rows) => self.eval_rows(rows, width, &mut out),
            None => self.eval_rows(&input.iter().copied().collect::<Vec<_>>(), width, &mut out),
        }
        let out = if shape.len() == 1 {
            tensor1(&out)
        } else {
            tract_ndarray::Array2::from_shape_vec((rows, self.classes), out)?.into_tensor()
        };
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Trees {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let n = &inputs[0].shape[0];
        Ok(tvec!(f32::fact(&[n.clone(), self.classes.into()])))
    }

    as_op!();
}

/// The words of a `u32` tensor.
fn words(tensor: &Arc<Tensor>) -> TractResult<Vec<u32>> {
    Ok(tensor
        .to_plain_array_view::<u32>()?
        .iter()
        .copied()
        .collect())
}

/// Replaces tract's tree-ensemble operators in `model` with [`Trees`]: those that sum their
/// trees' votes, which is how skl2onnx exports every scikit-learn ensemble once `rewrite`
/// has turned averages into sums. An ensemble taking the average, minimum or maximum keeps
/// tract's operator.
pub(crate) fn speed_up(model: &mut TypedModel) -> TractResult<()> {
    for node in &mut model.nodes {
        if let Some(op) = node
            .op_as::<TreeEnsembleClassifier>()
            .filter(|op| op.ensemble.aggregate_fn == Aggregate::Sum)
            && let Some(trees) = Trees::from_tract(&op.ensemble)?
        {
            node.op = Box::new(trees);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A committed model as tract reads it, typed, with or without [`speed_up`].
    fn typed(name: &str, fast: bool) -> Arc<TypedRunnableModel> {
        let path = format!(
            "{}/tests/fixtures/models/{name}.onnx",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).unwrap();
        let onnx = tract_onnx::onnx();
        let mut proto = onnx.proto_model_for_read(&mut &bytes[..]).unwrap();
        crate::rewrite::standardize(&mut proto).unwrap();
        let mut model = onnx.model_for_proto_model(&proto).unwrap();
        let rows = model.symbols.sym("rows");
        model
            .set_input_fact(0, f32::fact(&[rows.to_dim(), 7.to_dim()]).into())
            .unwrap();
        let mut model = model.into_typed().unwrap();
        if fast {
            speed_up(&mut model).unwrap();
            assert!(
                model.nodes.iter().any(|n| n.op_is::<Trees>()),
                "{name}: no tree ensemble replaced"
            );
        }
        model.into_optimized().unwrap().into_runnable().unwrap()
    }

    /// Rows over the features' ranges, with NaN (missing), ±0.0, subnormals and extremes.
    fn rows(n: usize) -> Tensor {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let specials = [f32::NAN, 0.0, -0.0, 1e-40, -1e-40, f32::MAX, f32::MIN];
        let values: Vec<f32> = (0..n * 7)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 29 == 0 {
                    specials[(state % specials.len() as u64) as usize]
                } else {
                    // Spans age, income, credit score, tenure, balance and utilization.
                    let scale = [100.0, 2e5, 900.0, 240.0, 5.0, 1e5, 1.0][i % 7];
                    (state % 1_000_000) as f32 / 1e6 * scale
                }
            })
            .collect();
        tract_ndarray::Array2::from_shape_vec((n, 7), values)
            .unwrap()
            .into_tensor()
    }

    #[test]
    fn the_flat_trees_give_tracts_bits() {
        for name in [
            "gbm",
            "forest",
            "gbm_regressor",
            "forest_regressor",
            "lightgbm",
            "xgboost",
            "lightgbm_regressor",
        ] {
            let input = rows(500);
            let slow = typed(name, false).run(tvec!(input.clone().into())).unwrap();
            let fast = typed(name, true).run(tvec!(input.into())).unwrap();
            assert_eq!(slow.len(), fast.len());
            for (s, f) in slow.iter().zip(fast.iter()) {
                if s.datum_type() == f32::datum_type() {
                    let (s, f) = (
                        s.to_plain_array_view::<f32>().unwrap(),
                        f.to_plain_array_view::<f32>().unwrap(),
                    );
                    let bits = |v: &f32| v.to_bits();
                    assert_eq!(
                        s.iter().map(bits).collect::<Vec<_>>(),
                        f.iter().map(bits).collect::<Vec<_>>(),
                        "{name}"
                    );
                } else {
                    assert_eq!(s, f, "{name}");
                }
            }
        }
    }
}
