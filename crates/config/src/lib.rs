#![warn(missing_docs)]
//! seismo's configuration files: rule files, test suites and service settings, in TOML or
//! YAML (by extension), read through serde into the caller's types.
//!
//! What this crate adds to `toml` and `serde-saphyr` is places: a syntax error carries its
//! line, and [`ConfigFile::locate`] finds the line and column of the `index`-th entry of a
//! list (`[[column]]` in TOML, `column:` items in YAML) and of a field in it, so that a
//! mistake found later, against the data (an unknown column, a bad regex, an expression that
//! does not compile), is reported as `rules.toml:12:9: ...`.
//!
//! ```
//! use seismo_config::ConfigFile;
//!
//! #[derive(serde::Deserialize)]
//! struct File { column: Vec<Column> }
//! #[derive(serde::Deserialize)]
//! struct Column { name: String }
//!
//! let file = ConfigFile::new("rules.toml", "[[column]]\nname = \"a\"\n\n[[column]]\nname = \"prise\"\n");
//! let parsed: File = file.parse().unwrap();
//! assert_eq!(parsed.column[1].name, "prise");
//! assert_eq!(file.locate("column", 1, Some("name")).to_string(), "rules.toml:5:9");
//! ```

use std::fmt;

use serde::de::DeserializeOwned;

/// The language a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// TOML (anything not named `.yaml`/`.yml`).
    Toml,
    /// YAML (`.yaml`, `.yml`).
    Yaml,
}

impl Syntax {
    /// The syntax a path's extension names; TOML unless it says YAML.
    pub fn of_path(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Self::Yaml
        } else {
            Self::Toml
        }
    }
}

/// Where in a file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given.
    pub path: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 1-based column, when known.
    pub column: Option<usize>,
}

impl Location {
    /// A location with a line (or none) and no column.
    pub fn line(path: &str, line: Option<usize>) -> Self {
        Self {
            path: path.to_owned(),
            line,
            column: None,
        }
    }

    /// The location of a place inside a value that starts here, given as a 1-based line and
    /// column within the value (an expression's error position inside its quotes).
    pub fn within(&self, line: usize, column: usize) -> Self {
        let mut at = self.clone();
        if line > 1 {
            at.line = at.line.map(|l| l + line - 1);
            at.column = Some(column);
        } else {
            at.column = at.column.map(|c| c + column - 1);
        }
        at
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// A file that does not parse into the expected shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
#[non_exhaustive]
pub struct ConfigError {
    /// Where.
    pub location: Location,
    /// What is wrong, on one line.
    pub message: String,
}

/// A configuration file's text, to parse and to locate entries in.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: String,
    text: String,
    syntax: Syntax,
}

impl ConfigFile {
    /// A file's text; `path` names it in messages and picks the syntax.
    pub fn new(path: &str, text: &str) -> Self {
        Self {
            path: path.to_owned(),
            text: text.to_owned(),
            syntax: Syntax::of_path(path),
        }
    }

    /// The path, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The syntax.
    pub fn syntax(&self) -> Syntax {
        self.syntax
    }

    /// The file read into `T`; a syntax error or a field that does not fit names its line.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        match self.syntax {
            Syntax::Toml => toml::from_str(&self.text).map_err(|e| ConfigError {
                location: Location::line(
                    &self.path,
                    e.span().map(|s| line_of_offset(&self.text, s.start)),
                ),
                message: e
                    .message()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            }),
            Syntax::Yaml => serde_saphyr::from_str(&self.text).map_err(|e| ConfigError {
                location: Location::line(&self.path, None),
                message: e
                    .to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            }),
        }
    }

    /// The location of entry `index` of the list `key`, and of `field` in it (at its value)
    /// when given and found; the entry's first line otherwise, or just the path.
    pub fn locate(&self, key: &str, index: usize, field: Option<&str>) -> Location {
        let lines: Vec<&str> = self.text.lines().collect();
        let Some((first, end)) = self.block(&lines, key, index) else {
            return Location::line(&self.path, None);
        };
        if let Some(field) = field {
            for (i, line) in lines.iter().enumerate().take(end).skip(first) {
                if let Some(column) = value_column(line, field, self.syntax) {
                    return Location {
                        path: self.path.clone(),
                        line: Some(i + 1),
                        column: Some(column),
                    };
                }
            }
        }
        Location::line(&self.path, Some(first + 1))
    }

    /// The location of a top-level `field` (outside any list).
    pub fn locate_top(&self, field: &str) -> Location {
        for (i, line) in self.text.lines().enumerate() {
            if line.trim_start().starts_with('[') {
                break;
            }
            if !line.starts_with([' ', '\t', '-'])
                && let Some(column) = value_column(line, field, self.syntax)
            {
                return Location {
                    path: self.path.clone(),
                    line: Some(i + 1),
                    column: Some(column),
                };
            }
        }
        Location::line(&self.path, None)
    }

    /// The lines `first..end` (0-based) of an entry.
    fn block(&self, lines: &[&str], key: &str, index: usize) -> Option<(usize, usize)> {
        match self.syntax {
            Syntax::Toml => {
                let header = format!("[[{key}]]");
                let starts: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].trim().starts_with(&header))
                    .collect();
                let first = *starts.get(index)?;
                let end = (first + 1..lines.len())
                    .find(|&i| lines[i].trim_start().starts_with('['))
                    .unwrap_or(lines.len());
                Some((first, end))
            }
            Syntax::Yaml => {
                let top = (0..lines.len()).find(|&i| lines[i].starts_with(&format!("{key}:")))?;
                let section_end = (top + 1..lines.len())
                    .find(|&i| {
                        let l = lines[i];
                        !l.trim().is_empty() && !l.starts_with([' ', '-', '#'])
                    })
                    .unwrap_or(lines.len());
                let items: Vec<usize> = (top + 1..section_end)
                    .filter(|&i| lines[i].trim_start().starts_with("- "))
                    .collect();
                let indent = items
                    .first()
                    .map(|&i| lines[i].len() - lines[i].trim_start().len())?;
                let items: Vec<usize> = items
                    .into_iter()
                    .filter(|&i| lines[i].len() - lines[i].trim_start().len() == indent)
                    .collect();
                let first = *items.get(index)?;
                let end = items.get(index + 1).copied().unwrap_or(section_end);
                Some((first, end))
            }
        }
    }
}

/// The 1-based column where `field`'s value starts on `line` (inside its quotes), when
/// `line` sets `field`.
fn value_column(line: &str, field: &str, syntax: Syntax) -> Option<usize> {
    let trimmed = line.trim_start();
    let trimmed = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
    let rest = trimmed.strip_prefix(field)?;
    let separator = if syntax == Syntax::Toml { '=' } else { ':' };
    let rest_trimmed = rest.trim_start();
    let after = rest_trimmed.strip_prefix(separator)?;
    let value = after.trim_start();
    let offset = line.len() - value.len();
    let quoted = value.starts_with(['"', '\'']);
    Some(line[..offset].chars().count() + 1 + usize::from(quoted))
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct File {
        top: Option<u32>,
        #[serde(default)]
        dataset: Vec<Entry>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        name: String,
        expr: Option<String>,
    }

    #[test]
    fn locates_entries_and_fields_in_toml_and_yaml() {
        let toml = ConfigFile::new(
            "s.toml",
            "top = 1\n\n[[dataset]]\nname = \"a\"\n[[dataset]]\nname = \"b\"\nexpr = \"x > 1\"\n",
        );
        assert_eq!(
            toml.locate("dataset", 1, Some("expr")).to_string(),
            "s.toml:7:9"
        );
        assert_eq!(toml.locate("dataset", 1, None).to_string(), "s.toml:5");
        assert_eq!(toml.locate("dataset", 5, None).to_string(), "s.toml");
        assert_eq!(toml.locate_top("top").to_string(), "s.toml:1:7");
        let yaml = ConfigFile::new(
            "s.yml",
            "top: 1\ndataset:\n  - name: a\n  - name: b\n    expr: 'x > 1'\n",
        );
        assert_eq!(
            yaml.locate("dataset", 1, Some("expr")).to_string(),
            "s.yml:5:12"
        );
        assert!(yaml.parse::<File>().is_ok());
        let at = toml.locate("dataset", 1, Some("expr")).within(1, 5);
        assert_eq!(at.to_string(), "s.toml:7:13");
    }

    #[test]
    fn parse_errors_name_the_line() {
        let bad = ConfigFile::new("s.toml", "top = 1\n[[dataset]]\nnme = \"a\"\n");
        let error = bad.parse::<File>().unwrap_err();
        assert_eq!(error.location.line, Some(3));
        assert!(error.message.contains("unknown field `nme`"), "{error}");
        let yaml = ConfigFile::new("s.yaml", "dataset: [\n");
        assert!(
            yaml.parse::<File>()
                .unwrap_err()
                .to_string()
                .starts_with("s.yaml: ")
        );
    }
}
