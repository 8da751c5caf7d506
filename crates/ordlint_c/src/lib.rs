//! C frontend: kernel-style C source → ordering IR.
//!
//! Invariants: lowering never fails (problems are data); one bad function never drops its
//! file; spans are byte offsets into the original text (annotation blanking keeps lengths).
//!
//! Pipeline: [`blanking`](crate) replaces annotation macros by spaces, a cheap token pass
//! collects file-wide facts (function names, enumerators, per-CPU variables), tree-sitter-c
//! parses the blanked text (or slices of it, see [`lower_spans`]) and the lowering walks the
//! tree into [`ordlint_ir::Function`]s. Kernel API names live in [`kernel_api`] only.

mod blanking;
mod facts;
pub mod kernel_api;
mod lexer;
mod locals;
mod lower;
mod slicing;

pub use facts::{file_context, FileContext};
pub use kernel_api::ApiExtensions;
use ordlint_diagnostics::Span;
use ordlint_ir::{FileIr, Problem};

/// Lower a whole C file into the ordering IR: every function definition (also those
/// tree-sitter only finds inside ERROR nodes), the `__rcu`/`__percpu`/`volatile` declarations
/// and file-scope variables, the comments outside functions, and the problems met.
///
/// Never fails and never panics on any input; at most one problem per function for syntax the
/// parser did not understand.
pub fn lower(source: &str) -> FileIr {
    lower_with(source, &ApiExtensions::default())
}

/// [`lower`], with a project's helpers added to the kernel API (see [`ApiExtensions`]).
pub fn lower_with(source: &str, api: &ApiExtensions) -> FileIr {
    let blanked = blanking::blank(source);
    let facts = facts::scan(source);
    let input = lower::Input {
        source,
        facts: &facts,
        qualifiers: &blanked.qualifiers,
        api,
    };
    let mut out = FileIr::default();
    lower::lower_text(&input, 0, &blanked.text, &mut out);
    out.declarations.extend(facts.percpu_decls.iter().cloned());
    out.declarations.sort_by_key(|d| d.span);
    out
}

/// Lower only the given byte ranges (top-level definitions, e.g. from
/// [`enclosing_definitions`]) of `source`; spans in the result stay file-absolute.
///
/// Overlapping or repeated ranges are merged; ranges outside the text or not on character
/// boundaries are reported as problems. File-wide facts (function names, enumerators, per-CPU
/// variables) still come from the whole text, so each function lowers exactly as [`lower`]
/// would lower it.
pub fn lower_spans(source: &str, spans: &[Span]) -> FileIr {
    lower_spans_with(source, spans, &ApiExtensions::default())
}

/// [`lower_spans`], with a project's helpers added to the kernel API (see [`ApiExtensions`]).
pub fn lower_spans_with(source: &str, spans: &[Span], api: &ApiExtensions) -> FileIr {
    lower_spans_in(source, spans, api, &facts::scan(source))
}

/// [`lower_spans`], and the [`FileContext`] of `source` (from the same scan of the file).
pub fn lower_spans_in_context(source: &str, spans: &[Span]) -> (FileIr, FileContext) {
    let facts = facts::scan(source);
    let ir = lower_spans_in(source, spans, &ApiExtensions::default(), &facts);
    (ir, facts::context(facts))
}

fn lower_spans_in(
    source: &str,
    spans: &[Span],
    api: &ApiExtensions,
    facts: &facts::Facts,
) -> FileIr {
    let blanked = blanking::blank(source);
    let input = lower::Input {
        source,
        facts,
        qualifiers: &blanked.qualifiers,
        api,
    };
    let mut out = FileIr::default();
    for span in merge_spans(spans) {
        match blanked.text.get(span.start..span.end) {
            Some(slice) => lower::lower_text(&input, span.start, slice, &mut out),
            None => out.problems.push(Problem {
                span,
                message: "byte range outside the text or not on character boundaries".to_owned(),
                fatal: false,
            }),
        }
    }
    out.declarations.extend(
        facts
            .percpu_decls
            .iter()
            .filter(|d| spans.iter().any(|s| s.contains(d.span)))
            .cloned(),
    );
    out.declarations.sort_by_key(|d| d.span);
    out
}

/// Byte spans of the top-level definitions (function, struct, global declaration) that contain
/// each of `offsets` (byte offsets), sorted and without duplicates.
///
/// Found by a cheap scanner that knows C comments, string and character literals,
/// preprocessor lines and braces (not by parsing). A definition's span runs from the end of the
/// previous top-level item (after any preprocessor lines in between) to its closing `}` or `;`.
/// `None` when the scanner is unsure (unbalanced braces, `#if` branches that open braces
/// unevenly, unterminated comments or literals, an offset past the end): the caller then falls
/// back to [`lower`].
pub fn enclosing_definitions(source: &str, offsets: &[usize]) -> Option<Vec<Span>> {
    slicing::enclosing_definitions(source, offsets)
}

/// Byte spans of every top-level item of `source` (function, struct, global declaration), in
/// order, cut as [`enclosing_definitions`] cuts them; `None` when the scanner is unsure.
/// Lowering all of them with [`lower_spans`] is how `ordlint check` lowers a file definition by
/// definition.
pub fn definitions(source: &str) -> Option<Vec<Span>> {
    slicing::items(source)
}

/// Sort, clamp-check and merge overlapping spans.
fn merge_spans(spans: &[Span]) -> Vec<Span> {
    let mut sorted: Vec<Span> = spans.to_vec();
    sorted.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(sorted.len());
    for s in sorted {
        match merged.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

#[cfg(test)]
mod tests;
