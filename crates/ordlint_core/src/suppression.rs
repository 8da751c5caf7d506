//! Suppression comments, applied to the diagnostics of one file after its rules ran.
//!
//! - `/* ordlint: allow(rule-a, rule-b) -- reason */` or `// ordlint: allow(rule-a)` (either
//!   comment style in either language) silences those rules' diagnostics whose primary span
//!   starts on a line of the comment or on the line right after it.
//! - `ordlint: allow-file(rule)` in a comment before the first function silences the rule in
//!   the whole file.
//! - Text after the closing parenthesis is free (a reason, by convention after `--`).
//!
//! Two pseudo-rules report on the comments themselves: `invalid-suppression` (an unknown rule
//! name, a malformed directive, a file-level one after the first function) and
//! `unused-suppression` (a directive that silenced nothing), whose safe fix deletes the
//! comment, or only the unused name from a list. A directive for a rule that did not run on
//! the file (not selected, other language) is never reported unused: nothing is known of it.
//!
//! Comments are found by a small scanner that knows string, character and raw-string literals,
//! so `"ordlint: allow(x)"` in a string is not a directive.

use crate::{LoweredFile, RuleSet};
use ordlint_diagnostics::{Diagnostic, Edit, Fix, LineIndex, Location, Severity, Span};
use ordlint_ir::Language;
use ordlint_rules::find_rule;

/// Name of the pseudo-rule reporting directives that silence nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
/// Name of the pseudo-rule reporting malformed directives and unknown rule names.
pub const INVALID_SUPPRESSION: &str = "invalid-suppression";

/// The marker that starts a directive inside a comment.
const MARKER: &str = "ordlint:";

/// One `ordlint: allow(…)` or `ordlint: allow-file(…)` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The whole comment, delimiters included (byte offsets).
    pub comment: Span,
    /// True for `allow-file`.
    pub file_level: bool,
    /// The rule names and where each is (byte offsets).
    pub names: Vec<(String, Span)>,
}

/// A comment that mentions `ordlint:` but is not a well-formed directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The comment (byte offsets).
    pub comment: Span,
    /// What is wrong, lowercase.
    pub message: String,
}

/// Byte spans of every comment in `text` (delimiters included), in order. Rust block comments
/// nest; C ones do not. An unterminated block comment runs to the end of the text.
pub fn comments(text: &str, language: Language) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1).copied()) {
            (b'/', Some(b'/')) => {
                let end = memchr_newline(b, i);
                let mut trimmed = end;
                while trimmed > i + 2 && b[trimmed - 1].is_ascii_whitespace() {
                    trimmed -= 1;
                }
                out.push(Span::new(i, trimmed));
                i = end;
            }
            (b'/', Some(b'*')) => {
                let end = block_end(b, i, language == Language::Rust);
                out.push(Span::new(i, end));
                i = end;
            }
            (b'"', _) => i = string_end(b, i + 1),
            (b'\'', _) => i = char_end(b, i),
            (b'r', Some(b'#' | b'"')) if language == Language::Rust && !prev_is_ident(b, i) => {
                i = raw_string_end(b, i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0
        && b.get(i - 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b.iter()
        .skip(from)
        .position(|c| *c == b'\n')
        .map_or(b.len(), |p| from + p)
}

fn block_end(b: &[u8], start: usize, nests: bool) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' && (nests || depth == 0) {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// End (exclusive) of a string literal whose body starts at `i`; stops at an unescaped quote
/// or, for robustness, at a newline not preceded by a backslash in C-like code.
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

/// A character literal (`'a'`, `'\n'`, `'\''`) is skipped; a Rust lifetime (`'a`) is not a
/// literal and only its quote is skipped.
fn char_end(b: &[u8], i: usize) -> usize {
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b'\\'), _) => {
            let mut j = i + 3;
            while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
                j += 1;
            }
            (j + 1).min(b.len())
        }
        (Some(_), Some(b'\'')) => i + 3,
        _ => {
            // A multi-byte character literal, or a lifetime.
            let rest = &b[i + 1..];
            let limit = rest.len().min(5);
            match rest[..limit].iter().position(|c| *c == b'\'') {
                Some(p) if p > 1 && rest[..p].iter().all(|c| *c >= 0x80) => i + 2 + p,
                _ => i + 1,
            }
        }
    }
}

/// `r"…"` or `r#"…"#` (with `i` just after the `r`).
fn raw_string_end(b: &[u8], mut i: usize) -> usize {
    let mut hashes = 0;
    while b.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if b.get(i) != Some(&b'"') {
        return i;
    }
    i += 1;
    while i < b.len() {
        if b[i] == b'"' && (1..=hashes).all(|k| b.get(i + k) == Some(&b'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

/// The directives and malformed directives among the comments of `text`.
pub fn directives(text: &str, language: Language) -> (Vec<Directive>, Vec<Malformed>) {
    let mut found = Vec::new();
    let mut bad = Vec::new();
    if !text.contains(MARKER) {
        return (found, bad);
    }
    for comment in comments(text, language) {
        let Some(body) = text.get(comment.start..comment.end) else {
            continue;
        };
        let Some(at) = body.find(MARKER) else {
            continue;
        };
        let after = comment.start + at + MARKER.len();
        match parse_directive(text, comment, after) {
            Ok(Some(d)) => found.push(d),
            Ok(None) => {}
            Err(message) => bad.push(Malformed { comment, message }),
        }
    }
    (found, bad)
}

/// Parse `allow(…)` / `allow-file(…)` starting at byte `at` (just after `ordlint:`).
/// `Ok(None)` when the comment only mentions ordlint in prose.
fn parse_directive(text: &str, comment: Span, at: usize) -> Result<Option<Directive>, String> {
    let rest = text.get(at..comment.end).unwrap_or("");
    let trimmed = rest.trim_start();
    let offset = at + (rest.len() - trimmed.len());
    let (file_level, keyword_len) = if trimmed.starts_with("allow-file") {
        (true, "allow-file".len())
    } else if trimmed.starts_with("allow") {
        (false, "allow".len())
    } else {
        return Ok(None);
    };
    let after_kw = trimmed.get(keyword_len..).unwrap_or("");
    let Some(list) = after_kw.strip_prefix('(') else {
        return Err(
            "malformed suppression: expected `allow(rule-name)` or `allow-file(rule-name)`"
                .to_owned(),
        );
    };
    let Some(close) = list.find(')') else {
        return Err("malformed suppression: missing `)` after the rule names".to_owned());
    };
    let list_start = offset + keyword_len + 1;
    let mut names = Vec::new();
    let mut pos = 0;
    for part in list.get(..close).unwrap_or("").split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let start = list_start + pos + lead;
            names.push((name.to_owned(), Span::new(start, start + name.len())));
        }
        pos += part.len() + 1;
    }
    if names.is_empty() {
        return Err("malformed suppression: no rule name between the parentheses".to_owned());
    }
    Ok(Some(Directive {
        comment,
        file_level,
        names,
    }))
}

/// Drop the diagnostics of `file` that a directive silences, and add the `unused-suppression`
/// and `invalid-suppression` diagnostics (when those rules are in `rules`).
pub fn apply(file: &LoweredFile, rules: &RuleSet, diagnostics: &mut Vec<Diagnostic>) {
    let text = &file.source.text;
    let (found, bad) = directives(text, file.source.language);
    if found.is_empty() && bad.is_empty() {
        return;
    }
    let lines = &file.lines;
    let path = &file.source.path;
    let first_function = file.ir.functions.iter().map(|f| f.span.start).min();
    let mut extra = Vec::new();
    // (directive, name index) → used
    let mut used: Vec<Vec<bool>> = found.iter().map(|d| vec![false; d.names.len()]).collect();
    let mut valid: Vec<Vec<bool>> = found.iter().map(|d| vec![true; d.names.len()]).collect();
    let mut effective: Vec<bool> = vec![true; found.len()];

    for (di, d) in found.iter().enumerate() {
        if d.file_level && first_function.is_some_and(|f| d.comment.start > f) {
            effective[di] = false;
            extra.push(pseudo(
                rules,
                INVALID_SUPPRESSION,
                "file-level suppression after the first function has no effect".to_owned(),
                Location::new(path, d.comment, lines),
                Some("move `allow-file(…)` to the top of the file".to_owned()),
                None,
            ));
        }
        for (ni, (name, span)) in d.names.iter().enumerate() {
            if find_rule(name).is_none() {
                valid[di][ni] = false;
                let close = crate::ruleset::closest_rule(name);
                extra.push(pseudo(
                    rules,
                    INVALID_SUPPRESSION,
                    format!("suppression names an unknown rule `{name}`"),
                    Location::new(path, *span, lines),
                    Some(match &close {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "`ordlint rule` lists the rule names".to_owned(),
                    }),
                    None,
                ));
            }
        }
    }
    for m in &bad {
        extra.push(pseudo(
            rules,
            INVALID_SUPPRESSION,
            m.message.clone(),
            Location::new(path, m.comment, lines),
            Some("write `ordlint: allow(rule-name) -- reason`".to_owned()),
            None,
        ));
    }

    diagnostics.retain(|diag| {
        if diag.location.path != *path {
            return true;
        }
        let line = diag.location.start.line;
        let mut silenced = false;
        for (di, d) in found.iter().enumerate() {
            if !effective[di] {
                continue;
            }
            let covers = d.file_level || {
                let first = lines.position(d.comment.start).line;
                let last = lines.position(d.comment.end).line;
                first <= line && line <= last + 1
            };
            if !covers {
                continue;
            }
            for (ni, (name, _)) in d.names.iter().enumerate() {
                if *name == diag.rule {
                    used[di][ni] = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });

    if rules.contains(UNUSED_SUPPRESSION) {
        for (di, d) in found.iter().enumerate() {
            if !effective[di] {
                continue;
            }
            // Only names of rules that ran on this file can be judged unused.
            let judged = |ni: usize| {
                let name = &d.names[ni].0;
                valid[di][ni]
                    && !used[di][ni]
                    && find_rule(name).is_some_and(|r| {
                        rules.contains(name) && r.langs.covers(file.source.language)
                    })
            };
            let unused: Vec<usize> = (0..d.names.len()).filter(|&ni| judged(ni)).collect();
            if unused.is_empty() {
                continue;
            }
            let whole = d
                .names
                .iter()
                .enumerate()
                .all(|(ni, _)| unused.contains(&ni) || !valid[di][ni]);
            if whole {
                let listed = unused
                    .iter()
                    .map(|&ni| format!("`{}`", d.names[ni].0))
                    .collect::<Vec<_>>()
                    .join(", ");
                let span = delete_comment_span(text, d.comment);
                extra.push(pseudo(
                    rules,
                    UNUSED_SUPPRESSION,
                    format!("suppression of {listed} silences nothing here"),
                    Location::new(path, d.comment, lines),
                    Some("remove the suppression comment".to_owned()),
                    Some(Fix::safe(
                        "remove the unused suppression",
                        vec![Edit {
                            location: Location::new(path, span, lines),
                            replacement: String::new(),
                        }],
                    )),
                ));
            } else {
                for &ni in &unused {
                    let (name, span) = &d.names[ni];
                    let del = delete_name_span(text, &d.names, ni);
                    extra.push(pseudo(
                        rules,
                        UNUSED_SUPPRESSION,
                        format!("suppression of `{name}` silences nothing here"),
                        Location::new(path, *span, lines),
                        Some(format!("remove `{name}` from the list")),
                        Some(Fix::safe(
                            format!("remove `{name}` from the suppression"),
                            vec![Edit {
                                location: Location::new(path, del, lines),
                                replacement: String::new(),
                            }],
                        )),
                    ));
                }
            }
        }
    }
    diagnostics.extend(extra.into_iter().flatten());
}

/// A pseudo-rule diagnostic, or `None` when the pseudo-rule is not enabled.
fn pseudo(
    rules: &RuleSet,
    rule: &str,
    message: String,
    location: Location,
    help: Option<String>,
    fix: Option<Fix>,
) -> Option<Diagnostic> {
    if !rules.contains(rule) {
        return None;
    }
    let default = find_rule(rule).map_or(Severity::Warning, |r| r.severity);
    Some(Diagnostic {
        rule: rule.to_owned(),
        severity: rules.severity_of(rule).unwrap_or(default),
        // The message quotes the comment, which can span lines.
        message: ordlint_diagnostics::one_line(&message),
        location,
        help: help.as_deref().map(ordlint_diagnostics::one_line),
        fix,
        related: Vec::new(),
    })
}

/// What to delete to remove a comment: its whole lines when it stands alone on them, else the
/// comment and the blanks before it.
fn delete_comment_span(text: &str, comment: Span) -> Span {
    let line_start = text
        .get(..comment.start)
        .and_then(|t| t.rfind('\n').map(|p| p + 1))
        .unwrap_or(0);
    let line_end = text
        .get(comment.end..)
        .and_then(|t| t.find('\n').map(|p| comment.end + p))
        .unwrap_or(text.len());
    let before = text.get(line_start..comment.start).unwrap_or("");
    let after = text.get(comment.end..line_end).unwrap_or("");
    let after_trimmed = after.trim_end_matches('\r');
    if before.trim().is_empty() && after_trimmed.trim().is_empty() {
        // Whole lines, including the newline.
        let end = if line_end < text.len() {
            line_end + 1
        } else {
            line_end
        };
        Span::new(line_start, end)
    } else {
        let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
        Span::new(comment.start - blanks, comment.end)
    }
}

/// What to delete to remove the `ni`-th name from a list: the name and the separator after
/// it, or for the last name the separator before it.
fn delete_name_span(text: &str, names: &[(String, Span)], ni: usize) -> Span {
    let Some((_, span)) = names.get(ni) else {
        return Span::default();
    };
    match (
        names.get(ni + 1),
        ni.checked_sub(1).and_then(|p| names.get(p)),
    ) {
        (Some((_, next)), _) => Span::new(span.start, next.start),
        (None, Some((_, prev))) => Span::new(prev.end, span.end),
        (None, None) => {
            let _ = text;
            *span
        }
    }
}

/// The text of `text` with a suppression comment inserted above each line that carries the
/// primary span of one of `diagnostics` (those of `path` only), naming every rule that fires
/// there, with the reason placeholder `-- TODO: justify`. Indentation follows the line;
/// C files get `/* … */`, Rust files `// …`; line endings follow the file. A line inside a
/// multi-line C macro gets the comment with a trailing `\`.
pub fn add_suppressions(
    path: &str,
    text: &str,
    language: Language,
    diagnostics: &[Diagnostic],
) -> (String, usize) {
    use std::collections::BTreeMap;
    let mut by_line: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| d.location.path == path) {
        let names = by_line.entry(d.location.start.line).or_default();
        if !names.contains(&d.rule.as_str()) {
            names.push(&d.rule);
        }
    }
    let lines = LineIndex::new(text);
    let crlf = text.contains("\r\n");
    let newline = if crlf { "\r\n" } else { "\n" };
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (line, names) in &by_line {
        let Some(zero_based) = (*line as usize).checked_sub(1) else {
            continue;
        };
        if zero_based >= lines.line_count() {
            continue;
        }
        let start = lines.line_start(zero_based);
        let rest = text.get(start..).unwrap_or("");
        let indent: String = rest
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let prev_continues = text
            .get(..start)
            .map(|t| t.trim_end_matches(['\n', '\r']))
            .is_some_and(|t| t.ends_with('\\'));
        let list = names.join(", ");
        let comment = match language {
            Language::C => {
                let tail = if prev_continues { " \\" } else { "" };
                format!("{indent}/* ordlint: allow({list}) -- TODO: justify */{tail}{newline}")
            }
            Language::Rust => {
                format!("{indent}// ordlint: allow({list}) -- TODO: justify{newline}")
            }
        };
        inserts.push((start, comment));
    }
    let count = inserts.len();
    let mut out = String::with_capacity(text.len() + count * 48);
    let mut pos = 0;
    for (at, comment) in inserts {
        out.push_str(text.get(pos..at).unwrap_or(""));
        out.push_str(&comment);
        pos = at;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, lang: Language) -> Vec<Vec<String>> {
        directives(text, lang)
            .0
            .into_iter()
            .map(|d| d.names.into_iter().map(|(n, _)| n).collect())
            .collect()
    }

    #[test]
    fn directives_in_both_comment_styles_with_lists_and_reasons() {
        let text = "/* ordlint: allow(a-b) -- why */\nx; // ordlint: allow(c, d)\n";
        assert_eq!(
            names(text, Language::C),
            vec![vec!["a-b".to_owned()], vec!["c".to_owned(), "d".to_owned()]]
        );
    }

    #[test]
    fn strings_and_lifetimes_do_not_hide_or_fake_comments() {
        let text =
            "let s = \"// ordlint: allow(x)\"; fn f<'a>(x: &'a u8) {} // ordlint: allow(y)\n";
        assert_eq!(names(text, Language::Rust), vec![vec!["y".to_owned()]]);
        let raw = "let s = r#\"/* ordlint: allow(x) */\"#; /* ordlint: allow(z) */";
        assert_eq!(names(raw, Language::Rust), vec![vec!["z".to_owned()]]);
        let c = "char c = '\"'; /* ordlint: allow(w) */";
        assert_eq!(names(c, Language::C), vec![vec!["w".to_owned()]]);
    }

    #[test]
    fn prose_mentions_are_not_directives_but_broken_ones_are_reported() {
        let (d, bad) = directives(
            "/* ordlint: see the book */ /* ordlint: allow x */",
            Language::C,
        );
        assert!(d.is_empty());
        assert_eq!(bad.len(), 1);
    }

    #[test]
    fn deleting_a_standalone_comment_takes_its_line() {
        let text = "a;\n\t/* ordlint: allow(x) */\nb;\n";
        let c = comments(text, Language::C)[0];
        let del = delete_comment_span(text, c);
        assert_eq!(
            format!("{}{}", &text[..del.start], &text[del.end..]),
            "a;\nb;\n"
        );
        let trailing = "b; /* ordlint: allow(x) */\n";
        let c = comments(trailing, Language::C)[0];
        let del = delete_comment_span(trailing, c);
        assert_eq!(
            format!("{}{}", &trailing[..del.start], &trailing[del.end..]),
            "b;\n"
        );
    }

    #[test]
    fn deleting_a_name_keeps_the_list_well_formed() {
        let text = "/* ordlint: allow(a, b, c) */";
        let (d, _) = directives(text, Language::C);
        let names = &d[0].names;
        let cut = |ni| {
            let s = delete_name_span(text, names, ni);
            format!("{}{}", &text[..s.start], &text[s.end..])
        };
        assert_eq!(cut(0), "/* ordlint: allow(b, c) */");
        assert_eq!(cut(1), "/* ordlint: allow(a, c) */");
        assert_eq!(cut(2), "/* ordlint: allow(a, b) */");
    }

    #[test]
    fn added_suppressions_follow_indentation_style_and_line_endings() {
        let text = "void f(void)\r\n{\r\n\tx = 1;\r\n}\r\n";
        let lines = LineIndex::new(text);
        let d = Diagnostic {
            rule: "barrier-publication".into(),
            severity: Severity::Warning,
            message: "m".into(),
            location: Location::new("a.c", Span::new(18, 19), &lines),
            help: None,
            fix: None,
            related: Vec::new(),
        };
        let (out, n) = add_suppressions("a.c", text, Language::C, &[d]);
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "void f(void)\r\n{\r\n\t/* ordlint: allow(barrier-publication) -- TODO: justify */\r\n\tx = 1;\r\n}\r\n"
        );
    }
}
