//! ordlint's output formats. Each renderer turns sorted diagnostics into text; none of them
//! knows about rules (rule metadata arrives as `RuleInfo` values) or does I/O.

mod github;
mod human;
mod json;
mod sarif;

pub use github::{escape_data, escape_property, github};
pub use human::{human, SourceMap};
pub use json::{json, jsonl, JsonDiagnostic};
pub use sarif::{sarif, sarif_value, SARIF_SCHEMA_URI};

/// The output formats of `ordlint check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Rich terminal output with source snippets (codespan-reporting).
    Human,
    /// One JSON array of diagnostic objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// One SARIF 2.1.0 log (code scanning dashboards).
    Sarif,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
}
