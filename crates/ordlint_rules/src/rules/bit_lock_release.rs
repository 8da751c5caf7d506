//! bit-lock-release: a bit lock taken with `test_and_set_bit[_lock]()` and released with a
//! plain `clear_bit()`, which has no release ordering.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::rename_call;
use crate::rules::lockword::{critical_section_between, rmw_at, tested_acquisition, used_as_lock};
use crate::rules::neighbours::release_fence_before;
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{EventKind, RmwOp};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "bit-lock-release",
    page: include_str!("../../../../rules/bit-lock-release.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["test_and_set_bit"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Rmw(clear) = &event.kind else {
                continue;
            };
            if clear.api != "clear_bit" {
                continue;
            }
            let Some(bit) = clear.bit.as_ref().map(|b| b.text.as_str()) else {
                continue;
            };
            let Some(taken) = tested_acquisition(f, id, &clear.target.text, |r| {
                r.op == RmwOp::SetBit
                    && r.api.starts_with("test_and_set_bit")
                    && r.bit.as_ref().is_some_and(|b| b.text == bit)
            }) else {
                continue;
            };
            if !critical_section_between(f, taken, id, &clear.target.text)
                || !rmw_at(f, taken).is_some_and(|r| used_as_lock(f, taken, r))
                || release_fence_before(f, id)
            {
                continue;
            }
            let Some(taken_event) = f.events.get(taken) else {
                continue;
            };
            let word = &clear.target.text;
            let message = format!(
                "clear_bit() releases the bit lock `{bit}` in `{word}` without release ordering, so the critical section can leak past the unlock on arm64, POWER and RISC-V"
            );
            let fix = rename_call(ctx, event.span, "clear_bit_unlock")
                .map(|edit| Fix::safe("use clear_bit_unlock()", vec![edit]));
            out.warn(event.span, message)
                .help("use `clear_bit_unlock()`, which pairs with the acquire of `test_and_set_bit_lock()`")
                .related(
                    ctx.location(taken_event.span),
                    format!("the bit lock is taken here with {}()", rmw_api(f, taken)),
                )
                .fix(fix);
        }
    }
}

fn rmw_api(f: &ordlint_ir::Function, id: usize) -> &str {
    rmw_at(f, id).map_or("test_and_set_bit", |r| r.api.as_str())
}
