#![warn(missing_docs)]
//! Reading data files into Arrow record batches, and writing batches back ([`Sink`]).
//!
//! One entry point, [`Source::open`], takes a path (or `-` for standard input) and gives the
//! Arrow schema and a stream of record batches, whatever the format:
//!
//! | format | extensions | sniffed from stdin by |
//! |---|---|---|
//! | CSV / TSV | `.csv`, `.tsv`, `.txt` | anything else |
//! | Parquet | `.parquet`, `.pq` | magic `PAR1` |
//! | Arrow IPC file | `.arrow`, `.feather`, `.ipc` | magic `ARROW1` |
//! | Arrow IPC stream | `.arrows` | continuation marker `0xFFFFFFFF` |
//! | newline-delimited JSON | `.ndjson`, `.jsonl` | a first byte `{` |
//!
//! Batches are streamed: nothing holds the whole file unless the format needs random access
//! and the input is standard input (Parquet and Arrow IPC files are then buffered in memory).
//! A Parquet file can be split into [`Partition`]s by row group so that several threads decode
//! it at once.
//!
//! Every error names the input and, where the format tells it, the line and column.
//!
//! [`Sink`] writes batches in any of these formats (by extension), all or nothing: to a
//! temporary file that is synced and renamed into place on commit.
//!
//! ```no_run
//! use seismo_io::{ReadOptions, Source};
//!
//! let source = Source::open("examples/reference.parquet", &ReadOptions::default())?;
//! println!("{} columns", source.arrow_schema().fields().len());
//! for batch in source.into_partitions(1).remove(0) {
//!     let batch = batch?;
//!     println!("{} rows", batch.num_rows());
//! }
//! # Ok::<(), seismo_io::ReadError>(())
//! ```

mod csv;
mod error;
mod format;
mod source;
mod write;

pub use error::ReadError;
pub use format::Format;
pub use source::{Partition, ReadOptions, SizeHint, Source, read_dataset};
pub use write::{Sink, WriteError};
