//! The gRPC edge's conversions: records sent as rows into the core's columns, and the
//! contract's messages to and from the core's own types (`record.rs`). Nothing here
//! judges data; it only moves fields, so the core never sees a generated type.

use seismo_core::ColumnKind;

use crate::generated::{self as api, value::Kind};
use seismo_monitor::Invalid;
use seismo_monitor::columns::{FeatureSchema, all_null, check_records, unknown_feature};
use seismo_monitor::record::{AlertPolicy, Columns, FeatureSpec, FeatureValues, ModelSpec};

/// Turns rows into normalized columns; errors name `{at}[i].field`.
pub fn from_records(
    records: &[api::Record],
    schema: &FeatureSchema,
    at: &str,
) -> Result<Columns, Invalid> {
    let n = records.len();
    let mut features: Vec<FeatureValues> = schema
        .features
        .iter()
        .map(|(name, kind)| all_null(name, *kind, n))
        .collect();
    // A text or boolean value is null until set.
    let mut set = vec![vec![false; n]; features.len()];
    let mut out = Columns {
        ids: Vec::with_capacity(n),
        time_micros: Vec::with_capacity(n),
        model_versions: Vec::with_capacity(n),
        predictions: Vec::with_capacity(n),
        labels: Vec::new(),
        features: Vec::new(),
    };
    for (row, record) in records.iter().enumerate() {
        out.ids.push(record.id.clone());
        out.time_micros.push(record.time_micros);
        out.model_versions.push(record.model_version.clone());
        out.predictions.push(record.prediction);
        if let Some(label) = record.label {
            if !label.is_finite() {
                return Err(Invalid::new(format!(
                    "{at}[{row}].label: {label} is not a finite number"
                )));
            }
            if out.labels.is_empty() {
                out.labels = vec![f64::NAN; n];
            }
            out.labels[row] = label;
        }
        for (name, value) in &record.features {
            let Some(f) = schema.position(name) else {
                return Err(unknown_feature(
                    &format!("{at}[{row}].features.{name}"),
                    schema,
                ));
            };
            let kind = schema.features[f].1;
            let column = &mut features[f];
            match (&value.kind, kind) {
                (None, _) => {}
                (Some(Kind::Number(x)), ColumnKind::Numeric | ColumnKind::Datetime) => {
                    column.numbers[row] = *x
                }
                (Some(Kind::Text(t)), ColumnKind::Categorical | ColumnKind::Text) => {
                    column.texts[row].clone_from(t);
                    set[f][row] = true;
                }
                (Some(Kind::Boolean(b)), ColumnKind::Boolean) => {
                    column.booleans[row] = *b;
                    set[f][row] = true;
                }
                (Some(_), kind) => {
                    return Err(Invalid::new(format!(
                        "{at}[{row}].features.{name}: a {} feature takes {}",
                        kind.as_str(),
                        value_word(kind)
                    )));
                }
            }
        }
    }
    for ((column, set), (_, kind)) in features.iter_mut().zip(&set).zip(&schema.features) {
        if matches!(kind, ColumnKind::Numeric | ColumnKind::Datetime) {
            continue;
        }
        column.null_rows = (0..n as u32).filter(|&r| !set[r as usize]).collect();
    }
    out.features = features;
    check_records(&out, |row, field| format!("{at}[{row}].{field}"))?;
    Ok(out)
}

fn value_word(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric | ColumnKind::Datetime => "numbers",
        ColumnKind::Categorical | ColumnKind::Text => "text",
        ColumnKind::Boolean => "booleans",
    }
}

impl From<api::RecordColumns> for Columns {
    fn from(c: api::RecordColumns) -> Self {
        Self {
            ids: c.ids,
            time_micros: c.time_micros,
            model_versions: c.model_versions,
            predictions: c.predictions,
            labels: c.labels,
            features: c.features.into_iter().map(FeatureValues::from).collect(),
        }
    }
}

impl From<api::FeatureColumn> for FeatureValues {
    fn from(f: api::FeatureColumn) -> Self {
        Self {
            name: f.name,
            numbers: f.numbers,
            texts: f.texts,
            booleans: f.booleans,
            null_rows: f.null_rows,
        }
    }
}

impl From<api::AlertPolicy> for AlertPolicy {
    fn from(p: api::AlertPolicy) -> Self {
        Self {
            window: p.window,
            prediction_mean_ratio: p.prediction_mean_ratio,
            drift_threshold: p.drift_threshold,
            null_rate: p.null_rate,
            min_window_records: p.min_window_records,
            webhook_url: p.webhook_url,
            cusum_k: p.cusum_k,
            cusum_h: p.cusum_h,
            rule_violation_rate: p.rule_violation_rate,
            performance_drop: p.performance_drop,
            prediction_quantile_ratio: p.prediction_quantile_ratio,
        }
    }
}

/// A registration as the core takes it: the reference records turned into columns (errors
/// name `reference[i].field`, and the schema's `schema[i].field`).
pub fn model_spec(request: api::RegisterModelRequest) -> Result<ModelSpec, Invalid> {
    let schema: Vec<FeatureSpec> = request
        .schema
        .into_iter()
        .map(|c| FeatureSpec {
            name: c.name,
            kind: c.kind,
        })
        .collect();
    let reference = if request.reference.is_empty() {
        None
    } else {
        let features = FeatureSchema::new(&schema)?;
        Some(from_records(&request.reference, &features, "reference")?)
    };
    Ok(ModelSpec {
        name: request.name,
        version: request.version,
        schema,
        task: request.task,
        reference,
        reference_profile: request.reference_profile,
        profile_prediction_column: request.profile_prediction_column,
        drift_toml: request.drift_toml,
        rules_toml: request.rules_toml,
        alerts: request.alerts.map(AlertPolicy::from),
    })
}

/// An alert as the contract says it (the state as a word).
pub fn alert(a: &seismo_monitor::record::Alert) -> api::Alert {
    api::Alert {
        id: a.id.clone(),
        model: a.model.clone(),
        kind: a.kind.clone(),
        subject: a.subject.clone(),
        state: a.state().as_str().to_owned(),
        message: a.message.clone(),
        value: a.value,
        threshold: a.threshold,
        window_start_micros: a.window_start_micros,
        changed_micros: a.changed_micros,
    }
}
