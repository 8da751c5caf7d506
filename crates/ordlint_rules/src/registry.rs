//! The list of all rules. Adding a rule is one line here plus its file, page and fixtures.

use crate::contract::RuleDef;
use crate::rules;

static ALL: &[&RuleDef] = &[
    &rules::atomic_set_unlock::RULE,
    &rules::barrier_publication::RULE,
    &rules::barrier_without_comment::RULE,
    &rules::bit_lock_release::RULE,
    &rules::clear_bit_wake_up::RULE,
    &rules::compiler_fence_publication::RULE,
    &rules::deprecated_barrier_api::RULE,
    &rules::invalid_suppression::RULE,
    &rules::mb_atomic_non_rmw::RULE,
    &rules::rcu_plain_publication::RULE,
    &rules::relaxed_consume::RULE,
    &rules::relaxed_publication::RULE,
    &rules::relaxed_refcount_release::RULE,
    &rules::smp_barrier_for_device::RULE,
    &rules::this_cpu_ordering::RULE,
    &rules::this_cpu_unpaired::RULE,
    &rules::unordered_flag_read::RULE,
    &rules::unpaired_write_barrier::RULE,
    &rules::unused_suppression::RULE,
    &rules::volatile_sync::RULE,
    &rules::waitqueue_active_unordered::RULE,
    &rules::write_once_publication::RULE,
];

/// Every registered rule, in name order.
pub fn all_rules() -> &'static [&'static RuleDef] {
    ALL
}

/// The rule called `name`.
pub fn find_rule(name: &str) -> Option<&'static RuleDef> {
    ALL.iter().copied().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_and_unique() {
        let names: Vec<_> = all_rules().iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn every_rule_has_triggers_and_a_page() {
        for r in all_rules() {
            assert!(!r.triggers.is_empty(), "{} has no trigger tokens", r.name);
            assert!(
                r.page.contains("## What it does"),
                "{} page lacks 'What it does'",
                r.name
            );
            assert!(!r.summary().is_empty(), "{} has no summary", r.name);
        }
    }
}
