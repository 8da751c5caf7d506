//! File-wide facts found by one cheap token pass (no tree-sitter): names of functions defined or
//! declared at file scope and of function-like macros, enumerators, and per-CPU variables
//! (`DEFINE_PER_CPU(type, name)`).
//!
//! Both [`crate::lower`] and [`crate::lower_spans`] read the same facts from the whole file, so
//! lowering a slice gives the same events as lowering the file.

use crate::lexer::Lexer;
use crate::lexer::{Tok, TokKind};
use ordlint_diagnostics::Span;
use ordlint_ir::{Declaration, Qualifiers};
use std::collections::HashSet;

/// What the token pass learnt about a file.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Identifiers followed by `(` at file scope: defined or declared functions (and some
    /// macros, which is harmless: those names are never lowered as variables).
    pub functions: HashSet<String>,
    /// Names of the function-like macros the file defines (`#define name(`).
    pub macros: HashSet<String>,
    /// Enumerator constants.
    pub enumerators: HashSet<String>,
    /// Variables defined or declared with `DEFINE_PER_CPU*` / `DECLARE_PER_CPU*`.
    pub percpu_vars: HashSet<String>,
    /// The per-CPU declarations themselves.
    pub percpu_decls: Vec<Declaration>,
}

/// What lowering one definition reads from the rest of its file: the names of file-scope
/// functions, enumerators and per-CPU variables, sorted. Two versions of a file with equal
/// contexts lower every definition whose text is unchanged to the same IR (moved by its
/// offset), which is what lets an editor keep the IR of the definitions an edit did not touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileContext {
    functions: Vec<String>,
    enumerators: Vec<String>,
    percpu_vars: Vec<String>,
}

impl FileContext {
    /// The names whose meaning differs between `self` and `other` (a function, enumerator or
    /// per-CPU variable in one and not in the other). The lowering of a definition reads the
    /// context only for the identifiers in its text, so a definition that mentions none of
    /// these lowers the same in both.
    pub fn changed_names<'a>(&'a self, other: &'a FileContext) -> Vec<&'a str> {
        let mut out = Vec::new();
        for (a, b) in [
            (&self.functions, &other.functions),
            (&self.enumerators, &other.enumerators),
            (&self.percpu_vars, &other.percpu_vars),
        ] {
            let only_in = |x: &'a Vec<String>, y: &'a Vec<String>| {
                x.iter()
                    .filter(move |n| y.binary_search(n).is_err())
                    .map(String::as_str)
            };
            out.extend(only_in(a, b));
            out.extend(only_in(b, a));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The [`FileContext`] of `source`.
pub fn file_context(source: &str) -> FileContext {
    context(scan(source))
}

/// The [`FileContext`] of a scan's facts.
pub(crate) fn context(facts: Facts) -> FileContext {
    let sorted = |set: HashSet<String>| {
        let mut v: Vec<String> = set.into_iter().collect();
        v.sort_unstable();
        v
    };
    FileContext {
        functions: sorted(facts.functions),
        enumerators: sorted(facts.enumerators),
        percpu_vars: sorted(facts.percpu_vars),
    }
}

fn is_percpu_macro(name: &str) -> bool {
    name.starts_with("DEFINE_PER_CPU") || name.starts_with("DECLARE_PER_CPU")
}

/// Scan `source` for [`Facts`].
pub(crate) fn scan(source: &str) -> Facts {
    let toks: Vec<Tok> = Lexer::new(source).collect();
    scan_tokens(source, &toks)
}

/// [`Facts`] of `source` from its tokens.
pub(crate) fn scan_tokens(source: &str, all: &[Tok]) -> Facts {
    let mut facts = Facts::default();
    let toks: Vec<Tok> = all
        .iter()
        .filter(|t| match t.kind {
            TokKind::Comment => false,
            TokKind::Directive => {
                if let Some(name) = source.get(t.start..t.end).and_then(function_like_macro) {
                    facts.macros.insert(name.to_owned());
                }
                false
            }
            _ => true,
        })
        .copied()
        .collect();
    let text = |t: &Tok| source.get(t.start..t.end).unwrap_or("");
    let mut depth = 0usize;
    // Brace depth of the enum body being read, and whether a name is expected next.
    let mut enum_body: Option<usize> = None;
    let mut expect_enumerator = false;
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        let next = toks.get(i + 1).map(|t| t.kind);
        match tok.kind {
            TokKind::Punct(b'{') => {
                depth += 1;
                let prev_enum = i >= 1 && toks.get(i - 1).is_some_and(|p| text(p) == "enum")
                    || i >= 2 && toks.get(i - 2).is_some_and(|p| text(p) == "enum");
                if prev_enum && enum_body.is_none() {
                    enum_body = Some(depth);
                    expect_enumerator = true;
                }
            }
            TokKind::Punct(b'}') => {
                if enum_body == Some(depth) {
                    enum_body = None;
                }
                depth = depth.saturating_sub(1);
            }
            TokKind::Punct(b',') if enum_body == Some(depth) => expect_enumerator = true,
            TokKind::Ident if enum_body == Some(depth) && expect_enumerator => {
                facts.enumerators.insert(text(tok).to_owned());
                expect_enumerator = false;
            }
            TokKind::Ident if depth == 0 && next == Some(TokKind::Punct(b'(')) => {
                let name = text(tok);
                if is_percpu_macro(name) {
                    // Read to the matching `)`; the variable is the last identifier inside.
                    let mut j = i + 1;
                    let mut parens = 0usize;
                    let mut last_ident = None;
                    while let Some(t) = toks.get(j) {
                        match t.kind {
                            TokKind::Punct(b'(') => parens += 1,
                            TokKind::Punct(b')') => {
                                parens = parens.saturating_sub(1);
                                if parens == 0 {
                                    break;
                                }
                            }
                            TokKind::Punct(b';' | b'{' | b'}') => break,
                            TokKind::Ident => last_ident = Some(*t),
                            _ => {}
                        }
                        j += 1;
                    }
                    let end = toks.get(j).map_or(source.len(), |t| t.end);
                    if let Some(var) = last_ident {
                        let is_static =
                            i >= 1 && toks.get(i - 1).is_some_and(|p| text(p) == "static");
                        let var_name = text(&var).to_owned();
                        facts.percpu_vars.insert(var_name.clone());
                        facts.percpu_decls.push(Declaration {
                            name: var_name,
                            owner: None,
                            span: Span::new(tok.start, end),
                            qualifiers: Qualifiers {
                                percpu: true,
                                is_static,
                                ..Qualifiers::default()
                            },
                        });
                    }
                    i = j;
                } else {
                    facts.functions.insert(name.to_owned());
                }
            }
            _ => {}
        }
        i += 1;
    }
    facts
}

/// The name of the function-like macro a directive defines: `#define foo(x) …` → `foo` (the
/// `(` must follow the name directly, as the preprocessor requires).
fn function_like_macro(directive: &str) -> Option<&str> {
    let rest = directive.strip_prefix('#')?.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix("define")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = rest.get(..end)?;
    (!name.is_empty() && rest.get(end..)?.starts_with('(')).then_some(name)
}

/// The sorted names of the functions a file defines or declares at file scope and of the
/// function-like macros it defines.
pub(crate) fn defined_names(facts: &Facts) -> Vec<String> {
    let mut names: Vec<String> = facts
        .functions
        .iter()
        .chain(&facts.macros)
        .cloned()
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_functions_enumerators_and_percpu_variables() {
        let src = "enum state { ST_IDLE, st_busy = 2, };\nstatic DEFINE_PER_CPU(struct stats, cpu_stats);\n\
                   static void work_fn(struct work_struct *w);\nint main(void) { foo(1); }\n";
        let f = scan(src);
        assert!(f.enumerators.contains("ST_IDLE") && f.enumerators.contains("st_busy"));
        assert_eq!(f.enumerators.len(), 2);
        assert!(f.percpu_vars.contains("cpu_stats"));
        assert!(f.percpu_decls[0].qualifiers.is_static);
        assert!(f.functions.contains("work_fn") && f.functions.contains("main"));
        assert!(!f.functions.contains("foo"));
    }

    #[test]
    fn finds_function_like_macros_only() {
        let src = "#define ring_ready(r) ((r)->ready)\n# define  RING_SIZE 64\n#define RING_NEXT (x)\n\
                   #  define __ring_peek(r) \\\n\t((r)->head)\nstatic int ring_wait(struct ring *r);\n";
        let f = scan(src);
        let mut macros: Vec<&str> = f.macros.iter().map(String::as_str).collect();
        macros.sort_unstable();
        assert_eq!(macros, ["__ring_peek", "ring_ready"]);
        assert_eq!(
            defined_names(&f),
            ["__ring_peek", "ring_ready", "ring_wait"]
        );
    }

    #[test]
    fn changed_names_are_those_whose_meaning_differs() {
        let a = file_context("void f(void);\nenum e { E1 };\nint g(int x) { return x; }\n");
        let b = file_context("void f(void);\nenum e { E2 };\nint h(int x) { return x; }\n");
        assert_eq!(a.changed_names(&b), vec!["E1", "E2", "g", "h"]);
        assert!(a.changed_names(&a).is_empty());
    }
}
