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
pub mod ruleset;
pub mod run;
pub mod settings;
pub mod source;
pub mod suppression;

pub use ruleset::{RuleSelection, RuleSet};
pub use run::{check_paths, check_sources, FileError, RunOptions, RunResult, RunStats};
pub use source::SourceFile;

// The IR and the pairing index, for users of the engine (the LSP server) that depend on it alone.
pub use ordlint_ir as ir;
pub use ordlint_rules::pairing;

use ordlint_diagnostics::{Diagnostic, LineIndex, Location, Severity, Span};
use ordlint_ir::{FileIr, Language};
use ordlint_rules::{PairingIndex, Report, RuleContext};

/// Lower a source file into the IR with the frontend of its language.
pub fn lower(file: &SourceFile) -> FileIr {
    match file.language {
        Language::C => ordlint_c::lower(&file.text),
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
}

impl LoweredFile {
    /// Lower `source` (whole file).
    pub fn new(source: SourceFile) -> Self {
        let ir = lower(&source);
        Self::with_ir(source, ir)
    }

    /// Lower only the top-level definitions of `source` that contain one of `offsets` (byte
    /// offsets), when its frontend can slice (C); otherwise the whole file.
    pub fn around(source: SourceFile, offsets: &[usize]) -> Self {
        let spans = match source.language {
            Language::C => ordlint_c::enclosing_definitions(&source.text, offsets),
            Language::Rust => None,
        };
        match spans {
            Some(spans) => {
                let ir = ordlint_c::lower_spans(&source.text, &spans);
                LoweredFile {
                    slices: Some(spans),
                    ..Self::with_ir(source, ir)
                }
            }
            None => Self::new(source),
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
        }
    }

    /// Also lower the definitions around `offsets` that are not lowered yet (no-op for a file
    /// lowered whole).
    pub fn extend_around(&mut self, offsets: &[usize]) {
        let Some(done) = &mut self.slices else { return };
        if offsets.is_empty() {
            return;
        }
        let Some(spans) = ordlint_c::enclosing_definitions(&self.source.text, offsets) else {
            // The scanner is unsure of this file: lower it whole.
            self.ir = lower(&self.source);
            self.slices = None;
            return;
        };
        let new: Vec<Span> = spans
            .into_iter()
            .filter(|s| !done.iter().any(|d| d.contains(*s)))
            .collect();
        if new.is_empty() {
            return;
        }
        let more = ordlint_c::lower_spans(&self.source.text, &new);
        done.extend(new);
        let ir = &mut self.ir;
        ir.functions.extend(more.functions);
        ir.functions.sort_by_key(|f| f.span.start);
        ir.declarations.extend(more.declarations);
        ir.declarations.sort_by_key(|d| d.span);
        ir.comments.extend(more.comments);
        ir.comments.sort_by_key(|c| c.span);
        ir.problems.extend(more.problems);
    }

    /// Add this file's shared accesses to `index`.
    pub fn add_to_index(&self, index: &mut PairingIndex) {
        index.add_file(
            &self.source.path,
            self.source.language,
            &self.ir,
            &self.lines,
        );
    }
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
