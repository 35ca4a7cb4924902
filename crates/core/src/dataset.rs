//! A whole dataset in memory: a schema and Arrow record batches.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};
use crate::schema::Schema;

/// A schema plus the record batches that hold the data.
///
/// Streaming code (profiling, validation) passes batches one at a time and never builds a
/// `Dataset`; it is for the work that needs all rows at once, such as exact two-sample tests
/// or joining a baseline by id.
#[derive(Debug, Clone)]
pub struct Dataset {
    schema: Schema,
    arrow_schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl Dataset {
    /// Builds a dataset; every batch must have the fields of `arrow_schema` (schema-level
    /// metadata, such as what pandas writes into Parquet files, may differ).
    pub fn new(schema: Schema, arrow_schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Self> {
        if let Some(index) = batches
            .iter()
            .position(|b| b.schema().fields() != arrow_schema.fields())
        {
            return Err(Error::SchemaMismatch { index });
        }
        Ok(Self {
            schema,
            arrow_schema,
            batches,
        })
    }

    /// A dataset whose schema is derived from the Arrow schema (every column a feature).
    pub fn from_batches(arrow_schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Self> {
        Self::new(Schema::from_arrow(&arrow_schema), arrow_schema, batches)
    }

    /// The seismo schema: kinds and roles.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema, to change kinds or roles.
    pub fn schema_mut(&mut self) -> &mut Schema {
        &mut self.schema
    }

    /// The Arrow schema of the batches.
    pub fn arrow_schema(&self) -> &SchemaRef {
        &self.arrow_schema
    }

    /// The record batches, in order.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The number of rows over all batches.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, Int64Array};
    use arrow_schema::{DataType, Field, Schema as ArrowSchema};
    use std::sync::Arc;

    #[test]
    fn rejects_batches_of_another_schema() {
        let a = Arc::new(ArrowSchema::new(vec![Field::new(
            "x",
            DataType::Int64,
            false,
        )]));
        let b = Arc::new(ArrowSchema::new(vec![Field::new(
            "x",
            DataType::Float64,
            false,
        )]));
        let good =
            RecordBatch::try_new(a.clone(), vec![Arc::new(Int64Array::from(vec![1, 2]))]).unwrap();
        let bad = RecordBatch::try_new(b, vec![Arc::new(Float64Array::from(vec![1.0]))]).unwrap();
        let dataset = Dataset::from_batches(a.clone(), vec![good.clone(), good.clone()]).unwrap();
        assert_eq!(dataset.num_rows(), 4);
        let err = Dataset::from_batches(a, vec![good, bad]).unwrap_err();
        assert!(matches!(err, Error::SchemaMismatch { index: 1 }));
    }
}
