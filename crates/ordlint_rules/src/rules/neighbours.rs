//! The operations right next to an event: what a barrier actually sits against once comments
//! and plain operand loads are skipped, and whether a full barrier lies between two events.

use ordlint_ir::{Event, EventKind, Function, Mark};

/// True for loads that only feed the next operation or a condition (`p->regs` in
/// `writel(v, p->regs + X)`, `x` in `if (x)`): plain or `READ_ONCE` reads without an atomic
/// API. Atomic reads (`atomic_read`) are operations of their own.
fn is_operand_load(e: &Event) -> bool {
    match &e.kind {
        EventKind::Load(a) => {
            matches!(a.mark, Mark::Plain | Mark::Once | Mark::Consume) || a.api.is_none()
        }
        _ => false,
    }
}

/// The first operation after event `id`: comments and operand loads are skipped, and an
/// operand evaluated first (`cpu_to_le32(v)` in `d->flags = cpu_to_le32(v)`) stands for the
/// expression that contains it.
pub(crate) fn next_op(f: &Function, id: usize) -> Option<(usize, &Event)> {
    let (first, event) = f
        .after(id)
        .find(|(_, e)| !matches!(e.kind, EventKind::Comment(_)) && !is_operand_load(e))?;
    let mut best = (first, event);
    for (k, e) in f.after(first).take(OPERAND_REACH) {
        if e.span.contains(best.1.span) {
            best = (k, e);
        }
    }
    Some(best)
}

/// How many events after an operand the expression containing it may come.
const OPERAND_REACH: usize = 8;

/// The last operation before event `id`: comments and operand loads are skipped.
pub(crate) fn prev_op(f: &Function, id: usize) -> Option<(usize, &Event)> {
    f.before(id)
        .find(|(_, e)| !matches!(e.kind, EventKind::Comment(_)) && !is_operand_load(e))
}

/// True when only comments and operand loads lie strictly between events `a` and `b`
/// (`a < b`).
pub(crate) fn adjacent(f: &Function, a: usize, b: usize) -> bool {
    f.events
        .iter()
        .take(b)
        .skip(a + 1)
        .all(|e| matches!(e.kind, EventKind::Comment(_)) || is_operand_load(e))
}

/// True when an event strictly between `a` and `b` orders earlier stores against later loads:
/// a full fence or a fully ordered (value-returning, unsuffixed) RMW.
pub(crate) fn full_barrier_between(f: &Function, a: usize, b: usize) -> bool {
    f.events.iter().take(b).skip(a + 1).any(is_full_barrier)
}

/// True for a full fence or a fully ordered RMW.
pub(crate) fn is_full_barrier(e: &Event) -> bool {
    match &e.kind {
        EventKind::Fence(fence) => fence.kind.is_full(),
        EventKind::Rmw(r) => r.returns_value && r.ordering == ordlint_ir::AtomicOrdering::SeqCst,
        _ => false,
    }
}

/// True when the operation right before event `id` is a full or release fence (the old
/// idiom `smp_mb__before_atomic(); clear_bit(…)` is ordered, if not the preferred spelling).
pub(crate) fn release_fence_before(f: &Function, id: usize) -> bool {
    prev_op(f, id).is_some_and(|(_, e)| {
        matches!(&e.kind, EventKind::Fence(fence)
            if fence.kind.is_full() || fence.kind == ordlint_ir::FenceKind::Release)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordlint_diagnostics::Span;
    use ordlint_ir::{Comment, Fence, FenceKind};

    fn ev(kind: EventKind) -> Event {
        Event {
            kind,
            span: Span::default(),
            stmt: Span::default(),
            scope: 0,
        }
    }

    #[test]
    fn comments_are_skipped_on_both_sides() {
        let mut f = Function::new("f", Span::new(0, 10), Span::new(0, 1));
        f.events.push(ev(EventKind::Return));
        f.events.push(ev(EventKind::Comment(Comment {
            text: "/* x */".into(),
        })));
        f.events.push(ev(EventKind::Fence(Fence {
            kind: FenceKind::Full,
            api: "smp_mb".into(),
        })));
        f.events.push(ev(EventKind::Comment(Comment {
            text: "/* y */".into(),
        })));
        f.events.push(ev(EventKind::Goto("out".into())));
        assert_eq!(prev_op(&f, 2).map(|(i, _)| i), Some(0));
        assert_eq!(next_op(&f, 2).map(|(i, _)| i), Some(4));
        assert!(full_barrier_between(&f, 0, 4));
        assert!(!full_barrier_between(&f, 2, 4));
        assert!(adjacent(&f, 2, 4));
    }
}
