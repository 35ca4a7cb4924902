//! The durable store: an embedded redb database in the data directory. A write returns only
//! after its transaction is committed (redb's default durability syncs the file), so an
//! acknowledged record survives a crash.

use std::path::Path;

use prost::Message;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::generated::{Alert, Record, RegisterModelRequest};

/// Models by `name@version`: the registration request, encoded.
const MODELS: TableDefinition<&str, &[u8]> = TableDefinition::new("models");
/// Records by (model, time, sequence): the record, encoded.
const RECORDS: TableDefinition<(&str, i64, u64), &[u8]> = TableDefinition::new("records");
/// Record ids by (model, id): their key in `RECORDS`.
const IDS: TableDefinition<(&str, &str), (i64, u64)> = TableDefinition::new("record_ids");
/// Labels by (model, id).
const LABELS: TableDefinition<(&str, &str), f64> = TableDefinition::new("labels");
/// Alerts by id: the alert, encoded.
const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
/// Counters: the next record sequence number.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A store failure (I/O, corruption): the service answers INTERNAL or UNAVAILABLE.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(String);

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// The store.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) `dir/seismo.redb`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(fail)?;
        let db = Database::create(dir.join("seismo.redb")).map_err(fail)?;
        // Create the tables, so readers never find one missing.
        let tx = db.begin_write().map_err(fail)?;
        {
            tx.open_table(MODELS).map_err(fail)?;
            tx.open_table(RECORDS).map_err(fail)?;
            tx.open_table(IDS).map_err(fail)?;
            tx.open_table(LABELS).map_err(fail)?;
            tx.open_table(ALERTS).map_err(fail)?;
            tx.open_table(META).map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(Self { db })
    }

    /// Saves a model's registration.
    pub fn put_model(&self, key: &str, model: &RegisterModelRequest) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        tx.open_table(MODELS)
            .map_err(fail)?
            .insert(key, model.encode_to_vec().as_slice())
            .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Every registered model.
    pub fn models(&self) -> Result<Vec<(String, RegisterModelRequest)>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(MODELS).map_err(fail)?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(fail)? {
            let (key, value) = entry.map_err(fail)?;
            let model = RegisterModelRequest::decode(value.value()).map_err(fail)?;
            out.push((key.value().to_owned(), model));
        }
        Ok(out)
    }

    /// Appends records of one model in one transaction; returns after the commit.
    pub fn append(&self, model: &str, records: &[Record]) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        {
            let mut meta = tx.open_table(META).map_err(fail)?;
            let mut next = meta.get("sequence").map_err(fail)?.map_or(0, |v| v.value());
            let mut table = tx.open_table(RECORDS).map_err(fail)?;
            let mut ids = tx.open_table(IDS).map_err(fail)?;
            for record in records {
                table
                    .insert(
                        (model, record.time_micros, next),
                        record.encode_to_vec().as_slice(),
                    )
                    .map_err(fail)?;
                if !record.id.is_empty() {
                    ids.insert((model, record.id.as_str()), (record.time_micros, next))
                        .map_err(fail)?;
                }
                next += 1;
            }
            meta.insert("sequence", next).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// Stores labels for known record ids; returns (joined, unknown).
    pub fn label(&self, model: &str, labels: &[(String, f64)]) -> Result<(u64, u64), StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        let (mut joined, mut unknown) = (0, 0);
        {
            let ids = tx.open_table(IDS).map_err(fail)?;
            let mut table = tx.open_table(LABELS).map_err(fail)?;
            for (id, label) in labels {
                if ids.get((model, id.as_str())).map_err(fail)?.is_some() {
                    table.insert((model, id.as_str()), *label).map_err(fail)?;
                    joined += 1;
                } else {
                    unknown += 1;
                }
            }
        }
        tx.commit().map_err(fail)?;
        Ok((joined, unknown))
    }

    /// The records of a model with `from <= time < to`, each with its label if one arrived.
    pub fn records(
        &self,
        model: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(Record, Option<f64>)>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(RECORDS).map_err(fail)?;
        let labels = tx.open_table(LABELS).map_err(fail)?;
        let mut out = Vec::new();
        for entry in table
            .range((model, from, 0)..(model, to, 0))
            .map_err(fail)?
        {
            let (_, value) = entry.map_err(fail)?;
            let record = Record::decode(value.value()).map_err(fail)?;
            let label = match record.label {
                Some(l) => Some(l),
                None => labels
                    .get((model, record.id.as_str()))
                    .map_err(fail)?
                    .map(|v| v.value()),
            };
            out.push((record, label));
        }
        Ok(out)
    }

    /// Saves (or updates) an alert.
    pub fn put_alert(&self, alert: &Alert) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        tx.open_table(ALERTS)
            .map_err(fail)?
            .insert(alert.id.as_str(), alert.encode_to_vec().as_slice())
            .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The alert with this id, if one was stored.
    pub fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(ALERTS).map_err(fail)?;
        table
            .get(id)
            .map_err(fail)?
            .map(|v| Alert::decode(v.value()).map_err(fail))
            .transpose()
    }

    /// Every stored alert.
    pub fn alerts(&self) -> Result<Vec<Alert>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(ALERTS).map_err(fail)?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(fail)? {
            let (_, value) = entry.map_err(fail)?;
            out.push(Alert::decode(value.value()).map_err(fail)?);
        }
        Ok(out)
    }
}
