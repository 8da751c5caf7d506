//! smp-barrier-for-device: `smp_wmb()`/`smp_mb()` used to order memory against an MMIO write
//! or a DMA descriptor handed to a device, which SMP barriers do not cover.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::{delete_statement, rename_call};
use crate::pairing::owner_type;
use crate::rules::mmio::{mmio_write, MmioWrite};
use crate::rules::neighbours::next_op;
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{Event, EventKind, Function, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "smp-barrier-for-device",
    page: include_str!("../../../../rules/smp-barrier-for-device.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["smp_wmb", "smp_mb"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Always,
    check,
};

/// Words in a store target that name a DMA descriptor or ring entry.
const DESCRIPTOR_WORDS: &[&str] = &["desc", "bd", "dma", "txd", "rxd"];

/// Comment words saying the barrier orders against another CPU, which an SMP barrier does.
const CPU_WORDS: &[&str] = &["pairs", "paired", "cpu", "race", "see ", "xmit", "other"];

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    for f in &ctx.ir.functions {
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Fence(fence) = &event.kind else {
                continue;
            };
            let api = fence.api.as_str();
            if api != "smp_wmb" && api != "smp_mb" {
                continue;
            }
            let Some((_, op)) = next_op(f, id) else {
                continue;
            };
            let about_cpus = f.comments_near(event.span.start, ctx.source, 3).any(|c| {
                let c = c.to_ascii_lowercase();
                CPU_WORDS.iter().any(|w| c.contains(w))
            });
            if about_cpus {
                continue;
            }
            let mandatory = if api == "smp_wmb" { "wmb" } else { "mb" };
            match &op.kind {
                EventKind::Call(call) => match mmio_write(&call.name) {
                    Some(MmioWrite::Relaxed) => {
                        let fix = rename_call(ctx, event.span, mandatory)
                            .map(|e| Fix::safe(format!("use {mandatory}()"), vec![e]));
                        out.warn(event.span, format!("{api}() does not order memory accesses against the MMIO write {}(); the device can see the write before the data on arm64, POWER and RISC-V, and on UP kernels", call.name))
                            .help(format!("use `{mandatory}()`, or `{}()` which orders earlier memory writes itself", call.name.trim_end_matches("_relaxed").trim_start_matches("__raw_")))
                            .related(ctx.location(op.span), "the MMIO write")
                            .fix(fix);
                    }
                    Some(MmioWrite::Ordered)
                        if api == "smp_wmb" && comment_names_device(ctx, f, event.span.start) =>
                    {
                        out.warn(event.span, format!("smp_wmb() before {}() is the wrong barrier for a device and is redundant: {}() already orders earlier memory writes before the MMIO write", call.name, call.name))
                            .help("remove the smp_wmb()")
                            .related(ctx.location(op.span), "this MMIO write is ordered by itself")
                            .fix(delete_statement(ctx, event.stmt).map(|e| Fix::unsafe_edits("remove smp_wmb()", vec![e])));
                    }
                    _ => {}
                },
                EventKind::Store(store)
                    if api == "smp_wmb"
                        && store.target.sharing == Sharing::Shared
                        && (is_descriptor(&store.target.text)
                            || owner_type(f, &store.target).is_some_and(|t| is_descriptor(&t))
                            || base_declaration(ctx, f, store.target.base.as_deref())
                                .is_some_and(is_descriptor)) =>
                {
                    let Some(doorbell) = mmio_write_after(f, id) else {
                        continue;
                    };
                    let fix = rename_call(ctx, event.span, "dma_wmb")
                        .map(|e| Fix::safe("use dma_wmb()", vec![e]));
                    out.warn(event.span, format!("smp_wmb() orders the descriptor store to `{}` only against other CPUs, not against the device that reads it by DMA", store.target.text))
                        .help("use `dma_wmb()` to order writes to DMA-coherent memory the device reads")
                        .related(ctx.location(doorbell.span), "the device is told here")
                        .fix(fix);
                }
                _ => {}
            }
        }
    }
}

/// Comment words saying the barrier is meant for the device.
const DEVICE_WORDS: &[&str] = &[
    "desc", "doorbell", "hw", "hardware", "device", "dma", "flush",
];

/// True when a comment right before the barrier says it is for the device: only then is an
/// `smp_wmb()` before an ordered MMIO write a misunderstanding rather than CPU-side ordering.
fn comment_names_device(ctx: &RuleContext<'_>, f: &Function, at: usize) -> bool {
    f.comments_near(at, ctx.source, 3).any(|c| {
        let c = c.to_ascii_lowercase();
        DEVICE_WORDS.iter().any(|w| c.contains(w))
    })
}

fn is_descriptor(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        DESCRIPTOR_WORDS
            .iter()
            .any(|d| w.starts_with(d) || w.ends_with(d))
    })
}

/// The line of the function that declares the pointer `base` (`struct tx_desc *d = …;`),
/// read from the source when the frontend recorded no type for it.
fn base_declaration<'a>(
    ctx: &RuleContext<'a>,
    f: &Function,
    base: Option<&str>,
) -> Option<&'a str> {
    let base = base?.trim();
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let pointer = format!("*{base}");
    ctx.text(f.span).lines().find(|line| {
        line.find(&pointer).is_some_and(|at| {
            let rest = line.get(at + pointer.len()..).unwrap_or("").trim_start();
            rest.starts_with('=') || rest.starts_with(';') || rest.starts_with(',')
        })
    })
}

/// The first MMIO write after event `id` in the function (the doorbell).
fn mmio_write_after(f: &Function, id: usize) -> Option<&Event> {
    f.after(id)
        .find(|(_, e)| matches!(&e.kind, EventKind::Call(c) if mmio_write(&c.name).is_some()))
        .map(|(_, e)| e)
}
