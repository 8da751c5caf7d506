//! waitqueue-active-unordered: a condition store, then `if (waitqueue_active(wq)) wake_up(wq)`
//! with no full barrier between and without the waitqueue's lock.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::rename_call;
use crate::rules::neighbours::{full_barrier_between, is_full_barrier};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{EventKind, Function, Sharing, WakeKind};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "waitqueue-active-unordered",
    page: include_str!("../../../../rules/waitqueue-active-unordered.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["waitqueue_active", "swait_active"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// Words of a comment next to the check that show the author placed a barrier elsewhere.
const BARRIER_WORDS: &[&str] = &["smp_mb", "barrier", "memory order", "ordered"];

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Wake(check) = &event.kind else {
                continue;
            };
            if check.kind != WakeKind::WaitqueueActive {
                continue;
            }
            let Some(wq) = check.object.as_ref().map(|o| o.text.trim()) else {
                continue;
            };
            // Under any lock the waiter usually checks the condition under the same lock.
            let locked = f.held_at(id).iter().any(|l| l.kind.is_mutual_exclusion());
            if locked || !wakes_after(f, id, wq) || holds_waitqueue_lock(f, id, wq) {
                continue;
            }
            let Some((store_id, target)) = condition_store_before(f, id) else {
                continue;
            };
            // A fully ordered RMW (atomic_dec_and_test) is its own barrier.
            if f.events.get(store_id).is_some_and(is_full_barrier)
                || full_barrier_between(f, store_id, id)
                || f.comments_near(event.span.start, ctx.source, 3).any(|c| {
                    let c = c.to_ascii_lowercase();
                    BARRIER_WORDS.iter().any(|w| c.contains(w))
                })
            {
                continue;
            }
            let Some(store_event) = f.events.get(store_id) else {
                continue;
            };
            let replacement = if check.api == "swait_active" {
                "swq_has_sleeper"
            } else {
                "wq_has_sleeper"
            };
            let message = format!(
                "{}() can be satisfied before the store to `{target}` is visible, so a waiter that just checked the condition sleeps forever",
                check.api
            );
            let fix = rename_call(ctx, event.span, replacement)
                .map(|edit| Fix::safe(format!("use {replacement}()"), vec![edit]));
            out.warn(event.span, message)
                .help(format!(
                    "use `{replacement}()`, which puts the needed smp_mb() between the condition store and the check"
                ))
                .related(
                    ctx.location(store_event.span),
                    "the wait condition is written here",
                )
                .fix(fix);
        }
    }
}

/// True when a wake-up of the same queue follows the check.
fn wakes_after(f: &Function, id: usize, wq: &str) -> bool {
    f.after(id).any(|(_, e)| {
        matches!(&e.kind, EventKind::Wake(w)
            if w.kind == WakeKind::WakeUp && w.object.as_ref().is_some_and(|o| o.text.trim() == wq))
    })
}

/// True when the waitqueue's own lock is held at the check (`spin_lock(&wq->lock)`).
fn holds_waitqueue_lock(f: &Function, id: usize, wq: &str) -> bool {
    let head = wq.trim_start_matches('&').trim();
    let candidates = [format!("{head}.lock"), format!("{head}->lock")];
    f.held_at(id)
        .iter()
        .any(|l| candidates.iter().any(|c| *c == l.identity()))
}

/// How many operations before the check the condition store may be.
const WINDOW: usize = 4;

/// The store or RMW to a shared location right before the check (only loads, comments, calls
/// and unlocks between): the wait condition.
fn condition_store_before(f: &Function, id: usize) -> Option<(usize, String)> {
    for (j, e) in f.before(id).take(WINDOW) {
        match &e.kind {
            EventKind::Store(a) if a.target.sharing == Sharing::Shared => {
                return Some((j, a.target.text.clone()))
            }
            EventKind::Rmw(r) if r.target.sharing == Sharing::Shared => {
                return Some((j, r.target.text.clone()))
            }
            EventKind::Load(_)
            | EventKind::Comment(_)
            | EventKind::Call(_)
            | EventKind::Unlock(_) => {}
            _ => return None,
        }
    }
    None
}
