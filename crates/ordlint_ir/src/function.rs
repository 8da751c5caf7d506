//! A function's events and scope tree, and the queries rules ask of them.

use crate::event::*;
use ordlint_diagnostics::Span;
use serde::{Deserialize, Serialize};

/// One function (or method, or top-level initialiser) lowered to events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Function {
    /// The function's name (`Type::method` for Rust methods).
    pub name: String,
    /// The whole definition.
    pub span: Span,
    /// The name's span (where a per-function diagnostic points).
    pub name_span: Span,
    /// Return type as written (e.g. `irqreturn_t`), if any.
    pub return_type: Option<String>,
    /// Parameters as (name, type text).
    pub params: Vec<(String, String)>,
    /// Local variable declarations as (name, type text), in declaration order.
    #[serde(default)]
    pub locals: Vec<(String, String)>,
    /// Events in source order (evaluation order within an expression where it is defined).
    pub events: Vec<Event>,
    /// Scope tree; index 0 is the body.
    pub scopes: Vec<Scope>,
}

/// A syntactic region of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// What kind of region.
    pub kind: ScopeKind,
    /// Where it is.
    pub span: Span,
    /// Enclosing scope; `None` for the body.
    pub parent: Option<ScopeId>,
}

/// Kinds of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeKind {
    /// The function body.
    Body,
    /// A loop body (for, while, do-while, loop, iterator macros).
    Loop,
    /// The controlling expression of a loop (what a spin-wait polls).
    LoopCondition,
    /// The controlling expression of an `if`/`switch`/`match`/`?:`.
    Condition,
    /// A branch of an `if`, `else`, `case`, match arm.
    Branch,
    /// A closure body or a nested function (Rust).
    Closure,
    /// A Rust `unsafe` block.
    Unsafe,
}

/// Index of an event in [`Function::events`].
pub type EventId = usize;

impl Function {
    /// A new function with only its body scope.
    pub fn new(name: impl Into<String>, span: Span, name_span: Span) -> Self {
        Function {
            name: name.into(),
            span,
            name_span,
            return_type: None,
            params: Vec::new(),
            locals: Vec::new(),
            events: Vec::new(),
            scopes: vec![Scope {
                kind: ScopeKind::Body,
                span,
                parent: None,
            }],
        }
    }

    /// The chain of scopes around `scope`, innermost first.
    pub fn scope_chain(&self, scope: ScopeId) -> impl Iterator<Item = &Scope> + '_ {
        let mut next = Some(scope);
        std::iter::from_fn(move || {
            let id = next?;
            let s = self.scopes.get(id as usize)?;
            next = s.parent;
            Some(s)
        })
    }

    /// True when event `id` lies (at any depth) in a scope of kind `kind`.
    pub fn is_within(&self, id: EventId, kind: ScopeKind) -> bool {
        self.events
            .get(id)
            .is_some_and(|e| self.scope_chain(e.scope).any(|s| s.kind == kind))
    }

    /// The innermost scope of kind `kind` around event `id`.
    pub fn enclosing(&self, id: EventId, kind: ScopeKind) -> Option<&Scope> {
        let e = self.events.get(id)?;
        self.scope_chain(e.scope).find(|s| s.kind == kind)
    }

    /// True when event `id` is part of a loop's controlling expression or sits in a loop body
    /// whose only job is to spin (the classic poll: `while (!x) cpu_relax();`).
    pub fn is_polled(&self, id: EventId) -> bool {
        self.is_within(id, ScopeKind::LoopCondition)
    }

    /// The lock-like regions held at event `id`, by a linear scan of Lock/Unlock events
    /// before it (an approximation: it ignores branches that skip the unlock).
    pub fn held_at(&self, id: EventId) -> Vec<&LockOp> {
        let mut tracker = LockTracker::default();
        for e in self.events.iter().take(id) {
            tracker.step(e);
        }
        tracker.held
    }

    /// True when the code at event `id` cannot migrate or be preempted (interrupts or
    /// preemption disabled, or a spinlock held).
    pub fn cpu_pinned_at(&self, id: EventId) -> bool {
        self.held_at(id).iter().any(|l| l.kind.pins_cpu())
    }

    /// The declared type text of a parameter or local called `name`, if known.
    pub fn type_of(&self, name: &str) -> Option<&str> {
        self.locals
            .iter()
            .rev()
            .chain(self.params.iter())
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }

    /// Events before `id`, nearest first.
    pub fn before(&self, id: EventId) -> impl Iterator<Item = (EventId, &Event)> + '_ {
        self.events.iter().enumerate().take(id).rev()
    }

    /// Events after `id`, nearest first.
    pub fn after(&self, id: EventId) -> impl Iterator<Item = (EventId, &Event)> + '_ {
        self.events.iter().enumerate().skip(id + 1)
    }

    /// The comments of the function that end on the same line as, or in the few lines
    /// before, the byte offset `at` (the caller supplies the text to measure lines).
    pub fn comments_near<'a>(
        &'a self,
        at: usize,
        text: &'a str,
        lines_before: usize,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.events.iter().filter_map(move |e| match &e.kind {
            EventKind::Comment(c)
                if lines_between(text, e.span.end, at, lines_before) <= lines_before
                    || within_line(text, e.span, at) =>
            {
                Some(c.text.as_str())
            }
            _ => None,
        })
    }
}

/// Follows Lock/Unlock events in order, so a caller walking all events gets the locks held
/// at each one in linear time (see [`Function::held_at`] for a single event).
#[derive(Debug, Default, Clone)]
pub struct LockTracker<'f> {
    /// The regions held after the events stepped so far, innermost last.
    pub held: Vec<&'f LockOp>,
}

impl<'f> LockTracker<'f> {
    /// Account for event `e` (call it for each event in order, after looking at `held` for
    /// that event).
    pub fn step(&mut self, e: &'f Event) {
        match &e.kind {
            EventKind::Lock(l) => self.held.push(l),
            EventKind::Unlock(u) => {
                let ident = u.identity();
                let same = self
                    .held
                    .iter()
                    .rposition(|h| h.kind == u.kind && h.identity() == ident);
                if let Some(pos) = same.or_else(|| self.held.iter().rposition(|h| h.kind == u.kind))
                {
                    self.held.remove(pos);
                }
            }
            _ => {}
        }
    }
}

/// Newlines between `from` and `to`, counted only up to `limit + 1`: callers ask "within
/// `limit` lines?" for every comment of a function, and counting all the newlines back to a
/// far comment made that cubic in a long function with many comments (seen in the fuzzer).
fn lines_between(text: &str, from: usize, to: usize, limit: usize) -> usize {
    if from > to {
        return usize::MAX;
    }
    text.get(from..to).map_or(usize::MAX, |s| {
        s.bytes()
            .filter(|b| *b == b'\n')
            .take(limit.saturating_add(1))
            .count()
    })
}

fn within_line(text: &str, span: Span, at: usize) -> bool {
    // A trailing comment on the same line after `at`.
    span.start >= at && text.get(at..span.start).is_some_and(|s| !s.contains('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(api: &str, kind: LockKind, obj: &str) -> LockOp {
        LockOp {
            api: api.into(),
            kind,
            object: Some(Operand {
                text: obj.into(),
                span: Span::default(),
            }),
        }
    }

    fn ev(kind: EventKind) -> Event {
        Event {
            kind,
            span: Span::default(),
            stmt: Span::default(),
            scope: 0,
        }
    }

    #[test]
    fn held_locks_follow_lock_and_unlock_pairs() {
        let mut f = Function::new("f", Span::new(0, 10), Span::new(0, 1));
        f.events.push(ev(EventKind::Lock(op(
            "spin_lock",
            LockKind::Spin,
            "&a->lock",
        ))));
        f.events.push(ev(EventKind::Return));
        f.events.push(ev(EventKind::Unlock(op(
            "spin_unlock",
            LockKind::Spin,
            "&a->lock",
        ))));
        f.events.push(ev(EventKind::Return));
        assert_eq!(f.held_at(1).len(), 1);
        assert_eq!(f.held_at(1)[0].identity(), "a->lock");
        assert!(f.cpu_pinned_at(1));
        assert!(f.held_at(3).is_empty());
    }

    #[test]
    fn scope_chain_walks_to_the_body() {
        let mut f = Function::new("f", Span::new(0, 10), Span::new(0, 1));
        f.scopes.push(Scope {
            kind: ScopeKind::Loop,
            span: Span::new(1, 9),
            parent: Some(0),
        });
        f.scopes.push(Scope {
            kind: ScopeKind::LoopCondition,
            span: Span::new(2, 4),
            parent: Some(1),
        });
        f.events.push(Event {
            scope: 2,
            ..ev(EventKind::Return)
        });
        assert!(f.is_polled(0));
        assert!(f.is_within(0, ScopeKind::Loop));
        assert!(!f.is_within(0, ScopeKind::Branch));
    }
}
