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
        Self::with_extra(rules, &[])
    }

    /// A prefilter for the triggers of `rules` and the `extra` tokens (a project's own
    /// barrier and lock helpers, which can stand in for any rule's kernel API trigger).
    pub fn with_extra(rules: &RuleSet, extra: &[&str]) -> Self {
        let mut tokens: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.triggers.iter().copied())
            .chain(extra.iter().copied())
            .collect();
        tokens.sort_unstable();
        tokens.dedup();
        Prefilter {
            automaton: build(&tokens),
        }
    }

    /// Byte offsets where trigger tokens start in `bytes`.
    pub fn offsets(&self, bytes: &[u8]) -> Vec<usize> {
        self.automaton.as_ref().map_or_else(Vec::new, |ac| {
            ac.find_iter(bytes).map(|m| m.start()).collect()
        })
    }

    /// True when `bytes` contain any trigger token.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.automaton.as_ref().is_some_and(|ac| ac.is_match(bytes))
    }
}

/// Finds the files that may hold partners of published locations: a file qualifies when it
/// mentions a published field's name and its struct type (or a published global's name) as
/// whole identifiers. Cross-file partners must agree on the struct type, so a file that never
/// names the type cannot hold one.
#[derive(Debug, Clone)]
pub struct PartnerFilter {
    automaton: Option<AhoCorasick>,
    /// For each word (pattern id): the entries whose key name it is, with their other words.
    entries_by_key: Vec<Vec<Vec<usize>>>,
}

impl PartnerFilter {
    /// A filter for entries of words: the first word is the location's name, the others
    /// (e.g. the struct type) must also occur somewhere in the file.
    pub fn new(entries: &[Vec<&str>]) -> Self {
        let mut words: Vec<&str> = entries
            .iter()
            .flatten()
            .copied()
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        let id = |w: &str| words.binary_search(&w).ok();
        let mut entries_by_key = vec![Vec::new(); words.len()];
        for e in entries {
            let Some((first, rest)) = e.split_first() else {
                continue;
            };
            let (Some(k), Some(others)) = (
                id(first),
                rest.iter().map(|w| id(w)).collect::<Option<Vec<usize>>>(),
            ) else {
                continue;
            };
            if let Some(slot) = entries_by_key.get_mut(k) {
                slot.push(others);
            }
        }
        PartnerFilter {
            automaton: build(&words),
            entries_by_key,
        }
    }

    /// Byte offsets of whole-identifier occurrences of location names whose entry is complete
    /// in `bytes`; empty when the file holds no possible partner.
    pub fn partner_offsets(&self, bytes: &[u8]) -> Vec<usize> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut seen = vec![false; self.entries_by_key.len()];
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(bytes) {
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(is_ident_byte) || after.is_some_and(is_ident_byte) {
                continue;
            }
            let w = m.pattern().as_usize();
            if let Some(s) = seen.get_mut(w) {
                *s = true;
            }
            if self.entries_by_key.get(w).is_some_and(|e| !e.is_empty()) {
                hits.push((w, m.start()));
            }
        }
        hits.into_iter()
            .filter(|(w, _)| {
                self.entries_by_key.get(*w).is_some_and(|entries| {
                    entries.iter().any(|others| {
                        others
                            .iter()
                            .all(|o| seen.get(*o).copied().unwrap_or(false))
                    })
                })
            })
            .map(|(_, at)| at)
            .collect()
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
    fn partners_need_the_name_as_a_whole_word_and_the_type() {
        let f = PartnerFilter::new(&[vec!["lock_acquired", "six_waiter"], vec!["jiffies_seen"]]);
        assert_eq!(
            f.partner_offsets(b"struct six_waiter *w; while (!w->lock_acquired)"),
            vec![33]
        );
        assert!(
            f.partner_offsets(b"while (!w->lock_acquired)").is_empty(),
            "the type is missing"
        );
        assert!(f
            .partner_offsets(b"struct six_waiter *w; w->lock_acquired_at = 1")
            .is_empty());
        assert_eq!(f.partner_offsets(b"x = jiffies_seen;"), vec![4]);
    }

    #[test]
    fn prefilter_sees_rule_triggers() {
        let p = Prefilter::new(&RuleSet::all());
        assert!(p.matches(b"barrier();"));
        assert!(!p.matches(b"int main(void) { return 0; }"));
    }
}
