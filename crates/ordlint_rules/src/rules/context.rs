//! Facts about where code runs, shared by the rules: interrupt handlers, same-CPU comments,
//! and whether data is written before a point.

use ordlint_ir::{EventKind, Function, Sharing};

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
];

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
