//! The lint worker: one thread that lints open documents against the workspace index and
//! applies index updates from the disk, in the order they were asked for.

use crate::convert::Encoding;
use crate::diagnostics::{self, DocContext, OtherFiles};
use crate::workspace::SharedIndex;
use crossbeam_channel::{Receiver, Sender};
use lsp_types::Uri;
use ordlint_core::ir::Language;
use ordlint_core::{internal_error, lint, panic_message, LoweredFile, RuleSet, SourceFile};
use ordlint_diagnostics::LineIndex;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

/// A document snapshot to lint.
#[derive(Debug, Clone)]
pub struct LintJob {
    /// The client's URI.
    pub uri: Uri,
    /// The path diagnostics use.
    pub path: String,
    /// The language to lower it with.
    pub language: Language,
    /// The version of `text`.
    pub version: i32,
    /// The text.
    pub text: Arc<str>,
    /// Its line index.
    pub lines: Arc<LineIndex>,
    /// The enabled rules.
    pub rules: Arc<RuleSet>,
    /// Column unit for the result.
    pub encoding: Encoding,
    /// Texts larger than this many bytes are not linted.
    pub max_bytes: u64,
}

/// Work for the worker thread.
#[derive(Debug)]
pub enum Job {
    /// Lint a document (its live text replaces its entries in the index).
    Lint(LintJob),
    /// Files changed on disk: re-read them into the index (unless open).
    Refresh(Vec<String>),
    /// A document was closed: its index entries come from the disk again.
    Close(String),
}

/// A finished lint.
#[derive(Debug)]
pub struct LintOutcome {
    /// The document.
    pub uri: Uri,
    /// The version that was linted; the result is published only if it is still current.
    pub version: i32,
    /// The diagnostics in LSP form.
    pub diagnostics: Vec<lsp_types::Diagnostic>,
    /// Why the document was not linted, if it was not.
    pub skipped: Option<String>,
    /// Wall time of the lint, in milliseconds.
    pub millis: f64,
}

/// Start the worker; it stops when the job sender is dropped.
pub fn spawn(index: SharedIndex, done: Sender<LintOutcome>) -> Sender<Job> {
    let (tx, rx) = crossbeam_channel::unbounded::<Job>();
    std::thread::Builder::new()
        .name("ordlint-lint".to_owned())
        .spawn(move || worker(&index, &rx, &done))
        .map_or_else(|_| crossbeam_channel::unbounded().0, |_| tx)
}

fn worker(index: &SharedIndex, rx: &Receiver<Job>, done: &Sender<LintOutcome>) {
    const MAX_DISK_BYTES: u64 = 16 << 20;
    while let Ok(job) = rx.recv() {
        match job {
            Job::Lint(job) => {
                if done.send(run(&job, index)).is_err() {
                    return;
                }
            }
            Job::Refresh(paths) => {
                for p in paths {
                    index.refresh_from_disk(&p, MAX_DISK_BYTES);
                }
            }
            Job::Close(path) => index.close(&path, MAX_DISK_BYTES),
        }
    }
}

/// Lint one snapshot; never panics (lowering and linting run under `catch_unwind`).
pub fn run(job: &LintJob, index: &SharedIndex) -> LintOutcome {
    let started = Instant::now();
    let outcome = |diagnostics, skipped| LintOutcome {
        uri: job.uri.clone(),
        version: job.version,
        diagnostics,
        skipped,
        millis: started.elapsed().as_secs_f64() * 1000.0,
    };
    if job.text.len() as u64 > job.max_bytes {
        let note = format!(
            "{}: not linted, {} KiB is over the {} KiB limit (maxFileBytes)",
            job.path,
            job.text.len() >> 10,
            job.max_bytes >> 10
        );
        return outcome(Vec::new(), Some(note));
    }
    let source = SourceFile::with_language(job.path.clone(), job.text.to_string(), job.language);
    let diags = match catch_unwind(|| LoweredFile::new(source)) {
        Err(p) => vec![internal_error(
            &job.path,
            &job.lines,
            "parsing",
            &panic_message(&p),
        )],
        Ok(file) => {
            let mut state = index.lock();
            state.set_live(&file, Arc::clone(&job.lines));
            let result = catch_unwind(AssertUnwindSafe(|| lint(&file, &state.index, &job.rules)));
            let diags = result.unwrap_or_else(|p| {
                vec![internal_error(
                    &job.path,
                    &job.lines,
                    "linting",
                    &panic_message(&p),
                )]
            });
            drop(state);
            diags
        }
    };
    let others = other_files(&diags, &job.path, index);
    let doc = DocContext {
        uri: &job.uri,
        path: &job.path,
        version: job.version,
        text: &job.text,
        lines: &job.lines,
        language: job.language,
        encoding: job.encoding,
    };
    let converted = catch_unwind(AssertUnwindSafe(|| {
        diags
            .iter()
            .map(|d| diagnostics::to_lsp(d, &doc, &others))
            .collect::<Vec<_>>()
    }));
    match converted {
        Ok(lsp) => outcome(lsp, None),
        Err(p) => outcome(
            Vec::new(),
            Some(format!("internal error: {}", panic_message(&p))),
        ),
    }
}

/// Line indexes of the files the diagnostics point into: open documents' live texts, else
/// the disk.
fn other_files(
    diags: &[ordlint_diagnostics::Diagnostic],
    own: &str,
    index: &SharedIndex,
) -> OtherFiles {
    let mut out = OtherFiles::new();
    let paths = diagnostics::other_paths(diags, own);
    if paths.is_empty() {
        return out;
    }
    {
        let state = index.lock();
        for p in &paths {
            if let Some(entry) = state.live.get(*p) {
                out.insert((*p).to_owned(), Arc::clone(&entry.lines));
            }
        }
    }
    for p in paths {
        if !out.contains_key(p) {
            if let Ok(text) = std::fs::read_to_string(p) {
                out.insert(p.to_owned(), Arc::new(LineIndex::new(&text)));
            }
        }
    }
    out
}
