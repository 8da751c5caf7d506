//! write-once-publication: `WRITE_ONCE()` of a flag or pointer right after initialising what it
//! publishes, with no write barrier between.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{replace, store_release};
use crate::pairing::fence_directly_before;
use crate::rules::context::{mentions_same_cpu_context, runs_in_interrupt_context};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{Access, EventKind, Function, LockKind, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "write-once-publication",
    page: include_str!("../../../../rules/write-once-publication.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["WRITE_ONCE"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// How far back (in events) the initialisation may start.
const LOOKBACK: usize = 8;

/// What the `WRITE_ONCE()` publishes.
enum Published {
    /// A flag of the object whose other fields were just written.
    Flag,
    /// A pointer to an object whose fields were just written.
    Pointer,
}

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Store(store) = &event.kind else {
                continue;
            };
            if !matches!(store.api.as_deref(), Some("WRITE_ONCE" | "__WRITE_ONCE"))
                || store.target.sharing != Sharing::Shared
                || store.target.key.is_none()
                // barrier() or a real barrier right before: barrier-publication's, or ordered.
                || fence_directly_before(f, id).is_some()
            {
                continue;
            }
            let Some(value) = store.value.as_ref().map(|v| v.text.trim()) else {
                continue;
            };
            let Some((published, init_id)) = publication(f, id, store, value) else {
                continue;
            };
            if runs_on_one_cpu(ctx, f, id) {
                continue;
            }
            let target = store.target.text.as_str();
            let (what, replacement) = match published {
                Published::Pointer if is_rcu(ctx, &store.target.key) => (
                    format!("the object `{value}` initialised just before it"),
                    format!("rcu_assign_pointer({target}, {value})"),
                ),
                Published::Pointer => (
                    format!("the object `{value}` initialised just before it"),
                    store_release(target, value),
                ),
                Published::Flag => (
                    "the fields written just before it".to_owned(),
                    store_release(target, value),
                ),
            };
            let message = format!(
                "store to `{target}` with WRITE_ONCE() publishes {what} without ordering; on arm64, POWER and RISC-V a reader can see it before the initialisation"
            );
            let d = out
                .warn(event.span, message)
                .help(format!(
                    "WRITE_ONCE() only prevents tearing; use `{replacement}`"
                ))
                .fix(Some(Fix::safe(
                    format!(
                        "use {}()",
                        replacement.split('(').next().unwrap_or("smp_store_release")
                    ),
                    vec![replace(ctx, event.span, replacement.clone())],
                )));
            if let Some(init) = f.events.get(init_id) {
                d.related(ctx.location(init.span), "initialised here");
            }
        }
    }
}

/// When the store at `id` publishes stores made just before it: what it publishes and the
/// first of those stores. Walks back over stores, loads, comments and calls; any fence,
/// atomic, lock or control transfer ends the initialisation sequence.
fn publication(f: &Function, id: usize, store: &Access, value: &str) -> Option<(Published, usize)> {
    let pointer = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !value.chars().all(|c| c.is_ascii_digit())
        && !matches!(value, "NULL" | "true" | "false");
    let flag = matches!(value, "1" | "true");
    if !pointer && !flag {
        return None;
    }
    let mut first = None;
    for (j, e) in f.before(id).take(LOOKBACK) {
        match &e.kind {
            EventKind::Comment(_) | EventKind::Load(_) | EventKind::Call(_) => {}
            EventKind::Store(s) => {
                let base = s.target.base.as_deref().map(|b| b.trim_start_matches('&'));
                // WRITE_ONCE() initialisation marks a lockless structure (rbtree, list
                // helpers) whose readers tolerate any order: not a publication.
                if s.mark != ordlint_ir::Mark::Plain {
                    return None;
                }
                let same_object = if pointer {
                    base == Some(value)
                } else {
                    s.target.sharing == Sharing::Shared
                        && base.is_some()
                        && base == store.target.base.as_deref()
                        && s.target.key != store.target.key
                };
                if same_object {
                    first = Some(j);
                }
            }
            _ => break,
        }
    }
    let kind = if pointer {
        Published::Pointer
    } else {
        Published::Flag
    };
    first.map(|j| (kind, j))
}

/// Interrupts, preemption or bottom halves off, an interrupt handler, or a comment that says
/// the ordering is against this CPU: not a cross-CPU publication.
fn runs_on_one_cpu(ctx: &RuleContext<'_>, f: &Function, id: usize) -> bool {
    // Under a lock, readers of the other fields usually take it too.
    let pinned = f.held_at(id).iter().any(|l| {
        l.kind.is_mutual_exclusion()
            || matches!(
                l.kind,
                LockKind::IrqOff | LockKind::PreemptOff | LockKind::BhOff
            )
    });
    pinned
        || runs_in_interrupt_context(f)
        || f.events
            .get(id)
            .is_some_and(|e| mentions_same_cpu_context(f, ctx.source, e.span.start))
}

fn is_rcu(ctx: &RuleContext<'_>, key: &Option<ordlint_ir::LocationKey>) -> bool {
    key.as_ref().is_some_and(|k| {
        ctx.ir
            .declarations
            .iter()
            .any(|d| d.qualifiers.rcu && d.name == k.name)
    })
}
