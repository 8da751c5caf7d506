//! mb-atomic-non-rmw: `smp_mb__before_atomic()` / `smp_mb__after_atomic()` next to something
//! that is not an unordered RMW atomic, where it is either no barrier at all or redundant.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{delete_statement, overlaps, rename_call};
use crate::rules::neighbours::{next_op, prev_op};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{AtomicOrdering, Event, EventKind, FenceKind, Rmw};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "mb-atomic-non-rmw",
    page: include_str!("../../../../rules/mb-atomic-non-rmw.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["smp_mb__before_atomic", "smp_mb__after_atomic"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// The atomic families whose `_set` has a `_set_release` twin.
const SET_APIS: &[&str] = &["atomic_set", "atomic64_set", "atomic_long_set"];

/// What the barrier sits next to.
enum Neighbour {
    /// `atomic_set()` right after `smp_mb__before_atomic()`: a release store was meant.
    AtomicSet(String),
    /// A store, an atomic read or a non-atomic bit op: the barrier does not apply to it and
    /// is only a compiler barrier on x86.
    NotRmw(String),
    /// A value-returning RMW that is already fully ordered: the barrier is redundant.
    FullyOrdered(String),
}

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Fence(fence) = &event.kind else {
                continue;
            };
            let before = match fence.kind {
                FenceKind::BeforeAtomic => true,
                FenceKind::AfterAtomic => false,
                _ => continue,
            };
            if !fence.api.ends_with("_atomic") {
                continue; // the removed *_clear_bit spellings are deprecated-barrier-api's
            }
            let op = if before {
                next_op(f, id)
            } else {
                prev_op(f, id)
            };
            let Some((_, op_event)) = op else {
                continue;
            };
            let Some(neighbour) = classify(op_event, before) else {
                continue;
            };
            let api = fence.api.as_str();
            let side = if before { "before" } else { "after" };
            let op_span = op_event.span;
            let (message, help, fix) = match &neighbour {
                Neighbour::AtomicSet(set) => {
                    let release = format!("{set}_release");
                    let edits: Vec<_> = [
                        // Not when the barrier's statement holds the store too.
                        delete_statement(ctx, event.stmt)
                            .filter(|d| !overlaps(d.location.span, op_span)),
                        rename_call(ctx, op_span, &release),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    (
                        format!("{api}() before {set}() is not defined to order anything: it only upgrades read-modify-write atomics, and {set}() is a plain store"),
                        format!("use `{release}()` when earlier accesses must be visible before the store, or `smp_mb()` when later loads must be ordered too"),
                        Fix::unsafe_edits(format!("use {release}()"), edits),
                    )
                }
                Neighbour::NotRmw(what) => (
                    format!("{api}() {side} {what} gives no ordering: it only upgrades read-modify-write atomics, and is just a compiler barrier on x86"),
                    format!("use `smp_mb()` to order {what}"),
                    Fix::safe(
                        "use smp_mb()",
                        rename_call(ctx, event.span, "smp_mb").into_iter().collect(),
                    ),
                ),
                Neighbour::FullyOrdered(rmw) => (
                    format!("{api}() {side} {rmw}() is redundant: value-returning atomics are already fully ordered"),
                    "remove the barrier".to_owned(),
                    Fix::unsafe_edits("remove the redundant barrier", delete_statement(ctx, event.stmt).into_iter().collect()),
                ),
            };
            let fix = (!fix.edits.is_empty()).then_some(fix);
            let note = match &neighbour {
                Neighbour::AtomicSet(_) | Neighbour::NotRmw(_) => {
                    "this is not a read-modify-write atomic"
                }
                Neighbour::FullyOrdered(_) => "this is already fully ordered",
            };
            out.warn(event.span, message)
                .help(help)
                .related(ctx.location(op_span), note)
                .fix(fix);
        }
    }
}

fn classify(e: &Event, before: bool) -> Option<Neighbour> {
    match &e.kind {
        EventKind::Store(a) => {
            let api = a.api.as_deref();
            match api {
                Some(set) if before && SET_APIS.contains(&set) => {
                    Some(Neighbour::AtomicSet(set.to_owned()))
                }
                Some(name) => Some(Neighbour::NotRmw(format!("{name}()"))),
                None => Some(Neighbour::NotRmw(format!(
                    "the plain store to `{}`",
                    a.target.text
                ))),
            }
        }
        EventKind::Load(a) => a
            .api
            .as_deref()
            .map(|name| Neighbour::NotRmw(format!("{name}()"))),
        EventKind::Rmw(r) if is_non_atomic(r) => {
            Some(Neighbour::NotRmw(format!("the non-atomic {}()", r.api)))
        }
        EventKind::Rmw(r) if is_unconditionally_fully_ordered(r) => {
            Some(Neighbour::FullyOrdered(r.api.clone()))
        }
        _ => None,
    }
}

/// `__set_bit()`, `__clear_bit()`, …: non-atomic bit operations.
fn is_non_atomic(r: &Rmw) -> bool {
    r.api.starts_with("__") && !r.api.contains("atomic") && !r.api.ends_with("_unlock")
}

/// A value-returning, unsuffixed, unconditional RMW: fully ordered whatever happens.
/// Conditional ones (cmpxchg, `_unless`, `_not_zero`) are unordered when they fail.
fn is_unconditionally_fully_ordered(r: &Rmw) -> bool {
    const CONDITIONAL: &[&str] = &[
        "cmpxchg",
        "unless",
        "not_zero",
        "if_positive",
        "if_one",
        "not_one",
    ];
    r.returns_value
        && r.ordering == AtomicOrdering::SeqCst
        && !CONDITIONAL.iter().any(|c| r.api.contains(c))
}
