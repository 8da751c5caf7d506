//! ordlint's engine. `lint()` is the pure heart: one lowered file + the run's pairing index +
//! the enabled rules → sorted diagnostics. Around it: the prefilter that decides which files
//! need parsing, lowering dispatch by language, the pairing pass, and the parallel file walk.
//!
//! Invariants: `lint()` does no I/O and reads no global state; output is sorted by (path,
//! line, column, rule) and identical for any number of jobs and any file order; a panic while
//! linting one file becomes one internal-error diagnostic for that file.

pub mod baseline;
pub mod changed_lines;
pub mod config;
pub mod fix;
pub mod fixing;
pub mod incremental;
pub mod prefilter;
pub mod progress;
pub mod ruleset;
pub mod run;
pub mod settings;
pub mod source;
pub mod suppression;

pub use ordlint_c::ApiExtensions;
pub use progress::{Phase, Progress, ProgressSink};
pub use ruleset::{RuleSelection, RuleSet};
pub use run::{check_paths, check_sources, FileError, RunOptions, RunResult, RunStats};
pub use source::SourceFile;

// The IR and the pairing index, for users of the engine (the LSP server) that depend on it alone.
pub use ordlint_ir as ir;
pub use ordlint_rules::pairing;

use ordlint_diagnostics::{Diagnostic, LineIndex, Location, Severity, Span};
use ordlint_ir::{FileIr, Language};
use ordlint_rules::{PairingIndex, Report, RuleContext};
use prefilter::{PartnerHit, ReaderGate};

/// Lower a source file into the IR with the frontend of its language.
pub fn lower(file: &SourceFile) -> FileIr {
    lower_with(file, &ApiExtensions::default())
}

/// [`lower`], with a project's own kernel-API helpers (`[kernel-api]` in `ordlint.toml`)
/// known to the C frontend.
pub fn lower_with(file: &SourceFile, api: &ApiExtensions) -> FileIr {
    match file.language {
        Language::C => ordlint_c::lower_with(&file.text, api),
        Language::Rust => ordlint_rust::lower(&file.text),
    }
}

/// A lowered file with its line index, ready to be indexed and linted.
#[derive(Debug)]
pub struct LoweredFile {
    /// The source.
    pub source: SourceFile,
    /// Its IR.
    pub ir: FileIr,
    /// Line index of the source text.
    pub lines: LineIndex,
    /// The top-level definitions lowered so far when only parts of the file were lowered;
    /// `None` when the whole file was.
    pub slices: Option<Vec<Span>>,
    /// The C outline kept from the first lowering for one more [`LoweredFile::extend_around`].
    outline: Option<ordlint_c::Prepared>,
}

impl LoweredFile {
    /// Lower `source` (whole file).
    pub fn new(source: SourceFile) -> Self {
        Self::new_with(source, &ApiExtensions::default())
    }

    /// Lower `source` (whole file) knowing the project's kernel-API helpers.
    pub fn new_with(source: SourceFile, api: &ApiExtensions) -> Self {
        let ir = lower_with(&source, api);
        Self::with_ir(source, ir)
    }

    /// Lower only the top-level definitions of `source` that contain one of `offsets` (byte
    /// offsets), when its frontend can slice (C); otherwise the whole file.
    pub fn around(source: SourceFile, offsets: &[usize], api: &ApiExtensions) -> Self {
        let mut file = Self::around_then(source, offsets, api, |_, _| Vec::new());
        file.outline = None;
        file
    }

    /// [`LoweredFile::around`], then also the definitions around the offsets `more` finds
    /// from that first IR and the text (e.g. where the names it publishes are used), preparing
    /// the text only once for both steps and keeping the outline for one
    /// [`LoweredFile::extend_around`].
    pub fn around_then(
        source: SourceFile,
        offsets: &[usize],
        api: &ApiExtensions,
        more: impl FnOnce(&FileIr, &str) -> Vec<usize>,
    ) -> Self {
        if source.language != Language::C {
            return Self::new_with(source, api);
        }
        let prepared = ordlint_c::Prepared::new(&source.text);
        let text = &source.text;
        let (mut ir, mut slices) = lower_around(&prepared, text, offsets, api);
        if slices.is_some() {
            let extra = more(&ir, text);
            lower_more(&prepared, text, &extra, api, &mut ir, &mut slices);
        }
        LoweredFile {
            slices,
            outline: Some(prepared),
            ..Self::with_ir(source, ir)
        }
    }

    /// Wrap an IR produced elsewhere (whole-file).
    pub fn with_ir(source: SourceFile, ir: FileIr) -> Self {
        let lines = LineIndex::new(&source.text);
        LoweredFile {
            source,
            ir,
            lines,
            slices: None,
            outline: None,
        }
    }

    /// Lower the definitions of `source` around the partner `hits` that `gate` wants (see
    /// [`PartnerHit::gated`]); `None` when it wants none. A file whose frontend cannot slice
    /// (Rust) is lowered whole.
    pub fn around_hits(
        source: SourceFile,
        hits: &[PartnerHit],
        gate: &ReaderGate,
        api: &ApiExtensions,
    ) -> Option<Self> {
        if hits.is_empty() {
            return None;
        }
        if source.language != Language::C {
            return Some(Self::new_with(source, api));
        }
        let prepared = ordlint_c::Prepared::new(&source.text);
        let offsets = wanted_offsets(&prepared, &source.text, hits, gate);
        if offsets.is_empty() {
            return None;
        }
        let (ir, slices) = lower_around(&prepared, &source.text, &offsets, api);
        Some(LoweredFile {
            slices,
            ..Self::with_ir(source, ir)
        })
    }

    /// Also lower the definitions around the partner `hits` that `gate` wants and that are
    /// not lowered yet (no-op for a file lowered whole). The outline kept from the first
    /// lowering is used, then dropped.
    pub fn extend_around(&mut self, hits: &[PartnerHit], gate: &ReaderGate, api: &ApiExtensions) {
        let outline = self.outline.take();
        let Some(done) = &self.slices else { return };
        let outside: Vec<PartnerHit> = hits
            .iter()
            .copied()
            .filter(|h| !covered(done, h.at))
            .collect();
        if outside.is_empty() {
            return;
        }
        let text = &self.source.text;
        let prepared = outline.unwrap_or_else(|| ordlint_c::Prepared::new(text));
        let offsets = wanted_offsets(&prepared, text, &outside, gate);
        lower_more(
            &prepared,
            text,
            &offsets,
            api,
            &mut self.ir,
            &mut self.slices,
        );
    }

    /// Add this file's shared accesses to `index`.
    pub fn add_to_index(&self, index: &mut PairingIndex) {
        index.add_file(
            &self.source.path,
            self.source.language,
            &self.ir,
            &self.source.text,
            &self.lines,
        );
    }
}

/// The IR of the definitions of `prepared` around `offsets`, and those definitions; the whole
/// file (and `None`) when the scanner is unsure of it.
fn lower_around(
    prepared: &ordlint_c::Prepared,
    text: &str,
    offsets: &[usize],
    api: &ApiExtensions,
) -> (FileIr, Option<Vec<Span>>) {
    match prepared.enclosing_definitions(offsets) {
        Some(spans) => (prepared.lower_spans(text, &spans, api), Some(spans)),
        None => (prepared.lower(text, api), None),
    }
}

/// The offsets of `hits` whose definitions are wanted: every ungated hit, and the start of each
/// definition around gated hits that `gate` admits (all gated hits when the scanner is unsure
/// of the file's definitions).
fn wanted_offsets(
    prepared: &ordlint_c::Prepared,
    text: &str,
    hits: &[PartnerHit],
    gate: &ReaderGate,
) -> Vec<usize> {
    let mut offsets: Vec<usize> = hits.iter().filter(|h| !h.gated).map(|h| h.at).collect();
    let gated: Vec<usize> = hits.iter().filter(|h| h.gated).map(|h| h.at).collect();
    if !gated.is_empty() {
        match prepared.enclosing_definitions(&gated) {
            Some(spans) => offsets.extend(
                spans
                    .iter()
                    .filter(|s| text.get(s.start..s.end).is_some_and(|t| gate.admits(t)))
                    .map(|s| s.start),
            ),
            None => offsets.extend(gated),
        }
    }
    offsets.sort_unstable();
    offsets
}

/// True when `offset` lies in one of `done`: top-level definitions, sorted and disjoint, so a
/// binary search answers (a trigger-dense file has thousands of both).
fn covered(done: &[Span], offset: usize) -> bool {
    let i = done.partition_point(|d| d.end <= offset);
    done.get(i).is_some_and(|d| d.start <= offset)
}

/// Lower the definitions of `prepared` around `offsets` that are not in `slices` yet, and merge
/// them into `ir` (the whole file when the scanner is unsure of it).
fn lower_more(
    prepared: &ordlint_c::Prepared,
    text: &str,
    offsets: &[usize],
    api: &ApiExtensions,
    ir: &mut FileIr,
    slices: &mut Option<Vec<Span>>,
) {
    let Some(done) = slices else { return };
    if offsets.is_empty() {
        return;
    }
    let Some(spans) = prepared.enclosing_definitions(offsets) else {
        *ir = prepared.lower(text, api);
        *slices = None;
        return;
    };
    let new: Vec<Span> = spans
        .into_iter()
        .filter(|s| !covered(done, s.start))
        .collect();
    if new.is_empty() {
        return;
    }
    let more = prepared.lower_spans(text, &new, api);
    done.extend(new);
    done.sort();
    ir.functions.extend(more.functions);
    ir.functions.sort_by_key(|f| f.span.start);
    ir.declarations.extend(more.declarations);
    ir.declarations.sort_by_key(|d| d.span);
    ir.comments.extend(more.comments);
    ir.comments.sort_by_key(|c| c.span);
    ir.problems.extend(more.problems);
}

/// Lint one lowered file with the enabled rules against the run's pairing index.
///
/// Pure: no I/O. Rules that do not cover the file's language are skipped. A panicking rule
/// yields one `internal-error` diagnostic instead of unwinding into the caller.
pub fn lint(file: &LoweredFile, index: &PairingIndex, rules: &RuleSet) -> Vec<Diagnostic> {
    let ctx = RuleContext {
        path: &file.source.path,
        source: &file.source.text,
        ir: &file.ir,
        language: file.source.language,
        lines: &file.lines,
        index,
    };
    let mut out = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| r.langs.covers(file.source.language))
    {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut report = Report::new(rule, &ctx);
            (rule.check)(&ctx, &mut report);
            report.finish()
        }));
        match result {
            Ok(mut diags) => {
                for d in &mut diags {
                    d.severity = rules.severity_of(rule.name).unwrap_or(d.severity);
                }
                out.append(&mut diags);
            }
            Err(panic) => out.push(internal_error(
                &file.source.path,
                &file.lines,
                rule.name,
                &panic_message(&panic),
            )),
        }
    }
    suppression::apply(file, rules, &mut out);
    out.sort_by(Diagnostic::output_order);
    out.dedup();
    out
}

/// Lint a single in-memory source as a one-file run (its own pairing index). Used for stdin,
/// editors without a workspace index, rule-page examples and tests.
pub fn lint_source(path: &str, text: &str, rules: &RuleSet) -> Option<Vec<Diagnostic>> {
    let source = SourceFile::new(path, text.to_owned())?;
    let file = LoweredFile::new(source);
    let mut index = PairingIndex::new();
    file.add_to_index(&mut index);
    index.finish();
    Some(lint(&file, &index, rules))
}

/// Name of the pseudo-rule used for panics caught while linting.
pub const INTERNAL_ERROR: &str = "internal-error";

/// The diagnostic reported when linting `path` panicked.
pub fn internal_error(path: &str, lines: &LineIndex, what: &str, message: &str) -> Diagnostic {
    Diagnostic {
        rule: INTERNAL_ERROR.to_owned(),
        severity: Severity::Error,
        message: format!("internal error while linting {path} ({what}): {message}"),
        location: Location::new(path, Span::new(0, 0), lines),
        help: Some("please report this with the file that triggers it".to_owned()),
        fix: None,
        related: Vec::new(),
    }
}

/// Best-effort text of a panic payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}
