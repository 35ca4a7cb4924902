//! Project chores, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `release VERSION`: set the workspace version, open a CHANGELOG section for it, build the
//!   release binary and write `target/dist/seismo-VERSION-TARGET.tar.gz` with a SHA-256
//!   checksum file beside it.
//! - `codegen`: the gRPC contract's Rust code from `proto/` into the server crate.
//! - `tidy`: module docs, crate examples, the documented dependency map and unused
//!   dependencies, checked (a test runs it too).

mod codegen;
mod release;
mod tidy;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["release", version] => release::release(&workspace_root(), version),
        ["codegen"] => codegen::codegen(&workspace_root()),
        ["tidy"] => tidy::tidy(&workspace_root()),
        _ => bail!("usage: cargo xtask release VERSION | cargo xtask codegen | cargo xtask tidy"),
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}
