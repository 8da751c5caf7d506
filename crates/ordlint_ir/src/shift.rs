//! Moving lowered IR by a byte delta: an editor that keeps the IR of a definition whose text
//! did not change, after an edit earlier in the file moved it, shifts its spans instead of
//! lowering it again.
//!
//! Every span of every type is visited by destructuring without `..`, so a new field that holds
//! a span cannot be forgotten silently: it does not compile until it is handled here.
//! `Span::default()` (an absent span, as in an event outside any statement) is left as is.

use crate::{
    Access, Call, CommentText, Declaration, Event, EventKind, FileIr, Function, LockOp, Operand,
    PerCpu, Problem, Rmw, Scope, Target, Wait, Wake,
};
use ordlint_diagnostics::Span;

/// Move `span` by `delta` bytes (a no-op for `Span::default()`).
fn shift_span(span: &mut Span, delta: isize) {
    if *span == Span::default() {
        return;
    }
    let moved = |x: usize| {
        x.checked_add_signed(delta).unwrap_or_else(|| {
            debug_assert!(false, "span {x} shifted by {delta} leaves the text");
            0
        })
    };
    span.start = moved(span.start);
    span.end = moved(span.end);
}

fn shift_operand(o: &mut Operand, delta: isize) {
    let Operand { text: _, span } = o;
    shift_span(span, delta);
}

fn shift_operands(list: &mut [Operand], delta: isize) {
    for o in list {
        shift_operand(o, delta);
    }
}

fn shift_target(t: &mut Target, delta: isize) {
    let Target {
        text: _,
        span,
        key: _,
        base: _,
        sharing: _,
    } = t;
    shift_span(span, delta);
}

fn shift_access(a: &mut Access, delta: isize) {
    let Access {
        target,
        mark: _,
        api: _,
        value,
    } = a;
    shift_target(target, delta);
    if let Some(v) = value {
        shift_operand(v, delta);
    }
}

fn shift_lock(l: &mut LockOp, delta: isize) {
    let LockOp {
        api: _,
        kind: _,
        object,
    } = l;
    if let Some(o) = object {
        shift_operand(o, delta);
    }
}

fn shift_kind(kind: &mut EventKind, delta: isize) {
    match kind {
        EventKind::Fence(_)
        | EventKind::Comment(_)
        | EventKind::Return
        | EventKind::Goto(_)
        | EventKind::Label(_) => {}
        EventKind::Store(a) | EventKind::Load(a) => shift_access(a, delta),
        EventKind::Rmw(r) => {
            let Rmw {
                target,
                api: _,
                op: _,
                returns_value: _,
                ordering: _,
                failure_ordering: _,
                bit,
                args,
            } = r;
            shift_target(target, delta);
            if let Some(b) = bit {
                shift_operand(b, delta);
            }
            shift_operands(args, delta);
        }
        EventKind::PerCpu(p) => {
            let PerCpu {
                api: _,
                op: _,
                preempt_safe: _,
                var,
                args,
            } = p;
            shift_operand(var, delta);
            shift_operands(args, delta);
        }
        EventKind::Lock(l) | EventKind::Unlock(l) => shift_lock(l, delta),
        EventKind::Wake(w) => {
            let Wake {
                api: _,
                kind: _,
                object,
                args,
            } = w;
            if let Some(o) = object {
                shift_operand(o, delta);
            }
            shift_operands(args, delta);
        }
        EventKind::Wait(w) => {
            let Wait { api: _, args } = w;
            shift_operands(args, delta);
        }
        EventKind::Call(c) => {
            let Call {
                name: _,
                receiver,
                args,
            } = c;
            if let Some(r) = receiver {
                shift_operand(r, delta);
            }
            shift_operands(args, delta);
        }
    }
}

impl Function {
    /// Move every span of this function by `delta` bytes (see the module documentation).
    pub fn shift(&mut self, delta: isize) {
        let Function {
            name: _,
            span,
            name_span,
            return_type: _,
            params: _,
            locals: _,
            events,
            scopes,
        } = self;
        shift_span(span, delta);
        shift_span(name_span, delta);
        for e in events {
            let Event {
                kind,
                span,
                stmt,
                scope: _,
            } = e;
            shift_kind(kind, delta);
            shift_span(span, delta);
            shift_span(stmt, delta);
        }
        for s in scopes {
            let Scope {
                kind: _,
                span,
                parent: _,
            } = s;
            shift_span(span, delta);
        }
    }
}

impl FileIr {
    /// Move every span of this IR by `delta` bytes (see the module documentation).
    pub fn shift(&mut self, delta: isize) {
        if delta == 0 {
            return;
        }
        let FileIr {
            functions,
            declarations,
            comments,
            problems,
            // Names carry no position.
            defined_names: _,
        } = self;
        for f in functions {
            f.shift(delta);
        }
        for d in declarations {
            let Declaration {
                name: _,
                owner: _,
                span,
                qualifiers: _,
            } = d;
            shift_span(span, delta);
        }
        for c in comments {
            let CommentText { span, text: _ } = c;
            shift_span(span, delta);
        }
        for p in problems {
            let Problem {
                span,
                message: _,
                fatal: _,
            } = p;
            shift_span(span, delta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AtomicOrdering, Mark, RmwOp, Sharing};

    fn operand(at: usize) -> Operand {
        Operand {
            text: "x".to_owned(),
            span: Span::new(at, at + 1),
        }
    }

    fn target(at: usize) -> Target {
        Target {
            text: "p->x".to_owned(),
            span: Span::new(at, at + 4),
            key: None,
            base: None,
            sharing: Sharing::Shared,
        }
    }

    #[test]
    fn every_span_moves_and_absent_spans_stay() {
        let mut f = Function::new("f", Span::new(10, 90), Span::new(15, 16));
        f.events.push(Event {
            kind: EventKind::Store(Access {
                target: target(20),
                mark: Mark::Plain,
                api: None,
                value: Some(operand(30)),
            }),
            span: Span::new(20, 31),
            stmt: Span::default(),
            scope: 0,
        });
        f.events.push(Event {
            kind: EventKind::Rmw(Rmw {
                target: target(40),
                api: "test_and_set_bit".to_owned(),
                op: RmwOp::Arith,
                returns_value: true,
                ordering: AtomicOrdering::SeqCst,
                failure_ordering: None,
                bit: Some(operand(45)),
                args: vec![operand(47)],
            }),
            span: Span::new(40, 50),
            stmt: Span::new(40, 51),
            scope: 0,
        });
        let mut ir = FileIr {
            functions: vec![f],
            declarations: Vec::new(),
            comments: vec![CommentText {
                span: Span::new(0, 5),
                text: "/**/".to_owned(),
            }],
            problems: Vec::new(),
            defined_names: vec!["f".to_owned()],
        };
        ir.shift(100);
        let f = &ir.functions[0];
        assert_eq!(f.span, Span::new(110, 190));
        assert_eq!(f.scopes[0].span, Span::new(110, 190));
        assert_eq!(f.events[0].stmt, Span::default());
        let EventKind::Rmw(r) = &f.events[1].kind else {
            panic!("not an rmw")
        };
        assert_eq!(r.target.span, Span::new(140, 144));
        assert_eq!(r.bit.as_ref().map(|b| b.span), Some(Span::new(145, 146)));
        assert_eq!(r.args[0].span, Span::new(147, 148));
        assert_eq!(ir.comments[0].span, Span::new(100, 105));
        ir.shift(-100);
        assert_eq!(ir.functions[0].span, Span::new(10, 90));
    }
}
