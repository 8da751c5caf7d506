//! rcu-plain-publication: a plain assignment of a non-NULL pointer to a field or global
//! declared `__rcu`, which publishes the object without release ordering.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::fixes::replace;
use crate::pairing::owner_type;
use ordlint_diagnostics::{Fix, FixAvailability, Severity, Tier};
use ordlint_ir::{Access, EventKind, Function, KeyKind, Mark, Sharing};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "rcu-plain-publication",
    page: include_str!("../../../../rules/rcu-plain-publication.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["__rcu"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Sometimes,
    check,
};

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    if !ctx.ir.declarations.iter().any(|d| d.qualifiers.rcu) {
        return;
    }
    for f in &ctx.ir.functions {
        // `__init` code runs once at boot, before readers exist.
        if is_init_function(ctx, f) {
            continue;
        }
        for (id, event) in f.events.iter().enumerate() {
            let EventKind::Store(store) = &event.kind else {
                continue;
            };
            if store.mark != Mark::Plain
                || store.target.sharing != Sharing::Shared
                || !is_rcu_pointer(ctx, f, store)
            {
                continue;
            }
            let Some(value) = store.value.as_ref().map(|v| v.text.trim()) else {
                continue;
            };
            // NULL needs no ordering; a copied field (`a->next = b->next`) or a call result
            // (an allocation, published later) is not a fresh object being published here.
            if is_null(value) || value.contains("->") || value.contains('.') || value.contains('(')
            {
                continue;
            }
            if published_later(f, id, store.target.base.as_deref()) {
                continue;
            }
            let target = store.target.text.as_str();
            let assign = format!("rcu_assign_pointer({target}, {value})");
            // Only a simple `x = v` is rewritten (not `x = y = v` or compound assignments).
            let simple = squash(ctx.text(event.span)) == squash(&format!("{target}={value}"));
            let fix = simple.then(|| {
                Fix::safe(
                    "use rcu_assign_pointer()",
                    vec![replace(ctx, event.span, assign.clone())],
                )
            });
            out.warn(
                event.span,
                format!("plain store to the __rcu pointer `{target}` can publish `{value}` before its fields are initialised on arm64, POWER and RISC-V"),
            )
            .help(format!("use `{assign}`; RCU_INIT_POINTER() is enough when storing NULL or an already-published object"))
            .fix(fix);
        }
    }
}

/// True when the store's target is declared `__rcu` in this file as the pointer itself
/// (`T __rcu *p`, not `T __rcu **p`, whose pointees are the RCU pointers), in the same struct
/// as the base's declared type.
fn is_rcu_pointer(ctx: &RuleContext<'_>, f: &Function, store: &Access) -> bool {
    let Some(key) = &store.target.key else {
        return false;
    };
    let owner = owner_type(f, &store.target);
    ctx.ir.declarations.iter().any(|d| {
        d.qualifiers.rcu
            && d.name == key.name
            && declares_rcu_pointer(ctx.text(d.span), &d.name, &store.target.text)
            && match key.kind {
                KeyKind::Global => d.owner.is_none(),
                KeyKind::Field => matches!((&d.owner, &owner), (Some(a), Some(b)) if a == b),
            }
    })
}

/// True when `decl` (`struct foo __rcu *name;`) makes `name` itself an RCU pointer, or, for an
/// array of RCU pointers, when `target` indexes it.
fn declares_rcu_pointer(decl: &str, name: &str, target: &str) -> bool {
    let Some((_, after)) = decl.split_once("__rcu") else {
        return false;
    };
    let after = after.trim_start();
    let stars = after
        .chars()
        .take_while(|c| *c == '*' || c.is_whitespace())
        .filter(|c| *c == '*')
        .count();
    let rest = after.trim_start_matches(|c: char| c == '*' || c.is_whitespace());
    let Some(tail) = rest.strip_prefix(name) else {
        return false;
    };
    let array = tail.trim_start().starts_with('[');
    stars == 1 && (!array || target.trim_end().ends_with(']'))
}

/// True when the object the store writes into is published after it in the function
/// (`e->tun = tun; hlist_add_head_rcu(&e->node, head);`): it is still private at the store.
fn published_later(f: &Function, id: usize, base: Option<&str>) -> bool {
    let Some(base) = base
        .map(|b| b.trim_start_matches('&').trim())
        .filter(|b| !b.is_empty())
    else {
        return false;
    };
    f.after(id).any(|(_, e)| match &e.kind {
        EventKind::Call(c) => {
            c.name.contains("rcu") && c.args.iter().any(|a| a.text.contains(base))
        }
        EventKind::Store(a) => {
            a.mark == Mark::Release && a.value.as_ref().is_some_and(|v| v.text.trim() == base)
        }
        _ => false,
    })
}

/// True for a function declared `__init`/`__ref`-style boot code (before its name).
fn is_init_function(ctx: &RuleContext<'_>, f: &Function) -> bool {
    let head = ctx.text(ordlint_diagnostics::Span::new(
        f.span.start,
        f.name_span.start,
    ));
    head.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == "__init" || w == "__init_or_module")
}

fn is_null(value: &str) -> bool {
    matches!(
        squash(value).as_str(),
        "NULL" | "0" | "(void*)0" | "((void*)0)"
    )
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pointer_itself_is_an_rcu_pointer() {
        assert!(declares_rcu_pointer(
            "struct tbl __rcu\t*tbl;",
            "tbl",
            "rt->tbl"
        ));
        assert!(!declares_rcu_pointer(
            "struct w __rcu **workers;",
            "workers",
            "workers"
        ));
        assert!(!declares_rcu_pointer(
            "struct t __rcu *tnls[4];",
            "tnls",
            "n->tnls"
        ));
        assert!(declares_rcu_pointer(
            "struct t __rcu *tnls[4];",
            "tnls",
            "n->tnls[1]"
        ));
    }
}
