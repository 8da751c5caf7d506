//! Definition slicing: a scanner (no tree-sitter) that cuts a C file into its top-level items
//! (function definitions, struct/enum/union definitions, global declarations) so that only the
//! items containing a trigger offset get parsed (DESIGN §8).
//!
//! It skips comments, string and character literals and preprocessor lines, and tracks brace
//! depth. `#if`/`#elif`/`#else` branches all start at the depth of their `#if` and must end at
//! the same depth (an `#if` without `#else` must not change it); otherwise, and whenever braces
//! do not balance or a literal or comment is unterminated, the scanner is unsure and says so.

use crate::lexer::Lexer;
use crate::lexer::{Tok, TokKind};
use ordlint_diagnostics::Span;

/// One `#if` … `#endif` being scanned.
struct IfFrame {
    /// Brace depth at the `#if`.
    start: usize,
    /// Brace depth at the end of each finished branch.
    ends: Vec<usize>,
    /// An `#else` was seen (so there is no implicit empty branch).
    has_else: bool,
}

/// The top-level items of `source`, in order, or `None` when unsure.
pub(crate) fn items(source: &str) -> Option<Vec<Span>> {
    let mut lexer = Lexer::new(source);
    let toks: Vec<Tok> = lexer.by_ref().collect();
    items_of(source, &toks, lexer.confused)
}

/// The top-level items of `source` from its tokens (`confused`: the lexer met malformed
/// input), in order, or `None` when unsure.
pub(crate) fn items_of(source: &str, toks: &[Tok], confused: bool) -> Option<Vec<Span>> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut ifs: Vec<IfFrame> = Vec::new();
    let mut item_start = 0usize;
    let mut item_has_tokens = false;
    let mut saw_assign = false;
    // The item's depth-0 brace opened a struct/union/enum body or an initializer: the item
    // goes on to the `;` after its `}`.
    let mut aggregate = false;
    // The last two significant tokens' texts at depth 0.
    let mut prev: [&str; 2] = ["", ""];
    for tok in toks {
        let text = source.get(tok.start..tok.end).unwrap_or("");
        match tok.kind {
            TokKind::Comment => continue,
            TokKind::Directive => {
                let word = text.trim_start_matches('#').trim_start();
                let word = word
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("");
                match word {
                    "if" | "ifdef" | "ifndef" => ifs.push(IfFrame {
                        start: depth,
                        ends: Vec::new(),
                        has_else: false,
                    }),
                    "elif" | "else" | "elifdef" | "elifndef" => {
                        let frame = ifs.last_mut()?;
                        frame.ends.push(depth);
                        frame.has_else |= word == "else";
                        depth = frame.start;
                    }
                    "endif" => {
                        let mut frame = ifs.pop()?;
                        frame.ends.push(depth);
                        if !frame.has_else {
                            frame.ends.push(frame.start);
                        }
                        let first = *frame.ends.first()?;
                        if frame.ends.iter().any(|d| *d != first) {
                            return None;
                        }
                        depth = first;
                    }
                    _ => {}
                }
                if depth == 0 && !item_has_tokens {
                    item_start = tok.end;
                }
                continue;
            }
            TokKind::Punct(b'{') => {
                if depth == 0 {
                    aggregate = saw_assign
                        || matches!(prev[1], "struct" | "union" | "enum")
                        || matches!(prev[0], "struct" | "union" | "enum");
                }
                depth += 1;
            }
            TokKind::Punct(b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 && !aggregate {
                    items.push(Span::new(item_start, tok.end));
                    item_start = tok.end;
                    item_has_tokens = false;
                    saw_assign = false;
                    prev = ["", ""];
                    continue;
                }
            }
            TokKind::Punct(b';') if depth == 0 => {
                items.push(Span::new(item_start, tok.end));
                item_start = tok.end;
                item_has_tokens = false;
                saw_assign = false;
                aggregate = false;
                prev = ["", ""];
                continue;
            }
            TokKind::Punct(b'=') if depth == 0 => saw_assign = true,
            _ => {}
        }
        item_has_tokens = true;
        if depth == 0 || (depth == 1 && tok.kind == TokKind::Punct(b'{')) {
            prev = [prev[1], text];
        }
    }
    if confused || depth != 0 || !ifs.is_empty() {
        return None;
    }
    if item_has_tokens {
        // A last item without `;` (a trailing macro call).
        items.push(Span::new(item_start, source.len()));
    }
    Some(items)
}

/// The items of `items` (from [`items`]) that contain one of `offsets`, sorted, deduplicated.
pub(crate) fn enclosing_items(items: &[Span], offsets: &[usize]) -> Option<Vec<Span>> {
    let mut out: Vec<Span> = offsets
        .iter()
        .filter_map(|o| {
            let i = items.partition_point(|s| s.end <= *o);
            items
                .get(i)
                .copied()
                .filter(|s| s.start <= *o && *o < s.end)
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_texts(src: &str) -> Vec<&str> {
        items(src)
            .unwrap_or_default()
            .iter()
            .map(|s| src[s.start..s.end].trim())
            .collect()
    }

    #[test]
    fn functions_structs_and_globals_are_items() {
        let src = "struct a {\n\tint x;\n};\nstatic int g = 1;\nvoid f(void)\n{\n\tg = 2;\n}\nstatic const struct ops o = {\n\t.f = f,\n};\n";
        assert_eq!(
            item_texts(src),
            vec![
                "struct a {\n\tint x;\n};",
                "static int g = 1;",
                "void f(void)\n{\n\tg = 2;\n}",
                "static const struct ops o = {\n\t.f = f,\n};"
            ]
        );
    }

    #[test]
    fn directives_between_items_are_left_out() {
        let src = "#include <linux/x.h>\n#ifdef CONFIG_X\nvoid f(void) { }\n#else\nstatic inline void f(void) { }\n#endif\n";
        assert_eq!(
            item_texts(src),
            vec!["void f(void) { }", "static inline void f(void) { }"]
        );
    }

    #[test]
    fn uneven_if_branches_are_unsure() {
        let src =
            "#ifdef X\nvoid f(int a) {\n#else\nvoid f(void) { g();\n}\n#endif\n\treturn;\n}\n";
        assert_eq!(items(src), None);
        // Even branches are fine: both headers belong to the one definition.
        let src = "#ifdef X\nvoid f(int a) {\n#else\nvoid f(void) {\n#endif\n\treturn;\n}\n";
        assert_eq!(items(src).map(|v| v.len()), Some(1));
        let src = "#if 0\nvoid f(void) {\n#endif\n}\n";
        assert_eq!(items(src), None);
    }

    #[test]
    fn unbalanced_braces_are_unsure() {
        assert_eq!(items("void f(void) { {"), None);
        assert_eq!(items("void f(void) { } }"), None);
    }
}
