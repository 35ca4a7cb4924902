//! Helpers shared by the CLI tests: run the real binary, read its output.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

pub fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
}

/// A path as the `&str` an argument list takes.
pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn seismo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seismo"))
        .args(args)
        .output()
        .expect("seismo runs")
}

pub fn seismo_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seismo"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("seismo runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout_json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Asserts a run exited 1: the command found what it looks for (drift, a change, a failing
/// rule or test).
pub fn assert_found(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit 1 expected; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The JSON on stdout of a run that exited 1 (see [`assert_found`]).
pub fn found_json(output: &Output) -> serde_json::Value {
    assert_found(output);
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// Asserts a run failed with exit code 2 and one `error:` line that mentions `needle`.
pub fn assert_bad_input(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line expected, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(needle), "`{needle}` not in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

pub fn close(actual: f64, expected: f64, rel: f64) -> bool {
    actual == expected || (actual - expected).abs() <= rel * expected.abs().max(f64::MIN_POSITIVE)
}

/// Chromium, from SEISMO_CHROMIUM or the PATH. Under CI it must be there (.ci/run installs
/// it); elsewhere the test says it is skipped.
pub fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("SEISMO_CHROMIUM") {
        return Some(path);
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs Chromium for the HTML report test; .ci/run installs it"
        );
        eprintln!("SKIPPED: no Chromium on this machine (apt-get install chromium)");
    }
    found.map(str::to_owned)
}

pub fn dump_dom(chromium: &str, url: &str, profile: &std::path::Path) -> String {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
