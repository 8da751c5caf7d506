//! unpaired-write-barrier: `smp_wmb()` before a store whose readers in the run never order
//! their reads (no `smp_rmb()`, no acquire, no address dependency).

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::pairing::{owner_type, Role, Site};
use crate::rules::context::stores_data_before;
use crate::rules::neighbours::next_op;
use ordlint_diagnostics::{FixAvailability, Severity, Tier};
use ordlint_ir::{Access, EventKind, Function, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "unpaired-write-barrier",
    page: include_str!("../../../../rules/unpaired-write-barrier.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["smp_wmb"],
    // The readers of the ordered store may live in other files.
    pairing: true,
    fires_on_partners: false,
    partner_names: false,
    fix: FixAvailability::Never,
    check,
};

/// How many reader sites a diagnostic lists.
const MAX_RELATED: usize = 4;

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Fence(fence) = &event.kind else {
                continue;
            };
            if fence.api != "smp_wmb" {
                continue;
            }
            let Some(store) = ordered_store(f, id) else {
                continue;
            };
            let readers = unordered_readers(ctx, f, store);
            if readers.is_empty() {
                continue;
            }
            let target = &store.target.text;
            let mut d = out
                .warn(
                    event.span,
                    format!("smp_wmb() before the store to `{target}` pairs with no read barrier: its readers can see `{target}` before the data on arm64, POWER and RISC-V"),
                )
                .help(format!(
                    "pair the barrier: read `{target}` with `smp_load_acquire()`, or put `smp_rmb()` between that read and the reads of the data it publishes"
                ));
            for r in readers.iter().take(MAX_RELATED) {
                let how = if r.polled { "polled" } else { "read" };
                d = d.related(
                    r.location.clone(),
                    format!(
                        "`{}` is {how} here without smp_rmb(), acquire or an address dependency",
                        r.target
                    ),
                );
            }
        }
    }
}

/// The store the `smp_wmb()` at `id` orders after the data written before it: the first
/// operation after the barrier, when it is a store to a shared location (the same stores the
/// pairing pass looks up readers for).
fn ordered_store(f: &Function, id: usize) -> Option<&Access> {
    let (_, next) = next_op(f, id)?;
    let EventKind::Store(store) = &next.kind else {
        return None;
    };
    if store.target.sharing != Sharing::Shared || store.target.key.is_none() {
        return None;
    }
    stores_data_before(f, id).then_some(store)
}

/// The readers of `store`'s location that show the pairing is missing, or none when some
/// reader of the run orders its read (the pairing exists) or no reader is seen at all (it may
/// be outside the run).
///
/// Only lockless plain or `READ_ONCE()` reads outside the writer's own functions count as
/// evidence: a reader holding a lock is most likely serialised with the writer by it, and a
/// function that also writes the location is the writer side reading its own value.
fn unordered_readers<'a>(ctx: &'a RuleContext<'_>, f: &Function, store: &Access) -> Vec<&'a Site> {
    let Some(key) = store.target.key.as_ref() else {
        return Vec::new();
    };
    let owner = owner_type(f, &store.target);
    let sites = ctx.index.partners(key, owner.as_deref(), ctx.path);
    let writer_functions: Vec<(&str, &str)> = sites
        .iter()
        .filter(|s| matches!(s.role, Role::Write | Role::ReadWrite))
        .map(|s| (s.location.path.as_str(), s.function.as_str()))
        .chain(std::iter::once((ctx.path, f.name.as_str())))
        .collect();
    let readers: Vec<&Site> = sites
        .into_iter()
        .filter(|s| matches!(s.role, Role::Read | Role::ReadWrite))
        .filter(|s| !writer_functions.contains(&(s.location.path.as_str(), s.function.as_str())))
        .collect();
    if readers.iter().any(|r| r.ordered || r.dependent) {
        return Vec::new();
    }
    readers
        .into_iter()
        .filter(|r| r.role == Role::Read && r.locks.is_empty())
        .collect()
}
