//! unordered-flag-read
use crate::contract::{Langs, Report, RuleContext, RuleDef};
use ordlint_diagnostics::{FixAvailability, Severity, Tier};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "unordered-flag-read",
    page: include_str!("../../../../rules/unordered-flag-read.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["barrier"],
    fix: FixAvailability::Sometimes,
    check,
};

fn check(_ctx: &RuleContext<'_>, _out: &mut Report<'_>) {}
