//! A compact, line-per-event rendering of the IR for snapshots and eyeballing.

#![allow(dead_code)]

use ordlint_diagnostics::LineIndex;
use ordlint_ir::*;
use std::fmt::Write;

fn target(t: &Target) -> String {
    let key = match &t.key {
        Some(k) => format!("{:?}:{}", k.kind, k.name),
        None => "-".to_owned(),
    };
    let base = t
        .base
        .as_deref()
        .map(|b| format!(" base=`{b}`"))
        .unwrap_or_default();
    format!("`{}` key={key}{base} {:?}", t.text, t.sharing)
}

fn ops(args: &[Operand]) -> String {
    args.iter()
        .map(|a| format!("`{}`", a.text))
        .collect::<Vec<_>>()
        .join(", ")
}

fn event(kind: &EventKind) -> String {
    match kind {
        EventKind::Fence(f) => format!("Fence {:?} api={}", f.kind, f.api),
        EventKind::Store(a) | EventKind::Load(a) => {
            let what = if matches!(kind, EventKind::Store(_)) {
                "Store"
            } else {
                "Load"
            };
            let api = a
                .api
                .as_deref()
                .map(|x| format!(" api={x}"))
                .unwrap_or_default();
            let value = a
                .value
                .as_ref()
                .map(|v| format!(" value=`{}`", v.text))
                .unwrap_or_default();
            format!("{what} {:?} {}{api}{value}", a.mark, target(&a.target))
        }
        EventKind::Rmw(r) => {
            let fail = r
                .failure_ordering
                .map(|o| format!("/{o:?}"))
                .unwrap_or_default();
            let bit = r
                .bit
                .as_ref()
                .map(|b| format!(" bit=`{}`", b.text))
                .unwrap_or_default();
            format!(
                "Rmw {}({}) {:?} {:?}{fail} ret={} {}{bit}",
                r.api,
                ops(&r.args),
                r.op,
                r.ordering,
                r.returns_value,
                target(&r.target)
            )
        }
        EventKind::Call(c) => {
            let recv = c
                .receiver
                .as_ref()
                .map(|r| format!("`{}`.", r.text))
                .unwrap_or_default();
            format!("Call {recv}{}({})", c.name, ops(&c.args))
        }
        EventKind::Comment(c) => format!("Comment {:?}", c.text),
        other => format!("{other:?}"),
    }
}

/// Render `ir` of `src`: per function, its scopes and one line per event.
pub fn render(src: &str, ir: &FileIr) -> String {
    let idx = LineIndex::new(src);
    let mut out = String::new();
    for f in &ir.functions {
        let params: Vec<String> = f.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let ret = f
            .return_type
            .as_deref()
            .map(|r| format!(" -> {r}"))
            .unwrap_or_default();
        let _ = writeln!(out, "fn {}({}){ret}", f.name, params.join(", "));
        for (i, s) in f.scopes.iter().enumerate().skip(1) {
            let p = idx.position(s.span.start);
            let _ = writeln!(
                out,
                "  scope {i} {:?} in {} at {}:{}",
                s.kind,
                s.parent.unwrap_or(0),
                p.line,
                p.column
            );
        }
        for e in &f.events {
            let p = idx.position(e.span.start);
            let _ = writeln!(
                out,
                "  {:>3}:{:<3} s{} {}",
                p.line,
                p.column,
                e.scope,
                event(&e.kind)
            );
        }
    }
    for c in &ir.comments {
        let _ = writeln!(out, "file comment {:?}", c.text);
    }
    for p in &ir.problems {
        let _ = writeln!(
            out,
            "problem{} {:?}",
            if p.fatal { " (fatal)" } else { "" },
            p.message
        );
    }
    out
}
