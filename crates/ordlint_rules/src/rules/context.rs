//! Facts about where code runs, shared by the rules: interrupt handlers, same-CPU comments,
//! functions entered with a lock held, and whether data is written before a point.

use ordlint_ir::{CommentText, EventKind, FileIr, Function, ScopeKind, Sharing};
use std::collections::HashSet;

/// Words in a comment near a barrier that say it orders against this CPU (an interrupt, an
/// NMI, preemption) rather than against other CPUs.
const SAME_CPU_WORDS: &[&str] = &[
    "interrupt",
    "irq",
    "nmi",
    "preempt",
    "same cpu",
    "this cpu",
    "local cpu",
    "signal handler",
    "softirq",
    "reentr",
    // "Only care about program order": the author asks the compiler, not the CPUs.
    "program order",
];

/// Architectures whose CPUs keep stores in order and loads in order (TSO): there a
/// compiler barrier before a store is a release, and a plain read an acquire.
const TSO_ARCHES: &[&str] = &["x86", "s390", "sparc"];

/// True when the file belongs to one strongly ordered architecture by its path
/// (`arch/x86/…`, `arch/s390/…`, `tools/testing/selftests/x86/…`): it never runs on arm64,
/// POWER or RISC-V, where the rules' reorderings happen.
pub(crate) fn runs_only_on_tso(path: &str) -> bool {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    parts.windows(2).any(|w| {
        matches!(w.first(), Some(&"arch" | &"selftests"))
            && w.get(1).is_some_and(|a| TSO_ARCHES.contains(a))
    })
}

/// True when the function is an interrupt or NMI handler by its signature or name.
pub(crate) fn runs_in_interrupt_context(f: &Function) -> bool {
    let name = f.name.to_ascii_lowercase();
    f.return_type
        .as_deref()
        .is_some_and(|t| t.contains("irqreturn_t"))
        || name.contains("nmi")
        || name.ends_with("_irq")
        || name.ends_with("_isr")
        || name.contains("irq_handler")
        || name.contains("interrupt")
}

/// True when a comment within two lines before `at` (or trailing on its line) says the
/// ordering is against this CPU.
pub(crate) fn mentions_same_cpu_context(f: &Function, source: &str, at: usize) -> bool {
    f.comments_near(at, source, 2).any(|c| {
        let c = c.to_ascii_lowercase();
        SAME_CPU_WORDS.iter().any(|w| c.contains(w))
    })
}

/// True when event `id` is in the condition of a `while` or `do … while` loop (C or Rust), the
/// shape of a wait; the bound of a `for` loop or an iterator macro is not. `source` is the
/// file's text.
pub(crate) fn in_while_condition(f: &Function, id: usize, source: &str) -> bool {
    f.is_polled(id)
        && f.enclosing(id, ScopeKind::Loop).is_some_and(|l| {
            let head = source
                .get(l.span.start..l.span.end)
                .unwrap_or("")
                .trim_start();
            head.starts_with("while") || head.starts_with("do")
        })
}

/// Names of the functions of this file that run with a lock their caller took, by the
/// kernel's conventions: a `_locked` name, or a lock released that the function did not take
/// (`mutex_unlock(&c->lock); wait_event(…); mutex_lock(&c->lock);` in a wait helper).
/// `lockdep_assert_held()` and `__must_hold()` need nothing here: the C frontend lowers them
/// into held locks. Callers are deliberately not followed: a file is lowered only around the
/// definitions that matter to the enabled rules, so a helper's callers are often not in the
/// IR, and the answer would depend on the prefilter.
pub(crate) fn entered_with_lock_held<'a>(ir: &'a FileIr, source: &str) -> HashSet<&'a str> {
    ir.functions
        .iter()
        .filter(|f| {
            (f.name.ends_with("_locked") && !f.name.ends_with("_unlocked"))
                || releases_a_lock_it_did_not_take(f)
                || header_comment(ir, f, source).is_some_and(|c| documents_caller_lock(&c.text))
        })
        .map(|f| f.name.as_str())
        .collect()
}

/// The comment right above function `f` (nothing but blanks between them), its header.
pub(crate) fn header_comment<'a>(
    ir: &'a FileIr,
    f: &Function,
    source: &str,
) -> Option<&'a CommentText> {
    ir.comments.iter().rev().find(|c| {
        c.span.end <= f.span.start
            && source
                .get(c.span.end..f.span.start)
                .is_some_and(|gap| gap.trim().is_empty())
    })
}

/// True when a function's header comment says its caller holds a lock, as kernel comments
/// do: "Must be called with the QP state lock held", "The caller must hold rnp->lock",
/// "caller holds termios_rwsem". One sentence must say both who holds and what.
fn documents_caller_lock(comment: &str) -> bool {
    let text = comment.to_ascii_lowercase().replace(['*', '/', '\n'], " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.split(['.', ';']).any(|sentence| {
        let holds = [
            "called with",
            "caller must hold",
            "caller holds",
            "callers hold",
            "callers must hold",
            "must be held",
            "must hold",
        ]
        .iter()
        .any(|p| sentence.contains(p));
        let lock = sentence
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(names_a_lock);
        let negated = ["without", "not held", "must not", "unlocked"]
            .iter()
            .any(|w| sentence.contains(w));
        holds && lock && !negated
    })
}

/// True when a word of a comment names a lock: `lock`, `s_lock`, `spinlock`, `mutex`,
/// `termios_rwsem`, `sem`; not `clock` or `block`.
fn names_a_lock(word: &str) -> bool {
    matches!(
        word,
        "lock" | "locks" | "spinlock" | "mutex" | "rwsem" | "semaphore" | "sem"
    ) || ["_lock", "_spinlock", "_mutex", "_rwsem", "_sem"]
        .iter()
        .any(|suffix| word.ends_with(suffix))
}

/// True when the first thing the function does with some mutual-exclusion lock is to
/// release it: the caller took it. Later unlocks without a matching lock are not evidence:
/// an early return that unlocks inside a branch looks the same to a linear scan.
fn releases_a_lock_it_did_not_take(f: &Function) -> bool {
    let mut seen: HashSet<String> = HashSet::new();
    for e in &f.events {
        match &e.kind {
            EventKind::Lock(l) if l.kind.is_mutual_exclusion() => {
                seen.insert(l.identity());
            }
            // `up()` also signals a semaphore used as a completion, which nobody holds.
            // The first use of this lock: `insert` says it was not seen.
            EventKind::Unlock(u)
                if u.kind.is_mutual_exclusion() && u.api != "up" && seen.insert(u.identity()) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// True when something before event `id` writes memory another context could read: a store
/// to a shared location, an atomic, or a call that is handed arguments (list_del(&w->list)).
pub(crate) fn stores_data_before(f: &Function, id: usize) -> bool {
    f.before(id).any(|(_, e)| match &e.kind {
        EventKind::Store(a) => a.target.sharing == Sharing::Shared,
        EventKind::Rmw(_) => true,
        EventKind::Call(c) => !c.args.is_empty(),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::{documents_caller_lock, runs_only_on_tso};

    #[test]
    fn tso_architecture_paths() {
        assert!(runs_only_on_tso("linux/arch/x86/kernel/smp.c"));
        assert!(runs_only_on_tso("arch/s390/include/asm/fpu.h"));
        assert!(runs_only_on_tso("tools/testing/selftests/x86/lam.c"));
        assert!(!runs_only_on_tso("arch/arm64/kernel/smp.c"));
        assert!(
            !runs_only_on_tso("drivers/platform/x86/wmi.c"),
            "x86 platforms, any CPU"
        );
        assert!(!runs_only_on_tso("kernel/sched/core.c"));
    }

    #[test]
    fn header_comments_that_name_a_caller_lock() {
        for held in [
            "/*\n * Must be called with QP state write lock held.\n * Therefore, SQ lock must not be taken.\n */",
            "/* This should be called with the QP s_lock held and interrupts disabled. */",
            "/**\n * Locking: n_tty_receive_buf()/producer path:\n *\tcaller holds non-exclusive %termios_rwsem\n */",
            "// The caller must hold the specified rcu_node structure's ->lock, which is released.",
        ] {
            assert!(documents_caller_lock(held), "{held}");
        }
        for not_held in [
            "/* Called without the queue lock held: takes it itself. */",
            "/* Must not be called with the device lock held. */",
            "/* Called with interrupts disabled. */",
            "/* Must be called with the bus clock enabled and the block mapped. */",
            "/* Takes the lock, updates the count and wakes the waiter. */",
        ] {
            assert!(!documents_caller_lock(not_held), "{not_held}");
        }
    }
}
