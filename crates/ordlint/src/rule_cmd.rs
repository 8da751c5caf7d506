//! `ordlint rule [NAME]`: list the rules, or print one rule's page.
//!
//! A page goes to a terminal lightly rendered (bold headings, indented code, no fences) and to
//! a pipe or file as Markdown. `NO_COLOR` forces the Markdown form on a terminal,
//! `CLICOLOR_FORCE` (set and not `0`) forces the rendered form into a pipe. Either way the
//! fixture markers of the examples (`//~ rule`) are shown as `// <-- rule`.

use crate::cli::RuleArgs;
use anyhow::{bail, Result};
use ordlint_book::terminal::{render, Style};
use ordlint_core::{RuleSelection, RuleSet};
use ordlint_diagnostics::{FixAvailability, Tier};
use ordlint_rules::{all_rules, find_rule};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// List rules or print one rule's page.
pub fn run(args: &RuleArgs) -> Result<ExitCode> {
    let text = match &args.name {
        None if args.triggers => triggers(&args.extend_select)?,
        None => list(),
        Some(name) => page(name)?,
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`ordlint rule | head`) is not an error worth reporting.
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The trigger tokens of the default rules plus `extend`, as one regular expression with
/// metacharacters escaped.
fn triggers(extend: &[String]) -> Result<String> {
    let rules = RuleSet::from_selection(&RuleSelection {
        extend_select: extend.to_vec(),
        ..RuleSelection::default()
    })?;
    let mut tokens: Vec<&str> = rules
        .iter()
        .flat_map(|r| r.triggers.iter().copied())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    let escaped: Vec<String> = tokens
        .iter()
        .map(|t| {
            t.chars()
                .flat_map(|c| {
                    let special = "\\.+*?()|[]{}^$".contains(c);
                    special
                        .then_some('\\')
                        .into_iter()
                        .chain(std::iter::once(c))
                })
                .collect()
        })
        .collect();
    Ok(format!("{}\n", escaped.join("|")))
}

/// One line per rule: name, languages, tier, default severity, fix availability, summary.
fn list() -> String {
    let mut out = format!(
        "{:<28} {:<10} {:<9} {:<8} {:<9} summary\n",
        "rule", "languages", "tier", "severity", "fix"
    );
    for r in all_rules() {
        let info = r.info();
        let tier = match info.tier {
            Tier::Default => "default",
            Tier::Pedantic => "pedantic",
        };
        let fix = match info.fix {
            FixAvailability::Always => "always",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Never => "no",
        };
        out.push_str(&format!(
            "{:<28} {:<10} {:<9} {:<8} {:<9} {}\n",
            info.name,
            info.languages.join(","),
            tier,
            info.default_severity.as_str(),
            fix,
            info.summary
        ));
    }
    out
}

/// The page of rule `name`, styled for where stdout goes; an unknown name is an error that
/// suggests the closest known names.
fn page(name: &str) -> Result<String> {
    if let Some(r) = find_rule(name) {
        return Ok(render(r.page, style()));
    }
    let close = ordlint_core::ruleset::closest_names(name, 3);
    if close.is_empty() {
        bail!("unknown rule `{name}`; `ordlint rule` lists them all");
    }
    bail!(
        "unknown rule `{name}`; did you mean {}?",
        close
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Terminal rendering on a tty unless `NO_COLOR` is set; `CLICOLOR_FORCE` wins over both.
fn style() -> Style {
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0");
    if set("CLICOLOR_FORCE") {
        return Style::Terminal;
    }
    if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    {
        Style::Terminal
    } else {
        Style::Plain
    }
}
