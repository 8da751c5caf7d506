//! The raw source text: a small lexer pass that finds `//` and `/* */` comments (syn drops
//! them) and measures bracket nesting (to refuse input that would make syn recurse too deep),
//! plus the conversion of proc-macro2 spans to byte offsets.

use ordlint_diagnostics::Span;
use ordlint_ir::CommentText;

/// What one lexer pass over the source found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Non-doc comments, in source order.
    pub comments: Vec<CommentText>,
    /// Deepest `(`/`[`/`{` nesting outside comments and literals.
    pub max_depth: usize,
    /// Byte offset where `max_depth` was first reached.
    pub deepest_at: usize,
    /// A bound on how deep syn will recurse: the most tokens in the open expression-like runs
    /// of all enclosing bracket levels at any point. A run is the tokens at one bracket level
    /// since the last separator (`;`, `,`, `=>`, or a `}` not followed by `else`, `.` or `?`),
    /// a bracketed group counting as one token. Long runs (`a + a + …`, `x.f.f.f…`, `!!!…x`,
    /// `else if` chains) make syn build (and drop) trees as deep as the run is long.
    pub longest_run: usize,
    /// Byte offset where `longest_run` was reached.
    pub longest_run_at: usize,
}

/// Scan `src` for comments and bracket depth, skipping string, byte-string, raw-string and
/// character literals. Never panics; an unterminated literal or comment runs to the end.
pub(crate) fn scan(src: &str) -> Scan {
    let b = src.as_bytes();
    let mut out = Scan::default();
    let mut depth = 0usize;
    // Token count of the current run at each open bracket level (index = depth).
    let mut runs = Runs {
        per_level: vec![0],
        total: 0,
    };
    let mut i = 0usize;
    while i < b.len() {
        let c = b[i];
        let starts_comment = c == b'/' && matches!(b.get(i + 1), Some(b'/' | b'*'));
        if !c.is_ascii_whitespace() && !starts_comment {
            count_token(&mut out, &mut runs, src, i, depth);
        }
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
                let text = &src[i..end];
                let is_doc = (text.starts_with("///") && !text.starts_with("////"))
                    || text.starts_with("//!");
                if !is_doc {
                    out.comments.push(CommentText {
                        span: Span::new(i, end),
                        text: text.to_owned(),
                    });
                }
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(b, i);
                let text = &src[i..end];
                let is_doc =
                    (text.starts_with("/**") && !text.starts_with("/***") && text != "/**/")
                        || text.starts_with("/*!");
                if !is_doc {
                    out.comments.push(CommentText {
                        span: Span::new(i, end),
                        text: text.to_owned(),
                    });
                }
                i = end;
            }
            b'"' => i = string_end(b, i + 1),
            b'r' if !ident_before(b, i) && raw_string_start(b, i + 1).is_some() => {
                i = raw_string_start(b, i + 1)
                    .map_or(b.len(), |(hashes, body)| raw_string_end(b, body, hashes));
            }
            b'b' | b'c'
                if !ident_before(b, i)
                    && b.get(i + 1) == Some(&b'r')
                    && raw_string_start(b, i + 2).is_some() =>
            {
                i = raw_string_start(b, i + 2)
                    .map_or(b.len(), |(hashes, body)| raw_string_end(b, body, hashes));
            }
            b'\'' => i = char_end(src, i),
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > out.max_depth {
                    out.max_depth = depth;
                    out.deepest_at = i;
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                runs.close_to(depth);
                if c == b'}' && !continues_after_brace(src, i + 1) {
                    runs.reset_top();
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Open runs per bracket level and their sum.
struct Runs {
    per_level: Vec<usize>,
    total: usize,
}

impl Runs {
    fn close_to(&mut self, depth: usize) {
        while self.per_level.len() > depth + 1 {
            let r = self.per_level.pop().unwrap_or(0);
            self.total -= r;
        }
    }

    fn reset_top(&mut self) {
        if let Some(r) = self.per_level.last_mut() {
            self.total -= *r;
            *r = 0;
        }
    }
}

/// Count the token (or token start) at byte `i` into the run of the current level.
fn count_token(out: &mut Scan, runs: &mut Runs, src: &str, i: usize, depth: usize) {
    let b = src.as_bytes();
    let c = b[i];
    let is_sep = c == b';' || c == b',' || (c == b'=' && b.get(i + 1) == Some(&b'>'));
    // Identifier and number characters after the first one are part of the same token.
    let continues =
        i > 0 && (c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80) && ident_before(b, i);
    if runs.per_level.len() < depth + 1 {
        runs.per_level.resize(depth + 1, 0);
    }
    if is_sep {
        runs.reset_top();
    } else if !continues && c != b')' && c != b']' && c != b'}' {
        if let Some(run) = runs.per_level.last_mut() {
            *run += 1;
            runs.total += 1;
        }
        // Each open bracket level costs a few frames too.
        let cost = runs.total + 2 * depth;
        if cost > out.longest_run {
            out.longest_run = cost;
            out.longest_run_at = i;
        }
    }
}

/// True when the text after a `}` continues the same expression (`} else`, `}.f()`, `}?`).
fn continues_after_brace(src: &str, from: usize) -> bool {
    let rest = src.get(from..).unwrap_or("").trim_start();
    rest.starts_with("else") || rest.starts_with('.') || rest.starts_with('?')
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0
        && b.get(i - 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
}

fn block_comment_end(b: &[u8], start: usize) -> usize {
    let mut nest = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            nest += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            nest -= 1;
            i += 2;
            if nest == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// End (one past the closing quote) of a `"…"` literal whose body starts at `i`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// For `#*"` at `i`: the number of hashes and where the body starts.
fn raw_string_start(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let hashes = b.get(i..)?.iter().take_while(|c| **c == b'#').count();
    (b.get(i + hashes) == Some(&b'"')).then_some((hashes, i + hashes + 1))
}

fn raw_string_end(b: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < b.len() {
        if b[i] == b'"'
            && b.get(i + 1..i + 1 + hashes)
                .is_some_and(|h| h.iter().all(|c| *c == b'#'))
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

/// End of a character literal starting with `'` at `i`, or `i + 1` for a lifetime/label.
fn char_end(src: &str, i: usize) -> usize {
    let b = src.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        // Escaped char: skip to the closing quote (at most a `\u{10FFFF}` away).
        let limit = (i + 12).min(b.len());
        return (i + 2..limit)
            .find(|j| b[*j] == b'\'')
            .map_or(i + 1, |j| j + 1);
    }
    match src.get(i + 1..).and_then(|rest| rest.chars().next()) {
        Some(c) if c != '\'' => {
            let after = i + 1 + c.len_utf8();
            if b.get(after) == Some(&b'\'') {
                after + 1
            } else {
                i + 1
            }
        }
        _ => i + 1,
    }
}

/// `src` with a leading byte-order mark and a `#!` shebang line replaced by spaces, so syn
/// parses it while every byte offset stays that of the original text.
pub(crate) fn blank_prelude(src: &str) -> std::borrow::Cow<'_, str> {
    let mut start = 0;
    if src.starts_with('\u{feff}') {
        start = '\u{feff}'.len_utf8();
    }
    let rest = &src[start..];
    let shebang_end = if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        rest.find('\n').map_or(src.len(), |n| start + n)
    } else {
        start
    };
    if shebang_end == 0 {
        return std::borrow::Cow::Borrowed(src);
    }
    let mut owned = " ".repeat(shebang_end);
    owned.push_str(&src[shebang_end..]);
    std::borrow::Cow::Owned(owned)
}

/// The byte range of a proc-macro2 span in the file parsed last on this thread.
pub(crate) fn span_of(span: proc_macro2::Span) -> Span {
    let r = span.byte_range();
    Span::new(r.start, r.end)
}

/// Clears proc-macro2's per-thread source map when dropped (also on unwinding), so memory stays
/// flat over many files and the next file's offsets start again at 0.
pub(crate) struct SpanMapGuard;

impl Drop for SpanMapGuard {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_chars_and_doc_comments() {
        let src = "/// doc\nfn f() { let s = \"// no\"; let c = '\"'; // yes\n /* b /* nested */ */ let r = r#\"/*\"#; }";
        let s = scan(src);
        let texts: Vec<_> = s.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["// yes", "/* b /* nested */ */"]);
        for c in &s.comments {
            assert_eq!(&src[c.span.start..c.span.end], c.text);
        }
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        let s = scan("fn f<'a>(x: &'a u8) -> &'a u8 { x } // tail");
        assert_eq!(s.comments.len(), 1);
        assert_eq!(s.max_depth, 1);
    }

    #[test]
    fn depth_counts_nested_brackets() {
        let s = scan("fn f() { ((([1]))) }");
        assert_eq!(s.max_depth, 5);
    }

    #[test]
    fn runs_reset_at_separators_and_item_ends() {
        let items = "fn a() {}\n".repeat(1000);
        assert!(scan(&items).longest_run < 10);
        let arms = format!("match x {{ {} }}", "A => {}\n".repeat(1000));
        assert!(scan(&arms).longest_run < 20);
        let nested = format!("{}a{}", "(!".repeat(100), ")".repeat(100));
        assert!(scan(&nested).longest_run >= 300);
        let chain = format!("fn f() {{ a{} }}", " + a".repeat(1000));
        assert!(scan(&chain).longest_run >= 2000);
        let elifs = format!("fn f() {{ if a {{}}{} }}", " else if a {}".repeat(1000));
        assert!(scan(&elifs).longest_run >= 3000);
    }

    #[test]
    fn shebang_and_bom_are_blanked_keeping_offsets() {
        let src = "\u{feff}#!/usr/bin/env run\nfn f() {}";
        let blanked = blank_prelude(src);
        assert_eq!(blanked.len(), src.len());
        assert!(blanked.ends_with("\nfn f() {}"));
        assert_eq!(blank_prelude("#![allow(x)]"), "#![allow(x)]");
    }
}
