//! `ordlint rule [NAME]`.

use crate::cli::RuleArgs;
use anyhow::{bail, Result};
use ordlint_diagnostics::{FixAvailability, Tier};
use ordlint_rules::{all_rules, find_rule};
use std::process::ExitCode;

/// List rules or print one rule's page.
pub fn run(args: &RuleArgs) -> Result<ExitCode> {
    match &args.name {
        None => {
            println!(
                "{:<28} {:<10} {:<9} {:<9} summary",
                "rule", "languages", "tier", "fix"
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
                println!(
                    "{:<28} {:<10} {:<9} {:<9} {}",
                    info.name,
                    info.languages.join(","),
                    tier,
                    fix,
                    info.summary
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(name) => match find_rule(name) {
            Some(r) => {
                print!("{}", r.page);
                Ok(ExitCode::SUCCESS)
            }
            None => {
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
        },
    }
}
