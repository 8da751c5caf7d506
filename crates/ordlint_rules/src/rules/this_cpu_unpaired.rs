//! this-cpu-unpaired: a `this_cpu_inc()` whose matching `this_cpu_dec()` is skipped on some
//! path of the function, and `__this_cpu_*()` ops where preemption is known to be enabled.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::rename_call;
use crate::rules::percpu::{encloses, known_preemptible, says_cpu_is_pinned, var_name};
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{Event, EventKind, Function, PerCpuOp};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "this-cpu-unpaired",
    page: include_str!("../../../../rules/this-cpu-unpaired.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["this_cpu_"],
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
            let EventKind::PerCpu(op) = &event.kind else {
                continue;
            };
            if op.api.starts_with("this_cpu_") && op.op == PerCpuOp::Inc {
                if let Some(exit) = exit_skipping_dec(ctx, f, id, &var_name(&op.var.text)) {
                    report_unpaired(ctx, out, f, event, exit, &op.api, &op.var.text);
                }
            } else if op.api.starts_with("__this_cpu_")
                && !matches!(op.op, PerCpuOp::LocalPtr | PerCpuOp::RemotePtr)
                && !says_cpu_is_pinned(f)
            {
                if let Some(why) = known_preemptible(f, id) {
                    let safe = op.api.trim_start_matches("__");
                    let fix = rename_call(ctx, event.span, safe)
                        .map(|e| Fix::safe(format!("use {safe}()"), vec![e]));
                    out.warn(
                        event.span,
                        format!("{}() on `{}` runs with preemption enabled ({why}): the task can migrate or be preempted in the middle of the update", op.api, op.var.text.trim()),
                    )
                    .help(format!("use `{safe}()`, or disable preemption around it"))
                    .fix(fix);
                }
            }
        }
    }
}

fn report_unpaired(
    ctx: &RuleContext<'_>,
    out: &mut Report<'_>,
    f: &Function,
    inc: &Event,
    exit: usize,
    api: &str,
    var: &str,
) {
    let Some(exit_event) = f.events.get(exit) else {
        return;
    };
    let how = match &exit_event.kind {
        EventKind::Goto(label) => format!("goto {label}"),
        _ => "return".to_owned(),
    };
    let dec = api.replace("_inc", "_dec").replace("_add", "_sub");
    out.warn(
        exit_event.span,
        format!("this {how} skips the {dec}() that undoes {api}({}) above, leaving the per-CPU count raised for good", var.trim()),
    )
    .help(format!("call `{dec}()` on this path too, or jump to a label before it"))
    .related(ctx.location(inc.span), "raised here");
}

/// A return or goto after the increment at `inc` that leaves without the matching decrement,
/// when the function does decrement `var` later on its main path.
fn exit_skipping_dec(ctx: &RuleContext<'_>, f: &Function, inc: usize, var: &str) -> Option<usize> {
    let is_dec = |e: &Event| {
        matches!(&e.kind, EventKind::PerCpu(p)
            if p.op == PerCpuOp::Dec && p.api.starts_with("this_cpu_") && var_name(&p.var.text) == var)
    };
    let last_dec = f
        .after(inc)
        .filter(|(_, e)| is_dec(e))
        .map(|(j, _)| j)
        .last()?;
    for (j, e) in f.events.iter().enumerate().take(last_dec).skip(inc + 1) {
        let exits = match &e.kind {
            EventKind::Return => returns_failure(ctx.text(e.span)),
            EventKind::Goto(label) => match label_position(f, label) {
                // Jumping to a label that is followed by a decrement is fine.
                Some(at) => !f.after(at).any(|(_, x)| is_dec(x)),
                None => false,
            },
            _ => false,
        };
        if !exits {
            continue;
        }
        // A decrement on the way to the exit (in its block or an enclosing one) covers it.
        let covered = f
            .events
            .iter()
            .enumerate()
            .take(j)
            .skip(inc + 1)
            .any(|(k, d)| {
                is_dec(d) && encloses(f, f.events.get(k).map_or(0, |x| x.scope), e.scope)
            });
        if !covered {
            return Some(j);
        }
    }
    None
}

/// True for a `return` that reports a failure (`return;`, `return -EBUSY;`, `return err;`,
/// `return NULL;`): an error path. A trylock that returns success with the count raised
/// (`return true;`) hands the decrement to its unlock and is left alone.
fn returns_failure(text: &str) -> bool {
    let value = text
        .trim()
        .trim_start_matches("return")
        .trim()
        .trim_end_matches(';')
        .trim();
    value.is_empty()
        || value.starts_with('-')
        || matches!(
            value,
            "NULL" | "err" | "error" | "ret" | "rc" | "status" | "res"
        )
        || value.starts_with("ERR_PTR")
}

fn label_position(f: &Function, label: &str) -> Option<usize> {
    f.events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Label(l) if l == label))
}
