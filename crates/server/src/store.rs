//! The durable store: an embedded redb database in the data directory. A write returns only
//! after its transaction is committed (redb's default durability syncs the file), so an
//! acknowledged record survives a crash.
//!
//! Records are stored by window, one entry per logged batch and window: the batch's columns
//! encoded as a `RecordColumns` message under (model, window start, sequence). So a batch
//! of a thousand records is one B-tree insert, a window reads as a range, and retention
//! drops whole windows. Record ids are indexed one by one (with the window and prediction)
//! so late labels join, and each window's labelled performance is kept as sums.

use std::path::Path;

use prost::Message;
use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    WriteTransaction,
};

use crate::generated::{Alert, RecordColumns, RegisterModelRequest};
use crate::model::Task;
use crate::window::{Performance, Sums};

/// Models by `name@version`: the registration request, encoded.
const MODELS: TableDefinition<&str, &[u8]> = TableDefinition::new("models");
/// Batches by (model, window start, sequence): `RecordColumns`, encoded.
const BATCHES: TableDefinition<(&str, i64, u64), &[u8]> = TableDefinition::new("batches");
/// Record ids by (model, id): (window start, prediction).
const IDS: TableDefinition<(&str, &str), (i64, f64)> = TableDefinition::new("record_ids");
/// Labels by (model, id).
const LABELS: TableDefinition<(&str, &str), f64> = TableDefinition::new("labels");
/// Labelled performance sums by (model, window start).
const PERFORMANCE: TableDefinition<(&str, i64), Sums> = TableDefinition::new("performance");
/// Alerts by id: the alert, encoded.
const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
/// Each model's CUSUM state (JSON), saved with every group that moves it.
const CUSUMS: TableDefinition<&str, &[u8]> = TableDefinition::new("cusums");
/// Counters: the next batch sequence number.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A store failure (I/O, corruption): the service answers INTERNAL.
#[derive(Debug, Clone, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(String);

impl StoreError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

fn fail(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// The store.
pub struct Store {
    db: Database,
}

/// One write transaction: batches, labels and alerts of several requests, committed at once.
pub struct Write {
    tx: WriteTransaction,
    next: u64,
}

/// What joining labels found.
#[derive(Debug, Default)]
pub struct Joined {
    /// Labels whose record was found.
    pub joined: u64,
    /// Labels without a record.
    pub unknown: u64,
    /// Windows whose performance changed, with their labelled sums now.
    pub windows: Vec<(i64, Performance)>,
}

impl Store {
    /// Opens (or creates) `dir/seismo.redb` with a page cache of `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: usize) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(fail)?;
        let db = Database::builder()
            .set_cache_size(cache_bytes)
            .create(dir.join("seismo.redb"))
            .map_err(fail)?;
        // Create the tables, so readers never find one missing.
        let tx = db.begin_write().map_err(fail)?;
        {
            tx.open_table(MODELS).map_err(fail)?;
            tx.open_table(BATCHES).map_err(fail)?;
            tx.open_table(IDS).map_err(fail)?;
            tx.open_table(LABELS).map_err(fail)?;
            tx.open_table(PERFORMANCE).map_err(fail)?;
            tx.open_table(ALERTS).map_err(fail)?;
            tx.open_table(CUSUMS).map_err(fail)?;
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

    /// Starts a write.
    pub fn write(&self) -> Result<Write, StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        let next = tx
            .open_table(META)
            .map_err(fail)?
            .get("sequence")
            .map_err(fail)?
            .map_or(0, |v| v.value());
        Ok(Write { tx, next })
    }

    /// The stored batches of a model's windows starting in `from..to`, in order; none if
    /// they hold more than `limit` records (decoding stops there).
    pub fn batches(
        &self,
        model: &str,
        from: i64,
        to: i64,
        limit: usize,
    ) -> Result<Option<Vec<RecordColumns>>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(BATCHES).map_err(fail)?;
        let (mut out, mut records) = (Vec::new(), 0);
        for entry in table
            .range((model, from, 0)..(model, to, 0))
            .map_err(fail)?
        {
            let (_, value) = entry.map_err(fail)?;
            let batch = RecordColumns::decode(value.value()).map_err(fail)?;
            records += batch.time_micros.len();
            if records > limit {
                return Ok(None);
            }
            out.push(batch);
        }
        Ok(Some(out))
    }

    /// Labels of these record ids (NaN where none arrived).
    pub fn labels(&self, model: &str, ids: &[String]) -> Result<Vec<f64>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(LABELS).map_err(fail)?;
        ids.iter()
            .map(|id| {
                Ok(match id.is_empty() {
                    true => f64::NAN,
                    false => table
                        .get((model, id.as_str()))
                        .map_err(fail)?
                        .map_or(f64::NAN, |v| v.value()),
                })
            })
            .collect()
    }

    /// A model's saved CUSUM state, if any.
    pub fn cusum(&self, model: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(CUSUMS).map_err(fail)?;
        Ok(table.get(model).map_err(fail)?.map(|v| v.value().to_vec()))
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

    /// Stored batches (entries, not records), for tests and retention checks.
    pub fn batch_count(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        tx.open_table(BATCHES).map_err(fail)?.len().map_err(fail)
    }
}

impl Write {
    /// Appends one window's records of a model, indexing their ids and adding their labels;
    /// with labels, returns the window's labelled sums now.
    pub fn append(
        &mut self,
        model: &str,
        task: Task,
        window: i64,
        columns: &RecordColumns,
        encoded: &[u8],
    ) -> Result<Option<Performance>, StoreError> {
        self.tx
            .open_table(BATCHES)
            .map_err(fail)?
            .insert((model, window, self.next), encoded)
            .map_err(fail)?;
        self.next += 1;
        if !columns.ids.is_empty() {
            let mut ids = self.tx.open_table(IDS).map_err(fail)?;
            for (id, &p) in columns.ids.iter().zip(&columns.predictions) {
                if !id.is_empty() {
                    ids.insert((model, id.as_str()), (window, p))
                        .map_err(fail)?;
                }
            }
        }
        if columns.labels.iter().any(|l| !l.is_nan()) {
            let mut labels = self.tx.open_table(LABELS).map_err(fail)?;
            let mut sums = Performance::default();
            for (row, &label) in columns.labels.iter().enumerate() {
                if label.is_nan() {
                    continue;
                }
                sums.add(task, columns.predictions[row], label, 1.0);
                if let Some(id) = columns.ids.get(row).filter(|id| !id.is_empty()) {
                    labels.insert((model, id.as_str()), label).map_err(fail)?;
                }
            }
            drop(labels);
            return self.add_performance(model, window, &sums).map(Some);
        }
        Ok(None)
    }

    /// Adds labelled sums to a window's; returns the window's sums now.
    fn add_performance(
        &mut self,
        model: &str,
        window: i64,
        sums: &Performance,
    ) -> Result<Performance, StoreError> {
        let mut table = self.tx.open_table(PERFORMANCE).map_err(fail)?;
        let mut stored = table
            .get((model, window))
            .map_err(fail)?
            .map(|v| Performance::from_tuple(v.value()))
            .unwrap_or_default();
        stored.merge(sums);
        table
            .insert((model, window), stored.to_tuple())
            .map_err(fail)?;
        Ok(stored)
    }

    /// Joins labels to logged records by id; a label for an unknown id is not stored, a
    /// second label for a record replaces the first.
    pub fn label(
        &mut self,
        model: &str,
        task: Task,
        labels: &[(String, f64)],
    ) -> Result<Joined, StoreError> {
        let mut joined = Joined::default();
        let mut sums: std::collections::BTreeMap<i64, Performance> = Default::default();
        {
            let ids = self.tx.open_table(IDS).map_err(fail)?;
            let mut table = self.tx.open_table(LABELS).map_err(fail)?;
            for (id, label) in labels {
                let Some(found) = ids.get((model, id.as_str())).map_err(fail)? else {
                    joined.unknown += 1;
                    continue;
                };
                let (window, prediction) = found.value();
                let window_sums = sums.entry(window).or_default();
                let old = table.insert((model, id.as_str()), *label).map_err(fail)?;
                if let Some(old) = old {
                    window_sums.add(task, prediction, old.value(), -1.0);
                }
                window_sums.add(task, prediction, *label, 1.0);
                joined.joined += 1;
            }
        }
        for (window, window_sums) in sums {
            let now = self.add_performance(model, window, &window_sums)?;
            joined.windows.push((window, now));
        }
        Ok(joined)
    }

    /// Saves a model's CUSUM state.
    pub fn put_cusum(&mut self, model: &str, state: &serde_json::Value) -> Result<(), StoreError> {
        self.tx
            .open_table(CUSUMS)
            .map_err(fail)?
            .insert(model, state.to_string().as_bytes())
            .map_err(fail)?;
        Ok(())
    }

    /// Saves (or updates) an alert.
    pub fn put_alert(&mut self, alert: &Alert) -> Result<(), StoreError> {
        self.tx
            .open_table(ALERTS)
            .map_err(fail)?
            .insert(alert.id.as_str(), alert.encode_to_vec().as_slice())
            .map_err(fail)?;
        Ok(())
    }

    /// Deletes a model's windows starting before `cutoff` (their records, ids, labels and
    /// performance) and its resolved alerts that changed before it; returns the records
    /// deleted.
    pub fn expire(&mut self, model: &str, cutoff: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        let mut batches = self.tx.open_table(BATCHES).map_err(fail)?;
        let mut ids = self.tx.open_table(IDS).map_err(fail)?;
        let mut labels = self.tx.open_table(LABELS).map_err(fail)?;
        let old = batches
            .extract_from_if((model, i64::MIN, 0)..(model, cutoff, 0), |_, _| true)
            .map_err(fail)?;
        for entry in old {
            let (_, value) = entry.map_err(fail)?;
            let columns = RecordColumns::decode(value.value()).map_err(fail)?;
            deleted += columns.time_micros.len() as u64;
            for id in columns.ids.iter().filter(|id| !id.is_empty()) {
                ids.remove((model, id.as_str())).map_err(fail)?;
                labels.remove((model, id.as_str())).map_err(fail)?;
            }
        }
        self.tx
            .open_table(PERFORMANCE)
            .map_err(fail)?
            .retain_in((model, i64::MIN)..(model, cutoff), |_, _| false)
            .map_err(fail)?;
        self.tx
            .open_table(ALERTS)
            .map_err(fail)?
            .retain(|_, value| {
                Alert::decode(value).map_or(true, |a| {
                    a.model != model || a.state == "firing" || a.changed_micros >= cutoff
                })
            })
            .map_err(fail)?;
        Ok(deleted)
    }

    /// Commits (durably) everything written.
    pub fn commit(self) -> Result<(), StoreError> {
        {
            let mut meta = self.tx.open_table(META).map_err(fail)?;
            meta.insert("sequence", self.next).map_err(fail)?;
        }
        self.tx.commit().map_err(fail)
    }
}
