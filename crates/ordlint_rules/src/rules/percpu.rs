//! Facts about per-CPU operations shared by the this_cpu rules: the variable an op names, and
//! whether the code around an op can be preempted.

use crate::rules::context::runs_in_interrupt_context;
use ordlint_ir::{EventKind, Function, LockKind};

/// The per-CPU variable an operand names, without `&`, `*` and surrounding parentheses:
/// `*sem->read_count` → `sem->read_count`, `&nr_foo` → `nr_foo`.
pub(crate) fn var_name(operand: &str) -> String {
    operand
        .trim()
        .trim_start_matches(['&', '*', '(', ' '])
        .trim_end_matches([')', ' '])
        .to_owned()
}

/// The name a per-CPU variable is matched under across functions: the last field of the
/// path (`read_count` for `sem->read_count`), or the variable itself.
pub(crate) fn var_key(operand: &str) -> String {
    let name = var_name(operand);
    name.rsplit(['>', '.'])
        .next()
        .unwrap_or(&name)
        .trim()
        .to_owned()
}

/// Calls that assert or imply that preemption or interrupts are off.
const PINNED_ASSERTIONS: &[&str] = &[
    "lockdep_assert_preemption_disabled",
    "lockdep_assert_irqs_disabled",
    "lockdep_assert_in_softirq",
    "lockdep_assert_in_irq",
    "preemptible",
    "irqs_disabled",
    "in_interrupt",
    "in_irq",
    "in_softirq",
    "in_nmi",
    "in_task",
];

/// Comment words saying the function runs with preemption or interrupts off.
const PINNED_WORDS: &[&str] = &["preempt", "irq", "interrupt", "disabled", "atomic context"];

/// True when the function says, by its name, signature, assertions or comments, that it runs
/// on one CPU (preemption or interrupts off, or in an interrupt).
pub(crate) fn says_cpu_is_pinned(f: &Function) -> bool {
    runs_in_interrupt_context(f)
        || f.name.contains("_irq")
        || f.name.contains("softirq")
        || f.name.ends_with("_locked")
        || f.name.ends_with("_nolock")
        || f.events.iter().any(|e| match &e.kind {
            EventKind::Call(c) => PINNED_ASSERTIONS.contains(&c.name.as_str()),
            EventKind::Comment(c) => {
                let c = c.text.to_ascii_lowercase();
                PINNED_WORDS.iter().any(|w| c.contains(w))
            }
            _ => false,
        })
}

/// True when the unlock at `j` sits in a branch that leaves the function or jumps away before
/// `id` (`if (err) { local_irq_restore(flags); return; }`): the fall-through path still holds
/// the region.
fn on_early_exit(f: &Function, j: usize, id: usize) -> bool {
    let Some(scope) = f.events.get(j).map(|e| e.scope) else {
        return false;
    };
    scope != 0
        && f.events
            .iter()
            .enumerate()
            .take(id)
            .skip(j + 1)
            .any(|(_, e)| {
                matches!(e.kind, EventKind::Return | EventKind::Goto(_))
                    && encloses(f, scope, e.scope)
            })
}

/// True when scope `outer` is `inner` or one of its ancestors.
pub(crate) fn encloses(
    f: &Function,
    outer: ordlint_ir::ScopeId,
    inner: ordlint_ir::ScopeId,
) -> bool {
    let mut next = Some(inner);
    while let Some(s) = next {
        if s == outer {
            return true;
        }
        next = f.scopes.get(s as usize).and_then(|x| x.parent);
    }
    false
}

/// The CPU-pinning regions held at event `id`, like [`Function::held_at`] but not letting an
/// unlock on an early-exit path end the region for the code after it.
pub(crate) fn pinned_at(f: &Function, id: usize) -> bool {
    let mut held: Vec<LockKind> = Vec::new();
    for (j, e) in f.events.iter().enumerate().take(id) {
        match &e.kind {
            EventKind::Lock(l) if l.kind.pins_cpu() => held.push(l.kind),
            EventKind::Unlock(u) if u.kind.pins_cpu() && !on_early_exit(f, j, id) => {
                if let Some(pos) = held.iter().rposition(|k| *k == u.kind) {
                    held.remove(pos);
                }
            }
            _ => {}
        }
    }
    !held.is_empty()
}

/// Why the code at event `id` is known to run preemptible: a CPU-pinning region that this
/// function opened and closed before it, or a sleeping lock held. `None` when nothing in the
/// function says so (the caller may well have disabled preemption, and a kworker bound to
/// one CPU may use `__this_cpu_*()` between sleeps).
pub(crate) fn known_preemptible(f: &Function, id: usize) -> Option<String> {
    if pinned_at(f, id) || has_unmatched_unlock(f) {
        return None;
    }
    if f.held_at(id).iter().any(|l| l.kind == LockKind::Mutex) {
        return Some("a sleeping lock is held".to_owned());
    }
    f.before(id).find_map(|(j, e)| match &e.kind {
        EventKind::Unlock(u) if u.kind.pins_cpu() && !on_early_exit(f, j, id) => {
            Some(format!("{}() ends the CPU-pinned region before it", u.api))
        }
        _ => None,
    })
}

/// True when the function leaves a CPU-pinning region it did not enter (its caller entered
/// it, and may have other regions open too).
fn has_unmatched_unlock(f: &Function) -> bool {
    let mut depth: Vec<LockKind> = Vec::new();
    for e in &f.events {
        match &e.kind {
            EventKind::Lock(l) if l.kind.pins_cpu() => depth.push(l.kind),
            EventKind::Unlock(u) if u.kind.pins_cpu() => {
                match depth.iter().rposition(|k| *k == u.kind) {
                    Some(pos) => {
                        depth.remove(pos);
                    }
                    None => return true,
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_names_drop_address_and_deref() {
        assert_eq!(var_name("*sem->read_count"), "sem->read_count");
        assert_eq!(var_name("&nr_foo"), "nr_foo");
        assert_eq!(var_name("nr_foo"), "nr_foo");
        assert_eq!(var_key("*sem->read_count"), "read_count");
        assert_eq!(var_key("&nr_foo"), "nr_foo");
    }
}
