//! compiler-fence-publication: `compiler_fence` between data writes and a Relaxed flag store,
//! or between a Relaxed flag load and data reads, where another thread needs a CPU fence.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{call_args, replace, rewrite_ordering_arg, rust_fence_path};
use crate::rules::context::{mentions_same_cpu_context, runs_in_interrupt_context};
use crate::rules::publication::{
    is_relaxed, unordered_data_read_after, unordered_data_write_before,
};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Span, Tier};
use ordlint_ir::{AtomicOrdering, EventKind, Fence, FenceKind, Function, Sharing, Target};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "compiler-fence-publication",
    page: include_str!("../../../../rules/compiler-fence-publication.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::Rust,
    triggers: &["compiler_fence"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// Which side of a message pass the fence sits on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Data writes, the fence, a Relaxed flag store.
    Writer,
    /// A Relaxed flag load, the fence, data reads.
    Reader,
}

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        if runs_in_interrupt_context(f) || f.name.to_ascii_lowercase().contains("signal") {
            continue;
        }
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Fence(Fence {
                kind: FenceKind::Compiler,
                api,
            }) = &event.kind
            else {
                continue;
            };
            if api != "compiler_fence" || mentions_same_cpu_context(f, ctx.source, event.span.start)
            {
                continue;
            }
            if let Some((side, flag, other)) = classify(ctx, f, id) {
                report(ctx, out, f, id, side, flag, other);
            }
        }
    }
}

/// A Relaxed atomic access to a shared location at `id`, if that is what it is.
fn relaxed_flag(f: &Function, id: usize, store: bool) -> Option<&Target> {
    match &f.events.get(id)?.kind {
        EventKind::Store(a) if store && is_relaxed(a.mark) => Some(&a.target),
        EventKind::Rmw(r) if store && r.ordering == AtomicOrdering::Relaxed => Some(&r.target),
        EventKind::Load(a) if !store && is_relaxed(a.mark) => Some(&a.target),
        _ => None,
    }
    .filter(|t| t.sharing == Sharing::Shared)
}

/// The side, the flag access and the data access (write before or read after) of the
/// compiler fence at `id`.
fn classify<'f>(
    ctx: &RuleContext<'_>,
    f: &'f Function,
    id: usize,
) -> Option<(Side, &'f Target, usize)> {
    let next = f
        .after(id)
        .find(|(_, e)| !matches!(e.kind, EventKind::Comment(_)))
        .map(|(j, _)| j);
    if let Some(j) = next {
        if let Some(flag) = relaxed_flag(f, j, true) {
            if let Some(w) = unordered_data_write_before(ctx, f, id, flag.key.as_ref()) {
                return Some((Side::Writer, flag, w));
            }
        }
    }
    let prev = f
        .before(id)
        .find(|(_, e)| {
            !matches!(
                e.kind,
                EventKind::Comment(_) | EventKind::Call(_) | EventKind::Return
            )
        })
        .map(|(j, _)| j)?;
    let flag = relaxed_flag(f, prev, false)?;
    let r = unordered_data_read_after(ctx, f, id, flag.key.as_ref())?;
    Some((Side::Reader, flag, r))
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    side: Side,
    flag: &Target,
    other: usize,
) {
    let Some(event) = f.events.get(id) else {
        return;
    };
    let replacement = fence_call(ctx, event.span, side);
    let (message, note) = match side {
        Side::Writer => (
            format!("compiler_fence() only restrains the compiler: the relaxed store to `{}` can become visible before the writes above it on arm64, POWER and RISC-V", flag.text),
            "this write may become visible after the flag",
        ),
        Side::Reader => (
            format!("compiler_fence() only restrains the compiler: the reads below it can see data older than the relaxed load of `{}` on arm64, POWER and RISC-V", flag.text),
            "this read may see data older than the flag",
        ),
    };
    let help = format!("use `{replacement}`, which also orders the CPU");
    let fix = Fix::safe(
        format!("use `{replacement}`"),
        vec![replace(ctx, event.span, replacement.clone())],
    );
    let mut d = out.warn(event.span, message).help(help).fix(Some(fix));
    if let Some(e) = f.events.get(other) {
        d = d.related(ctx.location(e.span), note);
    }
    let _ = d;
}

/// The `fence(…)` call that replaces the compiler fence at `span`: the same path with
/// `compiler_fence` renamed, and an ordering at least as strong as the side needs.
fn fence_call(ctx: &RuleContext<'_>, span: Span, side: Side) -> String {
    let text = ctx.text(span);
    let head = text.split('(').next().unwrap_or("").trim();
    let path = match head.strip_suffix("compiler_fence") {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}fence"),
        _ => rust_fence_path(ctx.source).to_owned(),
    };
    let arg = call_args(ctx, span)
        .first()
        .map(|a| ctx.text(*a).trim().to_owned())
        .unwrap_or_default();
    let variant = arg.rsplit("::").next().unwrap_or("").trim();
    let needed = match (side, variant) {
        (_, "SeqCst" | "AcqRel") => None,
        (Side::Writer, "Release") | (Side::Reader, "Acquire") => None,
        (Side::Writer, _) => Some("Release"),
        (Side::Reader, _) => Some("Acquire"),
    };
    let ordering = match needed {
        None => arg,
        Some(v) => rewrite_ordering_arg(ctx.source, &arg, v)
            .unwrap_or_else(|| crate::fixes::rust_ordering_path(ctx.source, v)),
    };
    format!("{path}({ordering})")
}
