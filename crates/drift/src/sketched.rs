//! Drift of one column between two saved profiles.

use std::collections::BTreeMap;

use seismo_core::{Column, ColumnKind};
use seismo_stats::distance::{
    jensen_shannon_from_sketches, ks_from_sketches, psi_from_sketches, wasserstein_from_sketches,
};
use seismo_stats::profile::ColumnProfile;
use seismo_stats::special::kolmogorov_sf;

use crate::values::Values;
use crate::{ColumnDrift, DriftOptions, TestName, chosen_test, judge, run, threshold_for};

/// The tests a numeric column supports from sketches.
const SKETCH_TESTS: &str = "ks wasserstein psi jensen_shannon";

pub(crate) fn test_profile_column(
    reference: &ColumnProfile,
    current: &ColumnProfile,
    column: &Column,
    options: &DriftOptions,
) -> Result<ColumnDrift, String> {
    let chosen = chosen_test(options, column);
    let (reference_count, current_count) = (
        (reference.rows - reference.nulls - reference.nan) as usize,
        (current.rows - current.nulls - current.nan) as usize,
    );
    crate::empty_side(reference_count, current_count)?;
    let mut changes = (Vec::new(), Vec::new());
    let (test, statistic, p_value, from_sketches) = if column.kind == ColumnKind::Numeric {
        let (Some(rq), Some(cq)) = (&reference.quantiles, &current.quantiles) else {
            return Err("the profile holds no quantile sketch for this column".into());
        };
        let small = reference_count.min(current_count) <= 1000;
        // Distinct values of both samples together, as for data (and Evidently).
        let mut both = reference.distinct.clone();
        both.merge(&current.distinct);
        let test = chosen.unwrap_or(match (small, both.estimate().round() > 5.0) {
            (true, true) => TestName::Ks,
            (false, true) => TestName::Wasserstein,
            _ => TestName::JensenShannon,
        });
        let err = |e: seismo_stats::StatsError| e.to_string();
        let (statistic, p_value) = match test {
            TestName::Ks => {
                let d = ks_from_sketches(rq, cq).map_err(err)?.value;
                // scipy's asymptotic two-sample p-value, on the sketch's statistic.
                let (m, n) = (
                    reference_count.max(current_count) as f64,
                    reference_count.min(current_count) as f64,
                );
                let effective = (m * n / (m + n)).round_ties_even().max(1.0) as u64;
                (d, Some(kolmogorov_sf(effective, d)))
            }
            TestName::Wasserstein => {
                let w = wasserstein_from_sketches(rq, cq).map_err(err)?.value;
                let std = reference
                    .moments
                    .variance(0)
                    .map(f64::sqrt)
                    .filter(|s| *s > 0.0 && s.is_finite());
                (std.map_or(w, |s| w / s), None)
            }
            TestName::Psi => (psi_from_sketches(rq, cq).map_err(err)?.value, None),
            TestName::JensenShannon => (
                jensen_shannon_from_sketches(rq, cq).map_err(err)?.value,
                None,
            ),
            other => {
                return Err(format!(
                    "{other} cannot run from a saved profile; on numeric columns it offers: {SKETCH_TESTS}"
                ));
            }
        };
        (test, statistic, p_value, true)
    } else {
        let counts = |p: &ColumnProfile| -> Result<BTreeMap<String, u64>, String> {
            let exact = p
                .frequent
                .as_ref()
                .and_then(|f| f.exact_counts())
                .ok_or_else(|| {
                    "more distinct values than a profile counts exactly; test it on the data"
                        .to_owned()
                })?;
            Ok(exact.iter().map(|(k, v)| (k.to_string(), *v)).collect())
        };
        let (a, b) = (
            Values::Labels(counts(reference)?),
            Values::Labels(counts(current)?),
        );
        let test = chosen.unwrap_or_else(|| crate::default_test(column.kind, &a, &b));
        changes = crate::category_changes(&a, &b).unwrap_or_default();
        let m = run::run(test, a, b, options.seed)?;
        (test, m.statistic, m.p_value, false)
    };
    let threshold = threshold_for(options, column, test);
    Ok(ColumnDrift {
        column: column.name.clone(),
        kind: column.kind,
        role: column.role,
        test,
        statistic,
        p_value,
        adjusted_p_value: None,
        threshold,
        drifted: judge(test, statistic, p_value, threshold),
        reference_count,
        current_count,
        from_sketches,
        new_values: changes.0,
        missing_values: changes.1,
    })
}
