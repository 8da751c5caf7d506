//! The fixture harness: cases with inline expectation markers, linted in memory exactly as a
//! run would lint them, with fix application to a fixed point.
//!
//! Markers are comments: `//~ rule-name` trails the line where a diagnostic's primary span
//! starts; `//~^ rule-name` (one caret per line up) points above; `//~ note: rule-name` marks
//! a related (partner) site of that rule's diagnostic. Markers are blanked to spaces before
//! linting (offsets kept), so comment-reading rules never see them.

pub mod fuzz;
pub mod markers;
pub mod pages;

use markers::{blank_markers, Marker};
use ordlint_core::fix::{apply_edits, edits_by_file};
use ordlint_core::{check_sources, RuleSet, RunOptions, RunResult, SourceFile};
use ordlint_diagnostics::{Applicability, Diagnostic};
use ordlint_render::{human, SourceMap};
use std::collections::BTreeMap;
use std::path::Path;

/// How many rounds of fixing a case may take before it counts as not converging.
pub const MAX_FIX_ROUNDS: usize = 10;

/// One file of a case.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// Path as reported (relative to the repository root).
    pub path: String,
    /// The text as written, markers included.
    pub original: String,
    /// The text with markers blanked (what is linted).
    pub linted: String,
    /// The expectations found in it.
    pub markers: Vec<Marker>,
}

/// A fixture case: one file, or every file of one folder.
#[derive(Debug, Clone)]
pub struct Case {
    /// Case name (file stem or folder name).
    pub name: String,
    /// Its files, sorted by path.
    pub files: Vec<CaseFile>,
}

impl Case {
    /// A case from in-memory files `(path, text)`.
    pub fn from_texts(name: impl Into<String>, texts: Vec<(String, String)>) -> Self {
        let mut files: Vec<CaseFile> = texts
            .into_iter()
            .map(|(path, original)| {
                let (linted, markers) = blank_markers(&original);
                CaseFile {
                    path,
                    original,
                    linted,
                    markers,
                }
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Case {
            name: name.into(),
            files,
        }
    }

    /// Load a case from a file or folder; paths are reported relative to `root`.
    pub fn load(path: &Path, root: &Path) -> std::io::Result<Self> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut paths = Vec::new();
        // A folder case may nest directories, for rules that look at where files are.
        let mut dirs = vec![path.to_path_buf()];
        if !path.is_dir() {
            paths.push(path.to_path_buf());
            dirs.clear();
        }
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir)? {
                let p = e?.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.is_file() && ordlint_ir_language(&p) {
                    paths.push(p);
                }
            }
        }
        let mut texts = Vec::new();
        for p in paths {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            texts.push((rel, std::fs::read_to_string(&p)?));
        }
        Ok(Case::from_texts(name, texts))
    }

    /// Lint the case's (blanked) files as one run.
    pub fn run(&self, rules: &RuleSet, prefilter: bool) -> RunResult {
        self.run_texts(
            self.files
                .iter()
                .map(|f| (f.path.clone(), f.linted.clone()))
                .collect(),
            rules,
            prefilter,
        )
    }

    fn run_texts(
        &self,
        texts: Vec<(String, String)>,
        rules: &RuleSet,
        prefilter: bool,
    ) -> RunResult {
        let sources = texts
            .into_iter()
            .filter_map(|(p, t)| SourceFile::new(p, t))
            .collect();
        let options = RunOptions {
            rules: rules.clone(),
            jobs: Some(1),
            prefilter,
            ..RunOptions::default()
        };
        check_sources(sources, &options)
    }

    /// Compare diagnostics with the markers, both ways. `Err` lists every mismatch.
    pub fn check_markers(&self, diagnostics: &[Diagnostic]) -> Result<(), String> {
        let mut expected: Vec<(String, u32, String, bool)> = self
            .files
            .iter()
            .flat_map(|f| {
                f.markers
                    .iter()
                    .map(move |m| (f.path.clone(), m.line, m.rule.clone(), m.note))
            })
            .collect();
        let mut actual: Vec<(String, u32, String, bool)> = Vec::new();
        for d in diagnostics {
            actual.push((
                d.location.path.clone(),
                d.location.start.line,
                d.rule.clone(),
                false,
            ));
            for r in &d.related {
                actual.push((
                    r.location.path.clone(),
                    r.location.start.line,
                    d.rule.clone(),
                    true,
                ));
            }
        }
        expected.sort();
        actual.sort();
        actual.dedup();
        let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
        let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
        if missing.is_empty() && extra.is_empty() {
            return Ok(());
        }
        let show = |(p, l, r, n): &&(String, u32, String, bool)| {
            format!("  {p}:{l}: {}{r}", if *n { "note: " } else { "" })
        };
        let mut msg = format!("case `{}`: markers and diagnostics disagree\n", self.name);
        if !missing.is_empty() {
            msg.push_str("expected but not reported:\n");
            msg.push_str(&missing.iter().map(show).collect::<Vec<_>>().join("\n"));
            msg.push('\n');
        }
        if !extra.is_empty() {
            msg.push_str("reported but not marked:\n");
            msg.push_str(&extra.iter().map(show).collect::<Vec<_>>().join("\n"));
            msg.push('\n');
        }
        Err(msg)
    }

    /// Human rendering of `diagnostics` over the original texts (markers visible).
    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let mut sources = SourceMap::new();
        for f in &self.files {
            sources.insert(f.path.clone(), f.original.clone());
        }
        human(diagnostics, &sources, false)
    }

    /// Apply every fix (unsafe ones too), re-lint, and repeat until nothing changes.
    /// Returns the final texts of the files that changed, or why fixing failed.
    pub fn fix_to_fixed_point(&self, rules: &RuleSet) -> Result<BTreeMap<String, String>, String> {
        let mut texts: BTreeMap<String, String> = self
            .files
            .iter()
            .map(|f| (f.path.clone(), f.linted.clone()))
            .collect();
        for _ in 0..MAX_FIX_ROUNDS {
            let result = self.run_texts(texts.clone().into_iter().collect(), rules, true);
            let by_file = edits_by_file(&result.diagnostics, Applicability::Unsafe);
            let mut applied = 0;
            for (path, edits) in by_file {
                let Some(text) = texts.get(&path) else {
                    continue;
                };
                let (new, n) = apply_edits(text, &edits);
                applied += n;
                texts.insert(path, new);
            }
            if applied == 0 {
                let changed = texts
                    .into_iter()
                    .filter(|(p, t)| self.files.iter().any(|f| &f.path == p && &f.linted != t))
                    .collect();
                return Ok(changed);
            }
        }
        Err(format!(
            "case `{}`: fixes did not converge in {MAX_FIX_ROUNDS} rounds",
            self.name
        ))
    }
}

fn ordlint_ir_language(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("c" | "h" | "rs")
    )
}
