//! Mutation fuzzing of the whole lint, on stable Rust.
//!
//! The corpus is every fixture case under `fixtures/` plus the kernel-style and Rust snippets
//! in [`SNIPPETS`]. Each generated input is one corpus case with one to four mutations applied
//! to one of its files (truncation, splicing with another input, byte flips, insertions and
//! deletions, duplicated or swapped lines, unbalanced brackets, comment openers, `#if`
//! branches, deep bracket runs, trigger tokens in odd places, CRLF, a C file read as Rust…).
//! The input is then linted as the CLI lints (every rule, pedantic included, through
//! [`check_sources`], the prefilter on or off), rendered in every output format, and fixed as
//! `--unsafe-fixes` fixes (through [`fix_sources`]), on a thread with a deadline.
//!
//! An input fails when the run panics (also a panic caught by the core and turned into an
//! `internal-error` diagnostic or an "internal error" file message), takes longer than the
//! deadline, or reports something impossible: a diagnostic, related-site or edit span out of
//! its file's bounds, off a character boundary, reversed, or with a line/column that is not the
//! span's; a multi-line message (or jsonl/github output that is not one line per diagnostic);
//! edits of one fix that overlap; a fix loop that does not converge.
//!
//! Everything is derived from one seed: input `i` of a run with seed `s` is generated from
//! `case_seed(s, i)` alone, so `ORDLINT_FUZZ_SEED=s ORDLINT_FUZZ_CASE=i` replays it.

use crate::Case;
use ordlint_core::fixing::fix_sources;
use ordlint_core::{check_sources, RuleSet, RunOptions, RunResult, SourceFile};
use ordlint_diagnostics::{Applicability, Diagnostic, LineIndex, Location};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One input: the files of one run, as `(path, text)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Where it came from (fixture case or snippet name), for messages.
    pub name: String,
    /// The files of the run.
    pub files: Vec<(String, String)>,
}

/// Kernel-style C and Rust code shaped like the real thing (annotations, preprocessor
/// branches, line continuations, RCU, per-CPU, bit locks, wait queues, refcounts), so that
/// mutations start from more than the fixtures' shapes.
pub const SNIPPETS: &[(&str, &str)] = &[
    (
        "snippets/rcu_table.c",
        r#"// SPDX-License-Identifier: GPL-2.0
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

struct route_table {
	struct rcu_head rcu;
	unsigned int nr;
	struct route __rcu *slots[];
};

static struct route_table __rcu *active_table;
static DEFINE_SPINLOCK(table_lock);

#define TABLE_SLOT(t, i) \
	rcu_dereference_protected((t)->slots[(i)], lockdep_is_held(&table_lock))

static void table_publish(struct route_table *new) __must_hold(&table_lock)
{
	struct route_table *old = rcu_dereference_protected(active_table, 1);

	new->nr = old ? old->nr + 1 : 1;
	active_table = new;	/* plain publication of an __rcu pointer */
	if (old)
		kfree_rcu(old, rcu);
}

unsigned int table_size(void)
{
	struct route_table *t;
	unsigned int nr = 0;

	rcu_read_lock();
	t = rcu_dereference(active_table);
	if (t)
		nr = READ_ONCE(t->nr);
	rcu_read_unlock();
	return nr;
}
"#,
    ),
    (
        "snippets/ring.c",
        r#"#include <linux/atomic.h>
#include <linux/io.h>

struct ring {
	u32 head;
	u32 tail;
	u32 mask;
	void *buf[64];
	void __iomem *doorbell;
	bool stopped;
};

#ifdef CONFIG_SMP
static inline void ring_sync(void) { smp_mb(); }
#else
static inline void ring_sync(void) { barrier(); }
#endif

static int ring_push(struct ring *r, void *item)
{
	u32 head = r->head;

	if (head - READ_ONCE(r->tail) > r->mask)
		return -ENOSPC;
	r->buf[head & r->mask] = item;
	smp_wmb();	/* pairs with smp_rmb() in ring_pop() */
	WRITE_ONCE(r->head, head + 1);
	smp_wmb();
	writel(head + 1, r->doorbell);
	return 0;
}

static void *ring_pop(struct ring *r)
{
	u32 tail = r->tail;
	void *item;

	if (tail == READ_ONCE(r->head))
		return NULL;
	smp_rmb();
	item = r->buf[tail & r->mask];
	smp_store_release(&r->tail, tail + 1);
	return item;
}

static void ring_stop(struct ring *r)
{
	r->stopped = true;
	smp_mb__before_atomic();
	atomic_set(&r->users, 0);
}
"#,
    ),
    (
        "snippets/bitlock.c",
        r#"#include <linux/bitops.h>
#include <linux/wait.h>
#include <linux/percpu.h>

#define OBJ_LOCKED	0
#define OBJ_BUSY	1

struct obj {
	unsigned long flags;
	int state;
	wait_queue_head_t wq;
};

static DEFINE_PER_CPU(unsigned long, obj_ops);

static void obj_lock(struct obj *o)
{
	while (test_and_set_bit(OBJ_LOCKED, &o->flags))
		cpu_relax();
}

static void obj_unlock(struct obj *o)
{
	clear_bit(OBJ_LOCKED, &o->flags);
}

static int obj_update(struct obj *o, int state)
{
	int ret = 0;

	this_cpu_inc(obj_ops);
	obj_lock(o);
	if (o->state < 0) {
		ret = -EINVAL;
		goto out;
	}
	o->state = state;
	clear_bit(OBJ_BUSY, &o->flags);
	wake_up_bit(&o->flags, OBJ_BUSY);
	this_cpu_dec(obj_ops);
out:
	obj_unlock(o);
	o->state = state;
	if (waitqueue_active(&o->wq))
		wake_up(&o->wq);
	return ret;
}
"#,
    ),
    (
        "snippets/refcount.rs",
        r#"use std::ptr::NonNull;
use std::sync::atomic::{self, fence, AtomicBool, AtomicPtr, AtomicUsize, Ordering};

pub struct Inner<T> {
    rc: AtomicUsize,
    data: T,
}

pub struct Shared<T> {
    ptr: NonNull<Inner<T>>,
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        if unsafe { self.ptr.as_ref() }.rc.fetch_sub(1, Ordering::Relaxed) != 1 {
            return;
        }
        // ordlint: allow(relaxed-refcount-release) -- exercised by the fuzzer
        unsafe { drop(Box::from_raw(self.ptr.as_ptr())) };
    }
}

pub struct Slot {
    ready: AtomicBool,
    value: AtomicPtr<u64>,
    raw: *mut u64,
}

impl Slot {
    pub fn publish(&self, v: Box<u64>) {
        self.value.store(Box::into_raw(v), Ordering::Relaxed);
        atomic::compiler_fence(Ordering::SeqCst);
        self.ready.store(true, Ordering::Relaxed);
    }

    pub fn take(&self) -> Option<u64> {
        if !self.ready.load(Ordering::Relaxed) {
            return None;
        }
        fence(Ordering::Acquire);
        let p = self.value.load(Ordering::Relaxed);
        unsafe { Some(std::ptr::read_volatile(p)) }
    }

    pub fn poke(&self) {
        unsafe { std::ptr::write_volatile(self.raw, 1) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn order_is_cmp() {
        assert_eq!(1.cmp(&2), std::cmp::Ordering::Less);
    }
}
"#,
    ),
    (
        "snippets/seqlock.rs",
        r#"use core::sync::atomic::{AtomicU32, Ordering::*};
use std::cell::UnsafeCell;

pub struct SeqLock<T: Copy> {
    seq: AtomicU32,
    data: UnsafeCell<T>,
}

unsafe impl<T: Copy + Send> Sync for SeqLock<T> {}

impl<T: Copy> SeqLock<T> {
    pub fn write(&self, v: T) {
        let s = self.seq.load(Relaxed);
        self.seq.store(s.wrapping_add(1), Relaxed);
        unsafe { *self.data.get() = v };
        self.seq.store(s.wrapping_add(2), Release);
    }

    pub fn read(&self) -> T {
        loop {
            let s1 = self.seq.load(Acquire);
            let v = unsafe { std::ptr::read_volatile(self.data.get()) };
            let s2 = self.seq.load(Relaxed);
            if s1 == s2 && s1 % 2 == 0 {
                return v;
            }
            std::hint::spin_loop();
        }
    }
}

macro_rules! publish {
    ($slot:expr, $v:expr) => {
        $slot.store($v, Relaxed)
    };
}
"#,
    ),
];

/// Every fixture case under `root/fixtures` (one input per case file or folder) plus
/// [`SNIPPETS`], in a fixed order. Markers are blanked, as the fixture harness lints them.
pub fn corpus(root: &Path) -> Vec<Input> {
    let mut out = Vec::new();
    let mut rule_dirs: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    rule_dirs.sort();
    for dir in rule_dirs.iter().filter(|d| d.is_dir()) {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        cases.sort();
        for path in cases {
            let lintable = path.is_dir() && path.file_name().is_some_and(|n| n != "snapshots")
                || matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("c" | "h" | "rs")
                );
            if !lintable {
                continue;
            }
            let Ok(case) = Case::load(&path, root) else {
                continue;
            };
            if case.files.is_empty() {
                continue;
            }
            out.push(Input {
                name: path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
                files: case.files.into_iter().map(|f| (f.path, f.linted)).collect(),
            });
        }
    }
    for (path, text) in SNIPPETS {
        out.push(Input {
            name: (*path).to_owned(),
            files: vec![((*path).to_owned(), (*text).to_owned())],
        });
    }
    out
}

/// Tokens inserted by mutations: brackets and comment openers left unbalanced, preprocessor
/// branches, literals, trigger tokens of the rules (so the prefilter lets mutants through and
/// rules see their APIs in odd places), suppressions, and multi-byte characters.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "/*",
    "*/",
    "//",
    "\"",
    "'",
    "\\\n",
    "\n",
    "\r\n",
    "\t",
    " ",
    "#if 0\n",
    "#ifdef CONFIG_SMP\n",
    "#else\n",
    "#endif\n",
    "#define X(a) \\\n",
    "#include <linux/x.h>\n",
    "r#\"",
    "\"#",
    "b'",
    "'a",
    "é",
    "中",
    "🦀",
    "\u{feff}",
    "\u{2028}",
    "barrier();",
    "barrier()",
    "smp_wmb();",
    "smp_mb();",
    "smp_rmb();",
    "mb();",
    "wmb();",
    "dma_wmb();",
    "WRITE_ONCE(p->flag, 1);",
    "WRITE_ONCE(",
    "READ_ONCE(p->flag)",
    "READ_ONCE(",
    "smp_store_release(&p->x, 1);",
    "smp_load_acquire(&p->x)",
    "rcu_assign_pointer(gp, p);",
    "rcu_dereference(gp)",
    "p->ready = true;",
    "p->ready",
    "gp = p;",
    "test_and_set_bit(0, &f)",
    "test_and_set_bit_lock(0, &f)",
    "clear_bit(0, &f);",
    "clear_bit_unlock(0, &f);",
    "wake_up_bit(&f, 0);",
    "waitqueue_active(&wq)",
    "wake_up(&wq);",
    "wq_has_sleeper(&wq)",
    "this_cpu_inc(cnt);",
    "this_cpu_dec(cnt);",
    "__this_cpu_add(cnt, 1);",
    "per_cpu_ptr(cnt, cpu)",
    "smp_mb__after_atomic();",
    "smp_mb__before_atomic();",
    "smp_mb__before_clear_bit();",
    "atomic_set(&v, 0);",
    "atomic_cmpxchg(&v, 0, 1)",
    "atomic_inc(&v);",
    "atomic_add_return(1, &v)",
    "spin_lock(&l);",
    "spin_unlock(&l);",
    "mutex_lock(&m);",
    "rcu_read_lock();",
    "local_irq_disable();",
    "preempt_disable();",
    "writel(1, base);",
    "volatile ",
    "__rcu ",
    "__percpu ",
    "__acquires(l) ",
    "__init ",
    "/* ordlint: allow(barrier-publication) -- x */",
    "// ordlint: allow(relaxed-publication)\n",
    "/* ordlint: allow( */",
    "// ordlint: allow(no-such-rule)\n",
    "/* pairs with foo() */",
    "/* pairs with */",
    ".store(true, Ordering::Relaxed);",
    ".store(",
    ".load(Ordering::Relaxed)",
    ".load(Relaxed)",
    ".fetch_sub(1, Ordering::Relaxed)",
    ".compare_exchange(0, 1, Relaxed, Relaxed)",
    ".swap(p, Ordering::Relaxed)",
    "compiler_fence(Ordering::SeqCst);",
    "fence(Ordering::Acquire);",
    "fence(Release);",
    "unsafe { ",
    "read_volatile(p)",
    "write_volatile(p, 1);",
    "drop(x);",
    "Box::from_raw(p)",
    "use std::sync::atomic::Ordering;",
    "use std::cmp::Ordering;",
    "use Ordering::*;",
    "fn f() {",
    "fn f(&self) {",
    "impl S {",
    "void f(struct s *p) {",
    "struct s { int a; };",
    "static int g;",
    "->",
    ".",
    "&",
    "*",
    "=",
    "==",
    "if (",
    "while (",
    "for (;;)",
    "do {",
    "} while (0);",
    "return ",
    "goto out;",
    "out:",
    "0x",
    "'\\''",
    "\"\\\"\"",
    "1e9",
    "::",
    "<",
    ">",
    "?",
    "!",
    "#",
    "$",
    "@",
    "\\",
    "`",
    "~",
    "|",
    "^",
    "%",
];

/// Bytes that a flip may write: ASCII punctuation and letters, newlines, a UTF-8 lead and a
/// continuation byte (the input is decoded lossily afterwards, as a mis-encoded file would be
/// rejected; the NUL byte makes the file "binary").
const BYTES: &[u8] = b"{}()[];,*&-><=!/\\\"'#\n\r\t abzAZ09_.:\x00\xc3\xa9\xff";

/// What happened to one generated input.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Diagnostics of the lint run.
    pub diagnostics: usize,
    /// Fixes applied by the fix loop.
    pub fixed: usize,
    /// Wall time of the lint and fix of this input.
    pub elapsed: Duration,
}

/// A failing input, with what it takes to replay it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Seed of the run.
    pub seed: u64,
    /// Index of the input in the run.
    pub case: u64,
    /// The generated input.
    pub input: Input,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fuzz failure (replay with ORDLINT_FUZZ_SEED={} ORDLINT_FUZZ_CASE={} scripts/fuzz.sh), mutant of {}: {}",
            self.seed, self.case, self.input.name, self.message
        )
    }
}

/// The seed of input `case` of a run seeded with `seed` (splitmix64 of their combination).
pub fn case_seed(seed: u64, case: u64) -> u64 {
    let mut z = seed ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generate input `case` of a run seeded with `seed` from `corpus` (which must not be empty).
/// Inputs `0..corpus.len()` of any run are the corpus itself, unmutated.
pub fn generate(corpus: &[Input], seed: u64, case: u64) -> Input {
    let n = corpus.len().max(1) as u64;
    let Some(base) = corpus.get((case % n) as usize) else {
        return Input {
            name: "empty".to_owned(),
            files: Vec::new(),
        };
    };
    if case < n {
        return base.clone();
    }
    let mut rng = fastrand::Rng::with_seed(case_seed(seed, case));
    let mut input = base.clone();
    let rounds = rng.usize(1..=4);
    let mut what = Vec::new();
    for _ in 0..rounds {
        what.push(mutate(&mut rng, &mut input, corpus));
    }
    input.name = format!("{} [{}]", base.name, what.join(", "));
    input
}

/// Largest mutant file, in bytes (growth by repetition stops there).
const MAX_MUTANT_BYTES: usize = 256 << 10;

/// Apply one random mutation to one file of `input`; returns its name.
fn mutate(rng: &mut fastrand::Rng, input: &mut Input, corpus: &[Input]) -> &'static str {
    if input.files.is_empty() {
        return "none";
    }
    let which = rng.usize(..input.files.len());
    let Some((path, text)) = input.files.get_mut(which) else {
        return "none";
    };
    let mut bytes = std::mem::take(text).into_bytes();
    let len = bytes.len();
    let at = |rng: &mut fastrand::Rng| rng.usize(..=len);
    let name = match rng.u32(..14) {
        0 => {
            bytes.truncate(at(rng));
            "truncate"
        }
        1 => {
            let other = corpus
                .get(rng.usize(..corpus.len().max(1)))
                .and_then(|o| o.files.get(rng.usize(..o.files.len().max(1))))
                .map(|(_, t)| t.as_bytes())
                .unwrap_or_default();
            let cut = at(rng);
            let from = rng.usize(..=other.len());
            bytes.truncate(cut);
            bytes.extend_from_slice(other.get(from..).unwrap_or_default());
            "splice"
        }
        2 => {
            for _ in 0..rng.usize(1..=8) {
                if let Some(b) = bytes.get_mut(rng.usize(..len.max(1))) {
                    *b = BYTES.get(rng.usize(..BYTES.len())).copied().unwrap_or(b' ');
                }
            }
            "flip bytes"
        }
        3 | 4 => {
            for _ in 0..rng.usize(1..=4) {
                let token = TOKENS.get(rng.usize(..TOKENS.len())).copied().unwrap_or("");
                let pos = rng.usize(..=bytes.len());
                bytes.splice(pos..pos, token.bytes());
            }
            "insert tokens"
        }
        5 => {
            let start = rng.usize(..=len);
            let end = (start + rng.usize(1..=64)).min(len);
            bytes.drain(start..end);
            "delete bytes"
        }
        6 => {
            let lines = split_lines(&bytes);
            if let Some(line) = lines.get(rng.usize(..lines.len().max(1))).cloned() {
                let times = rng.usize(1..=3);
                let pos = rng.usize(..=lines.len());
                bytes = join_lines(lines, pos, &line.repeat(times));
            }
            "duplicate line"
        }
        7 => {
            let mut lines = split_lines(&bytes);
            if lines.len() >= 2 {
                let (a, b) = (rng.usize(..lines.len()), rng.usize(..lines.len()));
                lines.swap(a, b);
            }
            bytes = lines.concat();
            "swap lines"
        }
        8 => {
            let unbalanced = [
                "{", "}", "(", ")", "[", "]", "/*", "\"", "'", "#if 0\n", "#endif\n", "#else\n",
                "r#\"",
            ];
            let token = unbalanced.get(rng.usize(..unbalanced.len())).copied();
            let pos = rng.usize(..=len);
            bytes.splice(pos..pos, token.unwrap_or("{").bytes());
            "unbalanced token"
        }
        9 => {
            let (open, close) = [("(", ")"), ("{", "}"), ("[", "]"), ("if (a) {", "}")]
                .get(rng.usize(..4))
                .copied()
                .unwrap_or(("(", ")"));
            let depth = rng.usize(1..=400);
            let pos = rng.usize(..=len);
            let balanced = rng.bool();
            let mut run = open.repeat(depth);
            if balanced {
                run.push('x');
                run.push_str(&close.repeat(depth));
            }
            bytes.splice(pos..pos, run.bytes());
            "bracket run"
        }
        10 => {
            let crlf = String::from_utf8_lossy(&bytes)
                .replace("\r\n", "\n")
                .replace('\n', "\r\n");
            bytes = if rng.bool() {
                crlf.into_bytes()
            } else {
                String::from_utf8_lossy(&bytes)
                    .replace('\n', "\r")
                    .into_bytes()
            };
            "line endings"
        }
        11 => {
            let start = rng.usize(..=len);
            let end = (start + rng.usize(1..=256)).min(len);
            let chunk = bytes.get(start..end).unwrap_or_default().to_vec();
            let times = rng.usize(2..=64);
            for _ in 0..times {
                if bytes.len() + chunk.len() > MAX_MUTANT_BYTES {
                    break;
                }
                bytes.splice(end..end, chunk.iter().copied());
            }
            "repeat chunk"
        }
        12 => {
            *path = if path.ends_with(".rs") {
                format!("{}.c", path.trim_end_matches(".rs"))
            } else {
                format!("{}.rs", path.trim_end_matches(".c").trim_end_matches(".h"))
            };
            "swap language"
        }
        _ => {
            // A directive or suppression at a line start.
            let lines = split_lines(&bytes);
            let directive = [
                "#if 0\n",
                "#ifdef X\n",
                "#else\n",
                "#endif\n",
                "#define barrier() \\\n",
                "/* ordlint: allow(barrier-publication) */\n",
                "// ordlint: allow(ALL)\n",
                "#[cfg(any())]\n",
                "}\n",
                "{\n",
            ];
            let line = directive
                .get(rng.usize(..directive.len()))
                .copied()
                .unwrap_or("\n");
            let pos = rng.usize(..=lines.len());
            bytes = join_lines(lines, pos, line.as_bytes());
            "directive line"
        }
    };
    bytes.truncate(MAX_MUTANT_BYTES);
    *text = String::from_utf8_lossy(&bytes).into_owned();
    name
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn join_lines(mut lines: Vec<Vec<u8>>, pos: usize, insert: &[u8]) -> Vec<u8> {
    let pos = pos.min(lines.len());
    lines.insert(pos, insert.to_vec());
    lines.concat()
}

/// The options of a CLI run with every rule (pedantic included).
fn options(prefilter: bool) -> RunOptions {
    RunOptions {
        rules: RuleSet::all(),
        jobs: Some(1),
        prefilter,
        ..RunOptions::default()
    }
}

/// Lint `input` as the CLI would (all rules; the prefilter on for even inputs and off for
/// odd ones, so both the sliced and the whole-file lowering are exercised), check every
/// diagnostic and fix, then run the `--unsafe-fixes` loop and check what it leaves.
pub fn check_input(input: &Input, prefilter: bool) -> Result<Outcome, String> {
    let started = Instant::now();
    let mut seen = std::collections::BTreeSet::new();
    let sources: Vec<SourceFile> = input
        .files
        .iter()
        .filter(|(p, _)| seen.insert(p.clone()))
        .filter_map(|(p, t)| SourceFile::new(p.clone(), t.clone()))
        .collect();
    let texts: BTreeMap<String, String> = sources
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    let options = options(prefilter);
    let result = check_sources(sources.clone(), &options);
    check_result(&result, &texts).map_err(|e| format!("lint: {e}"))?;
    render_all(&result, &texts).map_err(|e| format!("render: {e}"))?;
    for d in &result.diagnostics {
        if let Some(fix) = &d.fix {
            apply_fix_strictly(fix, &texts).map_err(|e| {
                format!(
                    "fix of {} at {}:{}: {e}",
                    d.rule, d.location.start.line, d.location.start.column
                )
            })?;
        }
    }
    // A mutant can repeat one smell more often than the CLI's rounds (rules report one site
    // per function and key, and the next shows after the first is fixed), so the loop may
    // stop before the end while still making progress: it gets two more runs from where it
    // stopped. A fix that changes nothing or undoes another never gets there.
    let mut final_texts = texts.clone();
    let mut outcome = fix_sources(sources, &options, Applicability::Unsafe);
    let mut fixed = outcome.fixed;
    final_texts.extend(outcome.changed.clone());
    for _ in 0..2 {
        if outcome.converged {
            break;
        }
        let again = input
            .files
            .iter()
            .filter_map(|(p, _)| SourceFile::new(p.clone(), final_texts.get(p)?.clone()))
            .collect();
        outcome = fix_sources(again, &options, Applicability::Unsafe);
        fixed += outcome.fixed;
        final_texts.extend(outcome.changed.clone());
    }
    if !outcome.converged {
        return Err(format!(
            "the fix loop did not converge in {} rounds; still fixable: {}",
            3 * ordlint_core::fixing::MAX_FIX_ROUNDS,
            describe_fixable(&outcome.remaining)
        ));
    }
    check_result(&outcome.remaining, &final_texts).map_err(|e| format!("after fixing: {e}"))?;
    Ok(Outcome {
        diagnostics: result.diagnostics.len(),
        fixed,
        elapsed: started.elapsed(),
    })
}

/// Render `result` in every output format (a renderer must not panic on any run), and check
/// that the line-oriented ones give one line per diagnostic.
fn render_all(result: &RunResult, texts: &BTreeMap<String, String>) -> Result<(), String> {
    let mut sources = ordlint_render::SourceMap::new();
    for (path, text) in texts {
        sources.insert(path.clone(), text.clone());
    }
    let diagnostics = &result.diagnostics;
    let rules: Vec<ordlint_diagnostics::RuleInfo> =
        RuleSet::all().iter().map(|r| r.info()).collect();
    ordlint_render::human(diagnostics, &sources, true);
    ordlint_render::json(diagnostics);
    ordlint_render::sarif(diagnostics, &rules);
    for (format, text) in [
        ("jsonl", ordlint_render::jsonl(diagnostics)),
        ("github", ordlint_render::github(diagnostics)),
    ] {
        if text.lines().count() != diagnostics.len() {
            return Err(format!(
                "{format} output has {} lines for {} diagnostics",
                text.lines().count(),
                diagnostics.len()
            ));
        }
    }
    Ok(())
}

fn describe_fixable(result: &RunResult) -> String {
    result
        .diagnostics
        .iter()
        .filter(|d| d.fix.is_some())
        .map(|d| format!("{}@{}:{}", d.rule, d.location.path, d.location.start.line))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every invariant of a run's output over `texts` (path → text linted).
pub fn check_result(result: &RunResult, texts: &BTreeMap<String, String>) -> Result<(), String> {
    for e in &result.errors {
        if e.message.contains("internal error") {
            return Err(format!("{}: {}", e.path, e.message));
        }
        if e.message.contains('\n') || e.message.is_empty() {
            return Err(format!(
                "{}: file message not one line: {:?}",
                e.path, e.message
            ));
        }
    }
    for d in &result.diagnostics {
        check_diagnostic(d, texts)?;
    }
    Ok(())
}

fn check_diagnostic(d: &Diagnostic, texts: &BTreeMap<String, String>) -> Result<(), String> {
    let at = format!(
        "{} at {}:{}",
        d.rule, d.location.path, d.location.start.line
    );
    if d.rule == ordlint_core::INTERNAL_ERROR {
        return Err(d.message.clone());
    }
    if d.message.is_empty() || d.message.contains('\n') {
        return Err(format!("{at}: message not one line: {:?}", d.message));
    }
    check_location(&d.location, texts).map_err(|e| format!("{at}: primary span {e}"))?;
    for r in &d.related {
        check_location(&r.location, texts).map_err(|e| format!("{at}: related span {e}"))?;
    }
    if let Some(fix) = &d.fix {
        for e in &fix.edits {
            check_location(&e.location, texts).map_err(|err| format!("{at}: edit {err}"))?;
        }
        let mut edits: Vec<&ordlint_diagnostics::Edit> = fix.edits.iter().collect();
        edits.sort_by_key(|e| (e.location.path.as_str(), e.location.span));
        for pair in edits.windows(2) {
            if let [a, b] = pair {
                let same_file = a.location.path == b.location.path;
                if same_file && a.location.span.end > b.location.span.start {
                    return Err(format!(
                        "{at}: edits of one fix overlap: {:?} and {:?}",
                        a.location.span, b.location.span
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_location(l: &Location, texts: &BTreeMap<String, String>) -> Result<(), String> {
    let Some(text) = texts.get(&l.path) else {
        return Err(format!("in unknown file {}", l.path));
    };
    let s = l.span;
    if s.start > s.end || s.end > text.len() {
        return Err(format!(
            "{s:?} out of bounds (file is {} bytes)",
            text.len()
        ));
    }
    if !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
        return Err(format!("{s:?} not on character boundaries"));
    }
    let expected = Location::new(&l.path, s, &LineIndex::new(text));
    if (expected.start, expected.end) != (l.start, l.end) {
        return Err(format!(
            "{s:?} has lines/columns {:?}-{:?}, expected {:?}-{:?}",
            l.start, l.end, expected.start, expected.end
        ));
    }
    Ok(())
}

/// Apply one fix alone, failing on any edit that could not be applied as written.
fn apply_fix_strictly(
    fix: &ordlint_diagnostics::Fix,
    texts: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut by_file: BTreeMap<&str, Vec<&ordlint_diagnostics::Edit>> = BTreeMap::new();
    for e in &fix.edits {
        by_file.entry(e.location.path.as_str()).or_default().push(e);
    }
    for (path, edits) in by_file {
        let Some(text) = texts.get(path) else {
            return Err(format!("edit in unknown file {path}"));
        };
        let (new, applied) = ordlint_core::fix::apply_edits(text, &edits);
        if applied != edits.len() {
            return Err(format!(
                "only {applied} of {} edits in {path} could be applied",
                edits.len()
            ));
        }
        out.insert(path.to_owned(), new);
    }
    if out.iter().all(|(path, new)| texts.get(path) == Some(new)) {
        return Err("the fix changes nothing, so fixing would never end".to_owned());
    }
    Ok(out)
}

/// Settings of a fuzzing run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The run's seed.
    pub seed: u64,
    /// How many inputs to generate (the unmutated corpus counts).
    pub iterations: u64,
    /// Only this input (a replay), when set.
    pub only: Option<u64>,
    /// Deadline of one input.
    pub timeout: Duration,
    /// Stop after this many failures.
    pub max_failures: usize,
    /// Where failing inputs are written, when set.
    pub save_to: Option<PathBuf>,
}

impl Settings {
    /// Settings from `ORDLINT_FUZZ_SEED`, `ORDLINT_FUZZ_ITERS`, `ORDLINT_FUZZ_CASE`,
    /// `ORDLINT_FUZZ_TIMEOUT_MS`, `ORDLINT_FUZZ_MAX_FAILURES` (default 20) and
    /// `ORDLINT_FUZZ_OUT`, with the given defaults.
    pub fn from_env(seed: u64, iterations: u64, timeout: Duration) -> Self {
        let var = |name: &str| -> Option<u64> { std::env::var(name).ok()?.trim().parse().ok() };
        Settings {
            seed: var("ORDLINT_FUZZ_SEED").unwrap_or(seed),
            iterations: var("ORDLINT_FUZZ_ITERS").unwrap_or(iterations),
            only: var("ORDLINT_FUZZ_CASE"),
            timeout: var("ORDLINT_FUZZ_TIMEOUT_MS").map_or(timeout, Duration::from_millis),
            max_failures: var("ORDLINT_FUZZ_MAX_FAILURES").map_or(20, |n| n as usize),
            save_to: std::env::var_os("ORDLINT_FUZZ_OUT").map(PathBuf::from),
        }
    }
}

/// What a fuzzing run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Inputs linted and fixed.
    pub inputs: u64,
    /// Bytes of all inputs.
    pub bytes: u64,
    /// Diagnostics reported over all inputs.
    pub diagnostics: u64,
    /// Fixes applied over all inputs.
    pub fixed: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The slowest input's time and index.
    pub slowest: (Duration, u64),
    /// Failing inputs.
    pub failures: Vec<Failure>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "{} inputs ({} KiB) in {:.1} s = {:.0} inputs/s; {} diagnostics, {} fixes applied; slowest input #{} took {} ms; {} failures",
            self.inputs,
            self.bytes >> 10,
            secs,
            self.inputs as f64 / secs,
            self.diagnostics,
            self.fixed,
            self.slowest.1,
            self.slowest.0.as_millis(),
            self.failures.len()
        )
    }
}

/// Run one input on its own thread, failing it when it panics or misses `timeout`.
pub fn run_one(input: &Input, case: u64, timeout: Duration) -> Result<Outcome, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = input.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("fuzz-{case}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(|| check_input(&owned, case & 1 == 0));
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start a thread: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(format!("panic: {}", ordlint_core::panic_message(&panic))),
        Err(_) => Err(format!("took longer than {} ms", timeout.as_millis())),
    }
}

/// Generate, lint and fix `settings.iterations` inputs from `corpus` (or just the replayed
/// one), collecting failures; failing inputs are written under `settings.save_to`.
pub fn fuzz(corpus: &[Input], settings: &Settings) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    let cases: Box<dyn Iterator<Item = u64>> = match settings.only {
        Some(case) => Box::new(std::iter::once(case)),
        None => Box::new(0..settings.iterations),
    };
    for case in cases {
        let input = generate(corpus, settings.seed, case);
        report.inputs += 1;
        report.bytes += input.files.iter().map(|(_, t)| t.len() as u64).sum::<u64>();
        match run_one(&input, case, settings.timeout) {
            Ok(o) => {
                report.diagnostics += o.diagnostics as u64;
                report.fixed += o.fixed as u64;
                if o.elapsed > report.slowest.0 {
                    report.slowest = (o.elapsed, case);
                }
            }
            Err(message) => {
                let failure = Failure {
                    seed: settings.seed,
                    case,
                    input,
                    message,
                };
                if let Some(dir) = &settings.save_to {
                    save(dir, &failure);
                }
                report.failures.push(failure);
                if report.failures.len() >= settings.max_failures {
                    break;
                }
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Write a failing input's files under `dir/seed-S-case-I/`.
fn save(dir: &Path, failure: &Failure) {
    let case_dir = dir.join(format!("seed-{}-case-{}", failure.seed, failure.case));
    for (path, text) in &failure.input.files {
        let file = case_dir.join(path.replace("..", "_"));
        if let Some(parent) = file.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&file, text);
    }
    let _ = std::fs::write(case_dir.join("FAILURE.txt"), failure.to_string());
}
