//! ordlint's output formats. Each renderer turns sorted diagnostics into text; none of them
//! knows about rules (rule metadata arrives as `RuleInfo` values) or does I/O.

mod human;
mod json;

pub use human::{human, SourceMap};
pub use json::{json, jsonl, JsonDiagnostic};

/// The output formats of `ordlint check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Rich terminal output with source snippets (codespan-reporting).
    Human,
    /// One JSON array of diagnostic objects.
    Json,
    /// One JSON object per line.
    Jsonl,
}
