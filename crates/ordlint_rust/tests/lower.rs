//! Behaviour of the lowering on small, realistic snippets.

#![allow(clippy::unwrap_used)]

use ordlint_ir::*;
use ordlint_rust::lower;

fn one_fn(src: &str) -> Function {
    let ir = lower(src);
    assert!(ir.problems.is_empty(), "{:?}", ir.problems);
    assert_eq!(
        ir.functions.len(),
        1,
        "{:?}",
        ir.functions.iter().map(|f| &f.name).collect::<Vec<_>>()
    );
    ir.functions.into_iter().next().unwrap()
}

fn kinds(f: &Function) -> Vec<&EventKind> {
    f.events.iter().map(|e| &e.kind).collect()
}

fn atomic_loads(f: &Function) -> Vec<(String, AtomicOrdering)> {
    f.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Load(Access {
                target,
                mark: Mark::Atomic(o),
                ..
            }) => Some((target.text.clone(), *o)),
            _ => None,
        })
        .collect()
}

fn text(src: &str, s: ordlint_diagnostics::Span) -> &str {
    &src[s.start..s.end]
}

#[test]
fn cmp_ordering_in_the_same_file_is_not_atomic() {
    let src = r#"
use std::cmp::Ordering;
use std::sync::atomic::{AtomicUsize, Ordering as AtOrd};

fn pick(a: u32, b: u32, hits: &AtomicUsize) -> u32 {
    match a.cmp(&b) {
        Ordering::Less => { hits.fetch_add(1, AtOrd::Relaxed); a }
        Ordering::Equal | Ordering::Greater => b,
    }
}
"#;
    let f = one_fn(src);
    let rmws: Vec<_> = kinds(&f)
        .into_iter()
        .filter(|k| matches!(k, EventKind::Rmw(_)))
        .collect();
    assert_eq!(rmws.len(), 1);
    assert!(matches!(
        rmws[0],
        EventKind::Rmw(Rmw {
            ordering: AtomicOrdering::Relaxed,
            op: RmwOp::Arith,
            ..
        })
    ));
    // `a.cmp(&b)` is an ordinary call.
    assert!(kinds(&f)
        .iter()
        .any(|k| matches!(k, EventKind::Call(c) if c.name == "cmp")));
}

#[test]
fn load_with_a_non_ordering_argument_is_a_plain_call() {
    let src =
        "fn f(cfg: &Config, store: &Store) { cfg.load(\"path\"); store.store(1, Mode::Fast); }";
    let f = one_fn(src);
    assert!(
        kinds(&f).iter().all(|k| matches!(k, EventKind::Call(_))),
        "{:?}",
        kinds(&f)
    );
}

#[test]
fn glob_renamed_and_portable_atomic_imports_resolve() {
    let src = r#"
use std::sync::atomic::Ordering::*;
use portable_atomic::{AtomicU64, Ordering as PO};
use loom::sync::atomic::Ordering as LoomOrd;
static COUNTER: AtomicU64 = AtomicU64::new(0);
const PUBLISH: std::sync::atomic::Ordering = Release;

fn f(s: &S) {
    s.a.load(Acquire);
    COUNTER.load(PO::SeqCst);
    s.b.load(LoomOrd::Relaxed);
    s.c.load(std::sync::atomic::Ordering::AcqRel);
    s.d.store(1, PUBLISH);
    let ord = Acquire;
    s.e.load(ord);
}
"#;
    let f = one_fn(src);
    assert_eq!(
        atomic_loads(&f),
        vec![
            ("s.a".to_owned(), AtomicOrdering::Acquire),
            ("COUNTER".to_owned(), AtomicOrdering::SeqCst),
            ("s.b".to_owned(), AtomicOrdering::Relaxed),
            ("s.c".to_owned(), AtomicOrdering::AcqRel),
            ("s.e".to_owned(), AtomicOrdering::Acquire),
        ]
    );
    let store = f.events.iter().find_map(|e| match &e.kind {
        EventKind::Store(a) => Some(a),
        _ => None,
    });
    assert_eq!(
        store.map(|a| a.mark),
        Some(Mark::Atomic(AtomicOrdering::Release))
    );
    let counter = f.events.iter().find_map(|e| match &e.kind {
        EventKind::Load(a) if a.target.text == "COUNTER" => Some(a.target.clone()),
        _ => None,
    });
    assert_eq!(
        counter.and_then(|t| t.key),
        Some(LocationKey::global("COUNTER"))
    );
}

#[test]
fn unqualified_variant_without_import_is_not_guessed() {
    let src = "fn f(s: &S) { s.a.load(Relaxed); s.b.load(Ordering::Relaxed); }";
    let f = one_fn(src);
    assert_eq!(
        atomic_loads(&f),
        vec![("s.b".to_owned(), AtomicOrdering::Relaxed)]
    );
}

#[test]
fn ordering_parameter_is_unknown_and_gives_a_call() {
    let src = "use std::sync::atomic::Ordering;\nfn f(s: &S, order: Ordering) -> usize { s.n.load(order) }";
    let f = one_fn(src);
    assert!(matches!(kinds(&f)[..], [EventKind::Call(Call { name, .. })] if name == "load"));
}

#[test]
fn compare_exchange_keeps_success_and_failure_orderings() {
    let src = r#"
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
fn lock(l: &Lock) -> bool {
    l.state.compare_exchange(0, 1, AcqRel, Relaxed).is_ok()
        && l.other.compare_exchange_weak(0, 1, Acquire, Relaxed).is_ok()
        && l.n.fetch_update(AcqRel, Acquire, |v| Some(v + 1)).is_ok()
}
"#;
    let f = one_fn(src);
    let rmws: Vec<&Rmw> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rmw(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(rmws.len(), 3);
    assert_eq!(
        (rmws[0].ordering, rmws[0].failure_ordering),
        (AtomicOrdering::AcqRel, Some(AtomicOrdering::Relaxed))
    );
    assert_eq!(
        rmws[0]
            .args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        vec!["0", "1"]
    );
    assert_eq!(rmws[0].op, RmwOp::CompareExchange);
    assert_eq!(rmws[1].api, "compare_exchange_weak");
    assert_eq!(
        (rmws[2].ordering, rmws[2].failure_ordering),
        (AtomicOrdering::AcqRel, Some(AtomicOrdering::Acquire))
    );
    assert_eq!(rmws[2].args.len(), 1);
    assert_eq!(rmws[0].target.key, Some(LocationKey::field("state")));
}

#[test]
fn fence_and_compiler_fence_differ() {
    let src = r#"
use std::sync::atomic::{compiler_fence, fence, Ordering};
fn f() {
    fence(Ordering::SeqCst);
    fence(Ordering::Acquire);
    std::sync::atomic::fence(Ordering::Release);
    atomic::fence(Ordering::AcqRel);
    compiler_fence(Ordering::SeqCst);
    smp_mb();
    barrier();
}
"#;
    let f = one_fn(src);
    let fences: Vec<(FenceKind, &str)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fence(x) => Some((x.kind, x.api.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        fences,
        vec![
            (FenceKind::Full, "fence"),
            (FenceKind::Acquire, "fence"),
            (FenceKind::Release, "fence"),
            (FenceKind::AcqRel, "fence"),
            (FenceKind::Compiler, "compiler_fence"),
            (FenceKind::Full, "smp_mb"),
            (FenceKind::Compiler, "barrier"),
        ]
    );
}

#[test]
fn volatile_reads_and_writes_name_the_field() {
    let src = r#"
use core::ptr;
impl Regs {
    fn poll(&self) -> u32 {
        unsafe { ptr::write_volatile(&mut (*self.base).ctrl, 1) };
        let v = unsafe { ptr::read_volatile(addr_of!(self.status)) };
        let w = unsafe { self.data.get().read_volatile() };
        unsafe { self.p.write_volatile(v + w) };
        v
    }
}
"#;
    let f = one_fn(src);
    assert_eq!(f.name, "Regs::poll");
    let vols: Vec<(&str, Option<String>, Option<&str>, bool)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Load(a) | EventKind::Store(a) if a.mark == Mark::Volatile => Some((
                a.target.text.as_str(),
                a.target.key.as_ref().map(|k| k.name.clone()),
                a.value.as_ref().map(|v| v.text.as_str()),
                matches!(e.kind, EventKind::Store(_)),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        vols,
        vec![
            (
                "&mut (*self.base).ctrl",
                Some("ctrl".to_owned()),
                Some("1"),
                true
            ),
            (
                "addr_of!(self.status)",
                Some("status".to_owned()),
                None,
                false
            ),
            ("self.data.get()", Some("data".to_owned()), None, false),
            ("self.p", None, Some("v + w"), true),
        ]
    );
}

#[test]
fn closures_get_a_closure_scope_and_methods_their_type_name() {
    let src = r#"
use std::sync::atomic::Ordering;
trait Flag { fn raise(&self) { self.flag().store(true, Ordering::Release); } }
impl<T: Send> Worker<T> {
    pub fn run(self: Arc<Self>) {
        let me = self.clone();
        std::thread::spawn(move || {
            me.ready.store(true, Ordering::Release);
        });
    }
}
"#;
    let ir = lower(src);
    let names: Vec<&str> = ir.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["Flag::raise", "Worker::run"]);
    let run = &ir.functions[1];
    assert_eq!(
        run.params,
        vec![("self".to_owned(), "self: Arc<Self>".to_owned())]
    );
    let (id, store) = run
        .events
        .iter()
        .enumerate()
        .find(|(_, e)| matches!(e.kind, EventKind::Store(_)))
        .unwrap();
    assert!(run.is_within(id, ScopeKind::Closure));
    let EventKind::Store(a) = &store.kind else {
        unreachable!()
    };
    assert_eq!(a.target.key, Some(LocationKey::field("ready")));
    assert_eq!(a.target.base.as_deref(), Some("me"));
    assert!(kinds(run)
        .iter()
        .any(|k| matches!(k, EventKind::Call(c) if c.name == "std::thread::spawn")));
}

#[test]
fn nested_fns_are_their_own_functions() {
    let src = "fn outer() { fn inner(x: &AtomicBool) { x.store(true, Ordering::SeqCst); } inner(&FLAG); }";
    let ir = lower(src);
    let names: Vec<&str> = ir.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["outer", "inner"]);
    assert!(ir.functions[0]
        .events
        .iter()
        .all(|e| !matches!(e.kind, EventKind::Store(_))));
    assert_eq!(ir.functions[1].events.len(), 1);
}

#[test]
fn plain_stores_and_loads_through_pointers_and_self() {
    let src = r#"
impl Node {
    unsafe fn link(&mut self, p: *mut Node, v: u32) {
        let mut local = Pair { a: 0 };
        local.a = v;
        let count = 0;
        self.data = v;
        (*p).value = self.data;
        *p = Node::default();
        ptr::write(p, Node::default());
        let x = (*p).next;
        self.slots[3] = x;
    }
}
"#;
    let f = one_fn(src);
    let accesses: Vec<String> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Store(a) => Some(format!(
                "store {} {:?} {:?}",
                a.target.text,
                a.target.key.as_ref().map(|k| &k.name),
                a.target.sharing
            )),
            EventKind::Load(a) => Some(format!(
                "load {} {:?} {:?}",
                a.target.text,
                a.target.key.as_ref().map(|k| &k.name),
                a.target.sharing
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        accesses,
        vec![
            "store local.a Some(\"a\") Local",
            "store self.data Some(\"data\") Shared",
            "load self.data Some(\"data\") Shared",
            "store (*p).value Some(\"value\") Shared",
            "store *p None Shared",
            "store p None Shared",
            "load (*p).next Some(\"next\") Shared",
            "store self.slots[3] Some(\"slots\") Shared",
        ]
    );
}

#[test]
fn frees_get_canonical_names_and_calls_keep_receivers() {
    let src = r#"
fn release(p: *mut Inner, guard: Guard) {
    unsafe { drop(Box::from_raw(p)); }
    std::mem::drop(guard);
    unsafe { core::ptr::drop_in_place(p) };
    self.queue.push(1);
}
"#;
    let f = one_fn(src);
    let calls: Vec<(String, Option<String>)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Call(c) => {
                Some((c.name.clone(), c.receiver.as_ref().map(|r| r.text.clone())))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        vec![
            ("Box::from_raw".to_owned(), None),
            ("drop".to_owned(), None),
            ("drop".to_owned(), None),
            ("ptr::drop_in_place".to_owned(), None),
            ("push".to_owned(), Some("self.queue".to_owned())),
        ]
    );
}

#[test]
fn loops_conditions_and_early_returns() {
    let src = r#"
fn wait(s: &State) -> Result<(), E> {
    while !s.ready.load(Ordering::Acquire) { std::hint::spin_loop(); }
    while let Some(x) = s.next() { check(x)?; }
    if s.flag.load(Ordering::Relaxed) { return Ok(()); } else { s.n.store(1, Ordering::Relaxed); }
    Ok(())
}
"#;
    let f = one_fn(src);
    let first = f
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Load(_)))
        .unwrap();
    assert!(f.is_polled(first));
    assert!(f.is_within(first, ScopeKind::Loop));
    let spin = f
        .events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if c.name == "std::hint::spin_loop"))
        .unwrap();
    assert!(f.is_within(spin, ScopeKind::Loop) && !f.is_polled(spin));
    let q = f
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Return))
        .unwrap();
    assert_eq!(text(src, f.events[q].span), "?");
    let flag = f
        .events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Load(a) if a.target.text == "s.flag"))
        .unwrap();
    assert!(f.is_within(flag, ScopeKind::Condition));
    let store = f
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Store(_)))
        .unwrap();
    assert!(f.is_within(store, ScopeKind::Branch));
}

#[test]
fn local_atomic_is_local_until_it_escapes() {
    let src = r#"
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
fn f() {
    let hits = AtomicUsize::new(0);
    hits.fetch_add(1, SeqCst);
    let shared = AtomicUsize::new(0);
    std::thread::scope(|s| { s.spawn(|| shared.fetch_add(1, SeqCst)); });
    shared.load(SeqCst);
}
"#;
    let f = one_fn(src);
    let sharing: Vec<(String, Sharing)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rmw(r) => Some((r.target.text.clone(), r.target.sharing)),
            EventKind::Load(a) => Some((a.target.text.clone(), a.target.sharing)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sharing,
        vec![
            ("hits".to_owned(), Sharing::Local),
            ("shared".to_owned(), Sharing::Shared),
            ("shared".to_owned(), Sharing::Shared)
        ]
    );
}

#[test]
fn macro_arguments_are_lowered() {
    let src = r#"
use std::sync::atomic::Ordering;
fn check(s: &S) {
    assert!(s.ready.load(Ordering::Acquire));
    debug_assert_eq!(s.n.load(Ordering::Relaxed), 0, "n was {}", s.n.load(Ordering::Relaxed));
    let v = vec![s.a.load(Ordering::SeqCst); 4];
}
"#;
    let f = one_fn(src);
    assert_eq!(atomic_loads(&f).len(), 3);
}

#[test]
fn cfg_test_modules_are_lowered() {
    let src = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { FLAG.store(true, Ordering::SeqCst); }\n}\n";
    let f = one_fn(src);
    assert_eq!(f.name, "t");
}

#[test]
fn spans_point_at_the_exact_text() {
    let src = "use std::sync::atomic::Ordering;\nimpl Q {\n    fn push(&self, v: u8) {\n        // é: non-ASCII before\n        let t = self.tail.load(Ordering::Relaxed); self.head.store(t, Ordering::Release);\n    }\n}\n";
    let f = one_fn(src);
    assert_eq!(text(src, f.name_span), "push");
    let t: Vec<(&str, &str, &str)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Load(a) | EventKind::Store(a) => Some((
                text(src, a.target.span),
                text(src, e.span),
                text(src, e.stmt),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        t,
        vec![
            (
                "self.tail",
                "self.tail.load(Ordering::Relaxed)",
                "let t = self.tail.load(Ordering::Relaxed);"
            ),
            (
                "self.head",
                "self.head.store(t, Ordering::Release)",
                "self.head.store(t, Ordering::Release);"
            ),
        ]
    );
    let comment = &f.events[0];
    assert!(matches!(&comment.kind, EventKind::Comment(c) if c.text == "// é: non-ASCII before"));
    assert_eq!(text(src, comment.span), "// é: non-ASCII before");
}

#[test]
fn two_files_in_sequence_on_one_thread_keep_their_offsets() {
    let first = "fn a(s: &S) { s.x.store(1, Ordering::Release); }\n";
    let second = "\n\n// padding\nfn b(s: &S) {\n    s.flag.load(Ordering::Acquire);\n}\n";
    for _ in 0..3 {
        let _ = lower(first);
        let f = one_fn(second);
        let load = f
            .events
            .iter()
            .find(|e| matches!(e.kind, EventKind::Load(_)))
            .unwrap();
        let EventKind::Load(a) = &load.kind else {
            unreachable!()
        };
        assert_eq!(text(second, a.target.span), "s.flag");
        assert_eq!(text(second, f.name_span), "b");
    }
}

#[test]
fn comments_outside_functions_are_file_comments() {
    let src = "// SPDX-License-Identifier: MIT\n/* ordlint: allow(volatile-sync) */\nfn f() {\n    /* inside */\n}\n";
    let ir = lower(src);
    let file: Vec<&str> = ir.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        file,
        vec![
            "// SPDX-License-Identifier: MIT",
            "/* ordlint: allow(volatile-sync) */"
        ]
    );
    assert!(
        matches!(&ir.functions[0].events[..], [Event { kind: EventKind::Comment(c), .. }] if c.text == "/* inside */")
    );
}

#[test]
fn shebang_keeps_offsets() {
    let src = "#!/usr/bin/env rust-script\nfn main() { FLAG.store(true, Ordering::SeqCst); }\n";
    let f = one_fn(src);
    let EventKind::Store(a) = &f.events[0].kind else {
        panic!("{:?}", f.events)
    };
    assert_eq!(text(src, a.target.span), "FLAG");
}
