//! atomic-set-unlock: a lock word taken with `atomic_cmpxchg()`/`atomic_xchg()` and released
//! with `atomic_set(…, 0)`, which has no release ordering.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::rename_call;
use crate::rules::lockword::{critical_section_between, rmw_at, tested_acquisition, used_as_lock};
use crate::rules::neighbours::release_fence_before;
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{EventKind, Mark, Rmw, RmwOp};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "atomic-set-unlock",
    page: include_str!("../../../../rules/atomic-set-unlock.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["xchg"],
    // Released with a relaxed atomic_set(): a file without one cannot hold the smell.
    also_needs: &["atomic_set", "atomic64_set", "atomic_long_set"],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// The atomic families whose `_set` has a `_set_release` twin.
const SET_APIS: &[&str] = &["atomic_set", "atomic64_set", "atomic_long_set"];

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Store(store) = &event.kind else {
                continue;
            };
            let Some(api) = store.api.as_deref().filter(|a| SET_APIS.contains(a)) else {
                continue;
            };
            if !matches!(store.mark, Mark::Atomic(_))
                || store.value.as_ref().is_none_or(|v| v.text.trim() != "0")
            {
                continue;
            }
            let word = &store.target.text;
            let Some(taken) = tested_acquisition(f, id, word, takes_lock) else {
                continue;
            };
            if !critical_section_between(f, taken, id, word)
                || !rmw_at(f, taken).is_some_and(|r| used_as_lock(f, taken, r))
                || release_fence_before(f, id)
            {
                continue;
            }
            let Some(taken_event) = f.events.get(taken) else {
                continue;
            };
            let taken_api = rmw_at(f, taken).map_or("atomic_cmpxchg", |r| r.api.as_str());
            let release = format!("{api}_release");
            let message = format!(
                "{api}() releases the lock word `{word}` without release ordering, so the critical section can leak past the unlock on arm64, POWER and RISC-V"
            );
            let fix = rename_call(ctx, event.span, &release)
                .map(|edit| Fix::safe(format!("use {release}()"), vec![edit]));
            out.warn(event.span, message)
                .help(format!("use `{release}()` to release the lock"))
                .related(
                    ctx.location(taken_event.span),
                    format!("the lock word is taken here with {taken_api}()"),
                )
                .fix(fix);
        }
    }
}

/// A compare-and-exchange from 0 to something else, or an exchange storing something other
/// than 0: taking a lock word.
fn takes_lock(r: &Rmw) -> bool {
    let arg = |i: usize| r.args.get(i).map(|a| a.text.trim());
    match r.op {
        RmwOp::CompareExchange if r.api.contains("try_cmpxchg") => {
            // try_cmpxchg(v, &old, new): `old` is a variable holding the expected value.
            arg(1).is_some_and(|new| new != "0")
        }
        RmwOp::CompareExchange => arg(0) == Some("0") && arg(1).is_some_and(|new| new != "0"),
        RmwOp::Exchange => arg(0).is_some_and(|new| new != "0"),
        _ => false,
    }
}
