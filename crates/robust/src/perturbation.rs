//! Perturbations: what is done to the rows, written `kind:amount@column,column`.

use ndarray::{Array2, ArrayView2};
use seismo_stats::random::SplitMix64;

use crate::RobustError;
use crate::reference::Reference;

/// What a perturbation does to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Adds Gaussian noise with σ = amount × the feature's reference standard deviation.
    Gaussian,
    /// Multiplies by `1 + u`, `u` uniform in `[-amount, amount]`.
    Multiply,
    /// Rounds to `amount` decimal places (negative: to tens, hundreds, ...).
    Round,
    /// Makes a value missing (NaN) with probability `amount`.
    Missing,
    /// With probability `amount`, replaces a value with another value observed in the
    /// reference (uniformly among the others).
    Category,
    /// With probability `amount`, replaces a value with one never observed in the reference
    /// (one above the largest).
    Unseen,
    /// Replaces the feature with its reference median (mode, for a categorical feature): how
    /// much the model leans on it.
    Dropout,
    /// Per row, the smallest move (in reference standard deviations, the largest over the
    /// features moved) that flips the decision, searched up to `amount` (see [`crate::search`]).
    Adversarial,
    /// CheckList's invariance test: every other observed value of the (discrete) feature, in
    /// turn; a row fails when any of them changes its decision (counterfactual fairness).
    Invariance,
    /// CheckList's directional expectation: the feature raised by `amount` (relative; negative
    /// lowers it) must not raise the prediction by more than the tolerance.
    Decreases,
    /// The same, for a feature whose rise must not lower the prediction.
    Increases,
}

const KINDS: [(Kind, &str); 11] = [
    (Kind::Gaussian, "gaussian"),
    (Kind::Multiply, "multiply"),
    (Kind::Round, "round"),
    (Kind::Missing, "missing"),
    (Kind::Category, "category"),
    (Kind::Unseen, "unseen"),
    (Kind::Dropout, "dropout"),
    (Kind::Adversarial, "adversarial"),
    (Kind::Invariance, "invariance"),
    (Kind::Decreases, "decreases"),
    (Kind::Increases, "increases"),
];

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = KINDS
            .iter()
            .find(|(k, _)| k == self)
            .map_or("?", |(_, n)| n);
        f.write_str(name)
    }
}

/// One perturbation: a kind, its amount and the features it touches.
#[derive(Debug, Clone, PartialEq)]
pub struct Perturbation {
    /// As the user wrote it, the name in reports (`gaussian:0.1@income`).
    pub name: String,
    /// What it does.
    pub kind: Kind,
    /// How much (see [`Kind`]).
    pub amount: f64,
    /// The features it touches, by name; empty: the kind's default (see [`Perturbation::columns`]).
    pub columns: Vec<String>,
    /// Its own pass/fail limits (a suite file's); unset ones come from [`crate::Options`].
    pub limits: Limits,
}

/// A perturbation's pass/fail limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Fail above this flip (or violation) rate, overall or in a judged slice.
    pub max_flip_rate: Option<f64>,
    /// Fail above this mean |Δprediction|.
    pub max_mean_change: Option<f64>,
    /// Fail when a metric drops by more than this.
    pub max_metric_drop: Option<f64>,
    /// Fail when a metric drops by more than this in a judged slice (unset: `max_metric_drop`).
    pub max_slice_metric_drop: Option<f64>,
}

impl Perturbation {
    /// Reads `kind:amount@a,b` (`dropout` takes no amount; `@columns` is optional).
    ///
    /// ```
    /// use seismo_robust::{Kind, Perturbation};
    ///
    /// let p = Perturbation::parse("gaussian:0.1@income,age").unwrap();
    /// assert_eq!((p.kind, p.amount), (Kind::Gaussian, 0.1));
    /// assert_eq!(p.columns, ["income", "age"]);
    /// assert!(Perturbation::parse("gaussian").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<Self, RobustError> {
        let bad = |message: String| RobustError::Perturbation {
            spec: spec.to_string(),
            message,
        };
        let (head, columns) = match spec.split_once('@') {
            Some((head, columns)) => {
                let columns: Vec<String> =
                    columns.split(',').map(|c| c.trim().to_string()).collect();
                if columns.iter().any(String::is_empty) {
                    return Err(bad("an empty column name after `@`".into()));
                }
                (head, columns)
            }
            None => (spec, Vec::new()),
        };
        let (kind, amount) = match head.split_once(':') {
            Some((kind, amount)) => (kind.trim(), Some(amount.trim())),
            None => (head.trim(), None),
        };
        let kind = KINDS
            .iter()
            .find(|(_, name)| *name == kind)
            .map(|(k, _)| *k)
            .ok_or_else(|| {
                let names: Vec<&str> = KINDS.iter().map(|(_, n)| *n).collect();
                bad(format!(
                    "unknown kind `{kind}` (one of {})",
                    names.join(", ")
                ))
            })?;
        let amount = match (kind, amount) {
            (Kind::Dropout | Kind::Invariance, None) => 0.0,
            (Kind::Dropout | Kind::Invariance, Some(_)) => {
                return Err(bad(format!("{kind} takes no amount")));
            }
            (_, None) => return Err(bad(format!("`{}` needs an amount: `{}:X`", head, head))),
            (_, Some(text)) => text
                .parse::<f64>()
                .ok()
                .filter(|a| a.is_finite())
                .ok_or_else(|| bad(format!("the amount `{text}` is not a number")))?,
        };
        let valid = match kind {
            Kind::Missing | Kind::Category | Kind::Unseen => (0.0..=1.0).contains(&amount),
            Kind::Round => amount.fract() == 0.0 && amount.abs() <= 15.0,
            Kind::Gaussian | Kind::Multiply | Kind::Adversarial => amount > 0.0,
            Kind::Decreases | Kind::Increases => amount != 0.0 && amount > -1.0,
            Kind::Dropout | Kind::Invariance => true,
        };
        if !valid {
            return Err(bad(match kind {
                Kind::Round => "round takes a whole number of decimal places, -15 to 15".into(),
                Kind::Missing | Kind::Category | Kind::Unseen => {
                    "the amount is a rate, between 0 and 1".into()
                }
                Kind::Decreases | Kind::Increases => {
                    "the amount is a relative change, above -1 and not 0".into()
                }
                _ => "the amount must be above 0".into(),
            }));
        }
        if matches!(kind, Kind::Invariance | Kind::Decreases | Kind::Increases)
            && columns.is_empty()
        {
            return Err(bad(format!(
                "{kind} needs the features it tests: `{head}@column`"
            )));
        }
        Ok(Self {
            name: spec.trim().to_string(),
            kind,
            amount,
            columns,
            limits: Limits::default(),
        })
    }

    /// The indices of the features it touches: the named ones, else every feature for
    /// missing values and dropout, the numeric ones for noise, rounding, the search and
    /// directional expectations, and the discrete ones (categorical, or whole numbers with at
    /// most [`Reference::DISCRETE`] values) for category swaps. Naming a categorical feature
    /// for a kind that needs numbers is an error.
    pub fn columns(
        &self,
        features: &[String],
        reference: &Reference,
    ) -> Result<Vec<usize>, RobustError> {
        let numeric = !matches!(
            self.kind,
            Kind::Missing | Kind::Dropout | Kind::Category | Kind::Unseen | Kind::Invariance
        );
        if self.columns.is_empty() {
            return Ok(match self.kind {
                Kind::Category | Kind::Unseen => (0..features.len())
                    .filter(|j| reference.is_discrete(*j))
                    .collect(),
                _ if numeric => (0..features.len())
                    .filter(|j| !reference.is_categorical(*j))
                    .collect(),
                _ => (0..features.len()).collect(),
            });
        }
        let bad = |message: String| RobustError::Perturbation {
            spec: self.name.clone(),
            message,
        };
        self.columns
            .iter()
            .map(|c| {
                let j = features.iter().position(|f| f == c).ok_or_else(|| {
                    bad(format!(
                        "`{c}` is not a feature of the model ({})",
                        features.join(", ")
                    ))
                })?;
                if numeric && reference.is_categorical(j) {
                    return Err(bad(format!(
                        "`{c}` takes strings; {} changes numbers (category, unseen, missing, dropout and invariance change categories)",
                        self.kind
                    )));
                }
                Ok(j)
            })
            .collect()
    }
}

/// The generator of one row under one perturbation: the same numbers whatever the batch or
/// thread that handles the row.
pub(crate) fn row_rng(seed: u64, perturbation: usize, row: usize) -> SplitMix64 {
    let mut mix = SplitMix64::new(seed ^ (perturbation as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let base = mix.next_u64();
    SplitMix64::new(base ^ (row as u64).wrapping_mul(SplitMix64::INCREMENT))
}

/// A standard normal draw (Box–Muller, the cosine branch).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u1 = 1.0 - rng.uniform(); // in (0, 1]: the logarithm is finite
    let u2 = rng.uniform();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The rows with `perturbation` applied to `columns` (not for [`Kind::Adversarial`], which
/// searches, nor [`Kind::Invariance`], which tries every value: see [`crate::run`]). Row `i` draws from `row_rng(seed, index, i)`; a missing value (NaN)
/// stays missing, except under category swaps, which treat it as any other value.
pub fn apply(
    perturbation: &Perturbation,
    columns: &[usize],
    rows: ArrayView2<f32>,
    reference: &Reference,
    seed: u64,
    index: usize,
) -> Array2<f32> {
    let mut out = rows.to_owned();
    let amount = perturbation.amount;
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        let mut rng = row_rng(seed, index, i);
        for &j in columns {
            let x = f64::from(row[j]);
            let value = match perturbation.kind {
                Kind::Gaussian => x + amount * reference.sd(j) * normal(&mut rng),
                Kind::Multiply => x * (1.0 + amount * (2.0 * rng.uniform() - 1.0)),
                Kind::Round => {
                    let scale = 10f64.powi(amount as i32);
                    (x * scale).round() / scale
                }
                Kind::Missing => {
                    if rng.uniform() < amount {
                        f64::NAN
                    } else {
                        x
                    }
                }
                Kind::Category => {
                    let hit = rng.uniform() < amount;
                    match reference.other_value(j, x, &mut rng) {
                        Some(other) if hit => other,
                        _ => x,
                    }
                }
                Kind::Unseen => {
                    if rng.uniform() < amount {
                        reference.unseen(j)
                    } else {
                        x
                    }
                }
                Kind::Dropout => reference.fill(j),
                Kind::Decreases | Kind::Increases => x * (1.0 + amount),
                Kind::Adversarial | Kind::Invariance => x,
            };
            row[j] = value as f32;
        }
    }
    out
}
