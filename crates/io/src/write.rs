//! Writing record batches to a file in any format seismo reads, all or nothing: rows go to
//! a temporary file beside the target, which [`Sink::commit`] syncs and renames into place.
//! A sink dropped without a commit removes its temporary file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use crate::format::Format;

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
#[non_exhaustive]
pub struct WriteError {
    /// The target path.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

enum Writer {
    Csv(arrow_csv::Writer<BufWriter<File>>),
    Parquet(parquet::arrow::ArrowWriter<File>),
    ArrowFile(arrow_ipc::writer::FileWriter<BufWriter<File>>),
    ArrowStream(arrow_ipc::writer::StreamWriter<BufWriter<File>>),
    NdJson(arrow_json::LineDelimitedWriter<BufWriter<File>>),
}

/// A file being written. Nothing appears at the target path until [`Sink::commit`].
pub struct Sink {
    path: PathBuf,
    temporary: PathBuf,
    writer: Option<Writer>,
    rows: u64,
}

impl Sink {
    /// Starts writing `path` in `format` (default: by extension; CSV when it names none).
    /// A `.tsv` path is written tab-separated.
    pub fn create(
        path: &Path,
        format: Option<Format>,
        schema: &SchemaRef,
    ) -> Result<Self, WriteError> {
        let error = |e: &dyn std::fmt::Display| WriteError {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let format = format
            .or_else(|| Format::from_extension(path))
            .unwrap_or(Format::Csv);
        let name = path
            .file_name()
            .ok_or_else(|| error(&"not a file path"))?
            .to_string_lossy()
            .into_owned();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&temporary).map_err(|e| error(&e))?;
        let tab = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let writer = match format {
            Format::Csv => Writer::Csv(
                arrow_csv::WriterBuilder::new()
                    .with_header(true)
                    .with_delimiter(if tab { b'\t' } else { b',' })
                    .build(BufWriter::new(file)),
            ),
            Format::Parquet => Writer::Parquet(
                parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None)
                    .map_err(|e| error(&e))?,
            ),
            Format::ArrowFile => Writer::ArrowFile(
                arrow_ipc::writer::FileWriter::try_new(BufWriter::new(file), schema)
                    .map_err(|e| error(&e))?,
            ),
            Format::ArrowStream => Writer::ArrowStream(
                arrow_ipc::writer::StreamWriter::try_new(BufWriter::new(file), schema)
                    .map_err(|e| error(&e))?,
            ),
            Format::NdJson => {
                Writer::NdJson(arrow_json::LineDelimitedWriter::new(BufWriter::new(file)))
            }
        };
        Ok(Self {
            path: path.to_owned(),
            temporary,
            writer: Some(writer),
            rows: 0,
        })
    }

    /// Appends a batch.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), WriteError> {
        let result: Result<(), ArrowError> = match self.writer.as_mut().expect("open until commit")
        {
            Writer::Csv(w) => w.write(&seismo_core::batch_with_utc_offsets(batch)),
            Writer::Parquet(w) => w
                .write(batch)
                .map_err(|e| ArrowError::ExternalError(Box::new(e))),
            Writer::ArrowFile(w) => w.write(batch),
            Writer::ArrowStream(w) => w.write(batch),
            Writer::NdJson(w) => w.write(&seismo_core::batch_with_utc_offsets(batch)),
        };
        self.rows += batch.num_rows() as u64;
        result.map_err(|e| self.error(&e))
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn error(&self, e: &dyn std::fmt::Display) -> WriteError {
        WriteError {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Finishes the file, syncs it to disk and moves it to its path.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let file = match self.writer.take().expect("open until commit") {
            Writer::Csv(w) => w.into_inner().into_inner().map_err(|e| e.into_error()),
            Writer::Parquet(w) => w
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string())),
            Writer::ArrowFile(mut w) => w
                .finish()
                .and_then(|()| w.into_inner())
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|b| b.into_inner().map_err(|e| e.into_error())),
            Writer::ArrowStream(mut w) => w
                .finish()
                .and_then(|()| w.into_inner())
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|b| b.into_inner().map_err(|e| e.into_error())),
            Writer::NdJson(mut w) => w
                .finish()
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|()| w.into_inner().into_inner().map_err(|e| e.into_error())),
        };
        let synced = file.and_then(|mut f| {
            f.flush()?;
            f.sync_all()
        });
        synced
            .and_then(|()| std::fs::rename(&self.temporary, &self.path))
            .map_err(|e| self.error(&e))
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // Committed sinks have renamed their file; this only removes abandoned ones.
        let _ = std::fs::remove_file(&self.temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, read_dataset};
    use arrow_array::{Float64Array, StringArray, TimestampMicrosecondArray};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        RecordBatch::try_from_iter([
            ("x", Arc::new(Float64Array::from(vec![1.5, -2.0])) as _),
            (
                "t",
                Arc::new(TimestampMicrosecondArray::from(vec![0, 1_000_000]).with_timezone("UTC"))
                    as _,
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a,b"), None])) as _,
            ),
        ])
        .unwrap()
    }

    #[test]
    fn every_format_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "out.csv",
            "out.tsv",
            "out.parquet",
            "out.arrow",
            "out.arrows",
            "out.ndjson",
        ] {
            let path = dir.path().join(name);
            let mut sink = Sink::create(&path, None, &batch().schema()).unwrap();
            sink.write(&batch()).unwrap();
            sink.write(&batch()).unwrap();
            assert!(!path.exists(), "{name}: nothing before the commit");
            sink.commit().unwrap();
            let back = read_dataset(&path, &ReadOptions::default()).unwrap();
            assert_eq!(back.num_rows(), 4, "{name}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn an_abandoned_sink_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parquet");
        let mut sink = Sink::create(&path, None, &batch().schema()).unwrap();
        sink.write(&batch()).unwrap();
        drop(sink);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
