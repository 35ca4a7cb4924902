//! Flags shared by every command that reads data, and opening inputs with them.

use anyhow::{Context, Result, bail};
use clap::Args;
use seismo_core::ColumnKind;
use seismo_io::{Format, ReadOptions, Source};

/// How to read data inputs.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input format, when the extension does not say it [csv, parquet, arrow, arrows, ndjson]
    #[arg(long, value_name = "FORMAT", global = true)]
    pub input_format: Option<Format>,
    /// CSV delimiter (one character; `\t` for tab) [default: tab for .tsv, else comma]
    #[arg(long, value_name = "CHAR", global = true)]
    pub delimiter: Option<String>,
    /// The CSV has no header row (columns are named column_1, column_2, ...)
    #[arg(long, global = true)]
    pub no_header: bool,
    /// Rows CSV and NDJSON types are inferred from (0: the whole input)
    #[arg(long, value_name = "N", default_value_t = 10_000, global = true)]
    pub infer_rows: usize,
    /// Give a column's kind instead of inferring it; repeatable [kinds: numeric, categorical, boolean, text, datetime]
    #[arg(long = "type", value_name = "COLUMN=KIND", global = true)]
    pub types: Vec<String>,
    /// Threads to use [default: all cores]. The output is the same on every run; another
    /// thread count may change sketch-based numbers within their bounds (docs/profile.md)
    #[arg(long, value_name = "N", global = true)]
    pub threads: Option<usize>,
}

impl InputArgs {
    /// The threads to use: `--threads`, else every core. Zero is refused.
    pub fn threads(&self) -> Result<usize> {
        match self.threads {
            Some(0) => bail!("--threads 0: at least one thread is needed"),
            Some(n) => Ok(n),
            None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }

    /// The read options these flags describe.
    pub fn read_options(&self) -> Result<ReadOptions> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("\\t") | Some("\t") | Some("tab") => Some(b'\t'),
            Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
            Some(d) => bail!("--delimiter must be one ASCII character, got `{d}`"),
        };
        let types = self
            .types
            .iter()
            .map(|t| {
                let (column, kind) = t
                    .rsplit_once('=')
                    .with_context(|| format!("--type expects COLUMN=KIND, got `{t}`"))?;
                let kind: ColumnKind = kind.parse().with_context(|| format!("--type {t}"))?;
                Ok((column.to_owned(), kind))
            })
            .collect::<Result<_>>()?;
        let mut options = ReadOptions::default();
        options.format = self.input_format;
        options.delimiter = delimiter;
        options.has_header = !self.no_header;
        options.infer_rows = self.infer_rows;
        options.types = types;
        Ok(options)
    }

    /// Opens a data input.
    pub fn open(&self, path: &str) -> Result<Source> {
        Ok(Source::open(path, &self.read_options()?)?)
    }
}
