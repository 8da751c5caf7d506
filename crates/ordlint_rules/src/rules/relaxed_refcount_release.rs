//! relaxed-refcount-release: `fetch_sub(1, Relaxed)` on a reference count followed by freeing
//! the object when the count reaches zero.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{
    call_args, insert_statement_before, ordering_edit, rust_fence_path, rust_ordering_path,
};
use crate::rules::publication::{bound_local, loads_ordered_between, mentions};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{AtomicOrdering, EventKind, Function, Rmw, ScopeKind, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "relaxed-refcount-release",
    page: include_str!("../../../../rules/relaxed-refcount-release.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::Rust,
    triggers: &["Relaxed"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// Path calls that free or drop the object (canonical names from the Rust frontend).
const FREE_CALLS: &[&str] = &[
    "Box::from_raw",
    "Arc::from_raw",
    "Rc::from_raw",
    "Arc::decrement_strong_count",
    "ptr::drop_in_place",
    "dealloc",
    "free",
    "kfree",
];

/// Method calls that free the object (`self.drop_slow()`, `alloc.deallocate(..)`).
const FREE_METHODS: &[&str] = &[
    "drop_slow",
    "dealloc",
    "deallocate",
    "free",
    "drop_in_place",
];

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Rmw(rmw) = &event.kind else {
                continue;
            };
            if rmw.api != "fetch_sub"
                || rmw.ordering != AtomicOrdering::Relaxed
                || rmw.target.sharing != Sharing::Shared
            {
                continue;
            }
            let Some(free) = free_after(ctx, f, id) else {
                continue;
            };
            if loads_ordered_between(f, id, free, None) {
                continue;
            }
            report(ctx, out, f, id, rmw, free);
        }
    }
}

/// The first free after the decrement at `id` that its result decides: the decrement sits
/// in a condition, or its result is bound to a local tested later.
fn free_after(ctx: &RuleContext<'_>, f: &Function, id: usize) -> Option<usize> {
    let gated = f.is_within(id, ScopeKind::Condition)
        || f.is_within(id, ScopeKind::LoopCondition)
        || bound_local(ctx, f, id).is_some_and(|name| {
            let end = f.events.get(id).map_or(0, |e| e.span.end);
            f.scopes.iter().any(|s| {
                s.kind == ScopeKind::Condition
                    && s.span.start >= end
                    && mentions(ctx.text(s.span), &name)
            })
        });
    if !gated {
        return None;
    }
    f.after(id)
        .find(|(_, e)| match &e.kind {
            EventKind::Call(c) if c.receiver.is_none() => FREE_CALLS.contains(&c.name.as_str()),
            EventKind::Call(c) => FREE_METHODS.contains(&c.name.as_str()),
            _ => false,
        })
        .map(|(j, _)| j)
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    rmw: &Rmw,
    free: usize,
) {
    let (Some(event), Some(free_event)) = (f.events.get(id), f.events.get(free)) else {
        return;
    };
    let target = &rmw.target.text;
    let message = format!(
        "relaxed `fetch_sub` on `{target}` lets another thread's last uses of the object race with the free below on arm64, POWER and RISC-V"
    );
    let fence = format!(
        "{}({});",
        rust_fence_path(ctx.source),
        rust_ordering_path(ctx.source, "Acquire")
    );
    let help = format!(
        "decrement with `Ordering::Release` and put `{fence}` before the free, as `Arc` does"
    );
    let ordering = call_args(ctx, event.span)
        .get(1)
        .and_then(|arg| ordering_edit(ctx, *arg, "Release"));
    let fix = ordering.and_then(|edit| {
        (free_event.stmt.start > event.span.end).then(|| {
            Fix::safe(
                "decrement with `Release` and fence with `Acquire` before freeing",
                vec![
                    edit,
                    insert_statement_before(ctx, free_event.stmt.start, &fence),
                ],
            )
        })
    });
    out.warn(event.span, message).help(help).fix(fix).related(
        ctx.location(free_event.span),
        "the object is freed here without an acquire fence",
    );
}
