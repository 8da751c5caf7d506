//! waitqueue-active-unordered: a condition store, then `if (waitqueue_active(wq)) wake_up(wq)`
//! with no full barrier between and without the waitqueue's lock.

use crate::code_text::{closing_paren, code_identifiers, code_mentions};
use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::rename_call;
use crate::rules::mmio::is_mmio_read;
use crate::rules::neighbours::{full_barrier_between, is_full_barrier};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Span, Tier};
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
    // The file's sleepers, found on the first check that gets that far.
    let mut sleepers: Option<Vec<Waiter>> = None;
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
            // Under any lock the waiter usually checks the condition under the same lock;
            // `while (waitqueue_active(wq)) wake_up(wq);` drains the queue, it orders nothing.
            let locked = f.held_at(id).iter().any(|l| l.kind.is_mutual_exclusion());
            if locked
                || f.is_polled(id)
                || !wakes_after(f, id, wq)
                || holds_waitqueue_lock(f, id, wq)
            {
                continue;
            }
            let waiters = waiters_of(ctx, sleepers.get_or_insert_with(|| sleepers_in(ctx)), wq);
            let Some((store_id, target, waiter)) = condition_store(ctx, f, id, &waiters) else {
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
            let diagnostic = out
                .warn(event.span, message)
                .help(format!(
                    "use `{replacement}()`, which puts the needed smp_mb() between the condition store and the check"
                ))
                .related(
                    ctx.location(store_event.span),
                    "the wait condition is written here",
                );
            let diagnostic = match waiter {
                Some(w) => diagnostic.related(
                    ctx.location(w.condition),
                    format!("the waiter's {}() sleeps until this holds", w.api(ctx)),
                ),
                None => diagnostic,
            };
            diagnostic.fix(fix);
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

/// A sleeper on the checked wait queue, found in the file's code:
/// `wait_event…(wq, condition, …)` or `swait_event…(…)`.
#[derive(Debug, Clone, Copy)]
struct Waiter {
    /// The whole call.
    call: Span,
    /// Its wait-queue argument.
    queue: Span,
    /// Its condition argument.
    condition: Span,
}

impl Waiter {
    /// The sleeping API as written (`wait_event_interruptible`).
    fn api<'a>(&self, ctx: &RuleContext<'a>) -> &'a str {
        let text = ctx.text(self.call);
        text.split(|c: char| c == '(' || c.is_whitespace())
            .next()
            .unwrap_or(text)
    }
}

/// The wait condition the check orders against: the store (or RMW) to a shared location
/// right before it, with the waiter that reads it when the file has one.
///
/// Without a waiter in the file the nearest store counts. With waiters, the store must be
/// to a location one of their conditions names; when none does and every condition is
/// readable (no helper call that may read the location), the stores before the check are
/// not what the waiters wait for, and there is nothing to report.
fn condition_store<'w>(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    waiters: &'w [Waiter],
) -> Option<(usize, String, Option<&'w Waiter>)> {
    let stores = condition_stores_before(f, id);
    if waiters.is_empty() {
        let (j, target) = stores.into_iter().next()?;
        return Some((j, target, None));
    }
    for (j, target) in &stores {
        let field = last_name(target);
        if let Some(w) = waiters
            .iter()
            .find(|w| code_mentions(ctx.text(w.condition), field))
        {
            return Some((*j, target.clone(), Some(w)));
        }
    }
    if waiters
        .iter()
        .any(|w| calls_a_helper(ctx.text(w.condition)))
    {
        let (j, target) = stores.into_iter().next()?;
        return Some((j, target, None));
    }
    None
}

/// The stores and RMWs to shared locations right before the check, nearest first (only
/// loads, comments, calls and unlocks between them and the check).
fn condition_stores_before(f: &Function, id: usize) -> Vec<(usize, String)> {
    let mut stores = Vec::new();
    for (j, e) in f.before(id).take(WINDOW) {
        match &e.kind {
            EventKind::Store(a) if a.target.sharing == Sharing::Shared => {
                stores.push((j, a.target.text.clone()));
            }
            EventKind::Rmw(r) if r.target.sharing == Sharing::Shared => {
                stores.push((j, r.target.text.clone()));
            }
            EventKind::Load(_)
            | EventKind::Comment(_)
            | EventKind::Call(_)
            | EventKind::Unlock(_) => {}
            _ => break,
        }
    }
    stores
}

/// Every sleeper with a condition in the file's code: `wait_event…(wq, condition, …)`,
/// `swait_event…(…)`.
fn sleepers_in(ctx: &RuleContext<'_>) -> Vec<Waiter> {
    let src = ctx.source;
    code_identifiers(src)
        .filter(|&(s, e)| {
            let name = src.get(s..e).unwrap_or("");
            name.starts_with("wait_event") || name.starts_with("swait_event")
        })
        .filter_map(|(s, e)| {
            let open = e + src.get(e..)?.find(|c: char| !c.is_whitespace())?;
            if src.as_bytes().get(open) != Some(&b'(') {
                return None;
            }
            let call = Span::new(s, closing_paren(src, open)?);
            match crate::fixes::call_args(ctx, call).as_slice() {
                [queue, condition, ..] => Some(Waiter {
                    call,
                    queue: *queue,
                    condition: *condition,
                }),
                _ => None,
            }
        })
        .collect()
}

/// The sleepers on wait queue `wq` (as the check spells it), matched by the queue's last
/// name: `&cl->tx_wait` and `cl->tx_wait`, `mcc_wait[tag]` and `mcc_wait[i]`.
fn waiters_of(ctx: &RuleContext<'_>, sleepers: &[Waiter], wq: &str) -> Vec<Waiter> {
    let queue = last_name(wq);
    sleepers
        .iter()
        .filter(|w| !queue.is_empty() && last_name(ctx.text(w.queue)) == queue)
        .copied()
        .collect()
}

/// The last name of an access path: `hw->pg_state` → `pg_state`, `&x.wq[i]` → `wq`.
fn last_name(path: &str) -> &str {
    let path = path.split('[').next().unwrap_or(path).trim();
    let start = path
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    path.get(start..).unwrap_or("")
}

/// Accessors a wait condition reads its location through, which hide nothing.
const CONDITION_ACCESSORS: &[&str] = &[
    "READ_ONCE",
    "smp_load_acquire",
    "atomic_read",
    "atomic64_read",
    "atomic_long_read",
    "test_bit",
    "list_empty",
    "list_empty_careful",
    "unlikely",
    "likely",
];

/// True when a wait condition calls something other than a plain accessor or an MMIO
/// read: a helper that may read any location.
fn calls_a_helper(condition: &str) -> bool {
    code_identifiers(condition).any(|(s, e)| {
        let name = condition.get(s..e).unwrap_or("");
        let called = condition
            .get(e..)
            .is_some_and(|rest| rest.trim_start().starts_with('('));
        called && !CONDITION_ACCESSORS.contains(&name) && !is_mmio_read(name)
    })
}
