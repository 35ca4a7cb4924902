//! Domain-classifier drift: a random forest learns to tell reference rows from current rows;
//! its cross-validated ROC AUC is the statistic and the columns it split on most are the
//! explanation (the kernel: `seismo_stats::multivariate::classifier`).
//!
//! The columns are encoded as for reconstruction drift (`encoded.rs`): a number as it is,
//! a missing one the reference mean; a category (or boolean) as its share of the reference
//! rows, a null as a value of its own, a value the reference never had as 0. Trees need no
//! scaling, and one number per column makes each importance a column's.
//!
//! The joint distribution counts as drifted when the AUC exceeds the threshold (0.65 by
//! default, NannyML's `DomainClassifierCalculator` upper threshold). NannyML also alerts below
//! 0.45; seismo does not, because an AUC below one half comes from cross-validation on
//! samples that agree, not from drift.

use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::{ClassifierOptions, domain_classifier};
use serde::Serialize;

use crate::encoded::count_encoded;

/// The AUC above which the reference and current rows count as apart (NannyML's default).
pub const AUC_THRESHOLD: f64 = 0.65;

/// A column's part in telling the datasets apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    /// The column.
    pub column: String,
    /// Its share of the forests' impurity decrease (the shares sum to 1).
    pub importance: f64,
}

/// The domain-classifier drift of the tested columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifierDrift {
    /// The columns tested together, in schema order.
    pub columns: Vec<String>,
    /// Reference rows the classifier used (at most `max_rows`, a seeded draw).
    pub reference_rows: usize,
    /// Current rows it used.
    pub current_rows: usize,
    /// Cross-validation folds.
    pub folds: usize,
    /// Trees per forest.
    pub trees: usize,
    /// The cross-validated ROC AUC of telling current rows from reference rows.
    pub statistic: f64,
    /// The AUC above which the datasets count as apart.
    pub threshold: f64,
    /// Per column, the most used first.
    pub importances: Vec<Importance>,
    /// Whether the joint distribution drifted: `statistic > threshold`.
    pub drifted: bool,
}

/// The domain classifier on `columns` of both datasets, judged against `threshold`.
pub fn classifier(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    options: &ClassifierOptions,
    threshold: f64,
) -> Result<ClassifierDrift, String> {
    if columns.is_empty() {
        return Err("no column to test together".into());
    }
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(format!(
            "the AUC threshold {threshold} is not between 0 and 1"
        ));
    }
    let (x, y) = count_encoded(reference, current, columns, options.threads)?;
    let outcome = domain_classifier(x.view(), y.view(), options).map_err(|e| e.to_string())?;
    let mut importances: Vec<Importance> = columns
        .iter()
        .zip(&outcome.importances)
        .map(|((column, _), &importance)| Importance {
            column: column.clone(),
            importance,
        })
        .collect();
    importances.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then(a.column.cmp(&b.column))
    });
    Ok(ClassifierDrift {
        columns: columns.iter().map(|(c, _)| c.clone()).collect(),
        reference_rows: outcome.reference_rows,
        current_rows: outcome.current_rows,
        folds: options.folds,
        trees: options.trees,
        statistic: outcome.auc,
        threshold,
        importances,
        drifted: outcome.auc > threshold,
    })
}
