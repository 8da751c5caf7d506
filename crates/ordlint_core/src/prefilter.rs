//! The prefilter: one Aho-Corasick pass per file over the trigger tokens of the enabled rules
//! decides whether the file needs parsing at all, and a second automaton over the names of
//! published locations finds the files that hold their partners.
//!
//! Soundness invariant: a rule never fires on a file that lacks all of its trigger tokens
//! (the fixture harness lints every case with and without the prefilter and compares).

use crate::RuleSet;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;

/// Finds rule trigger tokens in file bytes.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Trigger tokens first, then [`MASKS`].
    automaton: Option<AhoCorasick>,
    /// Number of trigger tokens (pattern ids at or past it are masks).
    tokens: usize,
    /// The rules that also need another token in the file (`RuleDef::also_needs`): their
    /// trigger pattern ids, and the ids of what they need in [`Prefilter::needs`]. Empty in
    /// the common case, where any trigger will do.
    conditional: Vec<Conditional>,
    /// The needed tokens, searched apart (they may overlap a trigger: `atomic_set` and
    /// `set_release` in `atomic_set_release`), and only in a file with a conditional trigger.
    needs: Option<AhoCorasick>,
    /// Per pattern id: a trigger of some rule that needs nothing else.
    unconditional: Vec<bool>,
}

/// One rule's tokens when it needs two kinds of them.
#[derive(Debug, Clone)]
struct Conditional {
    triggers: Vec<usize>,
    needs: Vec<usize>,
}

/// Longer texts that contain a trigger token but can never be what a rule looks for: an inline
/// assembly statement's `volatile` is not a volatile variable (it is most of the kernel's
/// 18,000 lines with `volatile`). Searched leftmost-longest, a mask hides the token inside it.
const MASKS: &[&str] = &[
    "__volatile__",
    "asm volatile",
    "asm_volatile",
    "__asm__ volatile",
    "__asm volatile",
    "asm inline volatile",
];

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
        let count = tokens.len();
        let mut needed: Vec<&str> = rules.iter().flat_map(|r| r.also_needs).copied().collect();
        needed.sort_unstable();
        needed.dedup();
        let id = |t: &&str| tokens.binary_search(t).unwrap_or(usize::MAX);
        let need_id = |t: &&str| needed.binary_search(t).unwrap_or(usize::MAX);
        let mut unconditional = vec![false; count];
        let mut conditional = Vec::new();
        for rule in rules.iter() {
            if rule.also_needs.is_empty() {
                for t in rule.triggers {
                    if let Some(u) = unconditional.get_mut(id(t)) {
                        *u = true;
                    }
                }
            } else {
                conditional.push(Conditional {
                    triggers: rule.triggers.iter().map(id).collect(),
                    needs: rule.also_needs.iter().map(need_id).collect(),
                });
            }
        }
        // A project's helper can stand in for any rule's trigger.
        for t in extra {
            if let Some(u) = unconditional.get_mut(id(t)) {
                *u = true;
            }
        }
        // A mask that is itself a trigger (or holds no trigger) must not hide anything.
        let masks: Vec<&str> = MASKS
            .iter()
            .copied()
            .filter(|m| !tokens.contains(m) && tokens.iter().any(|t| m.contains(t)))
            .collect();
        tokens.extend(masks);
        Prefilter {
            automaton: if count == 0 { None } else { build(&tokens) },
            tokens: count,
            conditional,
            needs: build(&needed),
            unconditional,
        }
    }

    /// Byte offsets where the trigger tokens of the rules that can fire in `bytes` start.
    pub fn offsets(&self, bytes: &[u8]) -> Vec<usize> {
        let found: Vec<(usize, usize)> = self.found(bytes).collect();
        let triggers = self.live_triggers(bytes, found.iter().map(|(id, _)| *id));
        found
            .into_iter()
            .filter(|(id, _)| triggers.get(*id).copied().unwrap_or(false))
            .map(|(_, at)| at)
            .collect()
    }

    /// True when some enabled rule can fire in `bytes`: one of its triggers occurs (and one of
    /// the tokens it also needs).
    pub fn matches(&self, bytes: &[u8]) -> bool {
        if self.conditional.is_empty() {
            return self.found(bytes).next().is_some();
        }
        let mut found = Vec::new();
        for (id, _) in self.found(bytes) {
            if self.unconditional.get(id).copied().unwrap_or(false) {
                return true;
            }
            found.push(id);
        }
        let live = self.live_triggers(bytes, found.iter().copied());
        found
            .iter()
            .any(|id| live.get(*id).copied().unwrap_or(false))
    }

    /// (pattern id, offset) of each trigger token in `bytes`, masks left out.
    fn found<'b>(&'b self, bytes: &'b [u8]) -> impl Iterator<Item = (usize, usize)> + 'b {
        self.automaton
            .iter()
            .flat_map(move |ac| ac.find_iter(bytes))
            .map(|m| (m.pattern().as_usize(), m.start()))
            .filter(|(id, _)| *id < self.tokens)
    }

    /// Per pattern id: a trigger of a rule that can fire in `bytes` as far as the tokens it
    /// also needs go. `found` are the trigger ids in `bytes`: the needed tokens are searched
    /// only when one of them belongs to a rule that needs them.
    fn live_triggers(&self, bytes: &[u8], found: impl Iterator<Item = usize>) -> Vec<bool> {
        let mut live = self.unconditional.clone();
        let mut present = vec![false; self.tokens];
        for id in found {
            if let Some(p) = present.get_mut(id) {
                *p = true;
            }
        }
        let pending = self.conditional.iter().any(|rule| {
            rule.triggers
                .iter()
                .any(|t| present.get(*t).copied().unwrap_or(false))
        });
        let Some(needs) = self.needs.as_ref().filter(|_| pending) else {
            return live;
        };
        let mut seen = vec![false; needs.patterns_len()];
        for m in needs.find_iter(bytes) {
            if let Some(s) = seen.get_mut(m.pattern().as_usize()) {
                *s = true;
            }
        }
        for rule in &self.conditional {
            if rule
                .needs
                .iter()
                .any(|n| seen.get(*n).copied().unwrap_or(false))
            {
                for t in &rule.triggers {
                    if let Some(l) = live.get_mut(*t) {
                        *l = true;
                    }
                }
            }
        }
        live
    }
}

/// One location a [`PartnerFilter`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerEntry<'a> {
    /// The location's name (a field or variable name).
    pub name: &'a str,
    /// A struct field: only occurrences right after `->` or `.` count.
    pub member: bool,
    /// Another word that must also occur in the file (the field's struct type), if any.
    pub with: Option<&'a str>,
    /// Only reads of a certain shape use this location (see [`PartnerHit::gated`]).
    pub gated: bool,
}

/// A [`PartnerEntry`] with its words interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    member: bool,
    /// Id of the other word that must occur.
    with: Option<u32>,
    gated: bool,
}

/// An occurrence of a partner name in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerHit {
    /// Byte offset of the name.
    pub at: usize,
    /// Every entry it matched is gated: its definition matters only when it holds a read of
    /// the shape the rules use (`RuleDef::reader_shapes`).
    pub gated: bool,
}

/// Finds the files that may hold partners of published locations: a file qualifies when it
/// mentions a published field's name (as a member access) and its struct type, or a published
/// global's name, as whole identifiers. Cross-file partners must agree on the struct type, so a
/// file that never names the type cannot hold one.
///
/// One pass over the identifiers of a file with a hash lookup each: the word lists of a whole
/// kernel run hold thousands of names, which an Aho-Corasick automaton cannot search
/// overlapping at speed.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Word → id.
    words: FxHashMap<Box<[u8]>, u32>,
    /// Id → word.
    names: Vec<Box<[u8]>>,
    /// For each word id: the entries whose name it is.
    entries_by_name: Vec<Vec<Entry>>,
    /// A 65,536-bit set of [`shape`]s of the words, to skip most identifiers without hashing
    /// them.
    shapes: Vec<u64>,
    /// Every entry is a struct member: only identifiers after `->` or `.` can be hits.
    members_only: bool,
}

impl PartnerFilter {
    /// A filter for `entries`.
    pub fn new(entries: &[PartnerEntry<'_>]) -> Self {
        let mut filter = PartnerFilter {
            shapes: vec![0; SHAPE_WORDS],
            members_only: entries.iter().all(|e| e.member),
            ..PartnerFilter::default()
        };
        for e in entries {
            if e.name.is_empty() || e.with.is_some_and(str::is_empty) {
                continue;
            }
            let name = filter.intern(e.name);
            let with = e.with.map(|w| filter.intern(w));
            if let Some(slot) = filter.entries_by_name.get_mut(name as usize) {
                let entry = Entry {
                    member: e.member,
                    with,
                    gated: e.gated,
                };
                if !slot.contains(&entry) {
                    slot.push(entry);
                }
            }
        }
        filter
    }

    fn intern(&mut self, word: &str) -> u32 {
        let next = self.words.len() as u32;
        let id = *self.words.entry(word.as_bytes().into()).or_insert(next);
        if id == next {
            self.entries_by_name.push(Vec::new());
            self.names.push(word.as_bytes().into());
            let bit = shape(word.as_bytes());
            if let Some(w) = self.shapes.get_mut(bit / 64) {
                *w |= 1u64 << (bit % 64);
            }
        }
        id
    }

    /// The id of `word`, if it is one of the filter's words.
    fn lookup(&self, word: &[u8]) -> Option<u32> {
        let bit = shape(word);
        if self
            .shapes
            .get(bit / 64)
            .is_none_or(|w| w & (1u64 << (bit % 64)) == 0)
        {
            return None;
        }
        self.words.get(word).copied()
    }

    /// Byte offsets of whole-identifier occurrences of location names whose entry is complete
    /// in `bytes`; empty when the file holds no possible partner.
    pub fn partner_offsets(&self, bytes: &[u8]) -> Vec<usize> {
        self.partner_hits(bytes).into_iter().map(|h| h.at).collect()
    }

    /// [`PartnerFilter::partner_offsets`], each with whether only gated entries matched it.
    pub fn partner_hits(&self, bytes: &[u8]) -> Vec<PartnerHit> {
        if self.words.is_empty() {
            return Vec::new();
        }
        if self.members_only {
            return self.member_hits(bytes);
        }
        let mut seen = vec![false; self.entries_by_name.len()];
        // (word id, offset, right after `->` or `.`)
        let mut hits: Vec<(u32, usize, bool)> = Vec::new();
        for (start, end) in identifiers(bytes) {
            let Some(id) = self.lookup(bytes.get(start..end).unwrap_or_default()) else {
                continue;
            };
            if let Some(s) = seen.get_mut(id as usize) {
                *s = true;
            }
            if self
                .entries_by_name
                .get(id as usize)
                .is_some_and(|e| !e.is_empty())
            {
                hits.push((id, start, after_member_operator(bytes, start)));
            }
        }
        hits.into_iter()
            .filter_map(|(id, at, member_access)| {
                let entries = self.entries_by_name.get(id as usize)?;
                let complete = entries.iter().filter(|e| {
                    (!e.member || member_access)
                        && e.with
                            .is_none_or(|w| seen.get(w as usize).copied().unwrap_or(false))
                });
                gated_hit(at, complete)
            })
            .collect()
    }

    /// [`PartnerFilter::partner_offsets`] when every entry is a member: only the identifiers
    /// after `->` and `.` are looked up (most files hold none of the names), and the struct
    /// types the hits need are then searched for as words, instead of scanning every
    /// identifier of the file.
    fn member_hits(&self, bytes: &[u8]) -> Vec<PartnerHit> {
        let hits: Vec<(usize, &[Entry])> = member_accesses(bytes)
            .filter_map(|(start, end)| {
                let id = self.lookup(bytes.get(start..end)?)?;
                let entries = self.entries_by_name.get(id as usize)?;
                (!entries.is_empty()).then_some((start, entries.as_slice()))
            })
            .collect();
        if hits.is_empty() {
            return Vec::new();
        }
        let mut found: FxHashMap<u32, bool> = FxHashMap::default();
        let mut named = |w: u32| {
            *found
                .entry(w)
                .or_insert_with(|| self.word(w).is_some_and(|word| has_word(bytes, word)))
        };
        hits.into_iter()
            .filter_map(|(at, entries)| {
                let complete: Vec<_> = entries
                    .iter()
                    .filter(|e| e.with.is_none_or(&mut named))
                    .collect();
                gated_hit(at, complete.into_iter())
            })
            .collect()
    }

    /// The text of word `id`.
    fn word(&self, id: u32) -> Option<&[u8]> {
        self.names.get(id as usize).map(|w| &**w)
    }
}

/// Tells whether a definition can hold a read that a pairing rule uses, for the locations
/// whose hits are gated (see `RuleDef::reader_shapes`): it contains one of the rules' reader
/// shapes, or a name of the project's helpers.
#[derive(Debug, Clone, Default)]
pub struct ReaderGate {
    automaton: Option<AhoCorasick>,
}

impl ReaderGate {
    /// A gate for the `shapes` and the `extra` names.
    pub fn new(shapes: &[&str], extra: &[&str]) -> Self {
        let tokens: Vec<&str> = shapes.iter().chain(extra).copied().collect();
        ReaderGate {
            automaton: build(&tokens),
        }
    }

    /// True when `definition` (its text) may hold such a read.
    pub fn admits(&self, definition: &str) -> bool {
        self.automaton
            .as_ref()
            .is_some_and(|a| a.is_match(definition))
    }
}

/// The hit at `at` when some entry is `complete` there, gated when all of them are.
fn gated_hit<'e>(at: usize, mut complete: impl Iterator<Item = &'e Entry>) -> Option<PartnerHit> {
    let first = complete.next()?;
    let gated = first.gated && complete.all(|e| e.gated);
    Some(PartnerHit { at, gated })
}

/// True when `word` occurs in `bytes` as a whole identifier.
fn has_word(bytes: &[u8], word: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, word).any(|at| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(at + word.len());
        !before.is_some_and(|b| IDENT[*b as usize]) && !after.is_some_and(|b| IDENT[*b as usize])
    })
}

/// Number of u64 words of the shape set.
const SHAPE_WORDS: usize = 1024;

/// A cheap 16-bit fingerprint of an identifier: its length and first, second and last bytes.
fn shape(word: &[u8]) -> usize {
    let first = word.first().copied().unwrap_or(0) as usize;
    let second = word.get(1).copied().unwrap_or(0) as usize;
    let last = word.last().copied().unwrap_or(0) as usize;
    (first.wrapping_mul(31)
        ^ second.wrapping_mul(1021)
        ^ last.wrapping_mul(7919)
        ^ word.len().wrapping_mul(40503))
        & (SHAPE_WORDS * 64 - 1)
}

/// Bytes that continue an identifier.
static IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// The (start, end) byte ranges of the identifiers of `bytes` (also those inside comments and
/// literals: the filter may over-approximate, never miss).
fn identifiers(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    let ident = |at: usize| bytes.get(at).is_some_and(|b| IDENT[*b as usize]);
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !ident(i) {
                i += 1;
                continue;
            }
            let start = i;
            while ident(i) {
                i += 1;
            }
            // A number (or a suffix like 0x1f) is not an identifier.
            if !bytes.get(start).is_some_and(u8::is_ascii_digit) {
                return Some((start, i));
            }
        }
        None
    })
}

/// The (start, end) byte ranges of the identifiers right after a `->` or `.` (spaces allowed
/// between), found with `memchr` rather than by reading every identifier.
fn member_accesses(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    memchr::memchr2_iter(b'>', b'.', bytes).filter_map(move |at| {
        if bytes.get(at) == Some(&b'>')
            && at.checked_sub(1).and_then(|i| bytes.get(i)) != Some(&b'-')
        {
            return None;
        }
        let mut start = at + 1;
        while bytes.get(start).is_some_and(u8::is_ascii_whitespace) {
            start += 1;
        }
        let mut end = start;
        while bytes.get(end).is_some_and(|b| IDENT[*b as usize]) {
            end += 1;
        }
        (end > start && !bytes.get(start).is_some_and(u8::is_ascii_digit)).then_some((start, end))
    })
}

/// True when the identifier at `start` follows `->` or `.` (spaces allowed between).
fn after_member_operator(bytes: &[u8], start: usize) -> bool {
    let before = bytes.get(..start).unwrap_or_default();
    let trimmed = before.trim_ascii_end();
    trimmed.ends_with(b"->") || trimmed.ends_with(b".")
}

fn build(patterns: &[&str]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_need_the_name_as_a_whole_word_and_the_type() {
        let f = PartnerFilter::new(&[
            PartnerEntry {
                name: "lock_acquired",
                member: true,
                with: Some("six_waiter"),
                gated: false,
            },
            PartnerEntry {
                name: "jiffies_seen",
                member: false,
                with: None,
                gated: false,
            },
        ]);
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
        assert!(
            f.partner_offsets(b"struct six_waiter; bool lock_acquired;")
                .is_empty(),
            "a field counts only as a member access"
        );
        assert_eq!(
            f.partner_offsets(b"struct six_waiter w = { . lock_acquired = 1 };"),
            vec![26]
        );
    }

    #[test]
    fn a_members_only_filter_looks_after_arrows_and_dots() {
        let f = PartnerFilter::new(&[PartnerEntry {
            name: "ready",
            member: true,
            with: Some("fw_loader"),
            gated: false,
        }]);
        let text = b"struct fw_loader *ld; /* ready. */ if (ld->\n\tready) x = a.ready;";
        assert_eq!(f.partner_offsets(text), vec![45, 58]);
        assert!(f
            .partner_offsets(b"struct fw_loader *ld; bool ready; int r = 1.5;")
            .is_empty());
        assert!(
            f.partner_offsets(b"if (ld->ready) go();").is_empty(),
            "no type"
        );
        assert!(
            f.partner_offsets(b"struct fw_loader_ops *o; if (o->ready) go();")
                .is_empty(),
            "the type only as part of a longer word"
        );
    }

    #[test]
    fn a_member_hit_needs_one_of_its_types() {
        let f = PartnerFilter::new(&[
            PartnerEntry {
                name: "state",
                member: true,
                with: Some("xfer_req"),
                gated: false,
            },
            PartnerEntry {
                name: "state",
                member: true,
                with: Some("port_ctl"),
                gated: false,
            },
            PartnerEntry {
                name: "head",
                member: true,
                with: Some("ring"),
                gated: false,
            },
        ]);
        let text = b"static int poll(struct port_ctl *p) { return p->state + p->head; }";
        assert_eq!(f.partner_offsets(text), vec![48]);
        assert!(f
            .partner_offsets(b"struct xfer_reqs *r; r->state = 1;")
            .is_empty());
    }

    #[test]
    fn a_hit_is_gated_only_when_every_entry_it_completes_is() {
        let entry = |name, with, gated| PartnerEntry {
            name,
            member: true,
            with: Some(with),
            gated,
        };
        let f = PartnerFilter::new(&[
            entry("state", "xfer_req", true),
            entry("state", "port_ctl", false),
            entry("head", "ring", true),
        ]);
        let hits = |text: &[u8]| -> Vec<(usize, bool)> {
            f.partner_hits(text)
                .iter()
                .map(|h| (h.at, h.gated))
                .collect()
        };
        assert_eq!(hits(b"struct xfer_req *r; r->state++;"), [(23, true)]);
        assert_eq!(
            hits(b"struct xfer_req *r; struct port_ctl *p; r->state++;"),
            [(43, false)]
        );
        assert_eq!(hits(b"struct ring *g; if (g->head) go();"), [(23, true)]);
    }

    #[test]
    fn a_rule_that_also_needs_a_token_matches_only_with_it() {
        let only = |names: &[&str]| {
            RuleSet::from_selection(&crate::RuleSelection {
                select: Some(names.iter().map(|n| n.to_string()).collect()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e:?}"))
        };
        let p = Prefilter::new(&only(&["atomic-set-unlock"]));
        let taken_only = b"if (atomic_cmpxchg(&l->word, 0, 1) == 0) go();";
        assert!(!p.matches(taken_only));
        assert!(p.offsets(taken_only).is_empty());
        let both = b"if (atomic_cmpxchg(&l->word, 0, 1) == 0) go(); atomic_set(&l->word, 0);";
        assert!(p.matches(both));
        // Lowered around the trigger only (the store is in the same function).
        assert_eq!(p.offsets(both), vec![14]);
        // Beside a rule that needs nothing else, the other rule's trigger still counts.
        let p = Prefilter::new(&only(&["atomic-set-unlock", "barrier-publication"]));
        let mixed = b"barrier(); x = atomic_xchg(&v, 1);";
        assert!(p.matches(mixed));
        assert_eq!(p.offsets(mixed), vec![0]);
        // A needed token inside another rule's trigger hides neither.
        let p = Prefilter::new(&only(&["atomic-set-unlock", "unordered-flag-read"]));
        let release = b"atomic_set_release(&ctx->state, 1); atomic_xchg(&v, 1);";
        assert_eq!(p.offsets(release), vec![7, 43]);
    }

    #[test]
    fn prefilter_sees_rule_triggers() {
        let p = Prefilter::new(&RuleSet::all());
        assert!(p.matches(b"barrier();"));
        assert!(!p.matches(b"int main(void) { return 0; }"));
        assert!(!p.matches(b"asm volatile(\"nop\" ::: \"memory\");"));
        assert!(!p.matches(b"__asm__ __volatile__(\"\");"));
        assert_eq!(
            p.offsets(b"asm volatile(\"\"); static volatile int done;"),
            vec![25]
        );
    }
}
