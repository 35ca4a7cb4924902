//! Telling the format of an input from its name or its first bytes.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A data file format seismo reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- (or otherwise) delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file format (also Feather v2).
    ArrowFile,
    /// Arrow IPC streaming format.
    ArrowStream,
    /// One JSON object per line.
    NdJson,
}

impl Format {
    /// The format a file name's extension says, if it says one.
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "txt" => Self::Csv,
            "parquet" | "pq" => Self::Parquet,
            "arrow" | "feather" | "ipc" => Self::ArrowFile,
            "arrows" => Self::ArrowStream,
            "ndjson" | "jsonl" => Self::NdJson,
            _ => return None,
        })
    }

    /// The format the first bytes of an input suggest. Text that is not JSON is taken as CSV.
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(b"PAR1") {
            Self::Parquet
        } else if head.starts_with(b"ARROW1") {
            Self::ArrowFile
        } else if head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
            Self::ArrowStream
        } else if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            Self::NdJson
        } else {
            Self::Csv
        }
    }

    /// The word used for `--input-format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
            Self::ArrowFile => "arrow",
            Self::ArrowStream => "arrows",
            Self::NdJson => "ndjson",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = seismo_core::UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" | "tsv" => Ok(Self::Csv),
            "parquet" => Ok(Self::Parquet),
            "arrow" | "feather" | "ipc" => Ok(Self::ArrowFile),
            "arrows" => Ok(Self::ArrowStream),
            "ndjson" | "jsonl" => Ok(Self::NdJson),
            _ => Err(seismo_core::UnknownWord::new(
                "input format",
                s,
                "csv, parquet, arrow, arrows, ndjson",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_magic_bytes() {
        assert_eq!(
            Format::from_extension(Path::new("a/b.PARQUET")),
            Some(Format::Parquet)
        );
        assert_eq!(
            Format::from_extension(Path::new("x.tsv")),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_extension(Path::new("x.jsonl")),
            Some(Format::NdJson)
        );
        assert_eq!(Format::from_extension(Path::new("x.bin")), None);
        assert_eq!(Format::sniff(b"PAR1...."), Format::Parquet);
        assert_eq!(Format::sniff(b"ARROW1\0\0"), Format::ArrowFile);
        assert_eq!(
            Format::sniff(&[0xFF, 0xFF, 0xFF, 0xFF, 1]),
            Format::ArrowStream
        );
        assert_eq!(Format::sniff(b"  {\"a\":1}"), Format::NdJson);
        assert_eq!(Format::sniff(b"a,b\n1,2\n"), Format::Csv);
        assert!("xlsx".parse::<Format>().is_err());
    }
}
