//! The lint worker: one thread that lints open documents against the workspace index and
//! applies index updates from the disk, in the order they were asked for.

use crate::convert::Encoding;
use crate::diagnostics::{self, DocContext, OtherFiles};
use crate::workspace::SharedIndex;
use crossbeam_channel::{Receiver, Sender};
use lsp_types::Uri;
use ordlint_core::incremental::{DocumentLowering, LoweringStats};
use ordlint_core::ir::Language;
use ordlint_core::settings::RunSettings;
use ordlint_core::{internal_error, lint, panic_message, SourceFile};
use ordlint_diagnostics::LineIndex;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI32, Ordering};
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
    /// The rules and the configuration that applies to the document.
    pub settings: Arc<RunSettings>,
    /// Column unit for the result.
    pub encoding: Encoding,
    /// Texts larger than this many bytes are not linted.
    pub max_bytes: u64,
    /// The document's newest version, updated by the server as changes arrive: once it is
    /// past `version`, the rest of this lint is skipped (nothing of it would be published).
    pub latest: Arc<AtomicI32>,
}

impl LintJob {
    fn superseded(&self) -> bool {
        self.latest.load(Ordering::Relaxed) != self.version
    }
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
    /// A newer version arrived while this one was linted; the rest of the work was skipped.
    pub superseded: bool,
    /// Where the time went.
    pub timing: Timing,
}

/// Wall time of a lint's phases, in milliseconds, and what the lowering reused.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Lowering (only the definitions whose text changed are lowered again).
    pub lower: f64,
    /// Putting the document's sites into the workspace index.
    pub index: f64,
    /// Running the rules.
    pub rules: f64,
    /// Converting to LSP diagnostics.
    pub convert: f64,
    /// The whole lint.
    pub total: f64,
    /// What the lowering did.
    pub lowering: LoweringStats,
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
    // Each open document's lowering state, so an edit only lowers what it changed.
    let mut lowerings: HashMap<String, DocumentLowering> = HashMap::new();
    while let Ok(job) = rx.recv() {
        match job {
            Job::Lint(job) => {
                let lowering = lowerings.entry(job.path.clone()).or_default();
                if done.send(run(&job, index, lowering)).is_err() {
                    return;
                }
            }
            Job::Refresh(paths) => {
                for p in paths {
                    index.refresh_from_disk(&p, MAX_DISK_BYTES);
                }
            }
            Job::Close(path) => {
                lowerings.remove(&path);
                index.close(&path, MAX_DISK_BYTES);
            }
        }
    }
}

/// Lint one snapshot, lowering it with the document's `lowering` state; never panics
/// (lowering and linting run under `catch_unwind`).
pub fn run(job: &LintJob, index: &SharedIndex, lowering: &mut DocumentLowering) -> LintOutcome {
    let started = Instant::now();
    let mut timing = Timing::default();
    let mut lap = Instant::now();
    let mut phase = |slot: &mut f64| {
        *slot = lap.elapsed().as_secs_f64() * 1000.0;
        lap = Instant::now();
    };
    let outcome = |diagnostics, skipped, superseded, mut timing: Timing| {
        timing.total = started.elapsed().as_secs_f64() * 1000.0;
        LintOutcome {
            uri: job.uri.clone(),
            version: job.version,
            diagnostics,
            skipped,
            superseded,
            timing,
        }
    };
    if job.text.len() as u64 > job.max_bytes {
        let note = format!(
            "{}: not linted, {} KiB is over the {} KiB limit (maxFileBytes)",
            job.path,
            job.text.len() >> 10,
            job.max_bytes >> 10
        );
        return outcome(Vec::new(), Some(note), false, timing);
    }
    let source = SourceFile::with_language(job.path.clone(), job.text.to_string(), job.language);
    let lowered = catch_unwind(AssertUnwindSafe(|| {
        lowering.lower_with(source, &job.settings.api());
    }));
    phase(&mut timing.lower);
    timing.lowering = lowering.stats();
    if job.superseded() {
        return outcome(Vec::new(), None, true, timing);
    }
    let failure = lowered.err().map(|p| panic_message(&p));
    let diags = match (failure, lowering.file()) {
        (failure @ Some(_), _) | (failure @ None, None) => {
            // The lowering state may be half updated: start again from nothing.
            *lowering = DocumentLowering::new();
            let message = failure.unwrap_or_else(|| "nothing was lowered".to_owned());
            vec![internal_error(&job.path, &job.lines, "parsing", &message)]
        }
        (None, Some(file)) => {
            let mut state = index.lock();
            state.set_live(file, Arc::clone(&job.lines));
            phase(&mut timing.index);
            let rules = &job.settings.rules;
            let result = catch_unwind(AssertUnwindSafe(|| lint(file, &state.index, rules)));
            let mut diags = result.unwrap_or_else(|p| {
                vec![internal_error(
                    &job.path,
                    &job.lines,
                    "linting",
                    &panic_message(&p),
                )]
            });
            drop(state);
            // The configuration's exclude and per-path overrides, as `ordlint check` applies them.
            diags.retain(|d| job.settings.keep(d));
            phase(&mut timing.rules);
            diags
        }
    };
    if job.superseded() {
        return outcome(Vec::new(), None, true, timing);
    }
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
    phase(&mut timing.convert);
    match converted {
        Ok(lsp) => outcome(lsp, None, false, timing),
        Err(p) => outcome(
            Vec::new(),
            Some(format!("internal error: {}", panic_message(&p))),
            false,
            timing,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// A clear-bit-wake-up finding (a default-tier rule).
    const HANDOFF: &str = "struct w { unsigned long flags; int data; };\nvoid f(struct w *w)\n{\n\tw->data = 1;\n\tclear_bit(0, &w->flags);\n\twake_up_bit(&w->flags, 0);\n}\n";

    fn job(version: i32, latest: i32) -> Option<LintJob> {
        Some(LintJob {
            uri: Uri::from_str("file:///t/handoff.c").ok()?,
            path: "/t/handoff.c".to_owned(),
            language: Language::C,
            version,
            text: HANDOFF.into(),
            lines: Arc::new(LineIndex::new(HANDOFF)),
            settings: Arc::new(RunSettings::defaults()),
            encoding: Encoding::Utf16,
            max_bytes: 1 << 20,
            latest: Arc::new(AtomicI32::new(latest)),
        })
    }

    #[test]
    fn a_lint_for_a_superseded_version_stops_and_publishes_nothing() {
        let (Some(current), Some(old)) = (job(3, 3), job(2, 3)) else {
            panic!("bad uri")
        };
        let index = SharedIndex::default();
        let mut lowering = DocumentLowering::new();
        let done = run(&current, &index, &mut lowering);
        assert!(!done.superseded);
        assert!(!done.diagnostics.is_empty());
        let dropped = run(&old, &index, &mut lowering);
        assert!(dropped.superseded);
        assert!(dropped.diagnostics.is_empty());
        assert_eq!(dropped.timing.rules, 0.0, "the rules did not run");
    }
}
