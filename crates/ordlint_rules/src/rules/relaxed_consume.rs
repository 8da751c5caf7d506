//! relaxed-consume: a Relaxed load of a pointer that is then dereferenced, or of a flag or
//! index that gates reads of the data it publishes.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{call_args, ordering_edit};
use crate::rules::publication::{
    bound_local, compiler_fence_between, condition_of, first_deref_after, gated_range,
    has_exclusive_self, is_relaxed, loads_ordered_between, mentions, relaxed_is_justified,
    unordered_data_read_after,
};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Span, Tier};
use ordlint_ir::{Access, EventKind, Function, LocationKey, ScopeKind, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "relaxed-consume",
    page: include_str!("../../../../rules/relaxed-consume.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::Rust,
    triggers: &["Relaxed"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Load(load) = &event.kind else {
                continue;
            };
            if !is_relaxed(load.mark) || load.target.sharing != Sharing::Shared {
                continue;
            }
            if (has_exclusive_self(f) && load.target.base.as_deref() == Some("self"))
                || relaxed_is_justified(ctx, f, event.span.start)
            {
                continue;
            }
            let key = load.target.key.as_ref();
            // The thread that writes the location itself (the owner of a queue index, the
            // only writer of a pointer) reads its own value and needs no acquire.
            if key.is_some() && writes_key(f, key) {
                continue;
            }
            if let Some((use_id, what)) = gated_use(ctx, f, id, key)
                .filter(|(use_id, _)| !compiler_fence_between(f, id, *use_id))
            {
                report(ctx, out, f, id, load, use_id, &what);
            }
        }
    }
}

/// True when the function also stores to or read-modify-writes `key`.
fn writes_key(f: &Function, key: Option<&LocationKey>) -> bool {
    f.events.iter().any(|e| match &e.kind {
        EventKind::Store(a) => a.target.key.as_ref() == key,
        EventKind::Rmw(r) => r.target.key.as_ref() == key,
        _ => false,
    })
}

/// The use the load at `id` fails to order: the dereference of the pointer it loaded, or a
/// data read that the loaded flag or index gates.
fn gated_use(
    ctx: &RuleContext<'_>,
    f: &Function,
    id: usize,
    key: Option<&LocationKey>,
) -> Option<(usize, String)> {
    let local = bound_local(ctx, f, id);
    if let Some(name) = &local {
        if let Some(d) = first_deref_after(ctx, f, id, name) {
            if !loads_ordered_between(f, id, d, None) {
                return Some((d, format!("the dereference of `{name}`")));
            }
            return None;
        }
    }
    let cond = condition_of(f, id).or_else(|| {
        let name = local.as_deref()?;
        tested_later(ctx, f, id, name)
    })?;
    let (from, to) = gated_range(ctx, f, cond)?;
    let r = unordered_data_read_after(ctx, f, id, key)?;
    let at = f.events.get(r)?.span.start;
    if at < from || at >= to {
        return None;
    }
    let text = match f.events.get(r).map(|e| &e.kind) {
        Some(EventKind::Load(a)) => a.target.text.clone(),
        Some(EventKind::Call(c)) => c
            .receiver
            .as_ref()
            .map_or_else(|| c.name.clone(), |r| r.text.clone()),
        _ => return None,
    };
    Some((r, format!("the read of `{text}`")))
}

/// The first condition scope after event `id` that mentions the local `name`.
fn tested_later(ctx: &RuleContext<'_>, f: &Function, id: usize, name: &str) -> Option<usize> {
    let after = f.events.get(id)?.span.end;
    f.scopes
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            matches!(s.kind, ScopeKind::Condition | ScopeKind::LoopCondition)
                && s.span.start >= after
                && mentions(ctx.text(s.span), name)
        })
        .min_by_key(|(_, s)| s.span.start)
        .map(|(i, _)| i)
}

fn report(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    id: usize,
    load: &Access,
    use_id: usize,
    what: &str,
) {
    let Some(event) = f.events.get(id) else {
        return;
    };
    let target = &load.target.text;
    let message = format!(
        "relaxed load of `{target}` does not order {what} after it: it can see data older than the value on arm64, POWER and RISC-V"
    );
    let help = format!(
        "use `Ordering::Acquire` so that {what} sees what the writer of `{target}` released"
    );
    let fix = call_args(ctx, event.span)
        .first()
        .and_then(|arg| ordering_edit(ctx, *arg, "Acquire"))
        .map(|edit| Fix::safe("use `Acquire` ordering", vec![edit]));
    let use_span: Option<Span> = f.events.get(use_id).map(|e| e.span);
    let mut d = out.warn(event.span, message).help(help).fix(fix);
    if let Some(span) = use_span {
        d = d.related(
            ctx.location(span),
            format!("{what} depends on the relaxed load"),
        );
    }
    let _ = d;
}
