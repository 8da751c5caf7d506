//! deprecated-barrier-api: barrier and access APIs the kernel has removed
//! (`smp_mb__before_clear_bit`, `smp_read_barrier_depends`, `set_mb`, `ACCESS_ONCE`, …).

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{delete_statement, rename_call, replace};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Span, Tier};
use ordlint_ir::{Event, EventKind};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "deprecated-barrier-api",
    page: include_str!("../../../../rules/deprecated-barrier-api.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &[
        "mb__before_clear_bit",
        "mb__after_clear_bit",
        "read_barrier_depends",
        "set_mb",
        "ACCESS_ONCE",
        "smp_mb__before_atomic_",
        "smp_mb__after_atomic_",
        "smp_mb__before_spinlock",
        "lockless_dereference",
    ],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Sometimes,
    check,
};

/// What replaces a removed API.
enum Replacement {
    /// A 1:1 rename.
    Rename(&'static str),
    /// Nothing: the barrier is implied by `READ_ONCE()` since v4.15.
    Remove,
    /// A different construct at a different place; only described.
    Describe(&'static str),
}

/// Removed names and their replacements.
const REMOVED: &[(&str, Replacement)] = &[
    (
        "smp_mb__before_clear_bit",
        Replacement::Rename("smp_mb__before_atomic"),
    ),
    (
        "smp_mb__after_clear_bit",
        Replacement::Rename("smp_mb__after_atomic"),
    ),
    (
        "smp_mb__before_atomic_dec",
        Replacement::Rename("smp_mb__before_atomic"),
    ),
    (
        "smp_mb__before_atomic_inc",
        Replacement::Rename("smp_mb__before_atomic"),
    ),
    (
        "smp_mb__after_atomic_dec",
        Replacement::Rename("smp_mb__after_atomic"),
    ),
    (
        "smp_mb__after_atomic_inc",
        Replacement::Rename("smp_mb__after_atomic"),
    ),
    ("set_mb", Replacement::Rename("smp_store_mb")),
    ("lockless_dereference", Replacement::Rename("READ_ONCE")),
    ("smp_read_barrier_depends", Replacement::Remove),
    ("read_barrier_depends", Replacement::Remove),
    (
        "smp_mb__before_spinlock",
        Replacement::Describe("smp_mb__after_spinlock() right after taking the lock"),
    ),
];

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for event in &f.events {
            let (name, span) = match &event.kind {
                // `set_mb()` lowers to a store and a fence; report it once, at the fence.
                EventKind::Fence(fence) => (fence.api.as_str(), event.span),
                EventKind::Call(call) => (call.name.as_str(), event.span),
                EventKind::Load(a) | EventKind::Store(a)
                    if a.api.as_deref() == Some("ACCESS_ONCE") =>
                {
                    access_once(ctx, out, event);
                    continue;
                }
                _ => continue,
            };
            let Some((_, replacement)) = REMOVED.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            report(ctx, out, name, span, event.stmt, replacement);
        }
    }
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    name: &str,
    span: Span,
    stmt: Span,
    replacement: &Replacement,
) {
    match replacement {
        Replacement::Rename(new) => {
            let fix = rename_call(ctx, span, new)
                .map(|edit| Fix::safe(format!("use {new}()"), vec![edit]));
            out.warn(span, format!("`{name}()` was removed from the kernel; code using it no longer builds on current trees"))
                .help(format!("use `{new}()`, which does the same"))
                .fix(fix);
        }
        Replacement::Remove => {
            out.warn(span, format!("`{name}()` was removed from the kernel; READ_ONCE() and rcu_dereference() order dependent loads by themselves"))
                .help("remove the barrier and make sure the load that heads the dependency uses READ_ONCE() or rcu_dereference()")
                .fix(
                    delete_statement(ctx, stmt)
                        .map(|e| Fix::unsafe_edits(format!("remove {name}()"), vec![e])),
                );
        }
        Replacement::Describe(what) => {
            out.warn(span, format!("`{name}()` was removed from the kernel; the full barrier it gave now comes after the lock"))
                .help(format!("use {what}"));
        }
    }
}

/// `ACCESS_ONCE(x)` → `READ_ONCE(x)`; `ACCESS_ONCE(x) = v` → `WRITE_ONCE(x, v)`.
fn access_once(ctx: &RuleContext<'_>, out: &mut Report<'_>, event: &Event) {
    let (new_text, how, simple) = match &event.kind {
        EventKind::Store(a) => {
            let value = a.value.as_ref().map_or("", |v| v.text.trim());
            // Only a simple `ACCESS_ONCE(x) = v`, not `ACCESS_ONCE(x) += v`.
            let after_target = ctx.text(Span::new(a.target.span.end, event.span.end));
            let rest = after_target
                .trim_start()
                .strip_prefix(')')
                .unwrap_or("")
                .trim_start();
            let simple = rest.starts_with('=') && !rest.starts_with("==");
            (
                format!("WRITE_ONCE({}, {value})", a.target.text),
                "WRITE_ONCE()",
                simple,
            )
        }
        EventKind::Load(a) => (format!("READ_ONCE({})", a.target.text), "READ_ONCE()", true),
        _ => return,
    };
    let fix = (simple && ctx.text(event.span).starts_with("ACCESS_ONCE")).then(|| {
        Fix::safe(
            format!("use {how}"),
            vec![replace(ctx, event.span, new_text)],
        )
    });
    out.warn(
        event.span,
        "`ACCESS_ONCE()` was removed from the kernel; it does not work on non-scalar types",
    )
    .help(format!("use `{how}`"))
    .fix(fix);
}
