//! ordlint's rules: one file per rule under `rules/`, the registry that lists them, the
//! pairing index that connects writers and readers across files, and the contract a rule
//! implements.
//!
//! Invariants: rules see only the IR, the pairing index, and the source text of spans; they
//! know no syntax tree. Each registered rule has one file, one page in `rules/NAME.md` and one
//! fixture folder.

pub mod code_text;
pub mod contract;
pub mod fixes;
pub mod pairing;
pub mod partner_comments;
pub mod registry;
mod rules;

pub use contract::{Langs, Report, RuleContext, RuleDef};
pub use pairing::{PairingIndex, Role, Site};
pub use registry::{all_rules, find_rule};
