//! The partners that "pairs with" comments name: `/* pairs with smp_rmb() in foo_read() */`
//! names `foo_read`. A rule checks that they exist; the run looks for the files that define
//! the ones its candidate files do not.

use ordlint_ir::{EventKind, FileIr};

/// Phrases that introduce the partner of a barrier (matched in any case).
const PAIRING_PHRASES: &[&str] = &[
    "pairs with",
    "paired with",
    "pair with",
    "pairing with",
    "matches",
];

/// Words after which a pairing phrase names the function holding the partner
/// (`smp_rmb() in foo()`): every such name counts.
const STRONG_PLACE_WORDS: &[&str] = &["in", "from", "within", "inside"];

/// Words that may name the partner's function too (`the barrier of foo()`), but also start
/// prose about fields (`the read of guest_mode`): only the first name of a phrase counts.
const WEAK_PLACE_WORDS: &[&str] = &["of", "by"];

/// The function names a comment gives as partners, with their byte offsets in `comment`.
///
/// In "pairs with X in Y" only Y is taken (X is the kind of barrier), with the names joined to
/// it by `and`, `or`, `/` or `->`; `in`, `from`, `within` and `inside` introduce a name
/// anywhere in the phrase, `of` and `by` only for its first name. Without any such word, the
/// first names after the phrase are taken. A phrase ends at `. `, `;`, `:` or the next
/// phrase. Names are identifiers followed directly by `(` (`foo_read()`) or containing `_`
/// (`foo_read`), outside parentheses, not fields (`->x`), not bases (`p->`), and not parts of
/// patterns (`tcp_(get|set)sockopt()`).
pub fn pairing_referents(comment: &str) -> Vec<(usize, &str)> {
    let lower = comment.to_ascii_lowercase();
    let mut starts: Vec<(usize, usize)> = PAIRING_PHRASES
        .iter()
        .flat_map(|p| lower.match_indices(p).map(|(i, m)| (i, i + m.len())))
        .filter(|(i, _)| {
            *i == 0
                || !lower
                    .as_bytes()
                    .get(i - 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
        .collect();
    starts.sort_unstable();
    starts.dedup_by_key(|(i, _)| *i);
    let mut out = Vec::new();
    for (k, (_, from)) in starts.iter().enumerate() {
        let next = starts.get(k + 1).map_or(comment.len(), |(i, _)| *i);
        let end = sentence_end(comment, *from).min(next);
        let Some(phrase) = comment.get(*from..end) else {
            continue;
        };
        let words = words(phrase);
        let mut runs = place_runs(&words);
        // A place given in prose ("in the poll callback") names no function: nothing to check.
        if runs.is_empty() && words.iter().all(|w| w.place == Place::None) {
            runs.extend(
                words
                    .iter()
                    .position(|w| w.code_like)
                    .map(|i| run(&words, i)),
            );
        }
        for w in runs.into_iter().flatten() {
            out.push((from + w.offset, w.name));
        }
    }
    out
}

/// The partner names of every pairing comment inside the lowered functions of a file.
pub fn comment_referents(ir: &FileIr) -> Vec<String> {
    let mut names: Vec<String> = ir
        .functions
        .iter()
        .flat_map(|f| f.events.iter())
        .filter_map(|e| match &e.kind {
            EventKind::Comment(c) => Some(c.text.as_str()),
            _ => None,
        })
        .flat_map(pairing_referents)
        .map(|(_, name)| name.to_owned())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Where the sentence that starts at `from` ends: at `. `, `;`, `:`, `*/` or the end.
fn sentence_end(comment: &str, from: usize) -> usize {
    let bytes = comment.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        match b {
            b';' | b':' => return i,
            b'.' if next.is_none_or(|n| n.is_ascii_whitespace() || n == b'*') => return i,
            b'*' if next == Some(b'/') => return i,
            _ => {}
        }
        i += 1;
    }
    comment.len()
}

/// How a word is introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Not after a place word.
    None,
    /// After `in`, `from`, … (possibly with an article between).
    Strong,
    /// After `of` or `by`.
    Weak,
}

/// A word of a pairing phrase, outside parentheses.
#[derive(Debug)]
struct Word<'a> {
    name: &'a str,
    /// Byte offset in the phrase.
    offset: usize,
    /// Looks like code: called (`foo(`) or snake_case, not a field, not a base, not part of
    /// a pattern.
    code_like: bool,
    /// `and` or `or`, which join names.
    conjunction: bool,
    place: Place,
}

/// The words of `phrase` outside parentheses.
fn words(phrase: &str) -> Vec<Word<'_>> {
    let bytes = phrase.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out: Vec<Word<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if !is_ident(b) {
            match b {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(|c| is_ident(*c)) {
            i += 1;
        }
        let name = phrase.get(start..i).unwrap_or("");
        if depth > 0 || name.bytes().next().is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let before = phrase.get(..start).unwrap_or("");
        let after = phrase.get(i..).unwrap_or("");
        let called = after.starts_with('(');
        let field = before.ends_with("->") || before.ends_with('.');
        let is_base =
            after.starts_with("->") || (after.starts_with('.') && !after.starts_with(". "));
        let glued = before.chars().last().is_some_and(|c| {
            !(c.is_whitespace() || matches!(c, '/' | ',' | '`' | '\'' | '"' | '*'))
        });
        let pattern =
            name.ends_with('_') || after.starts_with(['*', '|', '<']) || before.ends_with('|');
        let snake = name.contains('_') && name.chars().any(|c| c.is_ascii_alphabetic());
        let lower = name.to_ascii_lowercase();
        out.push(Word {
            name,
            offset: start,
            code_like: (called || snake) && !field && !is_base && !glued && !pattern,
            conjunction: matches!(lower.as_str(), "and" | "or"),
            place: Place::None,
        });
    }
    // A word's place comes from the word before it, or the one before an article.
    for k in 0..out.len() {
        let lower = |j: usize| out.get(j).map(|w| w.name.to_ascii_lowercase());
        let article = |j: usize| matches!(lower(j).as_deref(), Some("the" | "a" | "an"));
        let place_of = |j: usize| match lower(j) {
            Some(w) if STRONG_PLACE_WORDS.contains(&w.as_str()) => Place::Strong,
            Some(w) if WEAK_PLACE_WORDS.contains(&w.as_str()) => Place::Weak,
            _ => Place::None,
        };
        let mut place = k.checked_sub(1).map_or(Place::None, place_of);
        if place == Place::None && k >= 2 && article(k - 1) {
            place = place_of(k - 2);
        }
        if let Some(w) = out.get_mut(k) {
            w.place = place;
        }
    }
    out
}

/// The names joined to the code-like word at `i`: it, and the code-like words after it
/// separated by nothing but conjunctions.
fn run<'w, 'a>(words: &'w [Word<'a>], i: usize) -> Vec<&'w Word<'a>> {
    words
        .iter()
        .skip(i)
        .take_while(|w| w.code_like || w.conjunction)
        .filter(|w| w.code_like)
        .collect()
}

/// The runs of names introduced by place words: every strong one, and a weak one when it is
/// the first run of the phrase.
fn place_runs<'w, 'a>(words: &'w [Word<'a>]) -> Vec<Vec<&'w Word<'a>>> {
    let mut runs = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let starts = w.code_like
            && match w.place {
                Place::Strong => true,
                Place::Weak => runs.is_empty(),
                Place::None => false,
            };
        // A name already taken in the previous run does not start a new one.
        let taken = runs
            .iter()
            .any(|r: &Vec<&Word<'_>>| r.iter().any(|x| x.offset == w.offset));
        if starts && !taken {
            runs.push(run(words, i));
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(comment: &str) -> Vec<&str> {
        pairing_referents(comment)
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    }

    #[test]
    fn the_partner_is_the_function_after_in() {
        assert_eq!(
            names("/* pairs with smp_rmb() in foo_read() */"),
            ["foo_read"]
        );
        assert_eq!(
            names("/* Paired with the smp_wmb in ring_push. */"),
            ["ring_push"]
        );
        assert_eq!(
            names("/* Pairs with READ_ONCE() in a_get() and b_get() */"),
            ["a_get", "b_get"]
        );
        assert_eq!(
            names("/* pairs with the fence in open_fn() -> get_access() to ensure x_y */"),
            ["open_fn", "get_access"]
        );
        assert_eq!(
            names("/* Paired with the smp_mb() implied by a successful cmpxchg() in file_get() */"),
            ["file_get"]
        );
    }

    #[test]
    fn without_a_place_the_first_names_are_the_partner() {
        assert_eq!(names("// matches ring_pop()"), ["ring_pop"]);
        assert_eq!(
            names("/* pairs with mif_add()/mif_del() */"),
            ["mif_add", "mif_del"]
        );
        assert_eq!(
            names("/* Matches the write barriers set_state_waiting. */"),
            ["set_state_waiting"]
        );
        assert_eq!(names("/* Paired with READ_ONCE */"), ["READ_ONCE"]);
    }

    #[test]
    fn prose_after_the_partner_is_not_a_partner() {
        assert_eq!(
            names("/* Pairs with the smp_mb() after setting v->guest_mode in enter_guest() to ensure the write is ordered before the read of guest_mode. */"),
            ["enter_guest"]
        );
        assert_eq!(
            names("/* pairs with the barrier in is_ro() making sure if is_ro() sees SB_RDONLY cleared */"),
            ["is_ro"]
        );
        assert_eq!(
            names("/* pairs with smp_mb__before_atomic in stat_inc/stat_set and with the barrier implied by atomic_xchg in stats_reset */"),
            ["stat_inc", "stat_set", "stats_reset"]
        );
    }

    #[test]
    fn prose_fields_arguments_and_patterns_are_not_names() {
        assert!(names("/* pairs with the barrier in the poll callback */").is_empty());
        assert!(names("/* pairs with (D), and (B) pairs with (C) */").is_empty());
        assert_eq!(
            names("/* pairs with READ_ONCE(sk->sk_prot) */"),
            ["READ_ONCE"]
        );
        assert!(names("/* paired with READ_ONCE() in tcp_(get|set)sockopt() */").is_empty());
        assert!(names("/* pairs with spin_lock() in kvm_inval_<page|range_end>() */").is_empty());
        assert!(names("/* order the data before the flag */").is_empty());
        assert_eq!(
            names("/* pairs with smp_rmb() in reader(). See foo_bar */"),
            ["reader"]
        );
    }

    #[test]
    fn offsets_point_into_the_comment() {
        let c = "/* pairs with smp_rmb() in foo_read() */";
        let (at, name) = pairing_referents(c)[0];
        assert_eq!(c.get(at..at + name.len()), Some("foo_read"));
    }
}
