//! `cargo xtask tidy`: the habits that keep the house in order, checked (a test runs it, so
//! `cargo test --workspace` fails when one slips).
//!
//! - Every module under `crates/*/src` opens with `//!` docs that say what it is for
//!   (generated code aside).
//! - Every library crate's `lib.rs` shows a runnable example (a ```` ``` ```` block in its
//!   crate docs; doctests run it).
//! - The dependency block in docs/architecture.md lists exactly the seismo crates each crate
//!   depends on, as its `Cargo.toml` says.
//! - No crate declares a dependency its code never names (what `cargo machete` checks),
//!   except the few named below with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Dependencies used without their name in the code, and why.
const USED_UNNAMED: &[(&str, &str, &str)] = &[
    (
        "seismo-server",
        "tonic-prost",
        "the generated gRPC code names it (src/generated/)",
    ),
    (
        "seismo-server",
        "webpki-roots",
        "Mozilla's roots for webhooks, through hyper-rustls",
    ),
];

/// Every problem found, one line each; empty when the tree is tidy.
pub fn problems(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let crates = crate_dirs(root)?;
    for dir in &crates {
        module_docs(dir, &mut found)?;
        lib_example(dir, &mut found)?;
        unused_dependencies(dir, &mut found)?;
    }
    dependency_map(root, &crates, &mut found)?;
    Ok(found)
}

/// Runs the checks and fails with the list of problems.
pub fn tidy(root: &Path) -> Result<()> {
    let found = problems(root)?;
    if !found.is_empty() {
        bail!("the tree is not tidy:\n  {}", found.join("\n  "));
    }
    println!("tidy: modules documented, examples present, dependencies as documented and used");
    Ok(())
}

fn crate_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    dirs.retain(|d| d.join("Cargo.toml").is_file());
    dirs.sort();
    Ok(dirs)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

fn module_docs(dir: &Path, found: &mut Vec<String>) -> Result<()> {
    let mut files = Vec::new();
    rust_files(&dir.join("src"), &mut files)?;
    for file in files {
        if file.components().any(|c| c.as_os_str() == "generated") {
            continue;
        }
        let text = std::fs::read_to_string(&file)?;
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("#!"));
        if !first.is_some_and(|l| l.starts_with("//!")) {
            found.push(format!(
                "{}: a module opens with `//!` docs",
                file.display()
            ));
        }
    }
    Ok(())
}

fn lib_example(dir: &Path, found: &mut Vec<String>) -> Result<()> {
    let lib = dir.join("src/lib.rs");
    if !lib.is_file() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&lib)?;
    let has_example = text
        .lines()
        .take_while(|l| l.starts_with("//!") || l.starts_with("#!") || l.trim().is_empty())
        .any(|l| l.trim_start_matches("//!").trim_start().starts_with("```"));
    if !has_example {
        found.push(format!(
            "{}: the crate docs show a runnable example",
            lib.display()
        ));
    }
    Ok(())
}

/// The names in a manifest's table (`dependencies`, `dev-dependencies`).
fn manifest_deps(dir: &Path, table: &str) -> Result<Vec<String>> {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{}", path.display()))?;
    Ok(doc
        .get(table)
        .and_then(|t| t.as_table_like())
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default())
}

fn package_name(dir: &Path) -> Result<String> {
    let path = dir.join("Cargo.toml");
    let doc: toml_edit::DocumentMut = std::fs::read_to_string(&path)?.parse()?;
    doc["package"]["name"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{}: no package name", path.display()))
}

fn unused_dependencies(dir: &Path, found: &mut Vec<String>) -> Result<()> {
    let name = package_name(dir)?;
    let read_all = |subdirs: &[&str]| -> Result<String> {
        let mut files = Vec::new();
        for sub in subdirs {
            rust_files(&dir.join(sub), &mut files)?;
        }
        let mut text = String::new();
        for f in files {
            text.push_str(&std::fs::read_to_string(f)?);
        }
        Ok(text)
    };
    let code = read_all(&["src"])?;
    let all_code = read_all(&["src", "tests", "benches", "examples"])?;
    for (table, text) in [("dependencies", &code), ("dev-dependencies", &all_code)] {
        for dep in manifest_deps(dir, table)? {
            let ident = dep.replace('-', "_");
            let named = text.contains(&format!("{ident}::"))
                || text.contains(&format!("use {ident}"))
                || text.contains(&format!("{ident} as "));
            let excused = USED_UNNAMED.iter().any(|(c, d, _)| *c == name && *d == dep);
            if !named && !excused {
                found.push(format!(
                    "{name}: `{dep}` in [{table}] is never named in its code (remove it, or say why in xtask's USED_UNNAMED)"
                ));
            }
        }
    }
    Ok(())
}

/// The block between these markers in docs/architecture.md: `crate: dependencies` lines.
const BEGIN: &str = "<!-- dependencies: checked by `cargo xtask tidy` -->";
const END: &str = "<!-- end of dependencies -->";

fn dependency_map(root: &Path, crates: &[PathBuf], found: &mut Vec<String>) -> Result<()> {
    let doc_path = root.join("docs/architecture.md");
    let doc = std::fs::read_to_string(&doc_path)?;
    let (Some(begin), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        found.push(format!(
            "{}: the dependency block ({BEGIN} … {END}) is missing",
            doc_path.display()
        ));
        return Ok(());
    };
    let mut documented: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in doc[begin + BEGIN.len()..end].lines() {
        let Some((krate, deps)) = line.split_once(':') else {
            continue;
        };
        let mut deps: Vec<String> = deps.split_whitespace().map(str::to_owned).collect();
        deps.sort();
        documented.insert(krate.trim().to_owned(), deps);
    }
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in crates {
        let mut deps: Vec<String> = manifest_deps(dir, "dependencies")?
            .into_iter()
            .filter_map(|d| d.strip_prefix("seismo-").map(str::to_owned))
            .collect();
        deps.sort();
        let name = package_name(dir)?;
        actual.insert(name.trim_start_matches("seismo-").to_owned(), deps);
    }
    if documented != actual {
        let lines: Vec<String> = actual
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.join(" ")))
            .collect();
        found.push(format!(
            "{}: the dependency block differs from the manifests; they say:\n{}",
            doc_path.display(),
            lines.join("\n")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tree_is_tidy() {
        let found = super::problems(&crate::workspace_root()).unwrap();
        assert!(
            found.is_empty(),
            "run `cargo xtask tidy`:\n{}",
            found.join("\n")
        );
    }
}
