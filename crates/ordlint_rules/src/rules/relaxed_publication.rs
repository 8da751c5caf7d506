//! relaxed-publication: a Relaxed store, swap or compare-exchange that publishes data written
//! just before it (a freshly initialised node, a ready flag, a queue index).

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{call_args, ordering_edit};
use crate::rules::publication::{
    bound_local, compiler_fence_between, derefs_local, has_exclusive_self, is_relaxed, mentions,
    relaxed_is_justified, unordered_data_write_before,
};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{AtomicOrdering, EventKind, Function, Mark, RmwOp, Sharing, Target};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "relaxed-publication",
    page: include_str!("../../../../rules/relaxed-publication.md"),
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

/// Calls whose result is a pointer to a freshly allocated, initialised object.
const ALLOCATORS: &[&str] = &[
    "Box::into_raw",
    "Arc::into_raw",
    "Rc::into_raw",
    "Box::leak",
    "NonNull::from",
    "alloc",
    "alloc::alloc",
    "Box::into_non_null",
];

/// A Relaxed write that could publish something.
struct Publisher<'e> {
    target: &'e Target,
    /// What is written (the new value).
    value: &'e str,
    /// `store`, `swap`, `compare_exchange`, …
    api: &'e str,
    /// Index of the (success) ordering argument.
    ordering_arg: usize,
}

fn publisher(kind: &EventKind) -> Option<Publisher<'_>> {
    match kind {
        EventKind::Store(a) if is_relaxed(a.mark) => Some(Publisher {
            target: &a.target,
            value: a.value.as_ref().map_or("", |v| v.text.as_str()),
            api: a.api.as_deref().unwrap_or("store"),
            ordering_arg: 1,
        }),
        EventKind::Rmw(r) if r.ordering == AtomicOrdering::Relaxed => {
            let (value, ordering_arg) = match (r.op, r.api.as_str()) {
                (RmwOp::Exchange, "swap") => (r.args.first()?, 1),
                (
                    RmwOp::CompareExchange,
                    "compare_exchange" | "compare_exchange_weak" | "compare_and_swap",
                ) => (r.args.get(1)?, 2),
                _ => return None,
            };
            Some(Publisher {
                target: &r.target,
                value: value.text.as_str(),
                api: r.api.as_str(),
                ordering_arg,
            })
        }
        _ => None,
    }
}

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let Some(p) = publisher(&event.kind) else {
                continue;
            };
            if p.target.sharing != Sharing::Shared {
                continue;
            }
            if (has_exclusive_self(f) && p.target.base.as_deref() == Some("self"))
                || relaxed_is_justified(ctx, f, event.span.start)
            {
                continue;
            }
            let Some((published, what)) = published_write(ctx, f, id, &p) else {
                continue;
            };
            if compiler_fence_between(f, published, id) {
                continue;
            }
            report(ctx, out, f, id, &p, published, &what);
        }
    }
}

/// The write the Relaxed access at `id` publishes and how to name it: the initialisation of
/// a fresh node whose pointer is stored, or the nearest unordered data write before it.
fn published_write(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    p: &Publisher<'_>,
) -> Option<(usize, String)> {
    let value = p.value.trim();
    if value.chars().all(|c| c.is_alphanumeric() || c == '_') && !value.is_empty() {
        if let Some(alloc) = fresh_allocation(ctx, f, id, value) {
            // Writing into the fresh node itself is initialisation, not publication.
            if !derefs_local(&p.target.text, value) && !mentions(&p.target.text, value) {
                return Some((alloc, format!("the initialisation of `{value}`")));
            }
            return None;
        }
    }
    let key = p.target.key.as_ref();
    let w = unordered_data_write_before(ctx, f, id, key)?;
    let text = match f.events.get(w).map(|e| &e.kind) {
        Some(EventKind::Store(a)) => a.target.text.clone(),
        Some(EventKind::Call(c)) => c
            .receiver
            .as_ref()
            .map_or_else(|| c.name.clone(), |r| r.text.clone()),
        _ => return None,
    };
    // Writing through the pointer being stored is the fresh-node case handled above.
    if !value.is_empty() && mentions(&text, value) && !value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((w, format!("the write to `{text}`")))
}

/// The allocation event before `id` whose pointer the local `name` holds, with nothing
/// release-ordered in between.
fn fresh_allocation(ctx: &RuleContext<'_>, f: &Function, id: usize, name: &str) -> Option<usize> {
    for (j, e) in f.before(id) {
        match &e.kind {
            EventKind::Store(a) if a.mark.is_release_or_stronger() => return None,
            EventKind::Rmw(r) if Mark::Atomic(r.ordering).is_release_or_stronger() => return None,
            EventKind::Fence(fence) if fence.kind.orders_store_store() => return None,
            EventKind::Call(c)
                if ALLOCATORS.contains(&c.name.as_str())
                    && bound_local(ctx, f, j).as_deref() == Some(name) =>
            {
                return Some(j);
            }
            _ => {}
        }
    }
    None
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    p: &Publisher<'_>,
    published: usize,
    what: &str,
) {
    let Some(event) = f.events.get(id) else {
        return;
    };
    let target = &p.target.text;
    let access = if p.api == "store" {
        format!("relaxed store to `{target}`")
    } else {
        format!("relaxed `{}` on `{target}`", p.api)
    };
    let message = format!("{access} can become visible before {what} on arm64, POWER and RISC-V");
    let help = if p.api == "store" {
        format!("use `Ordering::Release` so that a thread reading `{target}` with `Acquire` also sees {what}")
    } else {
        format!("use `Ordering::Release` as the success ordering so that a thread reading `{target}` with `Acquire` also sees {what}")
    };
    let fix = call_args(ctx, event.span)
        .get(p.ordering_arg)
        .and_then(|arg| ordering_edit(ctx, *arg, "Release"))
        .map(|edit| Fix::safe("use `Release` ordering", vec![edit]));
    let note_span = f.events.get(published).map(|e| e.span);
    let mut d = out.warn(event.span, message).help(help).fix(fix);
    if let Some(span) = note_span {
        d = d.related(
            ctx.location(span),
            format!("{what} happens here, before the relaxed `{}`", p.api),
        );
    }
    let _ = d;
}
