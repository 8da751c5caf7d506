//! A compact, line-per-event rendering of lowered functions, for snapshots and debugging.

use ordlint_ir::{EventKind, FileIr, Function, Sharing, Target};
use std::fmt::Write;

fn target(t: &Target) -> String {
    let key = t
        .key
        .as_ref()
        .map(|k| format!(" key={:?}:{}", k.kind, k.name))
        .unwrap_or_default();
    let base = t
        .base
        .as_ref()
        .map(|b| format!(" base={b}"))
        .unwrap_or_default();
    let sharing = match t.sharing {
        Sharing::Shared => "shared",
        Sharing::Local => "local",
        Sharing::PerCpu => "percpu",
    };
    format!("`{}`{key}{base} {sharing}", t.text)
}

/// One line per scope and event, indented by scope depth.
pub(crate) fn function(f: &Function, source: &str) -> String {
    let mut out = String::new();
    let params: Vec<String> = f.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    let _ = writeln!(
        out,
        "fn {} ({}) -> {}",
        f.name,
        params.join(", "),
        f.return_type.as_deref().unwrap_or("?")
    );
    for (i, s) in f.scopes.iter().enumerate().skip(1) {
        let _ = writeln!(
            out,
            "  scope {i} {:?} in {} `{}`",
            s.kind,
            s.parent.unwrap_or(0),
            source
                .get(s.span.start..s.span.end)
                .unwrap_or("?")
                .lines()
                .next()
                .unwrap_or("")
        );
    }
    for e in &f.events {
        let what = match &e.kind {
            EventKind::Fence(x) => format!("fence {:?} {}", x.kind, x.api),
            EventKind::Store(a) => format!(
                "store {:?}{} {} = {}",
                a.mark,
                a.api
                    .as_ref()
                    .map(|a| format!(" via {a}"))
                    .unwrap_or_default(),
                target(&a.target),
                a.value.as_ref().map_or("?", |v| v.text.as_str())
            ),
            EventKind::Load(a) => {
                format!(
                    "load {:?}{} {}",
                    a.mark,
                    a.api
                        .as_ref()
                        .map(|a| format!(" via {a}"))
                        .unwrap_or_default(),
                    target(&a.target)
                )
            }
            EventKind::Rmw(r) => format!(
                "rmw {} {:?} returns={} {:?} {}{}",
                r.api,
                r.op,
                r.returns_value,
                r.ordering,
                target(&r.target),
                r.bit
                    .as_ref()
                    .map(|b| format!(" bit={}", b.text))
                    .unwrap_or_default()
            ),
            EventKind::PerCpu(p) => format!(
                "percpu {} {:?} safe={} var=`{}`",
                p.api, p.op, p.preempt_safe, p.var.text
            ),
            EventKind::Lock(l) => format!("lock {} {:?} {}", l.api, l.kind, l.identity()),
            EventKind::Unlock(l) => format!("unlock {} {:?} {}", l.api, l.kind, l.identity()),
            EventKind::Wake(w) => format!("wake {} {:?}", w.api, w.kind),
            EventKind::Wait(w) => format!("wait {}", w.api),
            EventKind::Call(c) => format!(
                "call {}({})",
                c.name,
                c.args
                    .iter()
                    .map(|a| a.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            EventKind::Comment(c) => format!("comment {}", c.text.lines().next().unwrap_or("")),
            EventKind::Return => "return".to_owned(),
            EventKind::Goto(l) => format!("goto {l}"),
            EventKind::Label(l) => format!("label {l}"),
        };
        let _ = writeln!(out, "  [{}] {what}", e.scope);
    }
    out
}

/// All functions of a file, then its problems.
pub(crate) fn file(ir: &FileIr, source: &str) -> String {
    let mut out: String = ir.functions.iter().map(|f| function(f, source)).collect();
    for p in &ir.problems {
        let _ = writeln!(out, "problem: {}", p.message);
    }
    out
}
