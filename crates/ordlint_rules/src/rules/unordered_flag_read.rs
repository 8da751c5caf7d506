//! unordered-flag-read: a plain or `READ_ONCE` poll of a flag whose writer publishes it, with
//! reads of the published data after it and no acquire or read barrier in between.

use crate::code_text::code_identifiers;
use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{disjoint, load_acquire, replace};
use crate::pairing::{owner_type, Role, Site};
use crate::rules::context::{entered_with_lock_held, in_while_condition, runs_only_on_tso};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{
    Access, AtomicOrdering, Event, EventKind, FenceKind, Function, KeyKind, LocationKey, Mark,
    ScopeKind, Sharing,
};
use std::collections::HashSet;

pub(crate) static RULE: RuleDef = RuleDef {
    name: "unordered-flag-read",
    page: include_str!("../../../../rules/unordered-flag-read.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    // The reader file may hold none of these: it is linted because it reads a location that a
    // candidate file publishes (`fires_on_partners`).
    // The publishing writers: release stores and stores after an SMP write or full barrier
    // (`wmb()`/`dma_wmb()` order for devices and publish nothing to a reader CPU).
    triggers: &[
        "smp_store_release",
        "set_release",
        "smp_wmb",
        "virt_wmb",
        "smp_mb",
        "virt_mb",
    ],
    also_needs: &[],
    pairing: true,
    fires_on_partners: true,
    partner_names: false,
    reader_shapes: Some(READER_SHAPES),
    fix: FixAvailability::Always,
    check,
};

/// What a definition must contain to hold a site this rule pairs across files: a read it
/// reports (`READ_ONCE()` and the other marked loads, an atomic or `*_read()` accessor, a
/// `while`/`do … while` loop that polls; a plain read that only tests a flag is not reported,
/// see [`publishing_writers`]) or a writer that publishes (a release store, or a store after
/// an SMP write or full barrier).
const READER_SHAPES: &[&str] = &[
    "READ_ONCE",
    "ACCESS_ONCE",
    "smp_cond_load",
    "atomic",
    "_read",
    "while",
    "release",
    "rcu_assign_pointer",
    "smp_mb",
    "smp_wmb",
    "smp_store_mb",
    "set_mb",
    "virt_mb",
    "virt_wmb",
];

/// How many partner sites a diagnostic lists.
const MAX_RELATED: usize = 3;

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    // A reader whose caller holds a lock is most likely serialised with the writer by it, as
    // a reader holding one itself is (see `publishing_writers`).
    let locked_on_entry = entered_with_lock_held(ctx.ir, ctx.source);
    for f in &ctx.ir.functions {
        if locked_on_entry.contains(f.name.as_str()) {
            continue;
        }
        let mut reported: HashSet<&LocationKey> = HashSet::new();
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Load(load) = &event.kind else {
                continue;
            };
            let Some(key) = load.target.key.as_ref() else {
                continue;
            };
            if reported.contains(key) {
                continue;
            }
            let writers = publishing_writers(ctx, f, id, load);
            if writers.is_empty() {
                continue;
            }
            reported.insert(key);
            report(ctx, out, f, id, event, load, &writers);
        }
    }
}

/// The writers elsewhere that publish the location the load at `id` polls, when the load is
/// an unordered poll followed by reads of other shared data.
fn publishing_writers<'a>(
    ctx: &'a RuleContext<'_>,
    f: &Function,
    id: usize,
    load: &Access,
) -> Vec<&'a Site> {
    let unordered_mark = matches!(
        load.mark,
        Mark::Plain | Mark::Once | Mark::Atomic(AtomicOrdering::Relaxed)
    );
    if !unordered_mark || load.target.sharing != Sharing::Shared || runs_only_on_tso(ctx.path) {
        return Vec::new();
    }
    let Some(key) = load.target.key.as_ref() else {
        return Vec::new();
    };
    let polled = is_spin_poll(ctx, f, id);
    let gates = polled || (f.is_within(id, ScopeKind::Condition) && !f.is_polled(id));
    if !gates || !reads_data_after_without_barrier(f, id, key) {
        return Vec::new();
    }
    let owner = owner_type(f, &load.target);
    let reader_locks: Vec<String> = f
        .held_at(id)
        .iter()
        .filter(|l| l.kind.is_mutual_exclusion())
        .map(|l| l.identity())
        .collect();
    // A reader that holds a lock is most likely serialised with the writer by it (or by the
    // caller's lock of the same object), whatever ordlint can see of the writer's side.
    if !reader_locks.is_empty() {
        return Vec::new();
    }
    // A plain read that only tests (does not poll) is usually under a lock or a reference
    // that ordlint cannot see (the caller's): only marked reads and polls count as lockless.
    if load.mark == Mark::Plain && !polled {
        return Vec::new();
    }
    if f.events.get(id).is_some_and(|e| {
        f.comments_near(e.span.start, ctx.source, 3)
            .any(acknowledges_race)
    }) {
        return Vec::new();
    }
    let writers: Vec<&Site> = ctx
        .index
        .partners(key, owner.as_deref(), ctx.path)
        .into_iter()
        .filter(|w| w.role == Role::Write && !(w.function == f.name && w.location.path == ctx.path))
        .filter(|w| publishes(w))
        .collect();
    if key.kind == KeyKind::Field && publication_is_foreign(ctx, &writers, &key.name) {
        return Vec::new();
    }
    writers
}

/// True when every publishing writer is in another part of the tree (neither directory
/// holds the other: `net/ipv4/` for a reader in `net/unix/`; a header and the source file
/// of the same name are one module) and this file stores to the field itself. A structure
/// shared by subsystems (`struct sock`, `struct inode`) is then published with release by
/// one of them and run by this file's own protocol (its lock, its state machine), which the
/// far writer never takes part in.
fn publication_is_foreign(ctx: &RuleContext<'_>, writers: &[&Site], field: &str) -> bool {
    // A file's directory with its trailing `/` (empty in the current directory, which
    // holds every other), and its name without the extension.
    let split = |p: &str| match p.rsplit_once('/') {
        Some((dir, file)) => (
            format!("{dir}/"),
            file.split('.').next().unwrap_or(file).to_owned(),
        ),
        None => (String::new(), p.split('.').next().unwrap_or(p).to_owned()),
    };
    let (here, stem) = split(ctx.path);
    let related = |w: &&Site| {
        let (there, their_stem) = split(&w.location.path);
        here.starts_with(&there) || there.starts_with(&here) || stem == their_stem
    };
    !writers.is_empty() && !writers.iter().any(related) && stores_field(ctx.source, field)
}

/// True when the code of `src` stores to a field named `field`: `x->field = …`,
/// `x.field = …` (not `==`), or `WRITE_ONCE(x->field, …)`.
fn stores_field(src: &str, field: &str) -> bool {
    code_identifiers(src).any(|(s, e)| {
        if src.get(s..e) != Some(field) {
            return false;
        }
        let before = src.get(..s).unwrap_or("").trim_end();
        if !(before.ends_with("->") || before.ends_with('.')) {
            return false;
        }
        let after = src.get(e..).unwrap_or("").trim_start();
        let assigned = after.starts_with('=') && !after.starts_with("==");
        let written_once = {
            // The access is the first argument of WRITE_ONCE(: find the call's opening.
            let head = before.trim_end_matches(|c: char| c != '(');
            head.trim_end_matches('(')
                .trim_end()
                .ends_with("WRITE_ONCE")
                && after.starts_with(',')
        };
        assigned || written_once
    })
}

/// True when a comment next to the read says the race is accepted ("could be changed
/// under us", "racy, but harmless", "benign"): the kernel's prose form of `data_race()`.
/// A comment that only names a race ("to avoid racing with the IRQ handler") does not
/// count: that is where the author may think `READ_ONCE()` is enough.
fn acknowledges_race(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    ["under us", "harmless", "don't care", "doesn't matter"]
        .iter()
        .any(|p| lower.contains(p))
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| matches!(w, "racy" | "benign"))
}

/// A writer publishes when it releases, or comes right after a write or full barrier. A
/// writer that only has barrier() is barrier-publication's finding, which already names this
/// reader and rewrites it: one bug, one diagnostic.
fn publishes(w: &Site) -> bool {
    // SMP barriers only: wmb()/dma_wmb() before a store order it for a device, not a CPU.
    w.mark.is_release_or_stronger()
        || matches!(
            w.fence_before,
            Some(FenceKind::Write | FenceKind::Full | FenceKind::Release | FenceKind::AcqRel)
        )
}

/// True when the load at `id` is the condition of a `while`/`do … while` loop that waits for
/// another CPU: a poll. The bound of a `for` loop or an iterator macro is not, nor is a loop
/// that makes progress itself (see [`loop_advances_itself`]).
fn is_spin_poll(ctx: &RuleContext<'_>, f: &Function, id: usize) -> bool {
    in_while_condition(f, id, ctx.source)
        && f.enclosing(id, ScopeKind::Loop)
            .is_some_and(|l| !loop_advances_itself(ctx, f, id, l.span))
}

/// True when the loop (spanning `span`) around the read at `id` makes progress by itself
/// instead of waiting for a writer: it assigns the base the location is read through (a
/// walk: `while ((pos = pos->next) != head)`, `dentry = parent;`), or, for a plain read, it
/// writes a shared location its condition reads (an iteration up to a bound, such as
/// `while (ring->dirty != ring->cur)` advancing `ring->dirty`, or `while (ctx->pos <
/// dir->i_size)`). Code that iterates to a plain bound expects it not to move, which in the
/// kernel means a lock the caller holds; `READ_ONCE()` bounds keep counting as polls, and
/// so do loops that only count a local index or a timeout.
fn loop_advances_itself(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    span: ordlint_diagnostics::Span,
) -> bool {
    let Some(EventKind::Load(load)) = f.events.get(id).map(|e| &e.kind) else {
        return false;
    };
    // Locals have no store events: the walk is found in the loop's text.
    let base = load.target.base.as_deref().map(str::trim);
    if base.is_some_and(|b| assigns_identifier(ctx.text(span), b)) {
        return true;
    }
    let inside = |e: &Event| e.span.start >= span.start && e.span.end <= span.end;
    let stores = || {
        f.events
            .iter()
            .filter(|e| inside(e))
            .filter_map(|e| match &e.kind {
                EventKind::Store(a) => Some(a),
                _ => None,
            })
    };
    if load.mark != Mark::Plain {
        return false;
    }
    let condition = f.enclosing(id, ScopeKind::LoopCondition).map(|c| c.span);
    let read_by_condition: HashSet<&str> = f
        .events
        .iter()
        .filter(|e| condition.is_some_and(|c| e.span.start >= c.start && e.span.end <= c.end))
        .filter_map(|e| match &e.kind {
            EventKind::Load(a) if a.target.sharing == Sharing::Shared => Some(a.target.text.trim()),
            _ => None,
        })
        .collect();
    stores().any(|a| {
        a.target.sharing == Sharing::Shared && read_by_condition.contains(a.target.text.trim())
    })
}

/// True when `text` assigns or steps the plain identifier `name` (`name = …`, `name++`,
/// `--name`, `name += …`; not `name == …`, not a field `x->name = …`).
fn assigns_identifier(text: &str, name: &str) -> bool {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    text.match_indices(name).any(|(at, _)| {
        let before = text.get(..at).unwrap_or("").trim_end();
        let after = text.get(at + name.len()..).unwrap_or("");
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let starts_word = !before.ends_with(ident)
            && !before.ends_with("->")
            && !before.ends_with('.')
            && !text.get(..at).unwrap_or("").ends_with(ident);
        let rest = after.trim_start();
        let assigned = (rest.starts_with('=') && !rest.starts_with("=="))
            || ["++", "--", "+=", "-="]
                .iter()
                .any(|op| rest.starts_with(op))
            || before.ends_with("++")
            || before.ends_with("--");
        starts_word && !after.starts_with(ident) && assigned
    })
}

/// True when, after the load at `id`, the function reads another shared location before any
/// barrier that orders loads.
fn reads_data_after_without_barrier(f: &Function, id: usize, key: &LocationKey) -> bool {
    let own_scope = f.events.get(id).map(|e| e.scope);
    for (_, e) in f.after(id) {
        match &e.kind {
            EventKind::Fence(fence) if fence.kind.orders_load_load() => return false,
            // Taking a lock is an acquire: what is read under it is ordered after the flag.
            EventKind::Lock(l) if l.kind.is_mutual_exclusion() => return false,
            EventKind::Load(a) if Some(e.scope) != own_scope && is_data_read(a, key) => {
                return true
            }
            _ => {}
        }
    }
    false
}

fn is_data_read(a: &Access, flag: &LocationKey) -> bool {
    a.target.sharing == Sharing::Shared
        && a.target.key.as_ref() != Some(flag)
        && !a.mark.is_acquire_or_stronger()
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    event: &Event,
    load: &Access,
    writers: &[&Site],
) {
    let target = &load.target.text;
    let how = if is_spin_poll(ctx, f, id) {
        "polled"
    } else {
        "tested"
    };
    let mark = match load.mark {
        Mark::Once => "with READ_ONCE()",
        Mark::Atomic(_) => "with a relaxed atomic read",
        _ => "with a plain read",
    };
    let message = format!(
        "`{target}` is {how} {mark}, so the reads after it may see data older than the flag on arm64, POWER and RISC-V"
    );
    let replacement = acquire_form(ctx, event, load);
    let help = format!("use `{replacement}` so that the reads after it are ordered");
    let mut edits = vec![replace(ctx, event.span, replacement.clone())];
    // One diagnostic per flag and function, but its fix makes every such poll of the flag in
    // the function acquire: one --fix run, however often the poll repeats.
    let more = f
        .events
        .iter()
        .enumerate()
        .skip(id + 1)
        .filter_map(|(other, e)| match &e.kind {
            EventKind::Load(l) if l.target.key.is_some() && l.target.key == load.target.key => {
                let flagged = !publishing_writers(ctx, f, other, l).is_empty();
                flagged.then(|| replace(ctx, e.span, acquire_form(ctx, e, l)))
            }
            _ => None,
        });
    for edit in more {
        if disjoint(&edit, &edits) {
            edits.push(edit);
        }
    }
    let fix = Fix::safe(
        format!(
            "use {}",
            replacement.split('(').next().unwrap_or("smp_load_acquire")
        ),
        edits,
    );
    let mut d = out.warn(event.span, message).help(help).fix(Some(fix));
    for w in writers.iter().take(MAX_RELATED) {
        d = d.related(w.location.clone(), writer_note(w));
    }
}

/// The acquire form of the load: `smp_load_acquire(&x)`, or `atomic_read_acquire(&v)` for an
/// `atomic_read(&v)`.
fn acquire_form(ctx: &RuleContext<'_>, event: &Event, load: &Access) -> String {
    match (&load.mark, load.api.as_deref()) {
        (Mark::Atomic(_), Some(api)) => {
            let text = ctx.text(event.span);
            match text.strip_prefix(api) {
                Some(rest) => format!("{api}_acquire{rest}"),
                None => load_acquire(&load.target.text),
            }
        }
        _ => load_acquire(&load.target.text),
    }
}

fn writer_note(w: &Site) -> String {
    if w.mark.is_release_or_stronger() {
        format!("`{}` is published here with release ordering, which needs an acquire read to pair with", w.target)
    } else {
        format!("`{}` is written here after a write barrier, which needs smp_rmb() or acquire on the reader", w.target)
    }
}
