//! Temporary project directories for the end-to-end tests.
//!
//! Most tests need a file with a finding, and the shortest one is a barrier() hand-off. Its
//! rule, barrier-publication, is pedantic (book/src/precision.md), so every project
//! directory holds the bundled example's `ordlint.toml`, which turns the two pairing rules
//! on, just as `examples/` does for the README's command.

#![allow(dead_code)]

use std::path::Path;

/// The bundled example's configuration: `extend-select` of the two pairing rules.
pub const PAIRING_CONFIG: &str = include_str!("../../../../examples/ordlint.toml");

/// A temporary directory holding only `ordlint.toml` with [`PAIRING_CONFIG`].
pub fn dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    enable_pairing_rules(dir.path());
    dir
}

/// Write `ordlint.toml` with [`PAIRING_CONFIG`] into `dir`.
pub fn enable_pairing_rules(dir: &Path) {
    let path = dir.join("ordlint.toml");
    std::fs::write(&path, PAIRING_CONFIG).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
