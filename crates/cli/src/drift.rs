//! `seismo drift`: data, prediction and target drift between a reference and a current dataset.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use seismo_core::ColumnRole;
use seismo_drift::{
    Correction, DriftOptions, DriftReport, DriftSettings, FailOn, TestName, detect,
};
use seismo_stats::profile::format_number;

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};

/// Arguments of `seismo drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference data (what "normal" looks like)
    #[arg(long, value_name = "DATA")]
    reference: String,
    /// The current data to compare with it
    #[arg(long, value_name = "DATA")]
    current: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    format: DriftFormat,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The test for every numeric column [ks chi2 z g_test fisher t_test mann_whitney anderson cramer_von_mises energy mmd wasserstein psi kl jensen_shannon hellinger tvd linf]
    #[arg(long, value_name = "TEST")]
    numeric_test: Option<TestName>,
    /// The test for every categorical and boolean column (same names)
    #[arg(long, value_name = "TEST")]
    categorical_test: Option<TestName>,
    /// The threshold for every test [default: 0.05 for p-values, 0.1 for distances]
    #[arg(long, value_name = "X")]
    threshold: Option<f64>,
    /// The share of drifted features at which the dataset counts as drifted [default: 0.5]
    #[arg(long, value_name = "SHARE")]
    drift_share: Option<f64>,
    /// Correct p-values for testing many columns [bonferroni, holm, bh]
    #[arg(long, value_name = "METHOD")]
    correction: Option<Correction>,
    /// Prediction column(s), reported apart from the features
    #[arg(long, value_name = "COLUMN")]
    prediction: Vec<String>,
    /// Target (label) column(s), reported apart from the features
    #[arg(long, value_name = "COLUMN")]
    target: Vec<String>,
    /// Columns not to test (ids, timestamps, versions)
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Seed of permutation tests [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    /// What fails the run with exit code 1, comma-separated [dataset prediction target any
    /// none] [default: dataset,prediction]
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    fail_on: Vec<seismo_drift::FailOn>,
    /// Also test the joint distribution of the tested columns: `mmd` (maximum mean
    /// discrepancy, as Alibi Detect's MMDDrift), `reconstruction` (PCA reconstruction error,
    /// as NannyML's) or `classifier` (a random forest's cross-validated ROC AUC of telling
    /// the rows apart); see docs/multivariate.md. Needs the reference data, not a saved
    /// profile
    #[arg(long, value_name = "METHOD")]
    multivariate: Option<Multivariate>,
    /// Test the joint distribution only, without the per-column tests (the columns they
    /// would take are tested together and listed as such); needs --multivariate
    #[arg(long, requires = "multivariate")]
    multivariate_only: bool,
    /// Permutations of the MMD p-value [default: 100]
    #[arg(long, value_name = "N", default_value_t = 100)]
    permutations: usize,
    /// Rows per chunk of the reconstruction error [default: a tenth of the reference]
    #[arg(long, value_name = "ROWS")]
    chunk_size: Option<usize>,
    /// The domain classifier's ROC AUC above which the rows count as apart [default: 0.65]
    #[arg(long, value_name = "AUC", default_value_t = seismo_drift::AUC_THRESHOLD)]
    auc_threshold: f64,
    /// Rows of each dataset the domain classifier uses at most (a seeded draw beyond it)
    /// [default: 10000]
    #[arg(long, value_name = "ROWS", default_value_t = 10_000)]
    classifier_rows: usize,
    /// A TOML file with these settings and per-column tests and thresholds (see docs/drift.md);
    /// flags given on the command line win
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

fn read_config(path: &std::path::Path) -> Result<DriftSettings> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    // toml's message carries the line and column; keep it on one line.
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: {}",
            path.display(),
            e.to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )
    })
}

/// A test of the joint distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Multivariate {
    /// Maximum mean discrepancy with a Gaussian kernel
    Mmd,
    /// PCA reconstruction error in chunks
    Reconstruction,
    /// A random forest telling reference rows from current rows
    Classifier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DriftFormat {
    Text,
    Json,
    Html,
}

/// Runs `seismo drift`; `Found` (exit 1) when the report meets a `--fail-on` condition (by
/// default, dataset or prediction drift).
pub fn run(args: DriftArgs) -> Result<Exit> {
    let config = match &args.config {
        Some(path) => read_config(path)?,
        None => DriftSettings::default(),
    };
    let drift_share = args.drift_share.or(config.drift_share).unwrap_or(0.5);
    let threshold = args.threshold.or(config.threshold);
    // The flags win over the file; check what will be used.
    let used = DriftSettings {
        drift_share: Some(drift_share),
        threshold,
        ..config.clone()
    };
    if let Some((setting, problem)) = used.invalid() {
        let from_flag = matches!(setting.as_str(), "drift_share" | "threshold");
        match &args.config {
            Some(path) if !from_flag => bail!("{}: {setting} {problem}", path.display()),
            _ => bail!("--{} {problem}", setting.replace('_', "-")),
        }
    }
    let prediction = if args.prediction.is_empty() {
        &config.prediction
    } else {
        &args.prediction
    };
    let target = if args.target.is_empty() {
        &config.target
    } else {
        &args.target
    };
    let ignore: Vec<String> = args.ignore.iter().chain(&config.ignore).cloned().collect();
    let threads = args.input.threads()?;
    let mut drift_options = DriftOptions::default();
    drift_options.numeric_test = args.numeric_test.or(config.numeric_test);
    drift_options.categorical_test = args.categorical_test.or(config.categorical_test);
    drift_options.threshold = threshold;
    drift_options.drift_share = drift_share;
    drift_options.correction = args.correction.or(config.correction);
    drift_options.seed = args.seed.or(config.seed).unwrap_or(0);
    drift_options.ignore = ignore.iter().cloned().collect();
    drift_options.columns = config.columns.clone();
    drift_options.threads = threads;
    let roles = [
        (prediction, ColumnRole::Prediction),
        (target, ColumnRole::Target),
    ];
    let config_name = args
        .config
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let named: Vec<(String, &String)> = ignore
        .iter()
        .map(|c| (format!("--ignore {c}"), c))
        .chain(
            config
                .columns
                .keys()
                .map(|c| (format!("{config_name}: [columns.{c}]"), c)),
        )
        .collect();

    if args.permutations == 0 {
        bail!("--permutations must be at least 1");
    }
    if !(args.auc_threshold > 0.0 && args.auc_threshold < 1.0) {
        bail!(
            "--auc-threshold must be between 0 and 1 (got {})",
            args.auc_threshold
        );
    }
    let (report, plots) = if let Some(reference) =
        crate::profile::load_saved(std::path::Path::new(&args.reference))?
    {
        if args.multivariate.is_some() {
            bail!(
                "--multivariate compares rows, so it needs the reference data; {} is a saved profile, which keeps each column's summary only",
                args.reference
            );
        }
        // A saved profile as the reference: profile the current data the same way.
        let (current, mut current_schema) =
            crate::profile::profile_input(&args.current, &args.input, threads)?;
        let mut reference_schema = reference.schema();
        declare_columns(
            &mut reference_schema,
            &mut current_schema,
            &roles,
            &named,
            &args,
        )?;
        let report = seismo_drift::detect_profiles(
            &reference,
            &reference_schema,
            &current,
            &current_schema,
            &drift_options,
        );
        let plots = (args.format == DriftFormat::Html)
            .then(|| seismo_drift::distributions_from_profiles(&report, &reference, &current));
        (report, plots)
    } else {
        let options = args.input.read_options()?;
        // Read both inputs at once: each read is mostly one core's decoding.
        let (reference, current) = std::thread::scope(|scope| {
            let current = scope.spawn(|| seismo_io::read_dataset(&args.current, &options));
            let reference = seismo_io::read_dataset(&args.reference, &options);
            (
                reference,
                current
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            )
        });
        let (mut reference, mut current) = (reference?, current?);
        declare_columns(
            reference.schema_mut(),
            current.schema_mut(),
            &roles,
            &named,
            &args,
        )?;
        let method = match args.multivariate {
            Some(Multivariate::Mmd) => {
                let mut options = seismo_drift::MultivariateOptions::default();
                options.permutations = args.permutations;
                options.seed = drift_options.seed;
                options.threads = threads;
                Some(seismo_drift::Multivariate::Mmd(options))
            }
            Some(Multivariate::Reconstruction) => {
                Some(seismo_drift::Multivariate::Reconstruction(args.chunk_size))
            }
            Some(Multivariate::Classifier) => {
                let mut options = seismo_drift::ClassifierOptions::default();
                options.max_rows = args.classifier_rows;
                options.seed = drift_options.seed;
                options.threads = threads;
                Some(seismo_drift::Multivariate::Classifier {
                    options,
                    threshold: args.auc_threshold,
                })
            }
            None => None,
        };
        let report = match &method {
            Some(method) => {
                let joint = if args.multivariate_only {
                    seismo_drift::detect_joint
                } else {
                    seismo_drift::detect_multivariate
                };
                joint(&reference, &current, &drift_options, method)
                    .map_err(|e| anyhow::anyhow!("--multivariate: {e}"))?
            }
            None => detect(&reference, &current, &drift_options),
        };
        let plots = (args.format == DriftFormat::Html)
            .then(|| seismo_drift::distributions(&report, &reference, &current));
        (report, plots)
    };
    let rendered = match args.format {
        DriftFormat::Json => json_bytes(&report)?,
        DriftFormat::Text => render_text(&report).into_bytes(),
        DriftFormat::Html => seismo_report::drift::render(
            &report,
            &plots.unwrap_or_default(),
            &args.reference,
            &args.current,
        )
        .into_bytes(),
    };
    emit(args.output.as_deref(), &rendered)?;
    let fail_on = if args.fail_on.is_empty() {
        config.fail_on.as_deref().unwrap_or(&FailOn::DEFAULT)
    } else {
        &args.fail_on
    };
    Ok(if report.fails(fail_on) {
        Exit::Found
    } else {
        Exit::Clean
    })
}

/// Gives the `--prediction` and `--target` columns their roles on both sides (each side must
/// have them), and checks that every column named by `--ignore` or the config exists on one
/// side at least.
fn declare_columns(
    reference: &mut seismo_core::Schema,
    current: &mut seismo_core::Schema,
    roles: &[(&Vec<String>, ColumnRole)],
    named: &[(String, &String)],
    args: &DriftArgs,
) -> Result<()> {
    for &(columns, role) in roles {
        for column in columns {
            for (schema, path) in [
                (&mut *reference, &args.reference),
                (&mut *current, &args.current),
            ] {
                schema
                    .set_role(column, role)
                    .with_context(|| format!("--{role} {column}: {path} has no such column"))?;
            }
        }
    }
    for (place, column) in named {
        if reference.column(column).is_none() && current.column(column).is_none() {
            bail!(
                "{place}: no such column in {} or {}",
                args.reference,
                args.current
            );
        }
    }
    Ok(())
}

/// A compact table, drifted columns first, then by how close each came to its threshold.
fn render_text(report: &DriftReport) -> String {
    let mut out = if report.joint_only() {
        let together = report
            .skipped
            .iter()
            .filter(|s| s.reason == seismo_drift::TESTED_TOGETHER)
            .count();
        format!("Per-column tests: not run ({together} columns tested together only)\n")
    } else {
        format!(
            "Dataset drift: {} — {}\n",
            if report.dataset_drift { "YES" } else { "no" },
            report.share_summary()
        )
    };
    for (label, value) in [
        ("Prediction drift", report.prediction_drift),
        ("Target drift", report.target_drift),
    ] {
        if let Some(drifted) = value {
            out.push_str(&format!(
                "{label}: {}\n",
                if drifted { "YES" } else { "no" }
            ));
        }
    }
    if let Some(m) = &report.multivariate {
        out.push_str(&format!(
            "{}\n",
            seismo_report::drift::multivariate_summary(m)
        ));
        if let seismo_drift::MultivariateDrift::Reconstruction(r) = m {
            let alerts: Vec<_> = r.chunks.iter().filter(|c| c.alert).collect();
            for c in alerts.iter().take(5) {
                out.push_str(&format!(
                    "  chunk of rows {}..{}: reconstruction error {} (band {} – {})\n",
                    c.start,
                    c.start + c.rows,
                    format_number(c.value),
                    format_number(c.lower),
                    format_number(c.upper)
                ));
            }
            if alerts.len() > 5 {
                out.push_str(&format!("  ... and {} more chunks\n", alerts.len() - 5));
            }
            let parts: Vec<String> = r
                .contributions
                .iter()
                .take(3)
                .map(|c| {
                    format!(
                        "{} {} (reference {})",
                        c.column,
                        format_number(c.current),
                        format_number(c.reference)
                    )
                })
                .collect();
            out.push_str(&format!(
                "  residuals that grew most (mean |residual|): {}\n",
                parts.join(", ")
            ));
        }
        if let seismo_drift::MultivariateDrift::Classifier(c) = m {
            let parts: Vec<String> = c
                .importances
                .iter()
                .take(5)
                .map(|i| format!("{} {}", i.column, format_number(i.importance)))
                .collect();
            out.push_str(&format!(
                "  columns the classifier used most (share of its splits' gain): {}\n",
                parts.join(", ")
            ));
        }
    }
    let mut rows: Vec<_> = report.columns.iter().collect();
    // How far past (or short of) its threshold each column is, on one scale.
    let severity = |c: &seismo_drift::ColumnDrift| match c.adjusted_p_value.or(c.p_value) {
        Some(p) => c.threshold / p.max(f64::MIN_POSITIVE),
        None => c.statistic / c.threshold.max(f64::MIN_POSITIVE),
    };
    rows.sort_by(|a, b| {
        b.drifted
            .cmp(&a.drifted)
            .then(severity(b).total_cmp(&severity(a)))
    });
    let mut table = seismo_report::table(&[
        "column",
        "role",
        "kind",
        "test",
        "statistic",
        "p-value",
        "threshold",
        "drift",
    ]);
    for c in rows {
        let p = c
            .adjusted_p_value
            .or(c.p_value)
            .map(format_number)
            .unwrap_or_else(|| "-".into());
        table.add_row(vec![
            c.column.clone(),
            c.role.to_string(),
            c.kind.to_string(),
            c.test.to_string(),
            format_number(c.statistic),
            p,
            format_number(c.threshold),
            if c.drifted {
                "DRIFT".into()
            } else {
                String::new()
            },
        ]);
    }
    if !report.columns.is_empty() {
        out.push_str(&format!("{table}\n"));
    }
    for c in &report.columns {
        for (what, values) in [("new", &c.new_values), ("missing", &c.missing_values)] {
            if !values.is_empty() {
                out.push_str(&format!(
                    "{what} values in {}: {}\n",
                    c.column,
                    seismo_report::drift::value_counts(values)
                ));
            }
        }
    }
    for s in &report.skipped {
        if s.reason != seismo_drift::TESTED_TOGETHER {
            out.push_str(&format!("skipped {}: {}\n", s.column, s.reason));
        }
    }
    for f in &report.schema {
        out.push_str(&format!(
            "schema: {} {}\n",
            f.column,
            f.finding.replace('_', " ")
        ));
    }
    out
}
