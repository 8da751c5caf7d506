//! this-cpu-ordering: a per-CPU counter that other CPUs sum, updated right before a read of
//! the shared flag or lock it synchronises with, with no `smp_mb()` between.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::rules::percpu::var_key;
use ordlint_diagnostics::{FixAvailability, Severity, Tier};
use ordlint_ir::{EventKind, Function, PerCpuOp, ScopeKind, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "this-cpu-ordering",
    page: include_str!("../../../../rules/this-cpu-ordering.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["this_cpu_", "raw_cpu_"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Never,
    check,
};

/// How many events after the update the shared read may come.
const WINDOW: usize = 4;

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    let summed = summed_vars(ctx.source);
    if summed.is_empty() {
        return;
    }
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::PerCpu(op) = &event.kind else {
                continue;
            };
            // The reader-gate shape: raise the count, test a shared flag, and drop the count
            // again on the path where the flag says no.
            let key = var_key(&op.var.text);
            if op.op != PerCpuOp::Inc || !summed.contains(&key) || !drops_later(f, id, &key) {
                continue;
            }
            let mut shared_read = None;
            for (j, e) in f.after(id).take(WINDOW) {
                match &e.kind {
                    EventKind::Comment(_) => {}
                    EventKind::Load(a)
                        if a.target.sharing == Sharing::Shared
                            && f.is_within(j, ScopeKind::Condition) =>
                    {
                        shared_read = Some((e, a.target.text.clone()));
                        break;
                    }
                    EventKind::Load(_) => {}
                    _ => break,
                }
            }
            let Some((read, target)) = shared_read else {
                continue;
            };
            let var = op.var.text.trim();
            out.warn(
                event.span,
                format!("{}({var}) is summed by other CPUs but the read of `{target}` after it is not ordered against it: both CPUs can miss each other on arm64, POWER, RISC-V and x86", op.api),
            )
            .help(format!("put `smp_mb()` between the {}() and the read of `{target}`, paired with an smp_mb() on the side that sums the counter (per-CPU ops have no acquire/release forms)", op.api))
            .related(ctx.location(read.span), "the shared state it synchronises with is read here");
        }
    }
}

/// True when the function decrements the same per-CPU counter after event `id`.
fn drops_later(f: &Function, id: usize, key: &str) -> bool {
    f.after(id).any(|(_, e)| {
        matches!(&e.kind, EventKind::PerCpu(p) if p.op == PerCpuOp::Dec && var_key(&p.var.text) == key)
    })
}

/// Per-CPU variables this file reads for other CPUs (`per_cpu_ptr(v, cpu)`, `per_cpu(v, cpu)`)
/// when it also walks the CPUs (`for_each_possible_cpu`, `for_each_online_cpu`): counters
/// that another CPU sums. A text scan, so iterator bodies the parser could not read count too.
fn summed_vars(source: &str) -> Vec<String> {
    if !source.contains("for_each_") || !source.contains("_cpu(") {
        return Vec::new();
    }
    let mut vars = Vec::new();
    for pattern in ["per_cpu_ptr(", "per_cpu("] {
        for (at, _) in source.match_indices(pattern) {
            let before_ok = source
                .get(..at)
                .and_then(|b| b.chars().last())
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            let Some(args) = source.get(at + pattern.len()..) else {
                continue;
            };
            if let Some(first) = args.split([',', ')']).next() {
                if before_ok && !first.contains('\n') {
                    vars.push(var_key(first));
                }
            }
        }
    }
    vars.sort();
    vars.dedup();
    vars
}
