//! Locks built by hand from atomics: a test-and-set or compare-and-exchange whose result
//! decides a branch or a loop (the acquisition), a relaxed store or bit clear that releases it,
//! and the critical section between them.

use ordlint_ir::{EventKind, Function, Rmw, ScopeKind, Sharing};

/// True when the RMW at `id` is tested by an `if` or a loop: the shape of a trylock
/// (`if (test_and_set_bit(…)) return;`) or a spinning acquisition
/// (`while (atomic_cmpxchg(…) != 0) cpu_relax();`).
pub(crate) fn result_is_tested(f: &Function, id: usize) -> bool {
    f.is_within(id, ScopeKind::Condition) || f.is_within(id, ScopeKind::LoopCondition)
}

/// True when shared data other than the lock word `word` is written strictly between events
/// `a` and `b`: a critical section whose stores a release must order.
pub(crate) fn critical_section_between(f: &Function, a: usize, b: usize, word: &str) -> bool {
    f.events.iter().take(b).skip(a + 1).any(|e| match &e.kind {
        EventKind::Store(x) => x.target.sharing == Sharing::Shared && x.target.text != word,
        EventKind::Rmw(r) => r.target.sharing == Sharing::Shared && r.target.text != word,
        _ => false,
    })
}

/// True when the acquisition at `taken` is clearly a lock: it spins until it succeeds, it is
/// spelt with acquire semantics (`test_and_set_bit_lock()`, `atomic_cmpxchg_acquire()`), or
/// the word or bit is named like a lock. One-shot "pending"/"busy" claims that bail out are
/// left alone: they rarely hand data over.
pub(crate) fn used_as_lock(f: &Function, taken: usize, rmw: &Rmw) -> bool {
    let named_lock = |t: &str| t.to_ascii_lowercase().contains("lock");
    f.is_polled(taken)
        || rmw.api.ends_with("_lock")
        || rmw.api.contains("_acquire")
        || named_lock(&rmw.target.text)
        || rmw.bit.as_ref().is_some_and(|b| named_lock(&b.text))
}

/// The RMW at `id`, if it is one.
pub(crate) fn rmw_at(f: &Function, id: usize) -> Option<&Rmw> {
    match &f.events.get(id)?.kind {
        EventKind::Rmw(r) => Some(r),
        _ => None,
    }
}

/// The last event before `release` that is an RMW on the same word (same target text)
/// matching `acquires`, tested by a condition: the acquisition a release pairs with.
pub(crate) fn tested_acquisition(
    f: &Function,
    release: usize,
    word: &str,
    acquires: impl Fn(&Rmw) -> bool,
) -> Option<usize> {
    f.before(release).find_map(|(j, e)| match &e.kind {
        EventKind::Rmw(r) if r.target.text == word && acquires(r) && result_is_tested(f, j) => {
            Some(j)
        }
        _ => None,
    })
}
