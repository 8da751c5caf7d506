//! C frontend: kernel-style C source → ordering IR.
//!
//! Invariants: lowering never fails (problems are data); one bad function never drops its
//! file; spans are byte offsets into the original text (annotation blanking keeps lengths).
//!
//! Pipeline: [`blanking`](crate) replaces annotation macros by spaces, a cheap token pass
//! collects file-wide facts (function and macro names, enumerators, per-CPU variables),
//! tree-sitter-c parses the blanked text (or slices of it, see [`lower_spans`]) and the
//! lowering walks the tree into [`ordlint_ir::Function`]s. Kernel API names live in
//! [`kernel_api`] only.

mod blanking;
mod facts;
mod fields;
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
    Prepared::new(source).lower(source, api)
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
    Prepared::new(source).lower_spans(source, spans, api)
}

/// [`lower_spans_with`], and the [`FileContext`] of `source`, from the same token pass.
pub fn lower_spans_in_context(
    source: &str,
    spans: &[Span],
    api: &ApiExtensions,
) -> (FileIr, FileContext) {
    let prepared = Prepared::new(source);
    let ir = prepared.lower_spans(source, spans, api);
    (ir, facts::context(prepared.facts))
}

/// What one token pass learns about a C file for lowering it in several steps: its top-level
/// items (where definitions start and end) and its file-wide facts. Owned, small next to the
/// text, so a caller can keep it between steps; the text itself is passed to each call.
///
/// Only the definitions that are lowered get their annotations blanked and get parsed, so a
/// file lowered around three triggers costs one cheap token pass plus three small parses.
#[derive(Debug)]
pub struct Prepared {
    /// Length of the text this was made from (a different text is refused).
    len: usize,
    items: Option<Vec<Span>>,
    facts: facts::Facts,
}

impl Prepared {
    /// Tokenize `source` once for its items and facts.
    pub fn new(source: &str) -> Self {
        let mut lexer = lexer::Lexer::new(source);
        let toks: Vec<lexer::Tok> = lexer.by_ref().collect();
        Prepared {
            len: source.len(),
            items: slicing::items_of(source, &toks, lexer.confused),
            facts: facts::scan_tokens(source, &toks),
        }
    }

    /// [`enclosing_definitions`] of this file.
    pub fn enclosing_definitions(&self, offsets: &[usize]) -> Option<Vec<Span>> {
        if offsets.iter().any(|o| *o > self.len) {
            return None;
        }
        slicing::enclosing_items(self.items.as_deref()?, offsets)
    }

    /// [`lower_with`] of `source` (the text this was made from).
    pub fn lower(&self, source: &str, api: &ApiExtensions) -> FileIr {
        self.lower_spans(source, &[Span::new(0, source.len())], api)
    }

    /// [`lower_spans_with`] of `source` (the text this was made from).
    pub fn lower_spans(&self, source: &str, spans: &[Span], api: &ApiExtensions) -> FileIr {
        let mut out = FileIr::default();
        if source.len() != self.len {
            out.problems.push(Problem {
                span: Span::new(0, 0),
                message: "internal: text changed since it was prepared".to_owned(),
                fatal: true,
            });
            return out;
        }
        // Items begin outside comments, literals and directives, so each blanks on its own.
        let mut slices: Vec<(Span, String)> = Vec::new();
        let mut qualifiers = Vec::new();
        for span in merge_spans(spans) {
            match source.get(span.start..span.end) {
                Some(slice) => {
                    let blanked = blanking::blank(slice);
                    qualifiers.extend(blanked.qualifiers.into_iter().map(|(q, kind)| {
                        (Span::new(q.start + span.start, q.end + span.start), kind)
                    }));
                    slices.push((span, blanked.text));
                }
                None => out.problems.push(Problem {
                    span,
                    message: "byte range outside the text or not on character boundaries"
                        .to_owned(),
                    fatal: false,
                }),
            }
        }
        let input = lower::Input {
            source,
            facts: &self.facts,
            qualifiers: &qualifiers,
            api,
        };
        for (span, text) in &slices {
            lower::lower_text(&input, span.start, text, &mut out);
        }
        out.defined_names = facts::defined_names(&self.facts);
        out.declarations.extend(
            self.facts
                .percpu_decls
                .iter()
                .filter(|d| spans.iter().any(|s| s.contains(d.span)))
                .cloned(),
        );
        out.declarations.sort_by_key(|d| d.span);
        out
    }
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
    Prepared::new(source).enclosing_definitions(offsets)
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
