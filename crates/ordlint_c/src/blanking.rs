//! Annotation blanking: kernel attribute and sparse-annotation macros (`__rcu`, `__acquires(x)`,
//! `__attribute__((…))`, …) are replaced by spaces of the same byte length before parsing, so
//! tree-sitter sees plain C and every byte offset stays exact. Newlines inside a blanked
//! annotation are kept, so line numbers stay exact too.
//!
//! The positions of the qualifiers rules care about (`__rcu`, `__percpu`) are returned so the
//! lowering can record them on declarations after parsing.

use crate::lexer::{Lexer, TokKind};
use ordlint_diagnostics::Span;

/// Annotations without arguments, blanked as one identifier.
pub const BARE: &[&str] = &[
    "__rcu",
    "__percpu",
    "__user",
    "__iomem",
    "__force",
    "__bitwise",
    "__init",
    "__exit",
    "__initdata",
    "__initconst",
    "__exitdata",
    "__read_mostly",
    "__ro_after_init",
    "__always_inline",
    "noinline",
    "__noinline",
    "__cold",
    "__hot",
    "__maybe_unused",
    "__always_unused",
    "__must_check",
    "__sched",
    "notrace",
    "asmlinkage",
    "__visible",
    "__weak",
    "__noreturn",
    "__packed",
    "__latent_entropy",
    "__private",
    "__cpuidle",
    "__noinstr",
    "noinstr",
    "__randomize_layout",
    "__no_randomize_layout",
    "__kprobes",
    "__used",
    "__safe",
    "__nocast",
];

/// Annotations taking a parenthesised argument, blanked with their (balanced) parentheses.
pub const WITH_ARGS: &[&str] = &[
    "__acquires",
    "__releases",
    "__must_hold",
    "__cond_acquires",
    "__cond_releases",
    "__aligned",
    "__attribute__",
    "__attribute",
    "__counted_by",
    "__free",
    "__section",
    "__printf",
    "__scanf",
    "__alloc_size",
    "__nonstring",
];

/// Prefixes of annotation families (`__cacheline_aligned_in_smp`, `____cacheline_aligned`).
pub const PREFIXES: &[&str] = &[
    "__cacheline_aligned",
    "____cacheline_aligned",
    "____cacheline_internodealigned",
];

/// A qualifier seen (and blanked) in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qualifier {
    /// `__rcu`.
    Rcu,
    /// `__percpu`.
    PerCpu,
}

/// The blanked text and the qualifiers removed from it.
pub(crate) struct Blanked {
    /// Same length as the input, annotations replaced by spaces.
    pub text: String,
    /// Where `__rcu` and `__percpu` were, in source order.
    pub qualifiers: Vec<(Span, Qualifier)>,
}

/// Blank the annotations of `source` (outside comments, literals and preprocessor lines).
pub(crate) fn blank(source: &str) -> Blanked {
    let mut bytes = source.as_bytes().to_vec();
    let mut qualifiers = Vec::new();
    let mut lexer = Lexer::new(source).peekable();
    while let Some(tok) = lexer.next() {
        if tok.kind == TokKind::Comment {
            blank_unterminated_comment(source, &mut bytes, tok.start, tok.end);
            continue;
        }
        if tok.kind != TokKind::Ident {
            continue;
        }
        let name = source.get(tok.start..tok.end).unwrap_or("");
        let mut end = tok.end;
        if WITH_ARGS.contains(&name) {
            if matches!(lexer.peek(), Some(t) if t.kind == TokKind::Punct(b'(')) {
                let mut depth = 0usize;
                for t in lexer.by_ref() {
                    match t.kind {
                        TokKind::Punct(b'(') => depth += 1,
                        TokKind::Punct(b')') => depth = depth.saturating_sub(1),
                        // A statement end or brace means the parentheses never closed: stop.
                        TokKind::Punct(b';' | b'{' | b'}') => break,
                        _ => {}
                    }
                    end = t.end;
                    if depth == 0 {
                        break;
                    }
                }
            }
        } else if BARE.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)) {
            match name {
                "__rcu" => qualifiers.push((Span::new(tok.start, tok.end), Qualifier::Rcu)),
                "__percpu" => qualifiers.push((Span::new(tok.start, tok.end), Qualifier::PerCpu)),
                _ => {}
            }
        } else {
            continue;
        }
        if let Some(slice) = bytes.get_mut(tok.start..end) {
            for b in slice.iter_mut().filter(|b| !matches!(**b, b'\n' | b'\r')) {
                *b = b' ';
            }
        }
    }
    // Only whole characters were replaced (ASCII or every byte of a multi-byte one inside an
    // annotation's parentheses), so this cannot fail; fall back to the input if it did.
    let text = String::from_utf8(bytes).unwrap_or_else(|_| source.to_owned());
    Blanked { text, qualifiers }
}

/// Blank the comment at `start..end` when it is a `/*` comment that never closes. The
/// compiler reads such a comment to the end of the file (and rejects the file); tree-sitter
/// instead recovers token by token through the rest, which is quadratic on some text (an
/// unclosed comment followed by thousands of unclosed `[`: 1.6 s for 32 KB in a debug build,
/// minutes for a few hundred KB). Blanked, the rest parses as the whitespace it is to the
/// compiler. A closed comment is at least four bytes long and ends with `*/`.
fn blank_unterminated_comment(source: &str, bytes: &mut [u8], start: usize, end: usize) {
    let text = source.get(start..end).unwrap_or("");
    if !text.starts_with("/*") || (text.len() >= 4 && text.ends_with("*/")) {
        return;
    }
    if let Some(slice) = bytes.get_mut(start..end) {
        for b in slice.iter_mut().filter(|b| !matches!(**b, b'\n' | b'\r')) {
            *b = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unterminated_comment_is_blanked_to_the_end() {
        let src = "int a; /* open [[[\n é */ x";
        assert_eq!(blank(src).text, src);
        let src = "int a; /* open [[[\n é";
        // Byte for byte: `é` becomes two spaces, so offsets stay.
        assert_eq!(
            blank(src).text,
            format!("int a; {}\n{}", " ".repeat(11), " ".repeat(3))
        );
        let src = "int a; /*/";
        assert_eq!(blank(src).text, "int a;    ");
    }

    /// `src` with each of `parts` replaced by spaces (newlines kept).
    fn expected(src: &str, parts: &[&str]) -> String {
        let mut out = src.to_owned();
        for p in parts {
            let blank: String = p.chars().map(|c| if c == '\n' { c } else { ' ' }).collect();
            out = out.replacen(p, &blank, 1);
        }
        out
    }

    #[test]
    fn annotations_become_spaces_of_equal_length() {
        let src = "static void __sched foo(struct x __rcu *p) __acquires(p->lock)\n{ int a __aligned(8) = 1; }";
        let b = blank(src);
        assert_eq!(b.text.len(), src.len());
        assert_eq!(
            b.text,
            expected(
                src,
                &["__sched", "__rcu", "__acquires(p->lock)", "__aligned(8)"]
            )
        );
        assert_eq!(b.qualifiers.len(), 1);
        assert_eq!(
            &src[b.qualifiers[0].0.start..b.qualifiers[0].0.end],
            "__rcu"
        );
    }

    #[test]
    fn attribute_with_nested_parens_and_newline_is_blanked_keeping_the_newline() {
        let src = "int x __attribute__((section(\".data\"),\n aligned(4)));";
        let b = blank(src);
        assert_eq!(
            b.text,
            expected(src, &["__attribute__((section(\".data\"),\n aligned(4)))"])
        );
    }

    #[test]
    fn annotations_in_comments_and_strings_are_kept() {
        let src = "/* __rcu */ char *s = \"__init\"; int __cacheline_aligned_in_smp y;";
        let b = blank(src);
        assert_eq!(b.text, expected(src, &["__cacheline_aligned_in_smp"]));
    }

    #[test]
    fn unclosed_annotation_stops_at_the_statement_end() {
        let src = "void f(void) __must_hold(x\n{ a = 1; }";
        let b = blank(src);
        assert_eq!(b.text.len(), src.len());
        assert!(b.text.contains("{ a = 1; }"));
    }
}
