//! A robustness suite: a TOML (or YAML) file of perturbations, each with its own limits, and
//! the run's settings, read with file:line:column for every mistake.
//!
//! ```toml
//! threshold = 0.3            # a binary classifier's decision threshold
//! seed = 7
//! by = "channel"             # slices: one per value
//! target = "label"           # metric drops
//! max_flip_rate = 0.05       # the default limit of every perturbation
//!
//! [[perturbation]]
//! spec = "gaussian:0.1"
//! max_flip_rate = 0.03
//! max_metric_drop = 0.01     # no metric may drop by more, over all rows
//! max_slice_metric_drop = 0.05  # nor in any judged slice (default: max_metric_drop)
//!
//! [[perturbation]]
//! name = "country-blind"     # the name in reports (default: the spec)
//! spec = "invariance@country_code"
//! max_flip_rate = 0.0
//! ```

use seismo_config::{ConfigFile, Location};

use crate::{Limits, Perturbation, RobustError};

/// The file as written.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    /// A binary classifier decides "positive" at this probability or above.
    pub threshold: Option<f64>,
    /// Seeds every random draw.
    pub seed: Option<u64>,
    /// The column whose values are the slices.
    pub by: Option<String>,
    /// The label column, for metric drops.
    pub target: Option<String>,
    /// The metrics whose drops are reported (names as in `seismo test`).
    pub metrics: Option<Vec<String>>,
    /// The default flip-rate limit.
    pub max_flip_rate: Option<f64>,
    /// The default mean-change limit.
    pub max_mean_change: Option<f64>,
    /// Slices with fewer rows are not judged.
    pub min_rows: Option<usize>,
    /// How far a prediction may move the wrong way under a directional expectation.
    pub tolerance: Option<f64>,
    /// The perturbations, in order.
    #[serde(default)]
    pub perturbation: Vec<PerturbationEntry>,
}

/// One `[[perturbation]]`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerturbationEntry {
    /// `kind:amount@columns`, as `--perturb` takes it.
    pub spec: String,
    /// The name in reports (default: the spec).
    pub name: Option<String>,
    /// Its flip-rate limit.
    pub max_flip_rate: Option<f64>,
    /// Its mean-change limit.
    pub max_mean_change: Option<f64>,
    /// Its metric-drop limit.
    pub max_metric_drop: Option<f64>,
    /// Its metric-drop limit in each judged slice (default: `max_metric_drop`).
    pub max_slice_metric_drop: Option<f64>,
}

impl SuiteFile {
    /// Reads a suite for a model whose inputs are `features`; every perturbation's spec, the
    /// features it names and every limit are checked, an error naming its file, line and
    /// column.
    pub fn read(
        file: &ConfigFile,
        features: &[String],
    ) -> Result<(SuiteFile, Vec<Perturbation>), RobustError> {
        let suite: SuiteFile = file.parse().map_err(|e| RobustError::Suite {
            location: e.location,
            message: e.message,
        })?;
        let rate = |value: Option<f64>| value.is_none_or(|v| (0.0..=1.0).contains(&v));
        let at_least_zero = |value: Option<f64>| value.is_none_or(|v| v >= 0.0 && v.is_finite());
        let top = |field: &str, ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(RobustError::Suite {
                    location: file.locate_top(field),
                    message: format!("`{field}` {what}"),
                })
            }
        };
        top(
            "threshold",
            rate(suite.threshold),
            "is a probability, between 0 and 1",
        )?;
        top(
            "max_flip_rate",
            rate(suite.max_flip_rate),
            "is a share, between 0 and 1",
        )?;
        top(
            "max_mean_change",
            at_least_zero(suite.max_mean_change),
            "is 0 or more",
        )?;
        top("tolerance", at_least_zero(suite.tolerance), "is 0 or more")?;
        if suite.perturbation.is_empty() {
            return Err(RobustError::Suite {
                location: Location::line(file.path(), None),
                message: "no [[perturbation]]: a suite tests at least one".into(),
            });
        }
        let mut perturbations = Vec::new();
        for (i, entry) in suite.perturbation.iter().enumerate() {
            let at = |field: &str, message: String| RobustError::Suite {
                location: file.locate("perturbation", i, Some(field)),
                message,
            };
            let mut p = Perturbation::parse(&entry.spec).map_err(|e| at("spec", e.to_string()))?;
            if let Some(unknown) = p.columns.iter().find(|c| !features.contains(c)) {
                return Err(at(
                    "spec",
                    format!(
                        "perturbation `{}`: `{unknown}` is not a feature of the model ({})",
                        entry.spec,
                        features.join(", ")
                    ),
                ));
            }
            if !rate(entry.max_flip_rate) {
                return Err(at(
                    "max_flip_rate",
                    "`max_flip_rate` is a share, between 0 and 1".into(),
                ));
            }
            for (field, value) in [
                ("max_mean_change", entry.max_mean_change),
                ("max_metric_drop", entry.max_metric_drop),
                ("max_slice_metric_drop", entry.max_slice_metric_drop),
            ] {
                if !at_least_zero(value) {
                    return Err(at(field, format!("`{field}` is 0 or more")));
                }
            }
            if let Some(name) = &entry.name {
                p.name = name.clone();
            }
            p.limits = Limits {
                max_flip_rate: entry.max_flip_rate,
                max_mean_change: entry.max_mean_change,
                max_metric_drop: entry.max_metric_drop,
                max_slice_metric_drop: entry.max_slice_metric_drop,
            };
            perturbations.push(p);
        }
        Ok((suite, perturbations))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suite_reads_its_limits_and_names_every_mistake() {
        let features = vec!["age".to_string(), "income".to_string()];
        let text = "seed = 7\nmax_flip_rate = 0.1\n\n[[perturbation]]\nspec = \"gaussian:0.1\"\nmax_flip_rate = 0.02\n\n[[perturbation]]\nname = \"blind\"\nspec = \"invariance@age\"\n";
        let (suite, perturbations) =
            SuiteFile::read(&ConfigFile::new("r.toml", text), &features).unwrap();
        assert_eq!((suite.seed, suite.max_flip_rate), (Some(7), Some(0.1)));
        assert_eq!(perturbations[0].limits.max_flip_rate, Some(0.02));
        assert_eq!(perturbations[1].name, "blind");
        let error = |text: &str| {
            SuiteFile::read(&ConfigFile::new("r.toml", text), &features)
                .unwrap_err()
                .to_string()
        };
        let bad_spec = error("[[perturbation]]\nspec = \"gausian:0.1\"\n");
        assert!(
            bad_spec.starts_with("r.toml:2:9: perturbation `gausian:0.1`"),
            "{bad_spec}"
        );
        let bad_limit = error("[[perturbation]]\nspec = \"missing:0.1\"\nmax_flip_rate = 5\n");
        assert!(bad_limit.starts_with("r.toml:3:"), "{bad_limit}");
        let unknown = error("[[perturbation]]\nspec = \"missing:0.1\"\nmax_flips = 5\n");
        assert!(unknown.starts_with("r.toml:3"), "{unknown}");
        assert!(error("seed = 1\n").contains("no [[perturbation]]"));
        let unknown_column = error("[[perturbation]]\nspec = \"dropout@wage\"\n");
        assert!(unknown_column.starts_with("r.toml:2:9:") && unknown_column.contains("`wage`"));
        assert!(
            error("threshold = 3\n[[perturbation]]\nspec = \"missing:0.1\"\n")
                .starts_with("r.toml:1:")
        );
    }
}
