//! Opening an input and streaming its record batches.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use bytes::Bytes;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use seismo_core::{ColumnKind, Dataset, Schema};

use crate::csv::{self, Counting};
use crate::error::ReadError;
use crate::format::Format;

/// How to read an input. The defaults suit most files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The format; `None` tells it from the extension, or from the first bytes.
    pub format: Option<Format>,
    /// The CSV delimiter; `None` means tab for `.tsv` and comma otherwise.
    pub delimiter: Option<u8>,
    /// Whether the first CSV line holds the column names.
    pub has_header: bool,
    /// How many rows CSV and NDJSON types are inferred from; 0 reads the whole input first.
    pub infer_rows: usize,
    /// Rows per record batch.
    pub batch_size: usize,
    /// Kinds the user gives for columns, overriding inference. For CSV and NDJSON they also
    /// decide how the text is parsed.
    pub types: Vec<(String, ColumnKind)>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            format: None,
            delimiter: None,
            has_header: true,
            infer_rows: 10_000,
            batch_size: 16_384,
            types: Vec::new(),
        }
    }
}

/// A stream of record batches from one part of an input.
pub type Partition = Box<dyn Iterator<Item = Result<RecordBatch, ReadError>> + Send>;

/// What is known of an input's size before reading it, for progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct SizeHint {
    /// Rows, when the format records them (Parquet).
    pub rows: Option<u64>,
    /// Bytes, when the input is a file.
    pub bytes: Option<u64>,
}

/// An opened input: its schema is known, its batches not read yet.
pub struct Source {
    path: PathBuf,
    format: Format,
    arrow_schema: SchemaRef,
    schema: Schema,
    size: SizeHint,
    bytes_read: Arc<AtomicU64>,
    body: Body,
}

enum Body {
    Parquet {
        input: ParquetInput,
        metadata: ArrowReaderMetadata,
        batch_size: usize,
    },
    Stream(Partition),
}

#[derive(Clone)]
enum ParquetInput {
    File(PathBuf),
    Memory(Bytes),
}

impl Source {
    /// Opens `path`, or standard input when `path` is `-`, and reads its schema.
    pub fn open(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Self, ReadError> {
        let path = path.as_ref();
        let bytes_read = Arc::new(AtomicU64::new(0));
        let (mut reader, size, format): (Box<dyn BufRead + Send>, SizeHint, Format) =
            if path == Path::new("-") {
                let mut reader = BufReader::with_capacity(1 << 16, std::io::stdin());
                let head = reader.fill_buf().map_err(|e| ReadError::io(path, e))?;
                let format = options.format.unwrap_or_else(|| Format::sniff(head));
                (Box::new(reader), SizeHint::default(), format)
            } else {
                let file = File::open(path).map_err(|e| ReadError::io(path, e))?;
                let meta = file.metadata().map_err(|e| ReadError::io(path, e))?;
                if meta.is_dir() {
                    return Err(ReadError::invalid(path, "is a directory, not a data file"));
                }
                let counting = Counting {
                    inner: file,
                    count: bytes_read.clone(),
                };
                let mut reader = BufReader::with_capacity(1 << 16, counting);
                let head = reader.fill_buf().map_err(|e| ReadError::io(path, e))?;
                let format = options
                    .format
                    .or_else(|| Format::from_extension(path))
                    .unwrap_or_else(|| Format::sniff(head));
                (
                    Box::new(reader),
                    SizeHint {
                        rows: None,
                        bytes: Some(meta.len()),
                    },
                    format,
                )
            };
        if reader
            .fill_buf()
            .map_err(|e| ReadError::io(path, e))?
            .is_empty()
        {
            return Err(ReadError::Empty {
                path: path.to_owned(),
            });
        }
        let (arrow_schema, body, size) = match format {
            Format::Csv => open_csv(path, reader, options, size)?,
            Format::NdJson => open_ndjson(path, reader, options, size)?,
            Format::ArrowStream => {
                let stream = arrow_ipc::reader::StreamReader::try_new(reader, None)
                    .map_err(|e| arrow_error(path, e))?;
                let schema = stream.schema();
                (schema, Body::Stream(batches(path, stream)), size)
            }
            Format::ArrowFile => {
                let file = arrow_ipc::reader::FileReader::try_new(
                    Cursor::new(read_all(path, &mut reader)?),
                    None,
                )
                .map_err(|e| arrow_error(path, e))?;
                let schema = file.schema();
                (schema, Body::Stream(batches(path, file)), size)
            }
            Format::Parquet => {
                let input = if path == Path::new("-") {
                    ParquetInput::Memory(Bytes::from(read_all(path, &mut reader)?))
                } else {
                    ParquetInput::File(path.to_owned())
                };
                let metadata = match &input {
                    ParquetInput::File(p) => {
                        let file = File::open(p).map_err(|e| ReadError::io(p, e))?;
                        ArrowReaderMetadata::load(&file, Default::default())
                    }
                    ParquetInput::Memory(bytes) => {
                        ArrowReaderMetadata::load(bytes, Default::default())
                    }
                }
                .map_err(|e| ReadError::invalid(path, e.to_string()))?;
                let rows = metadata.metadata().file_metadata().num_rows();
                let size = SizeHint {
                    rows: u64::try_from(rows).ok(),
                    ..size
                };
                let schema = metadata.schema().clone();
                (
                    schema,
                    Body::Parquet {
                        input,
                        metadata,
                        batch_size: options.batch_size,
                    },
                    size,
                )
            }
        };
        let mut schema = Schema::from_arrow(&arrow_schema);
        for (column, kind) in &options.types {
            schema
                .set_kind(column, *kind)
                .map_err(|_| ReadError::UnknownColumn {
                    path: path.to_owned(),
                    column: column.clone(),
                })?;
        }
        Ok(Self {
            path: path.to_owned(),
            format,
            arrow_schema,
            schema,
            size,
            bytes_read,
            body,
        })
    }

    /// The path given, `-` for standard input.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format the input was read as.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The Arrow schema of the batches.
    pub fn arrow_schema(&self) -> &SchemaRef {
        &self.arrow_schema
    }

    /// The seismo schema: inferred kinds with the user's overrides, every column a feature.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// What is known of the input's size.
    pub fn size_hint(&self) -> SizeHint {
        self.size
    }

    /// A counter of the bytes read so far from a file input, for progress bars.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        self.bytes_read.clone()
    }

    /// Splits the input into at most `n` partitions that can be read on separate threads.
    /// Parquet splits by row group; other formats give one partition. Rows keep their order
    /// within a partition, and partitions are in input order.
    pub fn into_partitions(self, n: usize) -> Vec<Partition> {
        let path = self.path;
        match self.body {
            Body::Stream(stream) => vec![stream],
            Body::Parquet {
                input,
                metadata,
                batch_size,
            } => {
                let groups = metadata.metadata().num_row_groups();
                let parts = n.clamp(1, groups.max(1));
                (0..parts)
                    .map(|part| {
                        let row_groups: Vec<usize> =
                            (part * groups / parts..(part + 1) * groups / parts).collect();
                        parquet_partition(
                            &path,
                            input.clone(),
                            metadata.clone(),
                            row_groups,
                            batch_size,
                        )
                    })
                    .collect()
            }
        }
    }
}

fn parquet_partition(
    path: &Path,
    input: ParquetInput,
    metadata: ArrowReaderMetadata,
    row_groups: Vec<usize>,
    batch_size: usize,
) -> Partition {
    let reader = match input {
        ParquetInput::File(p) => match File::open(&p) {
            Ok(file) => row_group_reader(file, metadata, row_groups, batch_size),
            Err(e) => return Box::new(std::iter::once(Err(ReadError::io(&p, e)))),
        },
        ParquetInput::Memory(bytes) => row_group_reader(bytes, metadata, row_groups, batch_size),
    };
    match reader {
        Ok(reader) => batches(path, reader),
        Err(e) => Box::new(std::iter::once(Err(ReadError::invalid(
            path,
            e.to_string(),
        )))),
    }
}

/// A batch reader over some row groups of a Parquet input, a file or bytes alike.
fn row_group_reader<T: parquet::file::reader::ChunkReader + 'static>(
    input: T,
    metadata: ArrowReaderMetadata,
    row_groups: Vec<usize>,
    batch_size: usize,
) -> Result<
    Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send>,
    parquet::errors::ParquetError,
> {
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(input, metadata)
        .with_row_groups(row_groups)
        .with_batch_size(batch_size)
        .build()?;
    Ok(Box::new(reader))
}

fn batches(
    path: &Path,
    reader: impl Iterator<Item = Result<RecordBatch, ArrowError>> + Send + 'static,
) -> Partition {
    let path = path.to_owned();
    Box::new(reader.map(move |b| b.map_err(|e| arrow_error(&path, e))))
}

fn arrow_error(path: &Path, error: ArrowError) -> ReadError {
    csv::csv_error(path, error, None, false)
}

fn read_all(path: &Path, reader: &mut dyn BufRead) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::io(path, e))?;
    Ok(buf)
}

type Opened = (SchemaRef, Body, SizeHint);

fn open_csv(
    path: &Path,
    mut reader: Box<dyn BufRead + Send>,
    options: &ReadOptions,
    size: SizeHint,
) -> Result<Opened, ReadError> {
    let tsv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delimiter = options.delimiter.unwrap_or(if tsv { b'\t' } else { b',' });
    let format = csv::csv_format(delimiter, options.has_header);
    let (head, saw_everything) = csv::read_head(path, &mut reader, options.infer_rows)?;
    let inferred = csv::infer_schema(path, &head, &format, saw_everything)?;
    let schema = csv::apply_overrides(path, inferred, &options.types)?;
    let body = Cursor::new(head).chain(reader);
    let csv_reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(format)
        .with_batch_size(options.batch_size)
        .build(body)
        .map_err(|e| csv::csv_error(path, e, Some(&schema), false))?;
    let owned = path.to_owned();
    let error_schema = schema.clone();
    let stream = csv_reader
        .map(move |b| b.map_err(|e| csv::csv_error(&owned, e, Some(&error_schema), true)));
    Ok((schema, Body::Stream(Box::new(stream)), size))
}

fn open_ndjson(
    path: &Path,
    mut reader: Box<dyn BufRead + Send>,
    options: &ReadOptions,
    size: SizeHint,
) -> Result<Opened, ReadError> {
    let (head, _) = csv::read_head(path, &mut reader, options.infer_rows)?;
    let (inferred, _) = arrow_json::reader::infer_json_schema(Cursor::new(&head), None)
        .map_err(|e| arrow_error(path, e))?;
    let schema = csv::apply_overrides(path, inferred, &options.types)?;
    let body = BufReader::new(Cursor::new(head).chain(reader));
    let json = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(options.batch_size)
        .build(body)
        .map_err(|e| arrow_error(path, e))?;
    Ok((schema, Body::Stream(batches(path, json)), size))
}

/// Reads a whole input into memory as a [`Dataset`]. Use [`Source`] to stream instead.
pub fn read_dataset(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Dataset, ReadError> {
    let source = Source::open(path, options)?;
    let schema = source.schema().clone();
    let arrow_schema = source.arrow_schema().clone();
    let path = source.path().to_owned();
    let batches = source
        .into_partitions(1)
        .into_iter()
        .flatten()
        .collect::<Result<Vec<_>, _>>()?;
    Dataset::new(schema, arrow_schema, batches)
        .map_err(|e| ReadError::invalid(&path, e.to_string()))
}
