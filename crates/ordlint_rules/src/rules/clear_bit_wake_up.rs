//! clear-bit-wake-up: `clear_bit()` then `wake_up_bit()` on the same bit with no
//! `smp_mb__after_atomic()` between, so the waker can miss a sleeper.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{delete_statement, insert_after_statement, overlaps, replace};
use crate::rules::neighbours::{adjacent, full_barrier_between};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{EventKind, Function, Rmw, RmwOp};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "clear-bit-wake-up",
    page: include_str!("../../../../rules/clear-bit-wake-up.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["wake_up_bit"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Wake(wake) = &event.kind else {
                continue;
            };
            if wake.api != "wake_up_bit" {
                continue;
            }
            let (Some(word), Some(bit)) = (wake.object.as_ref(), wake.args.first()) else {
                continue;
            };
            let word_lvalue = word.text.trim().trim_start_matches('&').trim();
            let Some((clear_id, clear)) = clearing_of(f, id, word_lvalue, bit.text.trim()) else {
                continue;
            };
            if full_barrier_between(f, clear_id, id) {
                continue;
            }
            let Some(clear_event) = f.events.get(clear_id) else {
                continue;
            };
            let message = format!(
                "wake_up_bit() after {}() of `{}` without smp_mb__after_atomic() can miss a waiter that is just going to sleep",
                clear.api,
                bit.text.trim()
            );
            let fused = format!(
                "clear_and_wake_up_bit({}, {})",
                bit.text.trim(),
                word.text.trim()
            );
            // Fusing is only meaning-preserving when nothing but comments separates the two.
            // A clear whose statement holds the wake-up too (`clear_bit(..), wake_up_bit(..);`)
            // has no place for the barrier between them: no fix.
            let delete = delete_statement(ctx, clear_event.stmt);
            let fix = if overlaps(clear_event.stmt, event.span) {
                None
            } else if let (Some(delete), true) = (
                delete,
                adjacent(f, clear_id, id) && clear_event.scope == event.scope,
            ) {
                Some(Fix::safe(
                    "use clear_and_wake_up_bit()",
                    vec![delete, replace(ctx, event.span, fused.clone())],
                ))
            } else {
                // Other code sits between: keep it, and order the clear before the check.
                insert_after_statement(ctx, clear_event.stmt, "smp_mb__after_atomic();")
                    .map(|edit| Fix::safe("add smp_mb__after_atomic() after the clear", vec![edit]))
            };
            out.warn(event.span, message)
                .help(format!(
                    "use `{fused}`, or put `smp_mb__after_atomic()` between the clear and the wake-up"
                ))
                .related(
                    ctx.location(clear_event.span),
                    format!("the bit is cleared here with {}()", clear.api),
                )
                .fix(fix);
        }
    }
}

/// The nearest `clear_bit()`/`clear_bit_unlock()` of `bit` in `word` before event `id`.
fn clearing_of<'f>(f: &'f Function, id: usize, word: &str, bit: &str) -> Option<(usize, &'f Rmw)> {
    f.before(id).find_map(|(j, e)| match &e.kind {
        EventKind::Rmw(r)
            if r.op == RmwOp::ClearBit
                && !r.returns_value
                && matches!(r.api.as_str(), "clear_bit" | "clear_bit_unlock")
                && r.target.text == word
                && r.bit.as_ref().is_some_and(|b| b.text.trim() == bit) =>
        {
            Some((j, r))
        }
        _ => None,
    })
}
