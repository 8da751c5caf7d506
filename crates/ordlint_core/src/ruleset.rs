//! Which rules are enabled, at which severity.

use ordlint_diagnostics::{Severity, Tier};
use ordlint_rules::{all_rules, find_rule, RuleDef};
use std::collections::BTreeMap;

/// Rule selection as the user expressed it (CLI flags or configuration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSelection {
    /// When set, exactly these rules (names, or `ALL`, or `default`/`pedantic` tiers) are enabled.
    pub select: Option<Vec<String>>,
    /// Rules added to the selection (e.g. pedantic ones).
    pub extend_select: Vec<String>,
    /// Rules removed from the selection.
    pub ignore: Vec<String>,
    /// Severity overrides per rule.
    pub severity: BTreeMap<String, Severity>,
}

/// An unknown rule name in a selection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownRule {
    /// The name as given.
    pub name: String,
    /// The closest known name, if any is close.
    pub suggestion: Option<String>,
}

/// The enabled rules of a run.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<&'static RuleDef>,
    severity: BTreeMap<String, Severity>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::defaults()
    }
}

impl RuleSet {
    /// The default-tier rules.
    pub fn defaults() -> Self {
        RuleSet {
            rules: all_rules()
                .iter()
                .copied()
                .filter(|r| r.tier == Tier::Default)
                .collect(),
            severity: BTreeMap::new(),
        }
    }

    /// Every rule, pedantic included.
    pub fn all() -> Self {
        RuleSet {
            rules: all_rules().to_vec(),
            severity: BTreeMap::new(),
        }
    }

    /// The default tier plus the two pedantic rules that pair writers with readers
    /// (barrier-publication, unordered-flag-read): the tests of the pairing machinery.
    #[cfg(test)]
    pub(crate) fn defaults_and_pairing() -> Self {
        let mut set = RuleSet::defaults();
        set.rules.extend(
            all_rules()
                .iter()
                .filter(|r| matches!(r.name, "barrier-publication" | "unordered-flag-read")),
        );
        set
    }

    /// Resolve a selection into a rule set.
    pub fn from_selection(sel: &RuleSelection) -> Result<Self, UnknownRule> {
        let mut names: Vec<&'static RuleDef> = match &sel.select {
            None => RuleSet::defaults().rules,
            Some(list) => expand(list)?,
        };
        for r in expand(&sel.extend_select)? {
            if !names.iter().any(|n| n.name == r.name) {
                names.push(r);
            }
        }
        let ignored = expand(&sel.ignore)?;
        names.retain(|r| !ignored.iter().any(|i| i.name == r.name));
        names.sort_by_key(|r| r.name);
        for name in sel.severity.keys() {
            lookup(name)?;
        }
        Ok(RuleSet {
            rules: names,
            severity: sel.severity.clone(),
        })
    }

    /// The enabled rules, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &'static RuleDef> + '_ {
        self.rules.iter().copied()
    }

    /// True when `name` is enabled.
    pub fn contains(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.name == name)
    }

    /// True when some enabled rule looks into other files: a pairing rule, or one that
    /// resolves names other files define (`RuleDef::partner_names`). Without one, a run
    /// needs no partner files and an editor no workspace index.
    pub fn looks_across_files(&self) -> bool {
        self.rules.iter().any(|r| r.pairing || r.partner_names)
    }

    /// The tokens one of which a definition of another file must contain to hold a read some
    /// enabled pairing rule uses, of a location published with CPU ordering; `None` when any
    /// read may count (see `RuleDef::reader_shapes`). Empty: no such read is used.
    pub fn reader_shapes(&self) -> Option<Vec<&'static str>> {
        let mut shapes = Vec::new();
        for rule in self.rules.iter().filter(|r| r.pairing) {
            shapes.extend_from_slice(rule.reader_shapes?);
        }
        shapes.sort_unstable();
        shapes.dedup();
        Some(shapes)
    }

    /// The rules that can fire in partner files (see `RuleDef::fires_on_partners`).
    pub fn partner_subset(&self) -> RuleSet {
        RuleSet {
            rules: self
                .rules
                .iter()
                .copied()
                .filter(|r| r.fires_on_partners)
                .collect(),
            severity: self.severity.clone(),
        }
    }

    /// Configured severity for `name`, if overridden.
    pub fn severity_of(&self, name: &str) -> Option<Severity> {
        self.severity.get(name).copied()
    }

    /// Number of enabled rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when no rule is enabled.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn expand(list: &[String]) -> Result<Vec<&'static RuleDef>, UnknownRule> {
    let mut out = Vec::new();
    for name in list
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match name {
            "ALL" | "all" => out.extend(all_rules().iter().copied()),
            "default" => out.extend(
                all_rules()
                    .iter()
                    .copied()
                    .filter(|r| r.tier == Tier::Default),
            ),
            "pedantic" => out.extend(
                all_rules()
                    .iter()
                    .copied()
                    .filter(|r| r.tier == Tier::Pedantic),
            ),
            _ => out.push(lookup(name)?),
        }
    }
    Ok(out)
}

fn lookup(name: &str) -> Result<&'static RuleDef, UnknownRule> {
    find_rule(name).ok_or_else(|| UnknownRule {
        name: name.to_owned(),
        suggestion: closest_rule(name),
    })
}

/// The known rule name closest to `name` by edit distance, when it is reasonably close.
pub fn closest_rule(name: &str) -> Option<String> {
    closest_names(name, 1).into_iter().next()
}

/// Up to `n` known rule names closest to `name`, closest first, only reasonably close ones.
pub fn closest_names(name: &str, n: usize) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = all_rules()
        .iter()
        .map(|r| (edit_distance(name, r.name), r.name))
        .filter(|(d, r)| *d <= (r.len() / 3).max(3) || r.contains(name))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(n)
        .map(|(_, r)| r.to_owned())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_rule_suggests_the_closest() {
        let err = RuleSet::from_selection(&RuleSelection {
            select: Some(vec!["barrier-publicaton".into()]),
            ..Default::default()
        })
        .err();
        assert_eq!(
            err.and_then(|e| e.suggestion),
            Some("barrier-publication".to_owned())
        );
    }

    #[test]
    fn ignore_removes_from_defaults() {
        let set = RuleSet::from_selection(&RuleSelection {
            ignore: vec!["barrier-publication".into()],
            ..Default::default()
        });
        assert!(set.is_ok_and(|s| !s.contains("barrier-publication")));
    }
}
