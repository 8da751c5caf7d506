//! barrier-without-comment: an SMP barrier with no comment saying what it orders or pairs with,
//! or whose "pairs with" comment names a function that the linted files do not have.

use crate::code_text::code_mentions;
use crate::contract::{Langs, Report, RuleContext, RuleDef};
use crate::partner_comments::pairing_referents;
use crate::rules::context::header_comment;
use ordlint_diagnostics::{FixAvailability, Severity, Span, Tier};
use ordlint_ir::{Event, EventKind, Function};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "barrier-without-comment",
    page: include_str!("../../../../rules/barrier-without-comment.md"),
    tier: Tier::Pedantic,
    severity: Severity::Warning,
    langs: Langs::C,
    // `smp_mb` also finds `smp_mb__before_atomic`, `smp_mb__after_atomic`, … .
    triggers: &[
        "smp_mb",
        "smp_rmb",
        "smp_wmb",
        "smp_store_mb",
        "smp_acquire__after_ctrl_dep",
    ],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    // The function a "pairs with" comment names may live in a file without trigger tokens:
    // the run then looks for it in the other files (see `partner_comments`).
    partner_names: true,
    reader_shapes: None,
    fix: FixAvailability::Never,
    check,
};

/// The SMP barriers that must say what they pair with (`Documentation/memory-barriers.txt`,
/// "SMP barrier pairing"). `barrier()`, device barriers and release/acquire accesses are not
/// included; the deprecated spellings are deprecated-barrier-api's.
const SMP_BARRIERS: &[&str] = &[
    "smp_mb",
    "smp_rmb",
    "smp_wmb",
    "smp_mb__before_atomic",
    "smp_mb__after_atomic",
    "smp_mb__after_spinlock",
    "smp_mb__after_unlock_lock",
    "smp_store_mb",
    "smp_acquire__after_ctrl_dep",
];

/// How many lines of code may separate a barrier from a comment above them (the barrier
/// belongs to a short group of statements that the comment explains).
const GROUP_LINES: usize = 3;

/// Words that make a comment above a group of statements about ordering.
const ORDERING_WORDS: &[&str] = &[
    "order",
    "barrier",
    "pair",
    "match",
    "visib",
    "observ",
    "see",
    "seen",
    "before",
    "after",
    "mb(",
    "mb()",
    "wmb",
    "rmb",
    "acquire",
    "release",
    "race",
    "publish",
    "ensure",
    "make sure",
    "guarantee",
    "prevent",
    "sync",
    "flush",
];

/// Words that make a function's header comment about its barriers, as whole words (not
/// `rcu_barrier`, not "in order to").
const BARRIER_WORDS: &[&str] = &["barrier", "barriers", "ordering", "ordered", "reorder"];

/// Barrier names that make a header comment about its barriers anywhere (`smp_wmb()`).
const BARRIER_NAMES: &[&str] = &["mb(", "wmb", "rmb"];

/// How a comment is placed relative to the barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// On the barrier's line, or directly above it with nothing but other comments between.
    Direct,
    /// Above (or trailing) the few statements right before the barrier, without a blank line,
    /// or on the line right after it.
    Group,
    /// The comment right above the function.
    Header,
}

fn check(ctx: &RuleContext<'_>, out: &mut Report<'_>) {
    if is_arch_primitive_header(ctx.path) {
        return;
    }
    for f in ctx
        .ir
        .functions
        .iter()
        .filter(|f| !is_arch_primitive(&f.name))
    {
        for event in &f.events {
            let EventKind::Fence(fence) = &event.kind else {
                continue;
            };
            if !SMP_BARRIERS.contains(&fence.api.as_str()) || is_operand(ctx, event, &fence.api) {
                continue;
            }
            let api = fence.api.as_str();
            let explaining: Vec<Span> = adjacent_comments(ctx, f, event)
                .into_iter()
                .filter(|(span, placement)| explains(ctx.text(*span), *placement))
                .map(|(span, _)| span)
                .collect();
            if explaining.is_empty() {
                out.warn(
                    event.span,
                    format!("{api}() has no comment saying what it orders or which barrier it pairs with"),
                )
                .help(format!(
                    "say above the {api}() what it orders and where its partner is, e.g. `/* … ; pairs with {}() in <function>() */`",
                    partner_of(api)
                ));
                continue;
            }
            let unknown: Vec<(Span, &str)> = explaining
                .iter()
                .flat_map(|c| {
                    pairing_referents(ctx.text(*c))
                        .into_iter()
                        .map(|(at, name)| {
                            (Span::new(c.start + at, c.start + at + name.len()), name)
                        })
                })
                .filter(|(_, name)| !known(ctx, name))
                .collect();
            let Some((first, _)) = unknown.first() else {
                continue;
            };
            let names: Vec<String> = unknown.iter().map(|(_, n)| format!("`{n}`")).collect();
            let names = names.join(", ");
            out.warn(
                event.span,
                format!("the comment on {api}() says it pairs with {names}, which no linted file defines or uses"),
            )
            .help("name the function that holds the pairing barrier: the partner may have been renamed, moved or removed")
            .related(ctx.location(*first), "the comment names it here");
        }
    }
}

/// An architecture's implementation of a generic primitive (`arch_spin_unlock`,
/// `arch_atomic_fetch_add_unless`, `__arch_xchg`): its barriers are the ordering that the
/// primitive's documentation promises, not a pairing of its own.
fn is_arch_primitive(function: &str) -> bool {
    function.starts_with("arch_") || function.starts_with("__arch_")
}

/// A header of an architecture's primitives (`arch/arm/include/asm/spinlock.h`): atomics,
/// locks, bit operations and page-table helpers whose barriers implement documented ordering.
fn is_arch_primitive_header(path: &str) -> bool {
    let path = path.replace('\\', "/");
    path.split("/arch/")
        .nth(1)
        .or_else(|| path.strip_prefix("arch/"))
        .is_some_and(|rest| rest.contains("/include/asm/"))
}

/// True when the barrier is an argument of something else (`CHECK_BARRIER(smp_mb())` in a
/// self-test), not a statement of its own.
fn is_operand(ctx: &RuleContext<'_>, event: &Event, api: &str) -> bool {
    !ctx.text(event.stmt).trim_start().starts_with(api)
}

/// The barrier that usually pairs with `api`, for the help text.
fn partner_of(api: &str) -> &'static str {
    match api {
        "smp_wmb" => "smp_rmb",
        "smp_rmb" | "smp_acquire__after_ctrl_dep" => "smp_wmb",
        _ => "smp_mb",
    }
}

/// The comments next to the barrier `event`: on its line, directly above it (with only other
/// comments between), above or trailing the few statements right before it with no blank
/// line between, starting on the line right after it, or right above the function.
fn adjacent_comments(ctx: &RuleContext<'_>, f: &Function, event: &Event) -> Vec<(Span, Placement)> {
    let comments: Vec<Span> = f
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Comment(_)))
        .map(|e| e.span)
        .collect();
    let src = ctx.source;
    let line = line_span(src, event.span.start);
    let mut found: Vec<(Span, Placement)> = comments
        .iter()
        .filter(|c| c.start < line.end && c.end > line.start)
        .map(|c| (*c, Placement::Direct))
        .collect();
    // A comment block starting on the line right after the barrier ("the smp_wmb() above
    // orders …"), if it speaks about ordering.
    if let Some(below) = comments.iter().find(|c| {
        c.start > line.end
            && src
                .get(line.end..c.start)
                .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() == 1)
    }) {
        found.push((*below, Placement::Group));
    }
    // The function's header comment, when nothing but blanks separates it from the function.
    if let Some(header) = header_comment(ctx.ir, f, src) {
        found.push((header.span, Placement::Header));
    }
    // Walk up line by line from the barrier's line.
    let mut pos = line.start;
    let mut code_lines = 0;
    while pos > f.span.start {
        let prev = line_span(src, pos - 1);
        let text = src.get(prev.start..prev.end).unwrap_or("");
        if text.trim().is_empty() {
            break;
        }
        // A comment ending on this line.
        let ending = comments
            .iter()
            .filter(|c| c.end > prev.start && c.end <= prev.end)
            .max_by_key(|c| c.end);
        match ending {
            Some(c)
                if src
                    .get(line_span(src, c.start).start..c.start)
                    .is_some_and(|s| s.trim().is_empty()) =>
            {
                // A comment block of its own: directly above, or above the group.
                let placement = if code_lines == 0 {
                    Placement::Direct
                } else {
                    Placement::Group
                };
                found.push((*c, placement));
                pos = line_span(src, c.start).start;
                continue;
            }
            Some(c) => {
                // A comment trailing a statement of the group.
                found.push((*c, Placement::Group));
            }
            None => {}
        }
        code_lines += 1;
        if code_lines > GROUP_LINES {
            break;
        }
        pos = prev.start;
    }
    found
}

/// The byte range of the line around `at`, without its newline.
fn line_span(src: &str, at: usize) -> Span {
    let at = at.min(src.len());
    let start = src
        .get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = src
        .get(at..)
        .and_then(|s| s.find('\n'))
        .map_or(src.len(), |i| at + i);
    Span::new(start, end)
}

/// True when a comment placed so explains a barrier: any words at all right next to it (what
/// the author chose to say there), words about ordering when it sits above a group of
/// statements. ordlint's own directives explain nothing.
fn explains(comment: &str, placement: Placement) -> bool {
    let body = comment_body(comment);
    if body.trim_start().starts_with("ordlint:") || !body.chars().any(char::is_alphabetic) {
        return false;
    }
    match placement {
        Placement::Direct => true,
        Placement::Group => {
            let lower = body.to_ascii_lowercase();
            ORDERING_WORDS.iter().any(|w| lower.contains(w))
        }
        Placement::Header => {
            let lower = body.to_ascii_lowercase();
            let words = lower
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| BARRIER_WORDS.contains(&w));
            words || BARRIER_NAMES.iter().any(|w| lower.contains(w))
        }
    }
}

/// A comment without its delimiters.
fn comment_body(comment: &str) -> &str {
    let c = comment.trim();
    if let Some(rest) = c.strip_prefix("/*") {
        rest.strip_suffix("*/").unwrap_or(rest)
    } else {
        c.strip_prefix("//").unwrap_or(c)
    }
}

/// True when the run knows `name`: a function some linted file defines or declares, a name
/// the lowered code calls or uses as an API, or an identifier in the code of this file.
fn known(ctx: &RuleContext<'_>, name: &str) -> bool {
    ctx.index.knows_name(name) || code_mentions(ctx.source, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_need_words_and_group_comments_need_ordering_words() {
        assert!(explains("/* flush */", Placement::Direct));
        assert!(!explains("/* */", Placement::Direct));
        assert!(!explains(
            "/* ordlint: allow(unordered-flag-read) */",
            Placement::Direct
        ));
        assert!(!explains("/* update the counters */", Placement::Group));
        assert!(explains(
            "/* publish the entry to the reader */",
            Placement::Group
        ));
    }

    #[test]
    fn arch_primitives_are_recognised_by_name_and_header() {
        assert!(is_arch_primitive("arch_spin_unlock"));
        assert!(is_arch_primitive("__arch_xchg"));
        assert!(!is_arch_primitive("search_arch_table"));
        assert!(is_arch_primitive_header("arch/arm/include/asm/spinlock.h"));
        assert!(is_arch_primitive_header(
            "/src/linux/arch/arc/include/asm/atomic64-arcv2.h"
        ));
        assert!(!is_arch_primitive_header("arch/arm/kernel/topology.c"));
        assert!(!is_arch_primitive_header("drivers/arch/include/asm/x.h"));
    }
}
