//! barrier-publication: data writes, then `barrier()`, then a plain or `WRITE_ONCE` store to a
//! shared flag or pointer that another context reads.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{
    delete_statement, disjoint, load_acquire, replace, replace_site, store_release,
};
use crate::pairing::{fence_directly_before, owner_type, share_a_lock, type_name, Role, Site};
use crate::rules::context::{
    mentions_same_cpu_context, runs_in_interrupt_context, runs_only_on_tso, stores_data_before,
};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{Access, Event, EventKind, FenceKind, Function, LockKind, Mark, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "barrier-publication",
    page: include_str!("../../../../rules/barrier-publication.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["barrier()"],
    also_needs: &[],
    pairing: true,
    fires_on_partners: false,
    partner_names: false,
    // Its readers are those of locations published after barrier(), which always count.
    reader_shapes: Some(&[]),
    fix: FixAvailability::Always,
    check,
};

/// How many partner sites a diagnostic lists.
const MAX_RELATED: usize = 4;

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Store(store) = &event.kind else {
                continue;
            };
            if let Some(readers) = publication_readers(ctx, f, id, store) {
                report(ctx, out, f, id, event, store, &readers);
            }
        }
    }
}

/// When the store at `id` is a barrier() publication that must be reported, the reader sites
/// that pair with it (possibly none, for an obvious flag).
fn publication_readers<'a>(
    ctx: &'a RuleContext<'_>,
    f: &Function,
    id: usize,
    store: &Access,
) -> Option<Vec<&'a Site>> {
    if !matches!(store.mark, Mark::Plain | Mark::Once)
        || store.target.sharing != Sharing::Shared
        || runs_only_on_tso(ctx.path)
    {
        return None;
    }
    let key = store.target.key.as_ref()?;
    let (barrier_id, fence) = fence_directly_before(f, id)?;
    // barrier() or a project's helper for it: an asm memory clobber is arch code ordering
    // against this CPU, and barrier_data() keeps a buffer alive, it publishes nothing.
    if fence.kind != FenceKind::Compiler
        || matches!(fence.api.as_str(), "asm" | "barrier_data")
        || !stores_data_before(f, barrier_id)
    {
        return None;
    }
    let pinned = f.held_at(barrier_id).iter().any(|l| {
        matches!(
            l.kind,
            LockKind::IrqOff | LockKind::PreemptOff | LockKind::BhOff
        )
    });
    if pinned
        || runs_in_interrupt_context(f)
        || mentions_same_cpu_context(f, ctx.source, f.events.get(barrier_id)?.span.start)
    {
        return None;
    }
    let owner = owner_type(f, &store.target);
    if is_own_task_state(f, store, owner.as_deref()) || is_read_modify_write(ctx, f, id) {
        return None;
    }
    let readers: Vec<&Site> = ctx
        .index
        .partners(key, owner.as_deref(), ctx.path)
        .into_iter()
        .filter(|s| s.role == Role::Read && !(s.function == f.name && s.location.path == ctx.path))
        .collect();
    let writer_locks: Vec<String> = f
        .held_at(id)
        .iter()
        .filter(|l| l.kind.is_mutual_exclusion())
        .map(|l| l.identity())
        .collect();
    let under_same_lock = |r: &&Site| share_a_lock(&r.locks, &writer_locks);
    if !readers.is_empty() && readers.iter().all(under_same_lock) {
        return None;
    }
    if readers.is_empty() && !is_flag_value(store.value.as_ref().map_or("", |v| v.text.as_str())) {
        return None;
    }
    Some(readers)
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    event: &Event,
    store: &Access,
    readers: &[&Site],
) {
    let target = &store.target.text;
    let value = store.value.as_ref().map_or("", |v| v.text.as_str());
    let how = if store.mark == Mark::Once {
        " with WRITE_ONCE()"
    } else {
        ""
    };
    let message = format!(
        "store to `{target}`{how} after barrier() can become visible before the writes it publishes on arm64, POWER and RISC-V"
    );
    let help = format!(
        "barrier() only restrains the compiler; use `{}` here and `{}` where it is read",
        store_release(target, value),
        load_acquire(target)
    );
    let mut edits = vec![replace(ctx, event.span, store_release(target, value))];
    for r in readers
        .iter()
        .filter(|r| matches!(r.mark, Mark::Plain | Mark::Once) && !r.ordered)
    {
        let edit = replace_site(r, load_acquire(&r.target));
        if disjoint(&edit, &edits) {
            edits.push(edit);
        }
    }
    // The barrier's statement goes too, unless it holds the store or a reader
    // (`barrier(), p->ready = 1;`): then the barrier stays, redundant but harmless.
    let barrier = fence_directly_before(f, id).and_then(|(b, _)| f.events.get(b));
    if let Some(delete) = barrier.and_then(|b| delete_statement(ctx, b.stmt)) {
        if disjoint(&delete, &edits) {
            edits.push(delete);
        }
    }
    // Dropping the barrier (and editing readers, maybe in other files) deserves a human look.
    let fix = Fix::unsafe_edits(
        "use smp_store_release() here and smp_load_acquire() at the readers",
        edits,
    );
    let mut d = out.warn(event.span, message).help(help).fix(Some(fix));
    for r in readers.iter().take(MAX_RELATED) {
        d = d.related(r.location.clone(), reader_note(r));
    }
}

fn reader_note(r: &Site) -> String {
    let place = if r.polled { "polled" } else { "read" };
    if r.mark.is_acquire_or_stronger() {
        format!(
            "`{}` is {place} here with acquire, which needs a release store to pair with",
            r.target
        )
    } else if r.ordered {
        format!("`{}` is {place} here and ordered by a read barrier, which needs a write barrier or release to pair with", r.target)
    } else {
        format!(
            "`{}` is {place} here without acquire: use `{}`",
            r.target,
            load_acquire(&r.target)
        )
    }
}

/// A field of the running task (`current->…`, or any `struct task_struct` field, also nested
/// as in `t->rcu_read_unlock_special.b.blocked`): barrier() there orders against interrupts
/// and preemption of that same task, not another CPU.
fn is_own_task_state(f: &Function, store: &Access, owner: Option<&str>) -> bool {
    let base = store
        .target
        .base
        .as_deref()
        .unwrap_or("")
        .trim_start_matches(['&', '(', '*']);
    let root = base
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let root_is_task = f
        .type_of(root)
        .and_then(type_name)
        .is_some_and(|t| t == "task_struct");
    root == "current" || owner == Some("task_struct") || root_is_task
}

/// `x += n`, `x |= m`, `x++`: a counter or mask update, not the publication of a flag.
fn is_read_modify_write(ctx: &RuleContext<'_>, f: &Function, id: usize) -> bool {
    let Some(e) = f.events.get(id) else {
        return false;
    };
    let text = ctx.text(e.span);
    text.contains("++")
        || text.contains("--")
        || ["+=", "-=", "|=", "&=", "^=", "<<=", ">>="]
            .iter()
            .any(|op| text.contains(op))
}

/// Values that make a store look like a flag even when no reader is in the run.
fn is_flag_value(value: &str) -> bool {
    matches!(value.trim(), "true" | "false" | "1" | "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_values_are_booleans_and_zero_one() {
        assert!(is_flag_value(" true"));
        assert!(is_flag_value("1"));
        assert!(!is_flag_value("node"));
    }
}
