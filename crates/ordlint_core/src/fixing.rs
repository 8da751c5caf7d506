//! Applying fixes until nothing changes, and writing the result safely.
//!
//! One round lints the run's sources (as [`check_sources`] does, so cross-file fixes see
//! their partners), takes every fix at or above the wanted applicability whose edits overlap
//! no fix already taken (whole fixes only: half of a two-file fix is never applied), applies
//! them per file, and starts over with the new texts. It stops when a round takes nothing, or
//! after [`MAX_FIX_ROUNDS`] rounds (then the outcome says it did not converge).
//!
//! Invariants: a file whose fixed text lowers with more problems than its original text is
//! left as it was, with a message, and every fix touching it is dropped; files are written
//! through a temporary file in the same directory and a rename, keeping permissions; a file
//! with CRLF line endings keeps them (newlines in replacements become `\r\n`).

use crate::fix::apply_edits;
use crate::{check_sources, FileError, RunOptions, RunResult, SourceFile};
use ordlint_diagnostics::{Applicability, Edit, Fix, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many rounds of fixing a run may take before it counts as not converging.
pub const MAX_FIX_ROUNDS: usize = 10;

/// What fixing a set of sources gave.
#[derive(Debug, Default)]
pub struct FixOutcome {
    /// The final text of every file that changed, by path.
    pub changed: BTreeMap<String, String>,
    /// How many fixes (one per diagnostic) were applied, over all rounds.
    pub fixed: usize,
    /// Files left unchanged because their fixes would have broken them, with why.
    pub refused: Vec<FileError>,
    /// False when fixes were still being applied after [`MAX_FIX_ROUNDS`] rounds.
    pub converged: bool,
    /// The run over the final texts: what remains.
    pub remaining: RunResult,
}

/// Errors while writing fixed files.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The temporary file could not be created, written or renamed over the original.
    #[error("{path}: cannot write the fixed file: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Apply every fix of at least `min` applicability to `sources` (all the files of one run)
/// until nothing changes. Pure: nothing is written.
pub fn fix_sources(
    sources: Vec<SourceFile>,
    options: &RunOptions,
    min: Applicability,
) -> FixOutcome {
    fix_sources_with(sources, options, min, &|_| true)
}

/// [`fix_sources`], considering only the diagnostics `keep` accepts (configuration
/// overrides and excluded paths), in the fixes taken and in what remains.
pub fn fix_sources_with(
    sources: Vec<SourceFile>,
    options: &RunOptions,
    min: Applicability,
    keep: &dyn Fn(&ordlint_diagnostics::Diagnostic) -> bool,
) -> FixOutcome {
    let originals: BTreeMap<String, SourceFile> =
        sources.into_iter().map(|s| (s.path.clone(), s)).collect();
    let mut texts: BTreeMap<String, String> = originals
        .iter()
        .map(|(p, s)| (p.clone(), s.text.clone()))
        .collect();
    let mut base_problems: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    let mut outcome = FixOutcome::default();
    let current = |texts: &BTreeMap<String, String>| -> Vec<SourceFile> {
        originals
            .values()
            .map(|s| {
                SourceFile::with_language(
                    s.path.clone(),
                    texts.get(&s.path).cloned().unwrap_or_default(),
                    s.language,
                )
            })
            .collect()
    };
    let mut last: Option<RunResult> = None;
    for _ in 0..MAX_FIX_ROUNDS {
        let mut result = check_sources(current(&texts), options);
        result.diagnostics.retain(|d| keep(d));
        let mut accepted: Vec<&Fix> = select_fixes(&result, min, &texts, &refused);
        if accepted.is_empty() {
            outcome.converged = true;
            last = Some(result);
            break;
        }
        let new_texts = apply_guarded(
            &mut accepted,
            &texts,
            &originals,
            &mut base_problems,
            &mut refused,
        );
        if accepted.is_empty() {
            continue;
        }
        outcome.fixed += accepted.len();
        texts.extend(new_texts);
    }
    outcome.remaining = match last {
        Some(r) => r,
        None => {
            let mut r = check_sources(current(&texts), options);
            r.diagnostics.retain(|d| keep(d));
            r
        }
    };
    outcome.changed = texts
        .into_iter()
        .filter(|(p, t)| originals.get(p).is_some_and(|o| &o.text != t))
        .collect();
    outcome.refused = refused
        .into_iter()
        .map(|(path, message)| FileError { path, message })
        .collect();
    outcome
}

/// Apply `accepted` to `texts`, dropping (and recording in `refused`) the fixes of every file
/// whose fixed text lowers with more problems than its original, until none does. Returns
/// the new texts of the files still fixed.
fn apply_guarded(
    accepted: &mut Vec<&Fix>,
    texts: &BTreeMap<String, String>,
    originals: &BTreeMap<String, SourceFile>,
    base_problems: &mut BTreeMap<String, usize>,
    refused: &mut BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    loop {
        let new_texts = apply_fixes(accepted, texts);
        let mut broke = false;
        for (path, text) in &new_texts {
            let Some(orig) = originals.get(path) else {
                continue;
            };
            let before = *base_problems
                .entry(path.clone())
                .or_insert_with(|| crate::lower(orig).problems.len());
            let candidate = SourceFile::with_language(path.clone(), text.clone(), orig.language);
            let after = crate::lower(&candidate).problems.len();
            if after > before {
                refused.insert(
                    path.clone(),
                    format!(
                        "not fixed: the fixed file would have {after} parse problems instead of {before}, so it was left as it was"
                    ),
                );
                broke = true;
            }
        }
        if !broke {
            return new_texts;
        }
        accepted.retain(|f| {
            !f.edits
                .iter()
                .any(|e| refused.contains_key(&e.location.path))
        });
    }
}

/// The fixes of `result` to apply this round: applicability at least `min`, all edits in
/// known, not refused files, no edit overlapping an edit of a fix taken before (in output
/// order, so the choice is deterministic).
fn select_fixes<'r>(
    result: &'r RunResult,
    min: Applicability,
    texts: &BTreeMap<String, String>,
    refused: &BTreeMap<String, String>,
) -> Vec<&'r Fix> {
    let mut taken: BTreeMap<&str, Vec<Span>> = BTreeMap::new();
    let mut accepted = Vec::new();
    for fix in result
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability >= min && !f.edits.is_empty())
    {
        let usable = fix.edits.iter().all(|e| {
            let path = e.location.path.as_str();
            texts.contains_key(path)
                && !refused.contains_key(path)
                && !taken
                    .get(path)
                    .is_some_and(|spans| spans.iter().any(|s| overlaps(*s, e.location.span)))
        });
        if !usable {
            continue;
        }
        for e in &fix.edits {
            taken
                .entry(e.location.path.as_str())
                .or_default()
                .push(e.location.span);
        }
        accepted.push(fix);
    }
    accepted
}

/// Two edits conflict when their ranges overlap, or both insert at the same point.
fn overlaps(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

/// The new texts of the files `fixes` touch.
fn apply_fixes(fixes: &[&Fix], texts: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    for e in fixes.iter().flat_map(|f| &f.edits) {
        by_file
            .entry(e.location.path.as_str())
            .or_default()
            .push(e.clone());
    }
    let mut out = BTreeMap::new();
    for (path, mut edits) in by_file {
        let Some(text) = texts.get(path) else {
            continue;
        };
        if text.contains("\r\n") {
            for e in &mut edits {
                e.replacement = to_crlf(&e.replacement);
            }
        }
        let refs: Vec<&Edit> = edits.iter().collect();
        let (new, _) = apply_edits(text, &refs);
        out.insert(path.to_owned(), new);
    }
    out
}

/// `\n` not already preceded by `\r` becomes `\r\n`.
pub fn to_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Replace the contents of `path` with `text` atomically: a temporary file in the same
/// directory, the original's permissions, then a rename over the original.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), FixError> {
    let err = |source| FixError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path).map(|m| m.permissions()).ok();
    let mut tmp = tempfile::Builder::new()
        .prefix(".ordlint-fix-")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p).map_err(err)?;
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The C and Rust files under `paths`, read as UTF-8, walked as `check_paths` walks them
/// (`.ignore` everywhere, `.gitignore` inside git repositories). Files that cannot be read or
/// decoded are left out (the lint pass reports them).
pub fn read_sources(paths: &[PathBuf]) -> Vec<SourceFile> {
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    for root in paths {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .git_ignore(true)
            .require_git(true)
            .build();
        for entry in walker.flatten() {
            let p = entry.path();
            if ordlint_ir::Language::from_path(&p.to_string_lossy()).is_some()
                && std::fs::metadata(p).is_ok_and(|m| m.is_file())
            {
                files.insert(p.to_path_buf());
            }
        }
    }
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            if text.as_bytes().contains(&0) {
                return None;
            }
            SourceFile::new(crate::run::display_path(&p), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordlint_diagnostics::{Diagnostic, LineIndex, Location, Severity};

    fn fix_diag(path: &str, text: &str, span: Span, rep: &str) -> Diagnostic {
        let lines = LineIndex::new(text);
        Diagnostic {
            rule: "barrier-publication".into(),
            severity: Severity::Warning,
            message: "m".into(),
            location: Location::new(path, span, &lines),
            help: None,
            fix: Some(Fix::safe(
                "f",
                vec![Edit {
                    location: Location::new(path, span, &lines),
                    replacement: rep.into(),
                }],
            )),
            related: Vec::new(),
        }
    }

    #[test]
    fn a_fix_that_breaks_parsing_is_refused() {
        let text = "void f(int *p)\n{\n\t*p = 1;\n}\n";
        let Some(orig) = SourceFile::new("a.c", text.to_owned()) else {
            panic!("a.c is C")
        };
        // Delete the closing brace: a synthetic fix no rule makes.
        let close = text.rfind('}').unwrap_or(0);
        let bad = fix_diag("a.c", text, Span::new(close, close + 1), "");
        let result = RunResult {
            diagnostics: vec![bad],
            ..RunResult::default()
        };
        let texts: BTreeMap<String, String> = [("a.c".to_owned(), text.to_owned())].into();
        let originals: BTreeMap<String, SourceFile> = [("a.c".to_owned(), orig)].into();
        let mut refused = BTreeMap::new();
        let mut accepted = select_fixes(&result, Applicability::Safe, &texts, &refused);
        assert_eq!(accepted.len(), 1);
        let new = apply_guarded(
            &mut accepted,
            &texts,
            &originals,
            &mut BTreeMap::new(),
            &mut refused,
        );
        assert!(new.is_empty());
        assert!(accepted.is_empty());
        assert!(refused["a.c"].contains("parse problems"));
    }

    #[test]
    fn overlapping_fixes_are_taken_whole_or_not_at_all() {
        let text = "abcdef";
        let a = fix_diag("a.c", text, Span::new(0, 3), "X");
        let b = fix_diag("a.c", text, Span::new(2, 4), "Y");
        let c = fix_diag("a.c", text, Span::new(5, 6), "Z");
        let result = RunResult {
            diagnostics: vec![a, b, c],
            ..RunResult::default()
        };
        let texts: BTreeMap<String, String> = [("a.c".to_owned(), text.to_owned())].into();
        let fixes = select_fixes(&result, Applicability::Safe, &texts, &BTreeMap::new());
        assert_eq!(fixes.len(), 2);
        assert_eq!(apply_fixes(&fixes, &texts)["a.c"], "XdeZ");
    }

    #[test]
    fn replacements_in_crlf_files_get_crlf() {
        assert_eq!(to_crlf("a\nb\r\nc"), "a\r\nb\r\nc");
        let text = "x\r\ny\r\n";
        let d = fix_diag("a.c", text, Span::new(0, 1), "p\nq");
        let result = RunResult {
            diagnostics: vec![d],
            ..RunResult::default()
        };
        let texts: BTreeMap<String, String> = [("a.c".to_owned(), text.to_owned())].into();
        let fixes = select_fixes(&result, Applicability::Safe, &texts, &BTreeMap::new());
        assert_eq!(apply_fixes(&fixes, &texts)["a.c"], "p\r\nq\r\ny\r\n");
    }

    #[test]
    fn atomic_writes_keep_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("a.c");
        std::fs::write(&p, "old").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640))
            .unwrap_or_else(|e| panic!("{e}"));
        write_atomic(&p, "new").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&p).ok().as_deref(), Some("new"));
        let mode = std::fs::metadata(&p).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o640));
        let leftovers = std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 1);
    }
}
