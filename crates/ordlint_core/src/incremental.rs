//! Lowering an editor document again after each edit, re-lowering only the top-level
//! definitions whose text changed.
//!
//! A C document is lowered definition by definition, as `ordlint check` lowers the definitions
//! it needs (see [`LoweredFile::around`]): the definition scanner cuts the text into top-level
//! items and each is parsed on its own. [`DocumentLowering`] keeps the IR of every item of the
//! previous version, keyed by the item's text. After an edit, an item whose text is unchanged
//! gets its old IR moved to its new offset; the others are lowered again. The result is the
//! same IR as lowering every item of the new text from scratch, because an item's IR depends
//! only on its own text and on the file-wide names of its [`ordlint_c::FileContext`] that it
//! mentions: when a name's meaning changes (a function declared, an enumerator renamed), the
//! items that mention it are lowered again too. When the scanner is unsure of the text, the
//! whole file is lowered.
//!
//! Rust documents are lowered whole each time (syn has no slicing).

use crate::{LoweredFile, SourceFile};
use ordlint_c::{ApiExtensions, FileContext};
use ordlint_diagnostics::Span;
use ordlint_ir::{FileIr, Language};
use std::collections::HashMap;

/// What the last [`DocumentLowering::lower`] did, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoweringStats {
    /// Top-level definitions in the text (0 when it was lowered whole).
    pub definitions: usize,
    /// Definitions that were lowered (the others were reused).
    pub lowered: usize,
    /// The text was lowered whole: Rust, or a C text the definition scanner is unsure of.
    pub whole_file: bool,
}

/// The lowered current version of a document.
#[derive(Debug)]
struct Current {
    file: LoweredFile,
    /// The definitions the IR was lowered from; `None` when the file was lowered whole.
    items: Option<Vec<Span>>,
    context: FileContext,
    /// The project's helpers it was lowered with (other helpers mean lowering everything again).
    api: ApiExtensions,
}

/// The lowering state of one open document: its current version, lowered.
///
/// The IR of the previous version is taken apart, never copied: each definition's piece is
/// moved to the new version (and shifted) or dropped.
#[derive(Debug, Default)]
pub struct DocumentLowering {
    current: Option<Current>,
    stats: LoweringStats,
}

impl DocumentLowering {
    /// A document with no previous version.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the last call to [`DocumentLowering::lower`] did.
    pub fn stats(&self) -> LoweringStats {
        self.stats
    }

    /// The version lowered last, if any.
    pub fn file(&self) -> Option<&LoweredFile> {
        self.current.as_ref().map(|c| &c.file)
    }

    /// Lower `source`, the document's new text, exactly as [`lower_definitions`] would, reusing
    /// the IR of the definitions whose text did not change since the previous call.
    pub fn lower(&mut self, source: SourceFile) -> &LoweredFile {
        self.lower_with(source, &ApiExtensions::default())
    }

    /// [`DocumentLowering::lower`] with a project's helpers added to the kernel API, as
    /// [`lower_definitions`] takes them. A change of helpers lowers every definition again.
    pub fn lower_with(&mut self, source: SourceFile, api: &ApiExtensions) -> &LoweredFile {
        let previous = self.current.take().filter(|p| p.api == *api);
        let (current, stats) = next(previous, source, api);
        self.stats = stats;
        &self.current.insert(current).file
    }
}

/// Lower `source` from scratch the way an editor document is lowered: a C text definition by
/// definition (as `ordlint check` does), or whole when the definition scanner is unsure of it;
/// a Rust text whole.
pub fn lower_definitions(source: SourceFile, api: &ApiExtensions) -> LoweredFile {
    next(None, source, api).0.file
}

/// Lower `source`, taking what can be kept from `previous`.
fn next(
    previous: Option<Current>,
    source: SourceFile,
    api: &ApiExtensions,
) -> (Current, LoweringStats) {
    let items = match source.language {
        Language::C => ordlint_c::definitions(&source.text),
        Language::Rust => None,
    };
    let Some(items) = items else {
        let current = Current {
            file: LoweredFile::new_with(source, api),
            items: None,
            context: FileContext::default(),
            api: api.clone(),
        };
        let stats = LoweringStats {
            whole_file: true,
            ..LoweringStats::default()
        };
        return (current, stats);
    };
    let text = &source.text;
    let mut kept: Vec<Option<FileIr>> = items.iter().map(|_| None).collect();
    let old_context = previous.map(|mut p| {
        let context = std::mem::take(&mut p.context);
        keep_unchanged(p, text, &items, &mut kept);
        context
    });
    let missing = unfilled(&items, &kept);
    // One token pass gives the new IR, the file's context and its defined names (functions
    // and function-like macros, also those between definitions), even when nothing is missing.
    let (mut fresh, context) = ordlint_c::lower_spans_in_context(text, &missing, api);
    let defined_names = std::mem::take(&mut fresh.defined_names);
    // A kept definition that mentions a name whose file-wide meaning changed (a function
    // declared or renamed, an enumerator added) is lowered again.
    let changed = old_context
        .as_ref()
        .map(|old| context.changed_names(old))
        .unwrap_or_default();
    let mut stale = Vec::new();
    if !changed.is_empty() {
        for (span, slot) in items.iter().zip(kept.iter_mut()) {
            let piece = text.get(span.start..span.end).unwrap_or("");
            if slot.is_some() && changed.iter().any(|name| mentions(piece, name)) {
                *slot = None;
                stale.push(*span);
            }
        }
    }
    let stats = LoweringStats {
        definitions: items.len(),
        lowered: missing.len() + stale.len(),
        whole_file: false,
    };
    let mut batches = vec![(fresh, missing)];
    if !stale.is_empty() {
        batches.push((ordlint_c::lower_spans_with(text, &stale, api), stale));
    }
    for (fresh, spans) in batches {
        let Some(pieces) = split(fresh, &spans) else {
            // Something of the fresh IR lies outside the definitions it was lowered from:
            // lower every definition together instead.
            debug_assert!(false, "lowered IR outside its definitions");
            let ir = ordlint_c::lower_spans_with(text, &items, api);
            let stats = LoweringStats {
                lowered: items.len(),
                ..stats
            };
            return (current(source, ir, items, context, api), stats);
        };
        for (span, piece) in spans.iter().zip(pieces) {
            let i = items.partition_point(|s| s.start < span.start);
            if let Some(slot) = kept.get_mut(i) {
                *slot = Some(piece);
            }
        }
    }
    let mut ir = FileIr::default();
    for piece in kept.into_iter().flatten() {
        let FileIr {
            mut functions,
            mut declarations,
            mut comments,
            mut problems,
            // File-wide, set below.
            defined_names: _,
        } = piece;
        ir.functions.append(&mut functions);
        ir.declarations.append(&mut declarations);
        ir.comments.append(&mut comments);
        ir.problems.append(&mut problems);
    }
    // The order `lower_spans` gives (each item's declarations are sorted already).
    ir.declarations.sort_by_key(|d| d.span);
    ir.defined_names = defined_names;
    (current(source, ir, items, context, api), stats)
}

/// The spans of `items` whose IR is not in `kept` yet.
fn unfilled(items: &[Span], kept: &[Option<FileIr>]) -> Vec<Span> {
    items
        .iter()
        .zip(kept)
        .filter(|(_, k)| k.is_none())
        .map(|(s, _)| *s)
        .collect()
}

/// True when identifier `name` occurs in `text` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(name).any(|(at, _)| {
        !ident(text.get(..at).and_then(|t| t.chars().next_back()))
            && !ident(text.get(at + name.len()..).and_then(|t| t.chars().next()))
    })
}

fn current(
    source: SourceFile,
    ir: FileIr,
    items: Vec<Span>,
    context: FileContext,
    api: &ApiExtensions,
) -> Current {
    Current {
        file: LoweredFile {
            slices: Some(items.clone()),
            ..LoweredFile::with_ir(source, ir)
        },
        items: Some(items),
        context,
        api: api.clone(),
    }
}

/// Fill `kept[i]` with the previous version's IR of `items[i]` (moved to its new offset) when
/// `previous` had a definition with the same text.
fn keep_unchanged(mut previous: Current, text: &str, items: &[Span], kept: &mut [Option<FileIr>]) {
    let Some(old_items) = previous.items.take() else {
        return;
    };
    let old_text = &previous.file.source.text;
    // The first old definition with each text.
    let mut by_text: HashMap<&str, usize> = HashMap::with_capacity(old_items.len());
    for (i, s) in old_items.iter().enumerate() {
        by_text
            .entry(old_text.get(s.start..s.end).unwrap_or(""))
            .or_insert(i);
    }
    let matches: Vec<Option<usize>> = items
        .iter()
        .map(|s| by_text.get(text.get(s.start..s.end).unwrap_or("")).copied())
        .collect();
    drop(by_text);
    let old_ir = std::mem::take(&mut previous.file.ir);
    let Some(mut old_pieces) = split(old_ir, &old_items) else {
        return;
    };
    // Each old piece moves to the first new definition with its text; later ones copy it.
    let mut moved_to: Vec<Option<usize>> = old_items.iter().map(|_| None).collect();
    for (i, (new, old)) in items.iter().zip(&matches).enumerate() {
        let Some(old) = *old else { continue };
        let (Some(old_span), Some(moved)) = (old_items.get(old), moved_to.get_mut(old)) else {
            continue;
        };
        let piece = match *moved {
            None => {
                *moved = Some(i);
                old_pieces.get_mut(old).map(|p| {
                    let mut p = std::mem::take(p);
                    p.shift(new.start as isize - old_span.start as isize);
                    p
                })
            }
            Some(first) => {
                let at = items.get(first).map_or(0, |s| s.start);
                kept.get(first).cloned().flatten().map(|mut p| {
                    p.shift(new.start as isize - at as isize);
                    p
                })
            }
        };
        if let Some(slot) = kept.get_mut(i) {
            *slot = piece;
        }
    }
}

/// Cut the IR lowered from `spans` (sorted, disjoint) into one IR per span; `None` when
/// something lies outside every span.
fn split(ir: FileIr, spans: &[Span]) -> Option<Vec<FileIr>> {
    let mut out: Vec<FileIr> = spans.iter().map(|_| FileIr::default()).collect();
    let slot = |at: Span| -> Option<usize> {
        let i = spans.partition_point(|s| s.end <= at.start);
        spans.get(i).filter(|s| s.contains(at)).map(|_| i)
    };
    for f in ir.functions {
        out.get_mut(slot(f.span)?)?.functions.push(f);
    }
    for d in ir.declarations {
        out.get_mut(slot(d.span)?)?.declarations.push(d);
    }
    for c in ir.comments {
        out.get_mut(slot(c.span)?)?.comments.push(c);
    }
    for p in ir.problems {
        out.get_mut(slot(p.span)?)?.problems.push(p);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_sources, lint, RuleSet, RunOptions};
    use ordlint_diagnostics::Diagnostic;
    use ordlint_rules::PairingIndex;
    use std::path::Path;

    /// Deterministic xorshift, so a failure can be replayed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// The fixtures of a few C rules, one after the other: many definitions, many shapes.
    fn corpus() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut text = String::new();
        for case in [
            "barrier-publication/lock_handoff.c",
            "barrier-publication/ok_same_lock.c",
            "this-cpu-unpaired/early_return.c",
            "unused-suppression/one_name_of_two.c",
            "mb-atomic-non-rmw/before_set.c",
            "rcu-plain-publication/route_update.c",
            "bit-lock-release/spin_acquire.c",
            "clear-bit-wake-up/io_done.c",
        ] {
            let path = root.join(case);
            text.push_str(
                &std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            );
        }
        // A global whose meaning some edits change.
        text.push_str("static int shared_flag;\nvoid poke(void)\n{\n\tshared_flag = 1;\n}\n");
        text
    }

    /// The diagnostics of `file` linted alone (its own pairing index).
    fn diagnostics(file: &LoweredFile, rules: &RuleSet) -> Vec<Diagnostic> {
        let mut index = PairingIndex::new();
        file.add_to_index(&mut index);
        index.finish();
        lint(file, &index, rules)
    }

    /// From scratch without this module: every definition lowered in one `lower_spans`, or
    /// the whole file when the scanner is unsure.
    fn reference(source: SourceFile) -> LoweredFile {
        match ordlint_c::definitions(&source.text) {
            Some(items) => {
                let starts: Vec<usize> = items.iter().map(|s| s.start).collect();
                LoweredFile::around(source, &starts, &crate::ApiExtensions::default())
            }
            None => LoweredFile::new(source),
        }
    }

    /// One edit of the kind typing makes: mostly balanced, sometimes broken for a while.
    fn edit(text: &str, rng: &mut Rng) -> String {
        const INSERTS: &[&str] = &[
            "\n\tbarrier();\n",
            "\n\tWRITE_ONCE(w->lock_acquired, 1);\n",
            "\n\tsmp_mb__after_atomic();\n",
            "\n\tw->lock_acquired = true;\n",
            "\n\tif (READ_ONCE(w->lock_acquired))\n\t\treturn;\n",
            "\nstatic void added_fn(struct foo *p)\n{\n\tp->ready = 1;\n}\n",
            "\nenum added_state { ADDED_IDLE, ADDED_BUSY };\n",
            // `shared_flag` becomes a function or an enumerator: `poke` stores nothing then.
            "\nvoid shared_flag(void);\n",
            "\nenum { shared_flag };\n",
            "\n/* ordlint: allow(barrier-publication) -- test */\n",
            "x",
            ";",
            " ",
            "{",
            "}",
            "/*",
            "(",
        ];
        let mut at = rng.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut out = text.to_owned();
        match rng.below(4) {
            // Delete a few bytes.
            0 => {
                let mut end = (at + 1 + rng.below(12)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                out.replace_range(at..end, "");
            }
            // Delete or duplicate a whole line.
            1 => {
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                let line = text[start..end].to_owned();
                if rng.below(2) == 0 {
                    out.replace_range(start..end, "");
                } else {
                    out.insert_str(start, &line);
                }
            }
            _ => out.insert_str(at, INSERTS[rng.below(INSERTS.len())]),
        }
        out
    }

    #[test]
    fn random_edits_lower_and_lint_as_from_scratch() {
        let rules = RuleSet::all();
        let original = corpus();
        let mut rng = Rng(0x005e_ed0f_0d11);
        let mut doc = DocumentLowering::new();
        let mut text = original.clone();
        let (mut reused, mut whole) = (0, 0);
        for step in 0..120 {
            text = match rng.below(10) {
                // Undo everything now and then, as a revert in the editor does.
                0 => original.clone(),
                _ => edit(&text, &mut rng),
            };
            let source = || SourceFile::with_language("t.c", text.clone(), Language::C);
            doc.lower(source());
            let stats = doc.stats();
            let Some(incremental) = doc.file() else {
                panic!("nothing lowered")
            };
            whole += usize::from(stats.whole_file);
            reused += stats.definitions - stats.lowered;
            let scratch = reference(source());
            assert_eq!(
                format!("{:?}", incremental.ir),
                format!("{:?}", scratch.ir),
                "IR differs at step {step}:\n{text}"
            );
            assert_eq!(incremental.slices, scratch.slices, "step {step}");
            let mine = diagnostics(incremental, &rules);
            assert_eq!(mine, diagnostics(&scratch, &rules), "step {step}");
            // And what `ordlint check` reports for the same text.
            let options = RunOptions {
                rules: rules.clone(),
                jobs: Some(1),
                ..RunOptions::default()
            };
            let check = check_sources(vec![source()], &options).diagnostics;
            assert_eq!(mine, check, "step {step} differs from check:\n{text}");
        }
        // The edits exercised both paths.
        assert!(reused > 100, "reused {reused} definitions");
        assert!(
            whole > 0 && whole < 100,
            "{whole} whole-file lowerings of 120"
        );
    }

    #[test]
    fn only_the_edited_definition_is_lowered_again() {
        let text = corpus();
        let mut doc = DocumentLowering::new();
        let functions = doc
            .lower(SourceFile::with_language("t.c", text.clone(), Language::C))
            .ir
            .functions
            .len();
        let all = doc.stats().definitions;
        assert!(all > 10 && doc.stats().lowered == all, "{:?}", doc.stats());
        // Rename a local in the middle of the file: one definition changes, the rest move.
        let at = text.len() / 2;
        let at = at + text[at..].find("\n\t").unwrap_or(0) + 1;
        let mut edited = text.clone();
        edited.insert_str(at, "\tint added_local = 0;\n");
        let second = doc.lower(SourceFile::with_language(
            "t.c",
            edited.clone(),
            Language::C,
        ));
        assert_eq!(functions, second.ir.functions.len());
        assert_eq!(doc.stats().lowered, 1, "{:?}", doc.stats());
        // A new file-scope name: the definitions that mention it are lowered again too.
        let name = "wake_up_process";
        let mentioning = ordlint_c::definitions(&text)
            .unwrap_or_default()
            .iter()
            .filter(|s| mentions(&text[s.start..s.end], name))
            .count();
        assert!(mentioning > 0);
        let mut declared = edited;
        declared.push_str(&format!("\nvoid {name}(struct task_struct *p);\n"));
        doc.lower(SourceFile::with_language("t.c", declared, Language::C));
        assert_eq!(doc.stats().lowered, mentioning + 1, "{:?}", doc.stats());
    }

    #[test]
    fn project_helpers_are_lowered_and_a_change_of_helpers_lowers_again() {
        let text = "static void hand_off(struct waiter *w)\n{\n\tw->data = 1;\n\tmy_barrier();\n\tw->ready = 1;\n}\n";
        let source = || SourceFile::with_language("t.c", text.to_owned(), Language::C);
        let api = ApiExtensions {
            compiler_barriers: vec!["my_barrier".into()],
            ..ApiExtensions::default()
        };
        let scratch = |api: &ApiExtensions| format!("{:?}", lower_definitions(source(), api).ir);
        assert_ne!(scratch(&api), scratch(&ApiExtensions::default()));
        let mut doc = DocumentLowering::new();
        for api in [
            ApiExtensions::default(),
            api.clone(),
            ApiExtensions::default(),
        ] {
            doc.lower_with(source(), &api);
            assert_eq!(doc.stats().lowered, 1, "{:?}", doc.stats());
            let Some(mine) = doc.file() else {
                panic!("nothing lowered")
            };
            assert_eq!(format!("{:?}", mine.ir), scratch(&api));
        }
        // The same text and helpers again: nothing to lower.
        doc.lower_with(source(), &ApiExtensions::default());
        assert_eq!(doc.stats().lowered, 0, "{:?}", doc.stats());
    }

    #[test]
    fn identical_definitions_each_get_their_own_offsets() {
        let f = "static void f(struct s *p)\n{\n\tbarrier();\n\tp->ready = 1;\n}\n";
        let text = format!("int a;\n{f}{f}");
        let mut doc = DocumentLowering::new();
        doc.lower(SourceFile::with_language("t.c", text.clone(), Language::C));
        // A definition's text runs from the end of the one before it: the first `f` of the
        // second edit starts the file, without the newline the others have.
        for (edited, lowered) in [
            (format!("int ab;\n{f}{f}{f}"), 1),
            (format!("{f}int a;\n{f}"), 2),
        ] {
            doc.lower(SourceFile::with_language(
                "t.c",
                edited.clone(),
                Language::C,
            ));
            let scratch = reference(SourceFile::with_language("t.c", edited, Language::C));
            let Some(mine) = doc.file() else {
                panic!("nothing lowered")
            };
            assert_eq!(format!("{:?}", mine.ir), format!("{:?}", scratch.ir));
            assert_eq!(doc.stats().lowered, lowered, "{:?}", doc.stats());
        }
    }
}
