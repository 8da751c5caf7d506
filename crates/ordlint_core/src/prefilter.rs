//! The prefilter: one Aho-Corasick pass per file over the trigger tokens of the enabled rules
//! decides whether the file needs parsing at all, and a second automaton over the names of
//! published locations finds the files that hold their partners.
//!
//! Soundness invariant: a rule never fires on a file that lacks all of its trigger tokens
//! (the fixture harness lints every case with and without the prefilter and compares).

use crate::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Finds rule trigger tokens in file bytes.
#[derive(Debug, Clone)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
}

impl Prefilter {
    /// A prefilter for the triggers of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        let mut tokens: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.triggers.iter().copied())
            .collect();
        tokens.sort_unstable();
        tokens.dedup();
        Prefilter {
            automaton: build(&tokens),
        }
    }

    /// True when `bytes` contain any trigger token.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.automaton.as_ref().is_some_and(|ac| ac.is_match(bytes))
    }
}

/// Finds whole-word occurrences of a set of identifiers (the names of published fields and
/// globals) in file bytes.
#[derive(Debug, Clone)]
pub struct NameFilter {
    automaton: Option<AhoCorasick>,
}

impl NameFilter {
    /// A filter for `names` (identifiers).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut names: Vec<&str> = names.into_iter().filter(|n| !n.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        NameFilter {
            automaton: build(&names),
        }
    }

    /// True when any name occurs in `bytes` as a whole identifier.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let Some(ac) = &self.automaton else {
            return false;
        };
        ac.find_overlapping_iter(bytes).any(|m| {
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let after = bytes.get(m.end()).copied();
            !before.is_some_and(is_ident_byte) && !after.is_some_and(is_ident_byte)
        })
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn build(patterns: &[&str]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_identifiers_only() {
        let f = NameFilter::new(["lock_acquired"]);
        assert!(f.matches(b"while (!w->lock_acquired)"));
        assert!(!f.matches(b"w->lock_acquired_at = 1"));
        assert!(!f.matches(b"x"));
    }

    #[test]
    fn prefilter_sees_rule_triggers() {
        let p = Prefilter::new(&RuleSet::all());
        assert!(p.matches(b"barrier();"));
        assert!(!p.matches(b"int main(void) { return 0; }"));
    }
}
