//! invalid-suppression: an `ordlint:` comment naming an unknown rule, or malformed.
//!
//! A pseudo-rule: suppression comments are read by `ordlint_core::suppression` after the other
//! rules ran on a file, so this `check` does nothing; the declaration makes the name
//! selectable, ignorable and documented like any rule.

use crate::contract::{Langs, Report, RuleContext, RuleDef};
use ordlint_diagnostics::{FixAvailability, Severity, Tier};

pub(crate) static RULE: RuleDef = RuleDef {
    name: "invalid-suppression",
    page: include_str!("../../../../rules/invalid-suppression.md"),
    tier: Tier::Default,
    severity: Severity::Error,
    langs: Langs::Both,
    triggers: &["ordlint:"],
    also_needs: &[],
    pairing: false,
    fires_on_partners: false,
    partner_names: false,
    reader_shapes: None,
    fix: FixAvailability::Never,
    check,
};

/// Reported by the core's suppression pass, not here.
fn check(_ctx: &RuleContext<'_>, _out: &mut Report<'_>) {}
