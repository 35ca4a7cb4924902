//! Per-column profiles of a dataset: built in one pass, mergeable, saveable.
//!
//! A [`Profile`] holds one [`ColumnProfile`] per column. Feed it record batches with
//! [`Profile::update`], or let [`profile_partitions`] do so on several threads; merge two
//! with [`Profile::merge`]; save it with [`Profile::to_json`] and read it back with
//! [`Profile::from_json`]; and turn it into numbers with [`Profile::summary`].
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema as ArrowSchema};
//! use seismo_core::{Schema, Unsupported};
//! use seismo_stats::profile::Profile;
//!
//! let arrow = Arc::new(ArrowSchema::new(vec![
//!     Field::new("x", DataType::Float64, true),
//!     Field::new("c", DataType::Utf8, true),
//! ]));
//! let batch = RecordBatch::try_new(arrow.clone(), vec![
//!     Arc::new(Float64Array::from(vec![Some(1.0), None, Some(3.0)])),
//!     Arc::new(StringArray::from(vec!["a", "b", "a"])),
//! ]).unwrap();
//! let mut profile = Profile::new(&Schema::from_arrow(&arrow));
//! profile.update(&batch).unwrap();
//! let summary = profile.summary();
//! assert_eq!(summary.columns[0].count, 2);
//! assert_eq!(summary.columns[0].nulls, 1);
//! assert_eq!(summary.columns[1].top[0].value, "a");
//! ```

mod column;
mod parallel;
mod summary;

pub use column::ColumnProfile;
pub use parallel::{ProfileError, profile_partitions};
pub use summary::{
    ColumnSummary, ProfileSummary, QUANTILES, Stat, format_instant, format_instant_micros,
    format_number,
};

use arrow_array::RecordBatch;
use seismo_core::{Schema, Unsupported};
use serde::{Deserialize, Serialize};

use crate::error::StatsError;

/// The format tag of a saved profile.
pub const FORMAT: &str = "seismo-profile";
/// The version of the saved profile format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// Mergeable summaries of every column of a dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    /// Rows seen.
    pub rows: u64,
    /// One profile per column, in schema order.
    pub columns: Vec<ColumnProfile>,
    /// Columns of the data that were not profiled (nested, binary, Arrow's null type), and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Unsupported>,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    format: String,
    version: u32,
    #[serde(flatten)]
    profile: Profile,
}

impl Profile {
    /// An empty profile of the schema's columns.
    pub fn new(schema: &Schema) -> Self {
        Self::seeded(schema, 0)
    }

    /// An empty profile of the schema's columns whose quantile sketches are seeded from
    /// `seed` and each column's position: profiles of the same batches with the same seeds,
    /// merged in the same order, are identical.
    pub fn seeded(schema: &Schema, seed: u64) -> Self {
        Self {
            rows: 0,
            columns: schema
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let seed = crate::random::SplitMix64::new(seed ^ ((i as u64) << 32)).next_u64();
                    ColumnProfile::seeded(&c.name, c.kind, seed)
                })
                .collect(),
            skipped: schema.unsupported.clone(),
        }
    }

    /// Adds one record batch. Columns are found by name, so the batch may hold more.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<(), StatsError> {
        for column in &mut self.columns {
            let array = batch
                .column_by_name(&column.name)
                .ok_or_else(|| StatsError::MissingColumn(column.name.clone()))?;
            column.update(array.as_ref())?;
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Adds another profile of the same columns: the result is what one pass over both
    /// inputs gives (exactly for counts and moments; within the sketches' bounds otherwise).
    pub fn merge(&mut self, other: &Self) -> Result<(), StatsError> {
        if self.columns.len() != other.columns.len() {
            return Err(StatsError::Incompatible(format!(
                "{} columns against {}",
                self.columns.len(),
                other.columns.len()
            )));
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.merge(b)?;
        }
        self.rows += other.rows;
        Ok(())
    }

    /// The schema of the profiled data: each column's name and kind (no roles), and the
    /// columns that could not be profiled.
    pub fn schema(&self) -> Schema {
        Schema {
            columns: self
                .columns
                .iter()
                .map(|c| seismo_core::Column::new(&c.name, c.kind))
                .collect(),
            unsupported: self.skipped.clone(),
        }
    }

    /// The column profile called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The profile as a saved JSON document (see `docs/profile.md` for the format).
    pub fn to_json(&self) -> Vec<u8> {
        let saved = Saved {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            profile: self.clone(),
        };
        serde_json::to_vec(&saved).expect("a profile always serializes")
    }

    /// A profile from a saved JSON document.
    pub fn from_json(bytes: &[u8]) -> Result<Self, StatsError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let header: Header =
            serde_json::from_slice(bytes).map_err(|e| StatsError::BadProfile(e.to_string()))?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(StatsError::BadProfile(format!(
                "the `format` field is not `{FORMAT}`"
            )));
        }
        if header.version == Some(1) {
            return Err(StatsError::BadProfile(format!(
                "version 1 (seismo 0.1) keeps quantile sketches this build no longer reads; \
                 profile the data again for version {FORMAT_VERSION}"
            )));
        }
        if header.version != Some(FORMAT_VERSION) {
            return Err(StatsError::BadProfile(format!(
                "version {:?} is not supported (this build reads version {FORMAT_VERSION})",
                header.version
            )));
        }
        let saved: Saved =
            serde_json::from_slice(bytes).map_err(|e| StatsError::BadProfile(e.to_string()))?;
        Ok(saved.profile)
    }
}
