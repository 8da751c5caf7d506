//! volatile-sync: a `volatile` variable or field (C) or `read_volatile`/`write_volatile`
//! access (Rust) used as a flag between threads: polled in a loop and written elsewhere.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::pairing::{owner_type, Role};
use crate::rules::context::{
    in_while_condition, mentions_same_cpu_context, runs_in_interrupt_context,
};
use ordlint_diagnostics::{FixAvailability, Location, Severity, Tier};
use ordlint_ir::{Access, EventKind, Function, Language, LocationKey, Mark, Sharing};
use std::collections::HashSet;

pub(crate) static RULE: RuleDef = RuleDef {
    name: "volatile-sync",
    page: include_str!("../../../../rules/volatile-sync.md"),
    // Pedantic: on Linux 6.12 most hits are flags shared with a signal handler or an
    // interrupt on the same CPU, or descriptors owned by a device (book/src/precision.md).
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::Both,
    triggers: &["volatile"],
    // Writers and pollers in other files come from the index when the run has them; the
    // rule does not ask the run to parse extra files for them.
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Never,
    check,
};

/// Names that are volatile for good reasons (time kept by an interrupt, device registers).
const LEGITIMATE: &[&str] = &["jiffies", "jiffies_64"];

/// Words in an access that point at device memory rather than memory shared by threads.
const MMIO_WORDS: &[&str] = &[
    "__iomem", "mmio", "reg", "regs", "csr", "ioaddr", "iobase", "0x", "port", "hw", "dev",
];

/// Fields through which a handler is registered with `sigaction()`.
const SIGACTION_FIELDS: &[&str] = &["sa_handler", "sa_sigaction"];

/// Calls that register their second argument as a signal handler.
const SIGNAL_CALLS: &[&str] = &["signal", "sigset", "bsd_signal"];

/// How many partner sites a diagnostic lists.
const MAX_RELATED: usize = 3;

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    let volatile_keys = declared_volatile(ctx);
    let handlers = signal_handlers(ctx);
    for f in &ctx.ir.functions {
        if runs_in_interrupt_context(f) || handlers.contains(f.name.as_str()) {
            continue;
        }
        for (id, event) in f.events.iter().enumerate() {
            let (access, load) = match &event.kind {
                EventKind::Load(a) => (a, true),
                EventKind::Store(a) => (a, false),
                _ => continue,
            };
            if access.target.sharing != Sharing::Shared {
                continue;
            }
            let Some(key) = volatile_key(ctx, f, access, &volatile_keys) else {
                continue;
            };
            if LEGITIMATE.contains(&key.name.as_str()) || looks_like_device(&access.target.text) {
                continue;
            }
            if mentions_same_cpu_context(f, ctx.source, event.span.start) {
                continue;
            }
            let owner = owner_type(f, &access.target);
            let partners = if load {
                if !in_while_condition(f, id, ctx.source) {
                    continue;
                }
                writers_elsewhere(ctx, f, &key, owner.as_deref(), &handlers)
            } else {
                if !is_flag_value(access) {
                    continue;
                }
                // A poll in this file reports the pair already.
                if polled_in_file(ctx, &key) {
                    continue;
                }
                pollers_elsewhere(ctx, f, &key, owner.as_deref())
            };
            if partners.is_empty() {
                continue;
            }
            report(ctx, out, event.span, access, load, &partners);
        }
    }
}

/// Keys of variables and fields this file declares `volatile` (the object itself, not a
/// pointer to volatile data such as `volatile u32 *regs`).
fn declared_volatile(ctx: &RuleContext<'_>) -> Vec<(LocationKey, Option<String>)> {
    ctx.ir
        .declarations
        .iter()
        .filter(|d| d.qualifiers.volatile)
        .filter(|d| {
            let text = ctx.text(d.span);
            let before_name = text.rfind(d.name.as_str()).map_or(text, |i| &text[..i]);
            // `volatile int x`, `int *volatile p`: the object is volatile; `volatile int *p`
            // is a pointer to volatile data (MMIO), not a volatile object. `volatile
            // sig_atomic_t` is what C prescribes for a flag a signal handler sets.
            !text.contains("__iomem")
                && !text.contains("sig_atomic_t")
                && match before_name.rfind('*') {
                    None => true,
                    Some(star) => before_name[star..].contains("volatile"),
                }
        })
        .map(|d| {
            let key = match d.owner {
                Some(_) => LocationKey::field(d.name.clone()),
                None => LocationKey::global(d.name.clone()),
            };
            (key, d.owner.clone())
        })
        .collect()
}

/// The location a volatile access names: a Rust `read_volatile`/`write_volatile` target, a C
/// `*(volatile T *)&x` access, or a plain C access to a location declared `volatile`.
fn volatile_key(
    ctx: &RuleContext<'_>,
    f: &Function,
    a: &Access,
    declared: &[(LocationKey, Option<String>)],
) -> Option<LocationKey> {
    match (a.mark, ctx.language) {
        (Mark::Volatile, Language::Rust) => a.target.key.clone(),
        (Mark::Volatile, Language::C) => a
            .target
            .key
            .clone()
            .or_else(|| cast_inner_key(&a.target.text)),
        (Mark::Plain, Language::C) => {
            let key = a.target.key.as_ref()?;
            let owner = owner_type(f, &a.target);
            declared
                .iter()
                .any(|(k, o)| {
                    k == key
                        && match (o, &owner) {
                            (Some(o), Some(w)) => o == w,
                            _ => true,
                        }
                })
                .then(|| key.clone())
        }
        _ => None,
    }
}

/// The key of an access, recovering it from a C volatile cast when the frontend left none.
fn access_key(a: &Access) -> Option<LocationKey> {
    a.target.key.clone().or_else(|| {
        (a.mark == Mark::Volatile)
            .then(|| cast_inner_key(&a.target.text))
            .flatten()
    })
}

/// `*(volatile int *)&d->flag` → field `flag`; `*(volatile int *)&done` → global `done`.
fn cast_inner_key(text: &str) -> Option<LocationKey> {
    let inner = text.rsplit_once(")&").map(|(_, r)| r.trim())?;
    let inner = inner.trim_end_matches(')').trim();
    let last = inner
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    if last.is_empty() {
        return None;
    }
    if inner.contains("->") || inner.contains('.') {
        Some(LocationKey::field(last))
    } else {
        Some(LocationKey::global(last))
    }
}

fn looks_like_device(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| MMIO_WORDS.contains(&w) || w.starts_with("0x"))
        || lower.contains("__iomem")
}

/// The place a volatile access names, without the `&`/`&mut`/`addr_of!` around it.
fn display_target(text: &str) -> &str {
    let t = text.trim();
    let t = t
        .strip_prefix("addr_of_mut!(")
        .or_else(|| t.strip_prefix("addr_of!("))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(t);
    let t = t
        .strip_prefix("&raw const ")
        .or_else(|| t.strip_prefix("&raw mut "))
        .unwrap_or(t);
    let t = t
        .strip_prefix("&mut ")
        .or_else(|| t.strip_prefix('&'))
        .unwrap_or(t);
    t.trim()
}

fn is_flag_value(a: &Access) -> bool {
    a.value
        .as_ref()
        .is_some_and(|v| matches!(v.text.trim(), "true" | "false" | "0" | "1"))
}

/// True when the key is polled by a `while` loop anywhere in this file.
fn polled_in_file(ctx: &RuleContext<'_>, key: &LocationKey) -> bool {
    ctx.ir.functions.iter().any(|f| {
        f.events.iter().enumerate().any(|(id, e)| match &e.kind {
            EventKind::Load(a) => {
                access_key(a).as_ref() == Some(key) && in_while_condition(f, id, ctx.source)
            }
            _ => false,
        })
    })
}

/// Names of the functions this file registers as signal handlers: the second argument of
/// `signal(SIGINT, on_int)`, or the value stored to `sa_handler`/`sa_sigaction` (`sa.sa_handler
/// = on_int;`, `{ .sa_sigaction = &on_segv }`). A signal handler runs on the thread it
/// interrupts, which is what `volatile` is for. The registration is found in the text, since
/// the function that installs the handlers need not mention anything volatile.
fn signal_handlers<'a>(ctx: &RuleContext<'a>) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    let src = ctx.source;
    for field in SIGACTION_FIELDS {
        for (at, _) in src.match_indices(field) {
            let rest = src.get(at + field.len()..).unwrap_or("");
            if let Some(value) = rest.trim_start().strip_prefix('=') {
                if !value.starts_with('=') {
                    names.extend(leading_identifier(value));
                }
            }
        }
    }
    for call in SIGNAL_CALLS {
        for (at, _) in src.match_indices(call) {
            let before = src.get(..at).and_then(|b| b.chars().next_back());
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = src.get(at + call.len()..).unwrap_or("");
            let Some(args) = rest.trim_start().strip_prefix('(') else {
                continue;
            };
            // The second argument: after the first comma, before any nested parenthesis.
            let first = args.split([',', ')', '(']).next().unwrap_or("");
            if let Some(second) = args.get(first.len()..).and_then(|r| r.strip_prefix(',')) {
                names.extend(leading_identifier(second));
            }
        }
    }
    names
}

/// The identifier `text` starts with, after blanks and one `&`.
fn leading_identifier(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let t = t.strip_prefix('&').unwrap_or(t).trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let name = t.get(..end).unwrap_or("");
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Stores to `key` in other functions of this file or in other files of the run, leaving
/// out interrupt and signal handlers, which interrupt the poller on its own CPU. Other files
/// count as the pairing index pairs them: fields of the same declared struct type, never
/// globals (a `done` flag of one tool is not another tool's).
fn writers_elsewhere(
    ctx: &RuleContext<'_>,
    f: &Function,
    key: &LocationKey,
    owner: Option<&str>,
    handlers: &HashSet<&str>,
) -> Vec<Location> {
    let mut sites: Vec<Location> = ctx
        .ir
        .functions
        .iter()
        .filter(|g| {
            g.name != f.name && !runs_in_interrupt_context(g) && !handlers.contains(g.name.as_str())
        })
        .flat_map(|g| g.events.iter())
        .filter(|e| match &e.kind {
            EventKind::Store(a) => access_key(a).as_ref() == Some(key),
            _ => false,
        })
        .map(|e| ctx.location(e.span))
        .collect();
    sites.extend(
        ctx.index
            .partners(key, owner, ctx.path)
            .into_iter()
            .filter(|s| s.location.path != ctx.path && s.role == Role::Write)
            .map(|s| s.location.clone()),
    );
    sites
}

/// Polls of `key` in other files of the run, paired as in [`writers_elsewhere`].
fn pollers_elsewhere(
    ctx: &RuleContext<'_>,
    f: &Function,
    key: &LocationKey,
    owner: Option<&str>,
) -> Vec<Location> {
    ctx.index
        .partners(key, owner, ctx.path)
        .into_iter()
        .filter(|s| matches!(s.role, Role::Read | Role::ReadWrite))
        .filter(|s| s.polled && s.location.path != ctx.path && s.function != f.name)
        .map(|s| s.location.clone())
        .collect()
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    span: ordlint_diagnostics::Span,
    access: &Access,
    load: bool,
    partners: &[Location],
) {
    let target = display_target(&access.target.text);
    let (message, note) = if load {
        (
            format!("`{target}` is a volatile flag polled by another thread: volatile orders nothing between CPUs, so reads after the loop can see stale data on arm64, POWER and RISC-V"),
            "the flag is written here",
        )
    } else {
        (
            format!("`{target}` is a volatile flag written for another thread: volatile orders nothing between CPUs, so the flag can become visible before earlier writes on arm64, POWER and RISC-V"),
            "the flag is polled here",
        )
    };
    let help = match ctx.language {
        Language::Rust => "use an atomic: `load(Ordering::Acquire)` to poll and `store(.., Ordering::Release)` to signal",
        Language::C => "drop `volatile` and use `smp_load_acquire()` to poll and `smp_store_release()` to signal",
    };
    let mut d = out.warn(span, message).help(help);
    for p in partners.iter().take(MAX_RELATED) {
        d = d.related(p.clone(), note);
    }
}
