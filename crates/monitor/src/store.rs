//! The durable store: an embedded redb database in the data directory. A write returns only
//! after its transaction is committed (redb's default durability syncs the file), so an
//! acknowledged record survives a crash.
//!
//! Records are stored by window, one entry per logged batch and window: the batch's
//! [`Columns`], encoded, under (model, window start, sequence). So a batch
//! of a thousand records is one B-tree insert, a window reads as a range, and retention
//! drops whole windows. Record ids are indexed one by one (with the window and prediction)
//! so late labels join, and each window's labelled performance is kept as sums.
//!
//! Stored values are the core's own types (`record.rs`) in protobuf, each prefixed with a
//! byte that says whether it is plain or compressed (batches are compressed with zstd);
//! the store records its storage version ([`STORAGE_VERSION`]) and refuses to open one
//! made with a later version, naming both, instead of misreading it.

use std::path::Path;

use prost::Message;
use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    WriteTransaction,
};

use crate::model::Task;
use crate::record::{Alert, Columns, ModelSpec};
use crate::window::{Performance, Sums};

/// Models by `name@version`: the registration, encoded.
const MODELS: TableDefinition<&str, &[u8]> = TableDefinition::new("models");
/// Batches by (model, window start, sequence): `Columns`, encoded.
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
/// Counters: the next batch sequence number, and the storage version of the store.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The version of the stored encoding: raise it when stored values change in a way an
/// older reader would misread. The store records the version it was written with.
///
/// Version 2 added compressed values ([`COMPRESSED`]); a store of version 1 holds plain ones
/// only, so it opens and is marked version 2 (a seismo that reads version 1 then refuses
/// it by name rather than misread it).
pub const STORAGE_VERSION: u8 = 2;

/// Every stored value starts with one byte that says how the message follows: `PLAIN`,
/// the protobuf encoding as it is (small values: models, alerts).
const PLAIN: u8 = 1;
/// The protobuf encoding, compressed with zstd (batches of records).
const COMPRESSED: u8 = 2;

/// The least file size [`Store::open`] compacts: below it the free pages are not worth a
/// rewrite.
const COMPACT_AT_BYTES: u64 = 64 << 20;

/// How hard batches are compressed: zstd's fast end, as batches are compressed on the
/// request's path.
const ZSTD_LEVEL: i32 = 1;

/// A small value as the store keeps it: [`PLAIN`], then the message.
pub fn encode(message: &impl Message) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + message.encoded_len());
    bytes.push(PLAIN);
    message.encode(&mut bytes).expect("a Vec grows");
    bytes
}

/// A batch of records as the store keeps it: [`COMPRESSED`], then the message compressed.
/// Columns of one window compress well (a feature's values sit together); the load
/// generator's batches shrink 7-fold (docs/benchmarks.md).
pub fn encode_compressed(message: &impl Message) -> Vec<u8> {
    let plain = message.encode_to_vec();
    let mut bytes = Vec::with_capacity(1 + plain.len() / 2);
    bytes.push(COMPRESSED);
    zstd::stream::copy_encode(plain.as_slice(), &mut bytes, ZSTD_LEVEL).expect("a Vec grows");
    bytes
}

/// A stored value, plain or compressed.
fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, StoreError> {
    match bytes.split_first() {
        Some((&PLAIN, message)) => M::decode(message).map_err(fail),
        Some((&COMPRESSED, compressed)) => {
            let message = zstd::stream::decode_all(compressed).map_err(fail)?;
            M::decode(message.as_slice()).map_err(fail)
        }
        Some((version, _)) => Err(StoreError(format!(
            "a value stored with storage version {version}; this seismo reads versions up to {STORAGE_VERSION}"
        ))),
        None => Err(StoreError("an empty stored value".into())),
    }
}

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
            let mut meta = tx.open_table(META).map_err(fail)?;
            let version = meta
                .get("storage_version")
                .map_err(fail)?
                .map(|v| v.value());
            match version {
                Some(v) if v == u64::from(STORAGE_VERSION) => {}
                // Plain values only: readable as they are, and written compressed from now.
                Some(1) => {
                    meta.insert("storage_version", u64::from(STORAGE_VERSION))
                        .map_err(fail)?;
                }
                Some(v) => {
                    return Err(StoreError(format!(
                        "{}: made with storage version {v}; this seismo reads versions up \
                         to {STORAGE_VERSION} (start with a new data directory)",
                        dir.display()
                    )));
                }
                None if meta.get("sequence").map_err(fail)?.is_some()
                    || !tx
                        .open_table(MODELS)
                        .map_err(fail)?
                        .is_empty()
                        .map_err(fail)? =>
                {
                    return Err(StoreError(format!(
                        "{}: made by a seismo before storage versions; this seismo reads \
                         version {STORAGE_VERSION} (start with a new data directory)",
                        dir.display()
                    )));
                }
                None => {
                    meta.insert("storage_version", u64::from(STORAGE_VERSION))
                        .map_err(fail)?;
                }
            }
        }
        tx.commit().map_err(fail)?;
        let mut store = Self { db };
        store.compact_if_sparse(dir, COMPACT_AT_BYTES)?;
        Ok(store)
    }

    /// Rewrites the file without its free pages when at least a quarter of it is free and
    /// it is larger than `at_bytes`. redb copies pages on write and reuses freed ones, but
    /// never gives them back: after a burst of ingest or a retention sweep the file keeps
    /// them (a third of it after a million records with ids, docs/benchmarks.md). Done at
    /// startup, when nothing else reads or writes; its time grows with the file.
    fn compact_if_sparse(&mut self, dir: &Path, at_bytes: u64) -> Result<(), StoreError> {
        let length = std::fs::metadata(dir.join("seismo.redb"))
            .map_err(fail)?
            .len();
        if length < at_bytes {
            return Ok(());
        }
        let tx = self.db.begin_write().map_err(fail)?;
        let stats = tx.stats().map_err(fail)?;
        tx.abort().map_err(fail)?;
        let allocated = stats.allocated_pages() * stats.page_size() as u64;
        if allocated.saturating_mul(4) > length.saturating_mul(3) {
            return Ok(());
        }
        let started = std::time::Instant::now();
        self.db.compact().map_err(fail)?;
        let after = std::fs::metadata(dir.join("seismo.redb"))
            .map_err(fail)?
            .len();
        tracing::info!(
            before = length,
            after,
            seconds = started.elapsed().as_secs_f64(),
            "store compacted"
        );
        Ok(())
    }

    /// Saves a model's registration.
    pub fn put_model(&self, key: &str, model: &ModelSpec) -> Result<(), StoreError> {
        let tx = self.db.begin_write().map_err(fail)?;
        tx.open_table(MODELS)
            .map_err(fail)?
            .insert(key, encode(model).as_slice())
            .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// Every registered model.
    pub fn models(&self) -> Result<Vec<(String, ModelSpec)>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(MODELS).map_err(fail)?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(fail)? {
            let (key, value) = entry.map_err(fail)?;
            let model = decode(value.value())?;
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
    ) -> Result<Option<Vec<Columns>>, StoreError> {
        let tx = self.db.begin_read().map_err(fail)?;
        let table = tx.open_table(BATCHES).map_err(fail)?;
        let (mut out, mut records) = (Vec::new(), 0);
        for entry in table
            .range((model, from, 0)..(model, to, 0))
            .map_err(fail)?
        {
            let (_, value) = entry.map_err(fail)?;
            let batch: Columns = decode(value.value())?;
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
            out.push(decode(value.value())?);
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
        columns: &Columns,
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
            // In key order, so a batch's ids touch each leaf page once.
            let mut rows: Vec<usize> = (0..columns.ids.len())
                .filter(|&row| !columns.ids[row].is_empty())
                .collect();
            rows.sort_unstable_by_key(|&row| columns.ids[row].as_str());
            for row in rows {
                ids.insert(
                    (model, columns.ids[row].as_str()),
                    (window, columns.predictions[row]),
                )
                .map_err(fail)?;
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
            .insert(alert.id.as_str(), encode(alert).as_slice())
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
            let columns: Columns = decode(value.value())?;
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
                decode::<Alert>(value).map_or(true, |a| {
                    a.model != model || a.firing() || a.changed_micros >= cutoff
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{AlertState, FeatureValues};

    /// The stored bytes of a batch and an alert: a change to a tag or a type in `record.rs`
    /// changes them, and then needs a new [`STORAGE_VERSION`].
    #[test]
    fn the_storage_encoding_is_pinned() {
        let columns = Columns {
            ids: vec!["a".into()],
            time_micros: vec![1],
            model_versions: vec![],
            predictions: vec![0.5],
            labels: vec![],
            features: vec![FeatureValues {
                name: "x".into(),
                texts: vec!["y".into()],
                ..Default::default()
            }],
        };
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(&encode(&columns)),
            // version 1; ids "a"; time_micros [1]; predictions [0.5]; features [{x, texts [y]}]
            "01\
             0a0161\
             120101\
             2208000000000000e03f\
             32060a01781a0179"
        );
        let alert = Alert {
            id: "m:drift:x".into(),
            state: AlertState::Firing as i32,
            ..Default::default()
        };
        assert_eq!(hex(&encode(&alert)), "010a096d3a64726966743a782801");
        assert_eq!(decode::<Alert>(&encode(&alert)).unwrap(), alert);
    }

    #[test]
    fn batches_are_stored_compressed_and_read_back() {
        let columns = Columns {
            ids: (0..1000).map(|i| format!("r{i}")).collect(),
            time_micros: (0..1000).collect(),
            predictions: (0..1000).map(|i| f64::from(i % 100) / 100.0).collect(),
            features: vec![FeatureValues {
                name: "x".into(),
                numbers: (0..1000).map(|i| f64::from(i % 997)).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let compressed = encode_compressed(&columns);
        assert_eq!(compressed[0], COMPRESSED);
        assert!(compressed.len() * 2 < encode(&columns).len());
        assert_eq!(decode::<Columns>(&compressed).unwrap(), columns);
        // A damaged frame is an error, not a panic.
        let mut damaged = compressed.clone();
        damaged.truncate(damaged.len() / 2);
        assert!(decode::<Columns>(&damaged).is_err());
    }

    /// A store of version 1 (plain values only) opens, keeps its values readable, and is
    /// marked with the current version.
    #[test]
    fn a_version_1_store_opens_and_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let batch = Columns {
            time_micros: vec![7],
            predictions: vec![0.25],
            ..Default::default()
        };
        {
            let store = Store::open(dir.path(), 1 << 20).unwrap();
            let mut write = store.write().unwrap();
            write
                .append("m@1", Task::Regression, 0, &batch, &encode(&batch))
                .unwrap();
            write.commit().unwrap();
            let tx = store.db.begin_write().unwrap();
            tx.open_table(META)
                .unwrap()
                .insert("storage_version", 1)
                .unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let read = store.batches("m@1", 0, 1, 10).unwrap().unwrap();
        assert_eq!(read, vec![batch]);
        let tx = store.db.begin_read().unwrap();
        let version = tx.open_table(META).unwrap().get("storage_version").unwrap();
        assert_eq!(version.unwrap().value(), u64::from(STORAGE_VERSION));
    }

    /// Freed pages stay in the file until it is compacted; compacting a sparse file (as
    /// opening one over `COMPACT_AT_BYTES` does) keeps every value.
    #[test]
    fn a_sparse_store_is_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("seismo.redb");
        let batch = |i: u64| Columns {
            ids: (0..500).map(|r| format!("r{i}-{r}")).collect(),
            time_micros: vec![7; 500],
            predictions: (0..500).map(|r| r as f64 / 500.0).collect(),
            ..Default::default()
        };
        let mut store = Store::open(dir.path(), 1 << 20).unwrap();
        for i in 0..40 {
            let mut write = store.write().unwrap();
            let columns = batch(i);
            write
                .append(
                    "m@1",
                    Task::Regression,
                    i as i64,
                    &columns,
                    &encode_compressed(&columns),
                )
                .unwrap();
            write.commit().unwrap();
        }
        let mut write = store.write().unwrap();
        assert_eq!(write.expire("m@1", 30).unwrap(), 30 * 500);
        write.commit().unwrap();
        let full = std::fs::metadata(&file).unwrap().len();
        // Not sparse enough or not large enough: left alone.
        store.compact_if_sparse(dir.path(), full + 1).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().len(), full);
        store.compact_if_sparse(dir.path(), 0).unwrap();
        let compacted = std::fs::metadata(&file).unwrap().len();
        assert!(compacted * 4 <= full * 3, "{full} -> {compacted}");
        let kept = store.batches("m@1", 0, 100, 1 << 20).unwrap().unwrap();
        assert_eq!(kept, (30..40).map(batch).collect::<Vec<_>>());
    }

    #[test]
    fn a_value_or_store_of_another_version_is_refused_by_name() {
        let mut bytes = encode(&Columns::default());
        bytes[0] = STORAGE_VERSION + 1;
        let e = decode::<Columns>(&bytes).unwrap_err().to_string();
        assert!(e.contains("storage version 3"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path(), 1 << 20).unwrap());
        // A store made before storage versions: data, and no version.
        {
            let db = Database::create(dir.path().join("seismo.redb")).unwrap();
            let tx = db.begin_write().unwrap();
            {
                let mut meta = tx.open_table(META).unwrap();
                meta.remove("storage_version").unwrap();
                meta.insert("sequence", 3).unwrap();
            }
            tx.commit().unwrap();
        }
        let e = Store::open(dir.path(), 1 << 20).err().unwrap().to_string();
        assert!(e.contains("before storage versions"), "{e}");
        // Reopening a current store works.
        let fresh = tempfile::tempdir().unwrap();
        drop(Store::open(fresh.path(), 1 << 20).unwrap());
        assert!(Store::open(fresh.path(), 1 << 20).is_ok());
    }
}
