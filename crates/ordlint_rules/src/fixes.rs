//! Shared fix builders: the edits several rules need (mark a store release, a load acquire,
//! delete a statement), written once.

use crate::contract::RuleContext;
use crate::pairing::Site;
use ordlint_diagnostics::{Edit, Location, Span};

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
/// (indentation and line break included) so no blank line is left behind.
pub fn delete_statement(ctx: &RuleContext<'_>, stmt: Span) -> Edit {
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
    Edit {
        location: ctx.location(span),
        replacement: String::new(),
    }
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
/// indentation; `None` when `stmt` does not start its own line.
pub fn insert_after_statement(ctx: &RuleContext<'_>, stmt: Span, text: &str) -> Option<Edit> {
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

/// The location a diagnostic's partner note points at.
pub fn site_location(site: &Site) -> Location {
    site.location.clone()
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
}
