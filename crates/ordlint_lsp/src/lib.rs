//! ordlint's language server: diagnostics (with partner sites and fixes), quick fixes and
//! suppressions for C and Rust documents, over LSP on stdio.
//!
//! Invariants: this is the only crate that knows lsp-types and UTF-16 (spans stay byte
//! offsets everywhere else); code actions are answered from each diagnostic's `data`, so the
//! server keeps no per-diagnostic state; diagnostics are only published for the document
//! version they were computed from; no client input makes the server panic or exit early
//! (malformed messages get JSON-RPC errors, each lint runs under `catch_unwind`).

pub mod actions;
pub mod config;
pub mod convert;
pub mod diagnostics;
pub mod documents;
pub mod indexer;
pub mod lint;
pub mod project;
pub mod server;
pub mod transport;
pub mod workspace;

pub use server::{serve, Exit};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "ordlint";

/// Serve one client on stdin/stdout until it exits or closes the stream.
pub fn run_stdio() -> Exit {
    serve(std::io::stdin(), std::io::stdout())
}
