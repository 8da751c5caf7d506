//! Applying fix edits to source texts.
//!
//! Edits of one run are gathered per file, sorted by position, and applied from the end so
//! offsets stay valid; an edit overlapping one already taken is skipped (the next round of
//! fixing picks it up again after re-linting), so the result is deterministic.

use ordlint_diagnostics::{Applicability, Diagnostic, Edit};
use std::collections::BTreeMap;

/// The edits of every fix in `diagnostics` whose applicability is at least `min`, by path.
pub fn edits_by_file(
    diagnostics: &[Diagnostic],
    min: Applicability,
) -> BTreeMap<String, Vec<&Edit>> {
    let mut by_file: BTreeMap<String, Vec<&Edit>> = BTreeMap::new();
    for fix in diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability >= min)
    {
        for e in &fix.edits {
            by_file.entry(e.location.path.clone()).or_default().push(e);
        }
    }
    by_file
}

/// Apply `edits` to `text`. Returns the new text and how many edits were applied; edits that
/// overlap an earlier one (by start offset) or fall outside the text are skipped.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.location.span.start, e.location.span.end));
    sorted.dedup_by(|a, b| a.location.span == b.location.span && a.replacement == b.replacement);
    let mut taken: Vec<&Edit> = Vec::new();
    let mut last_end = 0usize;
    for e in sorted {
        let s = e.location.span;
        let valid =
            s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end);
        if valid && (taken.is_empty() || s.start >= last_end) {
            last_end = s.end;
            taken.push(e);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in &taken {
        out.push_str(text.get(pos..e.location.span.start).unwrap_or(""));
        out.push_str(&e.replacement);
        pos = e.location.span.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    (out, taken.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordlint_diagnostics::{LineIndex, Location, Span};

    fn edit(text: &str, start: usize, end: usize, rep: &str) -> Edit {
        Edit {
            location: Location::new("a.c", Span::new(start, end), &LineIndex::new(text)),
            replacement: rep.into(),
        }
    }

    #[test]
    fn overlapping_edits_keep_the_first() {
        let text = "abcdef";
        let (a, b, c) = (
            edit(text, 0, 2, "X"),
            edit(text, 1, 3, "Y"),
            edit(text, 4, 4, "Z"),
        );
        let (out, n) = apply_edits(text, &[&c, &b, &a]);
        assert_eq!(out, "XcdZef");
        assert_eq!(n, 2);
    }

    #[test]
    fn out_of_range_edits_are_skipped() {
        let text = "ab";
        let e = edit("abcdef", 3, 5, "X");
        assert_eq!(apply_edits(text, &[&e]), ("ab".to_owned(), 0));
    }
}
