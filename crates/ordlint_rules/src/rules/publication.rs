//! Facts about publication shared by the ordering rules of both languages: which events write
//! or read the data a flag, index or pointer publishes, whether they come "just before" or
//! "right after" an access with nothing ordering them, what local a loaded value is bound to,
//! and whether that local is dereferenced.
//!
//! In C any store to a shared location is data. In Rust, memory another thread may write
//! while a reference to it is shared lives behind `UnsafeCell` or a raw pointer, so data
//! accesses are those through a dereference (`*p`, `(*node).value`, `*self.slot.get()`),
//! `ptr::read`/`ptr::write`, or `MaybeUninit`-style `write`/`assume_init_read` calls; a plain
//! `self.cap` read is an immutable field, never published data.

use crate::contract::RuleContext;
use ordlint_ir::{
    AtomicOrdering, EventKind, FenceKind, Function, Language, LocationKey, Mark, ScopeKind, Sharing,
};

/// Method calls that write a value into a slot (`MaybeUninit::write`, `ptr.write(v)`).
const WRITE_METHODS: &[&str] = &["write", "write_unaligned", "copy_from_nonoverlapping"];

/// Method calls that read a slot's value (`assume_init_read`, `ptr.read()`).
const READ_METHODS: &[&str] = &[
    "read",
    "read_unaligned",
    "assume_init_read",
    "assume_init_ref",
    "assume_init",
];

/// True when the access is Relaxed (a Rust atomic with `Ordering::Relaxed`, or a kernel
/// `atomic_read`/`atomic_set`).
pub(crate) fn is_relaxed(mark: Mark) -> bool {
    mark == Mark::Atomic(AtomicOrdering::Relaxed)
}

/// True when `text` names the target of a Rust data access through a raw pointer or a cell:
/// `*p`, `(*node).value`, `*self.slot.get()`, `&(*head).value`, `buf.as_ptr()`. A deref of a
/// field (`*this.amt`) is left out: it is usually a `&mut` projection, owned by this thread.
fn rust_through_pointer(text: &str) -> bool {
    let t = text
        .trim_start_matches(['&', ' '])
        .trim_start_matches("mut ")
        .trim();
    let simple_deref = t
        .strip_prefix('*')
        .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_alphanumeric() || c == '_'));
    simple_deref || t.contains("(*") || t.contains(".get()") || t.contains(".as_ptr()")
}

/// True when a comment within a few lines before `at` explains why Relaxed is enough (the
/// author has reasoned about this access; a lint repeating the question is noise).
pub(crate) fn relaxed_is_justified(ctx: &RuleContext<'_>, f: &Function, at: usize) -> bool {
    f.comments_near(at, ctx.source, 12).any(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("relaxed") || c.contains("happens-before") || c.contains("happens before")
    })
}

/// True when event `id` writes data that a later flag store can publish: a store to a shared
/// location other than `flag` (in Rust: through a pointer or cell), or (Rust) a slot `write`.
pub(crate) fn is_data_write(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    flag: Option<&LocationKey>,
) -> bool {
    let Some(e) = f.events.get(id) else {
        return false;
    };
    match &e.kind {
        EventKind::Store(a) => {
            if a.target.sharing != Sharing::Shared
                || (flag.is_some() && a.target.key.as_ref() == flag)
            {
                return false;
            }
            match ctx.language {
                Language::C => !matches!(a.mark, Mark::Atomic(_)),
                Language::Rust => {
                    matches!(a.mark, Mark::Plain | Mark::Volatile)
                        && (a.api.is_some() || rust_through_pointer(&a.target.text))
                }
            }
        }
        EventKind::Call(c) => {
            ctx.language == Language::Rust
                && c.receiver
                    .as_ref()
                    .is_some_and(|r| rust_through_pointer(&r.text))
                && WRITE_METHODS.contains(&c.name.as_str())
                && !c.args.is_empty()
        }
        _ => false,
    }
}

/// True when event `id` reads data that a flag, index or pointer load can gate: a plain load
/// of a shared location other than `flag` (in Rust: through a pointer or cell), or (Rust) a
/// slot `read`.
pub(crate) fn is_data_read(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    flag: Option<&LocationKey>,
) -> bool {
    let Some(e) = f.events.get(id) else {
        return false;
    };
    match &e.kind {
        EventKind::Load(a) => {
            if a.target.sharing != Sharing::Shared
                || (flag.is_some() && a.target.key.as_ref() == flag)
            {
                return false;
            }
            match ctx.language {
                Language::C => matches!(a.mark, Mark::Plain | Mark::Once),
                Language::Rust => {
                    matches!(a.mark, Mark::Plain | Mark::Volatile)
                        && (a.api.is_some() || rust_through_pointer(&a.target.text))
                }
            }
        }
        EventKind::Call(c) => {
            ctx.language == Language::Rust
                && c.receiver
                    .as_ref()
                    .is_some_and(|r| rust_through_pointer(&r.text))
                && READ_METHODS.contains(&c.name.as_str())
                && c.args.is_empty()
        }
        _ => false,
    }
}

/// True when event `id` orders earlier stores before later ones: a store-ordering fence, or a
/// release-or-stronger store or RMW (which publishes what came before it by itself).
fn orders_stores(f: &Function, id: usize) -> bool {
    match f.events.get(id).map(|e| &e.kind) {
        Some(EventKind::Fence(fence)) => fence.kind.orders_store_store(),
        Some(EventKind::Store(a)) => a.mark.is_release_or_stronger(),
        Some(EventKind::Rmw(r)) => Mark::Atomic(r.ordering).is_release_or_stronger(),
        _ => false,
    }
}

/// True when event `id` orders the load before it against later loads: a load-ordering fence,
/// or an acquire-or-stronger load or RMW of `key` (which confirms the value seen).
fn orders_loads(f: &Function, id: usize, key: Option<&LocationKey>) -> bool {
    match f.events.get(id).map(|e| &e.kind) {
        Some(EventKind::Fence(fence)) => fence.kind.orders_load_load(),
        Some(EventKind::Load(a)) => {
            a.mark.is_acquire_or_stronger() && (key.is_none() || a.target.key.as_ref() == key)
        }
        Some(EventKind::Rmw(r)) => {
            Mark::Atomic(r.ordering).is_acquire_or_stronger()
                && (key.is_none() || r.target.key.as_ref() == key)
        }
        _ => false,
    }
}

/// The innermost closure scope around event `id` (closures run elsewhere, maybe on another
/// thread: events in different closures are not "just before" each other).
fn closure_of(f: &Function, id: usize) -> Option<u32> {
    let e = f.events.get(id)?;
    let mut next = Some(e.scope);
    while let Some(s) = next {
        let scope = f.scopes.get(s as usize)?;
        if scope.kind == ScopeKind::Closure {
            return Some(s);
        }
        next = scope.parent;
    }
    None
}

/// The nearest data write before event `id` that nothing orders before it: walking back,
/// stop at a store-ordering fence or a release store (the data is already published).
pub(crate) fn unordered_data_write_before(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    flag: Option<&LocationKey>,
) -> Option<usize> {
    let closure = closure_of(f, id);
    for (j, _) in f.before(id) {
        if closure_of(f, j) != closure {
            continue;
        }
        if orders_stores(f, j) {
            return None;
        }
        if is_data_write(ctx, f, j, flag) {
            return Some(j);
        }
    }
    None
}

/// The nearest data read after event `id` that nothing orders after it: walking forward,
/// stop at a load-ordering fence or an acquire access (of `flag` confirming the value, or of
/// another location whose release publishes the data).
pub(crate) fn unordered_data_read_after(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    flag: Option<&LocationKey>,
) -> Option<usize> {
    let closure = closure_of(f, id);
    for (j, _) in f.after(id) {
        if closure_of(f, j) != closure {
            continue;
        }
        if orders_loads(f, j, None) {
            return None;
        }
        if is_data_read(ctx, f, j, flag) {
            return Some(j);
        }
    }
    None
}

/// The fence or acquire access of `key` between events `from` and `to` (exclusive) that
/// orders a load at `from` before what follows, if any.
pub(crate) fn loads_ordered_between(
    f: &Function,
    from: usize,
    to: usize,
    key: Option<&LocationKey>,
) -> bool {
    (from + 1..to).any(|j| orders_loads(f, j, key))
}

/// True when the function holds `self` exclusively (`&mut self` or `self` by value), so no
/// other thread can look at `self`'s fields while it runs.
pub(crate) fn has_exclusive_self(f: &Function) -> bool {
    f.params
        .iter()
        .any(|(n, t)| n == "self" && (t.contains("&mut") || !t.contains('&')))
}

/// The local a Rust `let` binds the value of event `id` to (`let head = self.head.load(..)`,
/// also through `unsafe { … }` and parentheses); `None` when the value is used otherwise.
pub(crate) fn bound_local(ctx: &RuleContext<'_>, f: &Function, id: usize) -> Option<String> {
    let e = f.events.get(id)?;
    let before = ctx.source.get(f.span.start..e.span.start)?;
    // Peel what may stand between `=` and the expression.
    let mut rest = before.trim_end();
    loop {
        let t = rest.trim_end();
        if let Some(p) = t.strip_suffix('{').map(str::trim_end) {
            if let Some(p) = p.strip_suffix("unsafe") {
                rest = p;
                continue;
            }
            return None;
        }
        if let Some(p) = t.strip_suffix('(') {
            rest = p;
            continue;
        }
        rest = t;
        break;
    }
    let rest = rest.strip_suffix('=')?;
    if rest.ends_with(['=', '!', '<', '>', '+', '-', '*', '/', '|', '&', '^', '%']) {
        return None;
    }
    let rest = rest.trim_end();
    // Optional type annotation.
    let decl = match rest.rfind("let ") {
        Some(i) => rest.get(i + 4..)?,
        None => return None,
    };
    let decl = decl.split(':').next()?.trim();
    let name = decl.strip_prefix("mut ").unwrap_or(decl).trim();
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        Some(name.to_owned())
    } else {
        None
    }
}

/// True when a `compiler_fence` sits between events `from` and `to`: that pair is
/// compiler-fence-publication's finding, not a bare Relaxed one.
pub(crate) fn compiler_fence_between(f: &Function, from: usize, to: usize) -> bool {
    let (a, b) = if from < to { (from, to) } else { (to, from) };
    f.events
        .iter()
        .take(b)
        .skip(a + 1)
        .any(|e| matches!(&e.kind, EventKind::Fence(fence) if fence.kind == FenceKind::Compiler))
}

/// True when `text` contains `word` as a whole identifier.
pub(crate) fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let after = text.get(i + word.len()..).and_then(|s| s.chars().next());
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// True when `text` dereferences the pointer held by local `name`: `*name`, `(*name).f`,
/// `&*name`, `name.as_ref()`, `name.as_mut()`, `name.read()`, `ptr::read(name)`.
pub(crate) fn derefs_local(text: &str, name: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let star = format!("*{name}");
    compact.match_indices(&star).any(|(i, _)| {
        let after = compact.get(i + star.len()..).and_then(|s| s.chars().next());
        let before = compact.get(..i).and_then(|s| s.chars().next_back());
        // `a * name` is a product, `*name` after `(`, `&`, `{`, `=`, `;`, `,` is a deref.
        !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && before.is_none_or(|c| matches!(c, '(' | '&' | '{' | '=' | ';' | ',' | '!'))
    }) || [".as_ref()", ".as_mut()", ".read()", ".read_volatile()"]
        .iter()
        .any(|m| compact.contains(&format!("{name}{m}")))
        || compact.contains(&format!("ptr::read({name})"))
}

/// The first non-atomic access or call after `id` (in the same closure) that dereferences the
/// local `name`, or `None`; the search stops where `name` is assigned again.
pub(crate) fn first_deref_after(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    name: &str,
) -> Option<usize> {
    let closure = closure_of(f, id);
    let reassigned = format!("{name}=");
    for (j, e) in f.after(id) {
        if closure_of(f, j) != closure || matches!(e.kind, EventKind::Comment(_)) {
            continue;
        }
        let text = ctx.text(e.span);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.starts_with(&reassigned) && !compact.starts_with(&format!("{name}==")) {
            return None;
        }
        // Atomic accesses through the pointer read coherently without acquire; what needs
        // ordering is the plain data behind it.
        let deref = match &e.kind {
            EventKind::Load(a) | EventKind::Store(a) => {
                !matches!(a.mark, Mark::Atomic(_)) && derefs_local(&a.target.text, name)
            }
            EventKind::Call(c) => {
                c.receiver.as_ref().is_some_and(|r| {
                    r.text.trim() == name && matches!(c.name.as_str(), "as_ref" | "as_mut" | "read")
                }) || c.args.iter().any(|a| derefs_local(&a.text, name))
            }
            _ => false,
        };
        if deref {
            return Some(j);
        }
    }
    None
}

/// The byte range of code whose execution the condition scope `cond` decides: the branches
/// of an `if`/`match` (and, when one of them leaves with `return`, `break` or `continue`,
/// the rest of the enclosing scope), or what follows a `while` loop.
pub(crate) fn gated_range(
    ctx: &RuleContext<'_>,
    f: &Function,
    cond: usize,
) -> Option<(usize, usize)> {
    let c = f.scopes.get(cond)?;
    let parent = f.scopes.get(c.parent? as usize)?;
    if c.kind == ScopeKind::LoopCondition {
        // The loop ends when the condition lets it: what follows the loop is gated.
        let after_loop = parent.span.end;
        let outer = parent.parent.and_then(|p| f.scopes.get(p as usize))?;
        return Some((after_loop, outer.span.end));
    }
    let branches: Vec<_> = f
        .scopes
        .iter()
        .filter(|s| {
            s.kind == ScopeKind::Branch
                && s.parent == c.parent
                && s.span.start >= c.span.end
                && ctx
                    .source
                    .get(c.span.end..s.span.start)
                    .is_some_and(|between| between.len() < 2000)
        })
        .collect();
    let first = branches.first()?;
    // Branches of this condition: up to the next condition opened in the same scope.
    let next_cond = f
        .scopes
        .iter()
        .filter(|s| {
            matches!(s.kind, ScopeKind::Condition | ScopeKind::LoopCondition)
                && s.parent == c.parent
                && s.span.start >= c.span.end
        })
        .map(|s| s.span.start)
        .min()
        .unwrap_or(usize::MAX);
    let end = branches
        .iter()
        .filter(|b| b.span.start < next_cond)
        .map(|b| b.span.end)
        .max()
        .unwrap_or(first.span.end);
    let diverges = ctx
        .source
        .get(first.span.start..end)
        .is_some_and(|t| mentions(t, "return") || mentions(t, "continue") || mentions(t, "break"));
    Some((c.span.end, if diverges { parent.span.end } else { end }))
}

/// The innermost condition scope containing event `id`.
pub(crate) fn condition_of(f: &Function, id: usize) -> Option<usize> {
    let e = f.events.get(id)?;
    let mut next = Some(e.scope);
    while let Some(s) = next {
        let scope = f.scopes.get(s as usize)?;
        if matches!(scope.kind, ScopeKind::Condition | ScopeKind::LoopCondition) {
            return Some(s as usize);
        }
        if scope.kind == ScopeKind::Closure {
            return None;
        }
        next = scope.parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derefs_are_told_from_products() {
        assert!(derefs_local("(*head).next", "head"));
        assert!(derefs_local("&*node", "node"));
        assert!(derefs_local("unsafe { &*node }", "node"));
        assert!(derefs_local("node.as_ref()", "node"));
        assert!(!derefs_local("a * node", "nodes"));
        assert!(!derefs_local("len * node", "node"));
        assert!(!derefs_local("*nodes", "node"));
    }

    #[test]
    fn words_are_whole_identifiers() {
        assert!(mentions("if head == tail", "tail"));
        assert!(!mentions("tails", "tail"));
    }
}
