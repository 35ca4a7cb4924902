//! `cargo xtask release VERSION`.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, value};

/// Sets the version, updates the changelog, builds and packages the `seismo` binary.
pub fn release(root: &Path, version: &str) -> Result<()> {
    check_version(version)?;
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).context("reading Cargo.toml")?;
    std::fs::write(&manifest, set_version(&text, version)?).context("writing Cargo.toml")?;

    let changelog = root.join("CHANGELOG.md");
    let text = std::fs::read_to_string(&changelog).unwrap_or_default();
    let today = chrono::Utc::now().date_naive().to_string();
    std::fs::write(&changelog, add_changelog_section(&text, version, &today)?)
        .context("writing CHANGELOG.md")?;

    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--package",
            "seismo-cli",
            "--bin",
            "seismo",
        ])
        .status()
        .context("running cargo build")?;
    ensure!(status.success(), "cargo build --release failed");

    let target = host_target()?;
    let binary = root.join("target/release/seismo");
    let extras = ["README.md", "CHANGELOG.md", "LICENSE"].map(|f| root.join(f));
    let (tarball, sum) = package(
        &root.join("target/dist"),
        version,
        &target,
        &binary,
        &extras,
    )?;
    println!("{}\n{}", tarball.display(), sum.display());
    Ok(())
}

/// Accepts `MAJOR.MINOR.PATCH` with an optional `-pre` part, as Cargo does.
pub fn check_version(version: &str) -> Result<()> {
    let core = version.split_once('-').map_or(version, |(core, _)| core);
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if parts.len() != 3 || !parts.iter().all(numeric) || version.ends_with('-') {
        bail!("`{version}` is not a version like 1.2.3 or 1.2.3-rc.1");
    }
    Ok(())
}

/// The workspace manifest with `[workspace.package] version` and the `version` of every
/// path dependency in `[workspace.dependencies]` set to `version`; comments and layout kept.
pub fn set_version(manifest: &str, version: &str) -> Result<String> {
    let mut doc: DocumentMut = manifest.parse().context("Cargo.toml is not valid TOML")?;
    let package = doc
        .get_mut("workspace")
        .and_then(|w| w.as_table_like_mut())
        .and_then(|w| w.get_mut("package"))
        .filter(|p| p.is_table_like())
        .context("Cargo.toml has no [workspace.package]")?;
    replace_keeping_comments(&mut package["version"], version);
    let deps = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("dependencies"))
        .and_then(|d| d.as_table_like_mut());
    for (_, dep) in deps.into_iter().flat_map(|d| d.iter_mut()) {
        let Some(dep) = dep.as_table_like_mut().filter(|d| d.contains_key("path")) else {
            continue;
        };
        match dep.get_mut("version") {
            Some(item) => replace_keeping_comments(item, version),
            None => {
                dep.insert("version", value(version));
            }
        }
    }
    Ok(doc.to_string())
}

/// Sets a string value, keeping the whitespace and comments around the old one.
fn replace_keeping_comments(item: &mut toml_edit::Item, version: &str) {
    let decor = item.as_value().map(|v| v.decor().clone());
    *item = value(version);
    if let (Some(decor), Some(v)) = (decor, item.as_value_mut()) {
        *v.decor_mut() = decor;
    }
}

/// The changelog with a `## [VERSION] - DATE` section opened under `## [Unreleased]`, which
/// takes what was listed as unreleased. Refuses a version that already has a section.
pub fn add_changelog_section(changelog: &str, version: &str, date: &str) -> Result<String> {
    let heading = format!("## [{version}]");
    ensure!(
        !changelog.contains(&heading),
        "CHANGELOG.md already has a section for {version}"
    );
    let unreleased = "## [Unreleased]";
    let mut text = if changelog.trim().is_empty() {
        format!("# Changelog\n\n{unreleased}\n")
    } else {
        changelog.to_owned()
    };
    if !text.contains(unreleased) {
        let at = text.find("\n## ").map_or(text.len(), |i| i + 1);
        text.insert_str(at, &format!("{unreleased}\n\n"));
    }
    let at = text.find(unreleased).expect("inserted above") + unreleased.len();
    text.insert_str(at, &format!("\n\n{heading} - {date}"));
    Ok(text)
}

/// Writes `dir/seismo-VERSION-TARGET.tar.gz` holding the binary and the extra files (those
/// that exist) under a `seismo-VERSION-TARGET/` folder, and a `.sha256` file beside it in the
/// `sha256sum` format. Returns both paths.
pub fn package(
    dir: &Path,
    version: &str,
    target: &str,
    binary: &Path,
    extras: &[PathBuf],
) -> Result<(PathBuf, PathBuf)> {
    ensure!(binary.is_file(), "{} was not built", binary.display());
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let stem = format!("seismo-{version}-{target}");
    let tarball = dir.join(format!("{stem}.tar.gz"));
    {
        let file = File::create(&tarball).with_context(|| tarball.display().to_string())?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        let mut tar = tar::Builder::new(gz);
        tar.mode(tar::HeaderMode::Deterministic);
        tar.append_path_with_name(binary, format!("{stem}/seismo"))?;
        for extra in extras.iter().filter(|p| p.is_file()) {
            let name = extra.file_name().context("an extra file has no name")?;
            tar.append_path_with_name(extra, format!("{stem}/{}", name.to_string_lossy()))?;
        }
        tar.into_inner()?.finish()?.sync_all()?;
    }
    let digest = sha256_file(&tarball)?;
    let sum = dir.join(format!("{stem}.tar.gz.sha256"));
    std::fs::write(&sum, format!("{digest}  {stem}.tar.gz\n"))?;
    Ok((tarball, sum))
}

/// The lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| path.display().to_string())?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The host target triple, from `rustc -vV`.
fn host_target() -> Result<String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("running rustc -vV")?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV did not say the host target")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["crates/core"]

[workspace.package]
version = "0.1.0" # the one version of every crate
edition = "2024"

[workspace.dependencies]
seismo-core = { path = "crates/core", version = "0.1.0" }
serde = "1"
"#;

    #[test]
    fn versions_are_checked() {
        for ok in ["0.2.0", "1.10.3", "1.0.0-rc.1"] {
            check_version(ok).unwrap();
        }
        for bad in ["1.0", "v1.0.0", "1.0.x", "1.0.0-", ""] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_version_is_set_everywhere_and_comments_stay() {
        let out = set_version(MANIFEST, "0.2.0").unwrap();
        assert!(
            out.contains(r#"version = "0.2.0" # the one version of every crate"#),
            "{out}"
        );
        assert!(
            out.contains(r#"seismo-core = { path = "crates/core", version = "0.2.0" }"#),
            "{out}"
        );
        assert!(out.contains(r#"serde = "1""#));
        assert!(set_version("[workspace]\n", "0.2.0").is_err());
    }

    #[test]
    fn the_changelog_gets_a_section_under_unreleased() {
        let before = "# Changelog\n\n## [Unreleased]\n\n- seismo profile\n";
        let after = add_changelog_section(before, "0.2.0", "2026-11-23").unwrap();
        assert_eq!(
            after,
            "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-11-23\n\n- seismo profile\n"
        );
        assert!(
            add_changelog_section(&after, "0.2.0", "2026-11-24").is_err(),
            "no second section"
        );
        let fresh = add_changelog_section("", "0.1.0", "2026-11-23").unwrap();
        assert!(
            fresh.contains("## [Unreleased]\n\n## [0.1.0] - 2026-11-23"),
            "{fresh}"
        );
    }

    #[test]
    fn the_tarball_holds_the_files_and_the_checksum_matches() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("seismo");
        std::fs::write(&binary, b"\x7fELF pretend binary").unwrap();
        let readme = dir.path().join("README.md");
        std::fs::write(&readme, "# seismo\n").unwrap();
        let missing = dir.path().join("LICENSE");
        let out = dir.path().join("dist");
        let (tarball, sum) = package(
            &out,
            "0.2.0",
            "x86_64-unknown-linux-gnu",
            &binary,
            &[readme, missing],
        )
        .unwrap();
        let line = std::fs::read_to_string(&sum).unwrap();
        let (digest, name) = line.trim_end().split_once("  ").unwrap();
        assert_eq!(name, "seismo-0.2.0-x86_64-unknown-linux-gnu.tar.gz");
        assert_eq!(digest, sha256_file(&tarball).unwrap());
        let gz = flate2::read::GzDecoder::new(File::open(&tarball).unwrap());
        let mut names: Vec<String> = tar::Archive::new(gz)
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "seismo-0.2.0-x86_64-unknown-linux-gnu/README.md",
                "seismo-0.2.0-x86_64-unknown-linux-gnu/seismo"
            ]
        );
        // The SHA-256 of "abc" is a known value.
        let abc = dir.path().join("abc");
        std::fs::write(&abc, "abc").unwrap();
        assert_eq!(
            sha256_file(&abc).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
