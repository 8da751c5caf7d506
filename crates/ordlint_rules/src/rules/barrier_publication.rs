//! barrier-publication
use crate::contract::{Langs, Report, RuleContext, RuleDef};
use ordlint_diagnostics::{FixAvailability, Severity, Tier};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "barrier-publication",
    page: include_str!("../../../../rules/barrier-publication.md"),
    tier: Tier::Default,
    severity: Severity::Warning,
    langs: Langs::C,
    triggers: &["barrier"],
    fix: FixAvailability::Sometimes,
    check,
};

fn check(_ctx: &RuleContext<'_>, _out: &mut Report<'_>) {}
