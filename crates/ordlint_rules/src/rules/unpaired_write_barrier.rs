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
    also_needs: &[],
    pairing: true,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
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
            let Some(store) = ordered_store(ctx, f, id) else {
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
/// operation after the barrier, in the same block, when it is a store to a shared location
/// (the same stores the pairing pass looks up readers for).
fn ordered_store<'f>(ctx: &RuleContext<'_>, f: &'f Function, id: usize) -> Option<&'f Access> {
    let (_, next) = next_op(f, id)?;
    let EventKind::Store(store) = &next.kind else {
        return None;
    };
    // A store inside a branch after the barrier is not what it publishes.
    if f.events.get(id).map(|e| e.scope) != Some(next.scope) {
        return None;
    }
    // A release store (`rcu_assign_pointer()`, `smp_store_release()`) pairs with acquire or
    // dependency readers by itself; the barrier before it is another question.
    if store.target.sharing != Sharing::Shared
        || store.target.key.is_none()
        || store.mark.is_release_or_stronger()
        || is_compound_update(ctx.text(next.span))
    {
        return None;
    }
    stores_data_before(f, id).then_some(store)
}

/// `x++`, `x += n`, `x &= ~m`: a counter or a flag word updated in place. Such updates are
/// serialised by a lock (or they would lose updates), and a counter is seldom what the
/// barrier publishes (the store the barrier is for tends to come after it).
fn is_compound_update(text: &str) -> bool {
    text.contains("++")
        || text.contains("--")
        || ["+=", "-=", "|=", "&=", "^=", "<<=", ">>="]
            .iter()
            .any(|op| text.contains(op))
}

/// The field a nested target sits in: `vcpu->hv_clock.flags` → `hv_clock`,
/// `ptp->req[i].skb` → `req`; `None` when the target is a field of a plain variable
/// (`req->skb`).
fn parent_field(target: &str) -> Option<&str> {
    let cut = target.rfind(['.', '>'])?;
    let base = target.get(..cut)?.trim_end_matches(['-', ' ']);
    let mut base = base.trim_end();
    while base.ends_with(']') {
        base = base.get(..base.rfind('[')?)?.trim_end();
    }
    let start = base
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = base.get(start..)?;
    let before = base.get(..start)?;
    (before.ends_with('.') || before.ends_with("->")).then_some(name)
}

/// The readers of `store`'s location that show the pairing is missing, or none when some
/// reader of the run orders its read (the pairing exists) or no reader is seen at all (it may
/// be outside the run).
///
/// Every reader counts for "some reader orders its read", the writer side's own reads too (a
/// consumer that reads the index with `smp_rmb()` and then clears it is still the partner).
/// Only lockless plain or `READ_ONCE()` reads outside the writer's functions, followed by
/// reads of other shared data, count as evidence: a reader holding a lock is most likely
/// serialised with the writer by it, a function that also writes the location is the writer
/// side reading its own value, and a lone test reads nothing the barrier orders.
fn unordered_readers<'a>(ctx: &'a RuleContext<'_>, f: &Function, store: &Access) -> Vec<&'a Site> {
    let Some(key) = store.target.key.as_ref() else {
        return Vec::new();
    };
    let owner = owner_type(f, &store.target);
    // The pairing may exist in any file: a reader whose struct type is unknown
    // (`EXT4_SB(sb)->s_groups_count`) counts when it orders its read.
    let compatible = |s: &Site| match (owner.as_deref(), s.owner.as_deref()) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if ctx.index.sites(key).iter().any(|s| {
        matches!(s.role, Role::Read | Role::ReadWrite)
            && (s.ordered || s.dependent)
            && compatible(s)
    }) {
        return Vec::new();
    }
    let parent = parent_field(&store.target.text);
    let sites = ctx.index.partners(key, owner.as_deref(), ctx.path);
    let readers: Vec<&Site> = sites
        .iter()
        .copied()
        .filter(|s| matches!(s.role, Role::Read | Role::ReadWrite))
        // Without both struct types, a nested field pairs only with the same nesting
        // (`hv_clock.flags` is not `ranges[i].flags`).
        .filter(|s| {
            (owner.is_some() && s.owner.is_some())
                || parent.is_none()
                || parent_field(&s.target) == parent
        })
        .collect();
    let writer_functions: Vec<(&str, &str)> = sites
        .iter()
        .filter(|s| matches!(s.role, Role::Write | Role::ReadWrite))
        .map(|s| (s.location.path.as_str(), s.function.as_str()))
        .chain(std::iter::once((ctx.path, f.name.as_str())))
        .collect();
    readers
        .into_iter()
        .filter(|r| r.role == Role::Read && r.locks.is_empty() && r.reads_after)
        .filter(|r| !writer_functions.contains(&(r.location.path.as_str(), r.function.as_str())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_targets_have_a_parent_field() {
        assert_eq!(parent_field("vcpu->hv_clock.flags"), Some("hv_clock"));
        assert_eq!(parent_field("ptp->txts_req[cons].tx_skb"), Some("txts_req"));
        assert_eq!(
            parent_field("paca[cpu + i]->kvm_hstate.kvm_vcore"),
            Some("kvm_hstate")
        );
        assert_eq!(parent_field("req->tx_skb"), None);
        assert_eq!(parent_field("ranges[i].flags"), None);
        assert_eq!(parent_field("flag"), None);
    }

    #[test]
    fn counters_and_flag_words_are_compound_updates() {
        assert!(is_compound_update("ring->active++"));
        assert!(is_compound_update("qp->s_flags &= ~ACK_PENDING"));
        assert!(!is_compound_update("ring->head = next"));
    }
}
