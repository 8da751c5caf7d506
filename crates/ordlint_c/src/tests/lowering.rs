//! Lowering behaviour on kernel-shaped C.

use super::render;
use crate::{enclosing_definitions, lower, lower_spans};
use ordlint_diagnostics::Span;
use ordlint_ir::{
    Access, AtomicOrdering, EventKind, FenceKind, FileIr, Function, KeyKind, LocationKey, LockKind,
    Mark, PerCpuOp, RmwOp, ScopeKind, Sharing, WakeKind,
};

fn func<'a>(ir: &'a FileIr, name: &str) -> &'a Function {
    match ir.functions.iter().find(|f| f.name == name) {
        Some(f) => f,
        None => panic!(
            "no function {name} in {:?}",
            ir.functions.iter().map(|f| &f.name).collect::<Vec<_>>()
        ),
    }
}

fn stores(f: &Function) -> Vec<&Access> {
    f.events
        .iter()
        .filter_map(|e| {
            if let EventKind::Store(a) = &e.kind {
                Some(a)
            } else {
                None
            }
        })
        .collect()
}

fn loads(f: &Function) -> Vec<&Access> {
    f.events
        .iter()
        .filter_map(|e| {
            if let EventKind::Load(a) = &e.kind {
                Some(a)
            } else {
                None
            }
        })
        .collect()
}

fn store_to<'a>(f: &'a Function, text: &str) -> &'a Access {
    match stores(f).into_iter().find(|a| a.target.text == text) {
        Some(a) => a,
        None => panic!("no store to {text}"),
    }
}

const HANDOFF: &str = r#"
struct waiter {
	struct list_head list;
	struct task_struct *task;
	bool lock_acquired;
};

static void handoff_lock(struct my_lock *lock)
{
	struct waiter *w;

	w = list_first_entry(&lock->waiters, struct waiter, list);
	__list_del(w->list.prev, w->list.next);
	barrier();
	w->lock_acquired = true;
	wake_up_process(w->task);
}

static void wait_for_lock(struct waiter *w)
{
	while (!w->lock_acquired)
		cpu_relax();
}
"#;

#[test]
fn lock_handoff_writer_is_barrier_then_plain_store_to_shared_field() {
    let ir = lower(HANDOFF);
    let f = func(&ir, "handoff_lock");
    let fence = f.events.iter().position(|e| matches!(&e.kind, EventKind::Fence(x) if x.kind == FenceKind::Compiler && x.api == "barrier"));
    let store = f.events.iter().position(
        |e| matches!(&e.kind, EventKind::Store(a) if a.target.text == "w->lock_acquired"),
    );
    assert!(fence.is_some() && store.is_some() && fence < store);
    let a = store_to(f, "w->lock_acquired");
    assert_eq!(a.mark, Mark::Plain);
    assert_eq!(a.target.key, Some(LocationKey::field("lock_acquired")));
    assert_eq!(a.target.base.as_deref(), Some("w"));
    assert_eq!(a.target.sharing, Sharing::Shared);
    assert_eq!(a.value.as_ref().map(|v| v.text.as_str()), Some("true"));
    assert_eq!(
        &HANDOFF[a.target.span.start..a.target.span.end],
        "w->lock_acquired"
    );
    // `w` is a local: assigning it is not a store event; list_first_entry's type and member are not loads.
    assert!(stores(f).iter().all(|s| s.target.text != "w"));
    assert!(loads(f)
        .iter()
        .all(|l| l.target.text != "list" && l.target.text != "waiter"));
    assert!(f
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Wake(w) if w.kind == WakeKind::WakeUpProcess)));
}

#[test]
fn lock_handoff_reader_polls_the_flag_in_a_loop_condition() {
    let ir = lower(HANDOFF);
    let f = func(&ir, "wait_for_lock");
    let id = f
        .events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Load(a) if a.target.text == "w->lock_acquired"));
    let Some(id) = id else {
        panic!("no load of the flag")
    };
    assert!(f.is_polled(id));
    assert!(f.is_within(id, ScopeKind::Loop));
    let call = f
        .events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Call(c) if c.name == "cpu_relax"));
    assert!(call.is_some_and(|c| f.is_within(c, ScopeKind::Loop) && !f.is_polled(c)));
}

#[test]
fn release_and_acquire_targets_drop_the_address_of() {
    let src = "void pub(struct work *w, int v)\n{\n\tsmp_store_release(&w->ready, v);\n\tif (smp_load_acquire(&(w->done)))\n\t\tatomic_set_release(&w->state, 2);\n}\n";
    let ir = lower(src);
    let f = func(&ir, "pub");
    let r = store_to(f, "w->ready");
    assert_eq!(
        (r.mark, r.api.as_deref()),
        (Mark::Release, Some("smp_store_release"))
    );
    assert_eq!(r.target.key, Some(LocationKey::field("ready")));
    assert_eq!(r.value.as_ref().map(|v| v.text.as_str()), Some("v"));
    let l = loads(f);
    assert_eq!(l.len(), 1);
    assert_eq!(
        (l[0].target.text.as_str(), l[0].mark),
        ("w->done", Mark::Acquire)
    );
    assert_eq!(store_to(f, "w->state").mark, Mark::Release);
}

#[test]
fn locals_params_globals_and_statics_get_the_right_sharing() {
    let src = r#"
static int global_count;

static int f(struct foo *p, struct foo byval, int n)
{
	static int calls;
	struct foo loc;
	struct foo *q = p->next;
	int buf[4];
	int i;

	i = n;
	loc.x = 1;
	buf[2] = 3;
	q->y = 4;
	byval.z = 5;
	p->arr[n] = 6;
	global_count++;
	calls += 1;
	*p->ptr = 7;
	return ST_DONE + i;
}
"#;
    let ir = lower(src);
    let f = func(&ir, "f");
    assert_eq!(
        f.params,
        vec![
            ("p".into(), "struct foo *".into()),
            ("byval".into(), "struct foo".into()),
            ("n".into(), "int".into())
        ]
    );
    assert!(
        stores(f).iter().all(|s| s.target.text != "i"),
        "plain locals give no events"
    );
    let sharing = |t: &str| store_to(f, t).target.sharing;
    assert_eq!(sharing("loc.x"), Sharing::Local);
    assert_eq!(sharing("buf[2]"), Sharing::Local);
    assert_eq!(sharing("q->y"), Sharing::Shared);
    assert_eq!(sharing("byval.z"), Sharing::Local);
    assert_eq!(sharing("p->arr[n]"), Sharing::Shared);
    assert_eq!(
        store_to(f, "p->arr[n]").target.key,
        Some(LocationKey::field("arr"))
    );
    assert_eq!(sharing("global_count"), Sharing::Shared);
    assert_eq!(
        store_to(f, "global_count").target.key,
        Some(LocationKey::global("global_count"))
    );
    assert_eq!(
        store_to(f, "calls").target.key.as_ref().map(|k| k.kind),
        Some(KeyKind::Global)
    );
    assert_eq!(store_to(f, "*p->ptr").target.key, None);
    // Compound assignment and ++ read first.
    assert!(loads(f).iter().any(|l| l.target.text == "calls"));
    assert!(loads(f).iter().any(|l| l.target.text == "global_count"));
    assert!(loads(f).iter().any(|l| l.target.text == "p->next"));
    assert!(loads(f)
        .iter()
        .all(|l| l.target.text != "ST_DONE" && l.target.text != "i"));
}

#[test]
fn percpu_variables_and_pointers_are_percpu() {
    let src = r#"
struct pcp_stats { long hits; long misses; };
static DEFINE_PER_CPU(struct pcp_stats, pcp_stats);
DECLARE_PER_CPU(int, irq_depth);

static void account(struct pcp_stats __percpu *remote, int cpu)
{
	struct pcp_stats *s = this_cpu_ptr(&pcp_stats);
	struct pcp_stats *o;

	s->hits++;
	this_cpu_add(pcp_stats.misses, -1);
	__this_cpu_inc(irq_depth);
	o = per_cpu_ptr(remote, cpu);
	o->misses = 0;
	per_cpu(irq_depth, cpu) = 0;
}
"#;
    let ir = lower(src);
    assert!(ir
        .declarations
        .iter()
        .any(|d| d.name == "pcp_stats" && d.qualifiers.percpu && d.qualifiers.is_static));
    assert!(ir
        .declarations
        .iter()
        .any(|d| d.name == "irq_depth" && d.qualifiers.percpu && !d.qualifiers.is_static));
    let f = func(&ir, "account");
    assert_eq!(store_to(f, "s->hits").target.sharing, Sharing::PerCpu);
    assert_eq!(store_to(f, "o->misses").target.sharing, Sharing::PerCpu);
    assert_eq!(
        store_to(f, "per_cpu(irq_depth, cpu)").target.sharing,
        Sharing::PerCpu
    );
    let ops: Vec<(&str, PerCpuOp, bool)> = f
        .events
        .iter()
        .filter_map(|e| {
            if let EventKind::PerCpu(p) = &e.kind {
                Some((p.api.as_str(), p.op, p.preempt_safe))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("this_cpu_ptr", PerCpuOp::LocalPtr, false),
            ("this_cpu_add", PerCpuOp::Dec, true),
            ("__this_cpu_inc", PerCpuOp::Inc, false),
            ("per_cpu_ptr", PerCpuOp::RemotePtr, true),
            ("per_cpu", PerCpuOp::RemotePtr, true),
        ]
    );
}

#[test]
fn spinlock_regions_are_held_between_lock_and_unlock() {
    let src = r#"
static void queue_work_item(struct wq *wq, struct item *it)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	list_add_tail(&it->node, &wq->items);
	wq->count++;
	spin_unlock_irqrestore(&wq->lock, flags);
	rcu_read_lock();
	it->owner = rcu_dereference(wq->owner);
	rcu_read_unlock();
	guard(mutex)(&wq->mutex);
	wq->gen = 1;
}
"#;
    let ir = lower(src);
    let f = func(&ir, "queue_work_item");
    let id = |text: &str| {
        f.events
            .iter()
            .position(|e| matches!(&e.kind, EventKind::Store(a) if a.target.text == text))
    };
    let Some(count) = id("wq->count") else {
        panic!("no store")
    };
    let held = f.held_at(count);
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].kind, held[0].identity().as_str()),
        (LockKind::SpinIrq, "wq->lock")
    );
    let Some(owner) = id("it->owner") else {
        panic!("no store")
    };
    assert_eq!(
        f.held_at(owner).iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LockKind::RcuRead]
    );
    assert!(loads(f)
        .iter()
        .any(|l| l.mark == Mark::Consume && l.target.text == "wq->owner"));
    let Some(gen) = id("wq->gen") else {
        panic!("no store")
    };
    assert_eq!(
        f.held_at(gen)
            .iter()
            .map(|l| (l.kind, l.identity()))
            .collect::<Vec<_>>(),
        vec![(LockKind::Mutex, "wq->mutex".into())]
    );
}

#[test]
fn atomics_carry_returns_value_and_ordering() {
    let src = r#"
static bool put_ref(struct obj *o)
{
	atomic_inc(&o->users);
	atomic_add(2, &o->weight);
	if (atomic_dec_and_test(&o->refs))
		return true;
	atomic64_fetch_add_release(1, &o->seq);
	if (atomic_cmpxchg_acquire(&o->state, 0, 1) == 0)
		old = xchg(&o->owner, NULL);
	refcount_dec_and_test(&o->kref.refcount);
	return atomic_read(&o->users) > atomic_read_acquire(&o->flags);
}
"#;
    let ir = lower(src);
    let f = func(&ir, "put_ref");
    let rmws: Vec<(&str, &str, RmwOp, bool, AtomicOrdering)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rmw(r) => Some((
                r.api.as_str(),
                r.target.text.as_str(),
                r.op,
                r.returns_value,
                r.ordering,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        rmws,
        vec![
            (
                "atomic_inc",
                "o->users",
                RmwOp::Arith,
                false,
                AtomicOrdering::Relaxed
            ),
            (
                "atomic_add",
                "o->weight",
                RmwOp::Arith,
                false,
                AtomicOrdering::Relaxed
            ),
            (
                "atomic_dec_and_test",
                "o->refs",
                RmwOp::Arith,
                true,
                AtomicOrdering::SeqCst
            ),
            (
                "atomic64_fetch_add_release",
                "o->seq",
                RmwOp::Arith,
                true,
                AtomicOrdering::Release
            ),
            (
                "atomic_cmpxchg_acquire",
                "o->state",
                RmwOp::CompareExchange,
                true,
                AtomicOrdering::Acquire
            ),
            (
                "xchg",
                "o->owner",
                RmwOp::Exchange,
                true,
                AtomicOrdering::SeqCst
            ),
            (
                "refcount_dec_and_test",
                "o->kref.refcount",
                RmwOp::Refcount,
                true,
                AtomicOrdering::AcqRel
            ),
        ]
    );
    let l = loads(f);
    assert!(l
        .iter()
        .any(|a| a.target.text == "o->users" && a.mark == Mark::Atomic(AtomicOrdering::Relaxed)));
    assert!(l
        .iter()
        .any(|a| a.target.text == "o->flags" && a.mark == Mark::Acquire));
    // `old` is undeclared here, so it is taken for a global.
    assert_eq!(
        store_to(f, "old").target.key,
        Some(LocationKey::global("old"))
    );
}

#[test]
fn bitops_split_bit_and_bitmap() {
    let src = r#"
static void flags(struct dev *d)
{
	set_bit(DEV_RUNNING, &d->flags);
	if (test_and_set_bit_lock(0, (unsigned long *)&d->lockbits))
		return;
	clear_bit_unlock(0, &d->lockbits);
	__set_bit(3, d->bitmap);
	clear_and_wake_up_bit(DEV_BUSY, &d->flags);
}
"#;
    let ir = lower(src);
    let f = func(&ir, "flags");
    let rmws: Vec<(&str, &str, Option<&str>, RmwOp, bool, AtomicOrdering)> = f
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rmw(r) => Some((
                r.api.as_str(),
                r.target.text.as_str(),
                r.bit.as_ref().map(|b| b.text.as_str()),
                r.op,
                r.returns_value,
                r.ordering,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        rmws,
        vec![
            (
                "set_bit",
                "d->flags",
                Some("DEV_RUNNING"),
                RmwOp::SetBit,
                false,
                AtomicOrdering::Relaxed
            ),
            (
                "test_and_set_bit_lock",
                "d->lockbits",
                Some("0"),
                RmwOp::SetBit,
                true,
                AtomicOrdering::Acquire
            ),
            (
                "clear_bit_unlock",
                "d->lockbits",
                Some("0"),
                RmwOp::ClearBit,
                false,
                AtomicOrdering::Release
            ),
            (
                "__set_bit",
                "d->bitmap",
                Some("3"),
                RmwOp::SetBit,
                false,
                AtomicOrdering::Relaxed
            ),
        ]
    );
    assert!(f
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Wake(w) if w.kind == WakeKind::ClearAndWakeUpBit)));
}

#[test]
fn garbled_function_does_not_drop_its_neighbours() {
    let src = r#"
static void good_one(struct foo *w)
{
	WRITE_ONCE(w->a, 1);
}

static int broken(struct foo *w)
{
	FOO_MACRO(w, {
		int x = ; ] ;
	w->b = 2;
}
}

BROKEN_DECL(a, ] b;

static int good_two(struct foo *w) __acquires(w->lock)
{
	return READ_ONCE(w->c);
}
"#;
    let ir = lower(src);
    assert!(store_to(func(&ir, "good_one"), "w->a").mark == Mark::Once);
    assert!(loads(func(&ir, "good_two"))
        .iter()
        .any(|l| l.target.text == "w->c" && l.mark == Mark::Once));
    assert!(ir.problems.iter().all(|p| !p.fatal));
    assert!(!ir.problems.is_empty());
    assert!(ir.problems.len() <= 3);
}

#[test]
fn bodies_with_macro_headers_are_recovered() {
    let src = r#"
EXPORT_SYMBOL(a)
static void UNKNOWN_ATTR(3) odd_header(int x)
{
	x = 1;
	smp_wmb();
}

SYSCALL_DEFINE2(frob, int, fd, unsigned int, cmd)
{
	return fd_table[fd] + cmd;
}
"#;
    let ir = lower(src);
    let f = func(&ir, "odd_header");
    assert!(f
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Fence(x) if x.kind == FenceKind::Write)));
    assert!(
        stores(f).is_empty(),
        "header names are taken for parameters"
    );
    let s = func(&ir, "frob");
    assert!(loads(s).iter().any(|l| l.target.text == "fd_table[fd]"));
}

#[test]
fn blanked_annotations_keep_offsets() {
    let src = "static void __sched __cold drain(struct q __rcu *q) __must_hold(&q->lock)\n{\n\tstruct node __rcu *n = rcu_dereference_protected(q->head, lockdep_is_held(&q->lock));\n\tRCU_INIT_POINTER(q->head, NULL);\n}\n";
    let ir = lower(src);
    let f = func(&ir, "drain");
    assert_eq!(&src[f.name_span.start..f.name_span.end], "drain");
    for e in &f.events {
        let text = &src[e.span.start..e.span.end];
        match &e.kind {
            EventKind::Load(a) | EventKind::Store(a) => {
                assert_eq!(&src[a.target.span.start..a.target.span.end], a.target.text);
                assert!(text.contains(&a.target.text));
            }
            EventKind::Call(c) => assert!(text.starts_with(&c.name)),
            _ => {}
        }
    }
    assert_eq!(
        store_to(f, "q->head").api.as_deref(),
        Some("RCU_INIT_POINTER")
    );
}

#[test]
fn rcu_fields_and_volatile_globals_are_declared() {
    let src = "struct sess {\n\tstruct cfg __rcu *cfg;\n\tint plain;\n\tvolatile int ticks;\n\tstruct {\n\t\tvoid __percpu *stats;\n\t} inner;\n};\nstatic volatile int stop_flag;\nint counter;\n";
    let ir = lower(src);
    let d: Vec<(&str, Option<&str>, bool, bool, bool, bool)> = ir
        .declarations
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.owner.as_deref(),
                d.qualifiers.rcu,
                d.qualifiers.volatile,
                d.qualifiers.percpu,
                d.qualifiers.is_static,
            )
        })
        .collect();
    assert_eq!(
        d,
        vec![
            ("cfg", Some("sess"), true, false, false, false),
            ("ticks", Some("sess"), false, true, false, false),
            ("stats", Some("sess"), false, false, true, false),
            ("stop_flag", None, false, true, false, true),
            ("counter", None, false, false, false, false),
        ]
    );
}

#[test]
fn deep_nesting_is_skipped_not_overflowed() {
    let n = 10_000;
    let src = format!(
        "int f(void)\n{{\n\treturn {}1{};\n}}\nint g(void) {{ {} }}\n",
        "(".repeat(n),
        ")".repeat(n),
        "{".repeat(n) + &"}".repeat(n)
    );
    let ir = lower(&src);
    assert!(ir.functions.iter().any(|f| f.name == "f"));
    assert!(ir.problems.iter().any(|p| p.message.contains("deeper")));
    let unbalanced = format!("void h(void) {{ x = {}; }}", "(".repeat(n));
    let _ = lower(&unbalanced);
    let _ = enclosing_definitions(&unbalanced, &[5]);
}

#[test]
fn empty_and_comment_only_files_lower_to_nothing() {
    let ir = lower("");
    assert!(ir.functions.is_empty() && ir.problems.is_empty());
    let src = "// SPDX-License-Identifier: GPL-2.0\n/*\n * Nothing here { but braces }.\n */\n";
    let ir = lower(src);
    assert!(ir.functions.is_empty() && ir.problems.is_empty());
    assert_eq!(ir.comments.len(), 2);
    assert_eq!(ir.comments[0].text, "// SPDX-License-Identifier: GPL-2.0");
    assert_eq!(enclosing_definitions(src, &[40]), Some(vec![]));
}

#[test]
fn crlf_files_keep_exact_spans() {
    let src = "static int x;\r\n\r\nvoid set(struct s *p)\r\n{\r\n\t/* publish */\r\n\tWRITE_ONCE(p->v, 1);\r\n\tsmp_wmb();\r\n}\r\n";
    let ir = lower(src);
    let f = func(&ir, "set");
    let s = store_to(f, "p->v");
    assert_eq!(&src[s.target.span.start..s.target.span.end], "p->v");
    let texts: Vec<&str> = f
        .events
        .iter()
        .map(|e| &src[e.span.start..e.span.end])
        .collect();
    assert_eq!(
        texts,
        vec!["/* publish */", "WRITE_ONCE(p->v, 1)", "smp_wmb()"]
    );
    assert_eq!(
        &src[f.events[1].stmt.start..f.events[1].stmt.end],
        "WRITE_ONCE(p->v, 1);"
    );
}

#[test]
fn loops_conditions_and_macro_loops_get_scopes() {
    let src = r#"
static int scan(struct list_head *head, struct ctl *c)
{
	struct item *pos;
	int n = 0;

	list_for_each_entry(pos, head, node) {
		if (pos->flags & ITEM_DEAD)
			continue;
		n += pos->weight;
	}
	for (int i = 0; i < c->max; i++)
		c->slots[i] = 0;
	do {
		n--;
	} while (READ_ONCE(c->busy));
	switch (c->mode) {
	case 1:
		c->x = 1;
		break;
	default:
		goto out;
	}
	scoped_guard(spinlock_irqsave, &c->lock) {
		c->gen++;
	}
	n = c->cond ? c->a : c->b;
out:
	return n;
}
"#;
    let ir = lower(src);
    let f = func(&ir, "scan");
    let ev = |pred: &dyn Fn(&EventKind) -> bool| f.events.iter().position(|e| pred(&e.kind));
    let load = |t: &'static str| move |k: &EventKind| matches!(k, EventKind::Load(a) if a.target.text == t);
    let Some(flags) = ev(&load("pos->flags")) else {
        panic!()
    };
    assert!(f.is_within(flags, ScopeKind::Loop) && f.is_within(flags, ScopeKind::Condition));
    let Some(max) = ev(&load("c->max")) else {
        panic!()
    };
    assert!(f.is_polled(max));
    let Some(busy) = ev(&load("c->busy")) else {
        panic!()
    };
    assert!(f.is_polled(busy));
    let Some(mode) = ev(&load("c->mode")) else {
        panic!()
    };
    assert!(f.is_within(mode, ScopeKind::Condition));
    let Some(x) = ev(&|k| matches!(k, EventKind::Store(a) if a.target.text == "c->x")) else {
        panic!()
    };
    assert!(f.is_within(x, ScopeKind::Branch) && !f.is_within(x, ScopeKind::Loop));
    let Some(gen) = ev(&|k| matches!(k, EventKind::Store(a) if a.target.text == "c->gen")) else {
        panic!()
    };
    assert_eq!(
        f.held_at(gen).iter().map(|l| l.kind).collect::<Vec<_>>(),
        vec![LockKind::SpinIrq]
    );
    let Some(b) = ev(&load("c->b")) else { panic!() };
    assert!(f.is_within(b, ScopeKind::Branch));
    assert!(f.held_at(b).is_empty());
    assert!(f
        .events
        .iter()
        .any(|e| e.kind == EventKind::Goto("out".into())));
    assert!(f
        .events
        .iter()
        .any(|e| e.kind == EventKind::Label("out".into())));
    assert!(ir.problems.is_empty(), "{:?}", ir.problems);
}

#[test]
fn fences_and_store_mb_are_recognised() {
    let src = "void f(struct s *p)\n{\n\tsmp_mb__before_atomic();\n\tsmp_store_mb(p->state, 1);\n\tdma_wmb();\n\tsmp_mb__after_clear_bit();\n\tasm volatile(\"\" ::: \"memory\");\n\twait_event(p->wq, READ_ONCE(p->done));\n}\n";
    let ir = lower(src);
    let f = func(&ir, "f");
    let kinds: Vec<String> = f
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Fence(x) => format!("fence {:?} {}", x.kind, x.api),
            EventKind::Store(a) => format!("store {:?} {}", a.mark, a.target.text),
            EventKind::Load(a) => format!("load {:?} {}", a.mark, a.target.text),
            EventKind::Wait(w) => format!("wait {}", w.api),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "fence BeforeAtomic smp_mb__before_atomic",
            "store Once p->state",
            "fence Full smp_store_mb",
            "fence DmaWrite dma_wmb",
            "fence AfterAtomic smp_mb__after_clear_bit",
            "fence Compiler asm",
            "load Once p->done",
            "wait wait_event",
        ]
    );
}

const DRIVER: &str = r#"// SPDX-License-Identifier: GPL-2.0
/*
 * A made-up driver: "{" in strings and '}' in chars must not confuse slicing.
 */
#include <linux/spinlock.h>

#define RING_SIZE 64
#define RING_NEXT(i) \
	(((i) + 1) & (RING_SIZE - 1)) /* { */

struct ring {
	spinlock_t lock;
	unsigned int head, tail;
	void *slots[RING_SIZE];
	bool stopped;
};

static const char banner[] = "ring {v1}";
static DEFINE_PER_CPU(unsigned long, ring_drops);

static bool ring_push(struct ring *r, void *item)
{
	unsigned int next;
	char open = '{';

	spin_lock(&r->lock);
	next = RING_NEXT(r->head);
	if (next == READ_ONCE(r->tail)) {
		spin_unlock(&r->lock);
		this_cpu_inc(ring_drops);
		return false; /* full } */
	}
	r->slots[r->head] = item;
	smp_store_release(&r->head, next);
	spin_unlock(&r->lock);
	return open == '{';
}

#ifdef CONFIG_RING_DEBUG
static void ring_dump(struct ring *r)
{
	pr_info("%s head=%u\n", banner, r->head);
}
#endif

static void *ring_pop(struct ring *r)
{
	unsigned int tail = r->tail;
	void *item;

	if (tail == smp_load_acquire(&r->head))
		return NULL;
	item = r->slots[tail];
	WRITE_ONCE(r->tail, RING_NEXT(tail));
	return item;
}
"#;

#[test]
fn enclosing_definitions_skip_braces_in_strings_comments_and_chars() {
    let at = |needle: &str| match DRIVER.find(needle) {
        Some(i) => i,
        None => panic!("{needle} not in DRIVER"),
    };
    let Some(spans) = enclosing_definitions(
        DRIVER,
        &[
            at("smp_store_release"),
            at("this_cpu_inc"),
            at("WRITE_ONCE"),
            at("bool stopped"),
        ],
    ) else {
        panic!("scanner unsure")
    };
    let texts: Vec<&str> = spans
        .iter()
        .map(|s| DRIVER[s.start..s.end].trim())
        .collect();
    assert_eq!(texts.len(), 3);
    assert!(texts[0].starts_with("struct ring {") && texts[0].ends_with("};"));
    assert!(
        texts[1].starts_with("static bool ring_push(")
            && texts[1].ends_with("return open == '{';\n}")
    );
    assert!(texts[2].starts_with("static void *ring_pop(") && texts[2].ends_with('}'));
}

#[test]
fn lower_spans_matches_lower_on_those_functions() {
    let whole = lower(DRIVER);
    assert_eq!(
        whole
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["ring_push", "ring_dump", "ring_pop"]
    );
    assert!(whole.problems.is_empty(), "{:?}", whole.problems);
    let offsets: Vec<usize> = ["smp_store_release", "pr_info", "WRITE_ONCE"]
        .iter()
        .filter_map(|n| DRIVER.find(n))
        .collect();
    let Some(spans) = enclosing_definitions(DRIVER, &offsets) else {
        panic!("scanner unsure")
    };
    let sliced = lower_spans(DRIVER, &spans);
    assert_eq!(sliced.functions, whole.functions);
    assert!(sliced.problems.is_empty(), "{:?}", sliced.problems);
    // Each function alone, too.
    for f in &whole.functions {
        let Some(spans) = enclosing_definitions(DRIVER, &[f.name_span.start]) else {
            panic!()
        };
        assert_eq!(lower_spans(DRIVER, &spans).functions, vec![f.clone()]);
    }
}

#[test]
fn lower_spans_reports_ranges_off_char_boundaries() {
    let src = "int é;\nvoid f(void) { }\n";
    let ir = lower_spans(src, &[Span::new(5, 6), Span::new(0, 999)]);
    assert!(ir.functions.is_empty());
    assert_eq!(ir.problems.len(), 1);
    assert_eq!(enclosing_definitions(src, &[999]), None);
}

fn snapshot(name: &str, src: &str) {
    let rendered = render::file(&lower(src), src);
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, rendered);
    });
}

#[test]
fn snapshot_lock_handoff() {
    snapshot("lock_handoff", HANDOFF);
}

#[test]
fn snapshot_ring_driver() {
    snapshot("ring_driver", DRIVER);
}

#[test]
fn locals_record_their_declared_types_with_and_without_initialisers() {
    let src = r#"
void ring_kick(struct ring *ring, int i)
{
	struct task_struct *t = current;
	struct tx_desc *d = &ring->desc[i], *spare, tmp;
	const struct ring_ops *const ops = ring->ops;
	static unsigned long kicks;
	u32 words[4];

	t->flags = 0;
	d->len = 1;
	ops->kick(ring);
}
"#;
    let ir = lower(src);
    let f = func(&ir, "ring_kick");
    let expected: Vec<(String, String)> = [
        ("t", "struct task_struct *"),
        ("d", "struct tx_desc *"),
        ("spare", "struct tx_desc *"),
        ("tmp", "struct tx_desc"),
        ("ops", "const struct ring_ops *"),
        ("kicks", "unsigned long"),
        ("words", "u32 []"),
    ]
    .iter()
    .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
    .collect();
    assert_eq!(f.locals, expected);
    assert_eq!(f.type_of("t"), Some("struct task_struct *"));
    assert_eq!(f.type_of("ring"), Some("struct ring *"));
    // Sliced lowering records the same types.
    let spans =
        crate::enclosing_definitions(src, &[src.find("d->len").unwrap_or(0)]).unwrap_or_default();
    let sliced = crate::lower_spans(src, &spans);
    assert_eq!(func(&sliced, "ring_kick").locals, expected);
}

#[test]
fn must_hold_annotations_and_lockdep_assertions_hold_a_lock() {
    let src = r#"
static void ring_advance(struct ring *r)
	__must_hold(&r->lock)
{
	r->tail++;
}

static int ring_peek(struct ring *r)
{
	lockdep_assert_held(&r->lock);
	return r->slots[r->tail];
}

static void ring_drop(struct ring *r) __releases(r->lock)
{
	r->tail = 0;
	spin_unlock(&r->lock);
}

static void ring_reset(struct ring *r)
{
	r->tail = 0;
}
"#;
    let ir = lower(src);
    let held_at_store = |name: &str, text: &str| {
        let f = func(&ir, name);
        let at = f
            .events
            .iter()
            .position(|e| matches!(&e.kind, EventKind::Store(a) if a.target.text == text))
            .unwrap_or_else(|| panic!("no store to {text} in {name}"));
        f.held_at(at)
            .iter()
            .map(|l| (l.kind, l.api.clone(), l.identity()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        held_at_store("ring_advance", "r->tail"),
        vec![(LockKind::Other, "__must_hold".into(), "r->lock".into())]
    );
    assert_eq!(
        held_at_store("ring_drop", "r->tail"),
        vec![(LockKind::Other, "__releases".into(), "r->lock".into())]
    );
    assert!(held_at_store("ring_reset", "r->tail").is_empty());
    let peek = func(&ir, "ring_peek");
    let read = peek
        .events
        .iter()
        .position(
            |e| matches!(&e.kind, EventKind::Load(a) if a.target.text.starts_with("r->slots")),
        )
        .unwrap_or_else(|| panic!("no load of r->slots"));
    let held: Vec<_> = peek.held_at(read).iter().map(|l| l.identity()).collect();
    assert_eq!(held, vec!["r->lock".to_owned()]);
    // The annotation's event is the function's first and spans the annotation.
    let first = &func(&ir, "ring_advance").events[0];
    assert_eq!(
        &src[first.span.start..first.span.end],
        "__must_hold(&r->lock)"
    );
}

#[test]
fn one_argument_guards_and_iterators_are_blocks_of_their_function() {
    // tree-sitter reads `scoped_guard(irqsave) { … }` and `for_each_online_cpu(cpu) { … }`
    // as function definitions nested in the body; they are the enclosing function's code.
    let src = r#"
void aux_pause(struct ring *rb, int pause)
{
	int total = 0;
	int cpu;

	scoped_guard (irqsave) {
		WRITE_ONCE(rb->in_pause, 1);
		barrier();
		rb->paused = pause;
	}
	scoped_guard(rcu) {
		rb->owner = NULL;
	}
	for_each_online_cpu(cpu) {
		total += per_cpu(ring_hits, cpu);
		rb->seen = total;
	}
}
"#;
    let ir = lower(src);
    assert_eq!(
        ir.functions
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["aux_pause"],
        "no nested pseudo-functions"
    );
    let f = func(&ir, "aux_pause");
    let at = |text: &str| {
        f.events
            .iter()
            .position(|e| matches!(&e.kind, EventKind::Store(a) if a.target.text == text))
            .unwrap_or_else(|| panic!("no store to {text}"))
    };
    let held = |id: usize| f.held_at(id).iter().map(|l| l.kind).collect::<Vec<_>>();
    assert_eq!(held(at("rb->paused")), vec![LockKind::IrqOff]);
    assert_eq!(held(at("rb->owner")), vec![LockKind::RcuRead]);
    assert!(
        held(at("rb->seen")).is_empty(),
        "each guard ends with its block"
    );
    assert!(f.is_within(at("rb->seen"), ScopeKind::Loop));
    // `rb` is the parameter in every block, not a global of some pseudo-function.
    assert!(
        !f.events.iter().any(|e| matches!(&e.kind, EventKind::Load(a)
            if a.target.text == "rb" && a.target.key.as_ref().is_some_and(|k| k.kind == KeyKind::Global))),
        "{:#?}",
        f.events
    );
}
