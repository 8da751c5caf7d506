//! Shared fix builders: the edits several rules need (mark a store release, a load acquire,
//! delete a statement), written once.

use crate::contract::RuleContext;
use crate::pairing::Site;
use ordlint_diagnostics::{Edit, Span};

/// The address of an lvalue as C code: `w->flag` → `&w->flag`, `*p` → `p`.
pub fn address_of(lvalue: &str) -> String {
    let t = lvalue.trim();
    if let Some(inner) = t.strip_prefix('*') {
        let inner = inner.trim();
        if inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || (inner.starts_with('(') && inner.ends_with(')'))
        {
            return inner.to_owned();
        }
        return format!("({inner})");
    }
    if t.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || c == '_'
            || c == '-'
            || c == '>'
            || c == '.'
            || c == '['
            || c == ']'
    }) {
        format!("&{t}")
    } else {
        format!("&({t})")
    }
}

/// `smp_store_release(&target, value)`.
pub fn store_release(target: &str, value: &str) -> String {
    format!(
        "smp_store_release({}, {})",
        address_of(target),
        value.trim()
    )
}

/// `smp_load_acquire(&target)`.
pub fn load_acquire(target: &str) -> String {
    format!("smp_load_acquire({})", address_of(target))
}

/// Replace `span` of the current file with `text`.
pub fn replace(ctx: &RuleContext<'_>, span: Span, text: impl Into<String>) -> Edit {
    Edit {
        location: ctx.location(span),
        replacement: text.into(),
    }
}

/// Replace a partner site's access expression (possibly in another file).
pub fn replace_site(site: &Site, text: impl Into<String>) -> Edit {
    Edit {
        location: site.location.clone(),
        replacement: text.into(),
    }
}

/// Delete the statement `stmt`; when it is alone on its line, delete the whole line
/// (indentation and line break included) so no blank line is left behind. `None` when `stmt`
/// is empty: the event's statement is unknown (inside a parse error), and deleting nothing
/// would be a fix that never takes effect.
pub fn delete_statement(ctx: &RuleContext<'_>, stmt: Span) -> Option<Edit> {
    if stmt.is_empty() {
        return None;
    }
    let src = ctx.source.as_bytes();
    let line_start = ctx
        .source
        .get(..stmt.start)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before_blank = src
        .get(line_start..stmt.start)
        .is_some_and(|b| b.iter().all(|c| *c == b' ' || *c == b'\t'));
    let line_end = ctx
        .source
        .get(stmt.end..)
        .and_then(|s| s.find('\n'))
        .map(|i| stmt.end + i);
    let after_blank = line_end
        .and_then(|end| src.get(stmt.end..end))
        .is_some_and(|b| b.iter().all(|c| matches!(*c, b' ' | b'\t' | b'\r')));
    let span = match line_end {
        Some(end) if before_blank && after_blank => Span::new(line_start, end + 1),
        _ => stmt,
    };
    Some(Edit {
        location: ctx.location(span),
        replacement: String::new(),
    })
}

/// True when two edit ranges cannot both be applied: they share a byte, or one is an
/// insertion point strictly inside the other. (A statement can hold more than the event it
/// was found for, e.g. `barrier(), p->ready = 1;` in broken or unusual code.)
pub fn overlaps(a: Span, b: Span) -> bool {
    let inside = |point: Span, range: Span| {
        point.is_empty() && range.start < point.start && point.start < range.end
    };
    a.start.max(b.start) < a.end.min(b.end) || inside(a, b) || inside(b, a)
}

/// True when `edit` can be applied together with every edit of `others` in the same file.
pub fn disjoint(edit: &Edit, others: &[Edit]) -> bool {
    others.iter().all(|o| {
        o.location.path != edit.location.path || !overlaps(o.location.span, edit.location.span)
    })
}

/// The span of the called name at the start of the call expression `call` (`clear_bit` in
/// `clear_bit(LOCK, &w->flags)`); `None` when the text does not start with an identifier
/// followed by `(`.
pub fn callee_span(ctx: &RuleContext<'_>, call: Span) -> Option<Span> {
    let text = ctx.text(call);
    let name_len = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let rest = text.get(name_len..)?.trim_start();
    (name_len > 0 && rest.starts_with('(')).then(|| Span::new(call.start, call.start + name_len))
}

/// Rename the function called by the call expression `call` (`clear_bit(…)` →
/// `clear_bit_unlock(…)`), keeping its arguments; `None` when `call` is not a plain call.
pub fn rename_call(ctx: &RuleContext<'_>, call: Span, new_name: &str) -> Option<Edit> {
    callee_span(ctx, call).map(|name| replace(ctx, name, new_name))
}

/// Insert the statement `text` on a new line after the statement `stmt`, with the same
/// indentation; `None` when `stmt` does not start its own line, or is empty (unknown: the
/// insertion would land at the top of the file).
pub fn insert_after_statement(ctx: &RuleContext<'_>, stmt: Span, text: &str) -> Option<Edit> {
    if stmt.is_empty() {
        return None;
    }
    let line_start = ctx
        .source
        .get(..stmt.start)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = ctx.source.get(line_start..stmt.start)?;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    Some(replace(
        ctx,
        Span::new(stmt.end, stmt.end),
        format!("\n{indent}{text}"),
    ))
}

/// The byte spans (trimmed) of the top-level arguments of the call that `call` ends with:
/// for `self.head.store(v, Ordering::Relaxed)` the spans of `v` and `Ordering::Relaxed`.
/// Empty when the span does not end with a balanced argument list.
pub fn call_args(ctx: &RuleContext<'_>, call: Span) -> Vec<Span> {
    let text = ctx.text(call);
    let bytes = text.as_bytes();
    if bytes.last() != Some(&b')') {
        return Vec::new();
    }
    let mut depth = 0usize;
    let mut open = None;
    for (i, b) in bytes.iter().enumerate().rev() {
        match b {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(open) = open else {
        return Vec::new();
    };
    let inner_start = open + 1;
    let inner_end = bytes.len() - 1;
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = inner_start;
    let push = |from: usize, to: usize, args: &mut Vec<Span>| {
        let piece = text.get(from..to).unwrap_or("");
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let s = call.start + from + lead;
            args.push(Span::new(s, s + trimmed.len()));
        }
    };
    for i in inner_start..inner_end {
        match bytes.get(i) {
            Some(b'(' | b'[' | b'{') => depth += 1,
            Some(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            Some(b',') if depth == 0 => {
                push(start, i, &mut args);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(start, inner_end, &mut args);
    args
}

/// The `use` declarations of a Rust file that mention an atomic module, as text.
fn atomic_uses(source: &str) -> Vec<&str> {
    let mut uses = Vec::new();
    for (i, _) in source.match_indices("use ") {
        let before = source.get(..i).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        let prefix = before.get(line_start..).unwrap_or("").trim();
        if !(prefix.is_empty() || prefix.starts_with("pub")) {
            continue;
        }
        let rest = source.get(i..).unwrap_or("");
        let Some(end) = rest.find(';') else { continue };
        let decl = rest.get(..end).unwrap_or("");
        if decl.contains("atomic") {
            uses.push(decl);
        }
    }
    uses
}

fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let after = text.get(i + word.len()..).and_then(|s| s.chars().next());
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// How a Rust file can spell the atomic ordering `variant` (`Release`): bare when the variant
/// is imported, `Ordering::Release` when `Ordering` is, `atomic::Ordering::Release` when the
/// `atomic` module is, else the full `core::sync::atomic::Ordering::Release`.
pub fn rust_ordering_path(source: &str, variant: &str) -> String {
    let uses = atomic_uses(source);
    let glob_ordering = uses.iter().any(|u| u.contains("Ordering::*"));
    let variant_imported = uses
        .iter()
        .any(|u| u.contains("Ordering::") && has_word(u, variant));
    if glob_ordering || variant_imported {
        return variant.to_owned();
    }
    let ordering_imported = uses.iter().any(|u| {
        u.trim_end().ends_with("atomic::*")
            || u.match_indices("Ordering").any(|(i, _)| {
                let after = u.get(i + "Ordering".len()..).unwrap_or("");
                let prev = u.get(..i).and_then(|p| p.chars().next_back());
                !after.starts_with("::")
                    && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    && !prev.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
    });
    if ordering_imported {
        return format!("Ordering::{variant}");
    }
    if uses.iter().any(|u| u.trim_end().ends_with("atomic")) {
        return format!("atomic::Ordering::{variant}");
    }
    format!("core::sync::atomic::Ordering::{variant}")
}

/// `arg` (an ordering argument as written, e.g. `Ordering::Relaxed` or `Relaxed`) rewritten
/// to the ordering `variant` in the same path style; `None` when the argument is not a path
/// ending in an ordering variant (a constant, a variable), which a fix must not guess at.
pub fn rewrite_ordering_arg(source: &str, arg: &str, variant: &str) -> Option<String> {
    const VARIANTS: &[&str] = &["Relaxed", "Acquire", "Release", "AcqRel", "SeqCst"];
    let arg = arg.trim();
    let (prefix, last) = match arg.rsplit_once("::") {
        Some((p, l)) => (Some(p), l.trim()),
        None => (None, arg),
    };
    if !VARIANTS.contains(&last) {
        return None;
    }
    match prefix {
        Some(p) => Some(format!("{p}::{variant}")),
        None => Some(rust_ordering_path(source, variant)),
    }
}

/// How a Rust file can call `std::sync::atomic::fence`: `fence` when it is imported,
/// `atomic::fence` when the module is, else `core::sync::atomic::fence`.
pub fn rust_fence_path(source: &str) -> &'static str {
    let uses = atomic_uses(source);
    if uses
        .iter()
        .any(|u| has_word(u, "fence") || u.trim_end().ends_with("atomic::*"))
    {
        "fence"
    } else if uses.iter().any(|u| u.trim_end().ends_with("atomic")) {
        "atomic::fence"
    } else {
        "core::sync::atomic::fence"
    }
}

/// Replace the ordering argument at `arg` of the current file with `variant`, keeping the
/// path style; `None` when the argument is not a literal ordering path.
pub fn ordering_edit(ctx: &RuleContext<'_>, arg: Span, variant: &str) -> Option<Edit> {
    let text = rewrite_ordering_arg(ctx.source, ctx.text(arg), variant)?;
    Some(replace(ctx, arg, text))
}

/// Insert `text` as a statement of its own before the statement starting at `at`, on its own
/// line with the same indentation when `at` starts a line.
pub fn insert_statement_before(ctx: &RuleContext<'_>, at: usize, text: &str) -> Edit {
    let line_start = ctx
        .source
        .get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = ctx.source.get(line_start..at).unwrap_or("");
    let replacement = if indent.chars().all(|c| c == ' ' || c == '\t') {
        format!("{text}\n{indent}")
    } else {
        format!("{text} ")
    };
    replace(ctx, Span::new(at, at), replacement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_of_handles_fields_derefs_and_expressions() {
        assert_eq!(address_of("w->lock_acquired"), "&w->lock_acquired");
        assert_eq!(address_of("*p"), "p");
        assert_eq!(address_of("*(p + 1)"), "(p + 1)");
        assert_eq!(address_of("a.b[i]"), "&a.b[i]");
        assert_eq!(address_of("x ? a : b"), "&(x ? a : b)");
    }

    #[test]
    fn marked_accessors_are_spelt_like_the_kernel() {
        assert_eq!(
            store_release("w->done", "true"),
            "smp_store_release(&w->done, true)"
        );
        assert_eq!(load_acquire("w->done"), "smp_load_acquire(&w->done)");
    }

    #[test]
    fn rust_orderings_keep_the_path_style_of_the_file() {
        let bare = "use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};\n";
        assert_eq!(
            rewrite_ordering_arg(bare, "Relaxed", "Release").as_deref(),
            Some("Release")
        );
        let named = "use std::sync::atomic::{AtomicBool, Ordering};\n";
        assert_eq!(
            rewrite_ordering_arg(named, "Ordering::Relaxed", "Release").as_deref(),
            Some("Ordering::Release")
        );
        let only_relaxed = "use std::sync::atomic::Ordering::Relaxed;\n";
        assert_eq!(
            rewrite_ordering_arg(only_relaxed, "Relaxed", "Release").as_deref(),
            Some("core::sync::atomic::Ordering::Release")
        );
        assert_eq!(rewrite_ordering_arg(named, "ORD", "Release"), None);
        assert_eq!(rust_fence_path(named), "core::sync::atomic::fence");
        assert_eq!(
            rust_fence_path("use std::sync::atomic::{fence, Ordering};"),
            "fence"
        );
    }
}
