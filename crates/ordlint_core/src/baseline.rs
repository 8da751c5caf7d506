//! Baselines: record today's findings so a big tree can adopt ordlint and fail only on new
//! ones (`--write-baseline FILE`, then `--baseline FILE`).
//!
//! A finding is identified by its rule, its path and a fingerprint of the code around its
//! primary line — never by line numbers, so edits elsewhere in the file (code moved down by an
//! added function, a reindent) keep it baselined. The fingerprint hashes the primary line and
//! the two lines before and after it, each with runs of whitespace collapsed to one space and
//! ends trimmed. Findings with the same rule, path and fingerprint are told apart by an
//! occurrence counter in output order; matching is then a multiset comparison, so two copies
//! of a baselined smell where there was one report exactly one.
//!
//! The file is JSON, entries sorted by (path, rule, fingerprint, occurrence), so that it is
//! stable for an unchanged tree and diffs well. The message is kept for the reader only and
//! takes no part in matching. Pure: the caller reads and writes the file and hands in the
//! source texts.

use ordlint_diagnostics::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// Lines of context on each side of the primary line that the fingerprint covers.
pub const CONTEXT_LINES: u32 = 2;

/// A baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version ([`BASELINE_VERSION`]).
    pub version: u32,
    /// The recorded findings, sorted.
    pub findings: Vec<BaselineEntry>,
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// File path as ordlint reported it (relative to where it ran).
    pub path: String,
    /// Rule name.
    pub rule: String,
    /// 16 hex digits: FNV-1a 64 of the normalised context lines (see the module docs).
    pub fingerprint: String,
    /// 0 for the first finding with this (path, rule, fingerprint), 1 for the next, …
    pub occurrence: u32,
    /// The message when recorded; informational, not matched.
    pub message: String,
}

/// A baseline file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Not JSON of the expected shape.
    #[error("not an ordlint baseline: {0}")]
    Format(#[from] serde_json::Error),
    /// Written by a newer ordlint.
    #[error("baseline format version {0} is not supported (expected {BASELINE_VERSION})")]
    Version(u32),
}

impl Baseline {
    /// Record `diagnostics`; `text_of` gives the source text of a path (`None` when it cannot be
    /// read: the fingerprint then covers empty lines, which still matches the same situation).
    pub fn from_diagnostics<'a>(
        diagnostics: &[Diagnostic],
        text_of: &dyn Fn(&str) -> Option<&'a str>,
    ) -> Baseline {
        let mut findings = keyed(diagnostics, text_of)
            .into_iter()
            .map(|(key, d)| BaselineEntry {
                path: key.path,
                rule: key.rule,
                fingerprint: key.fingerprint,
                occurrence: key.occurrence,
                message: d.message.clone(),
            })
            .collect::<Vec<_>>();
        findings.sort();
        findings.dedup();
        Baseline {
            version: BASELINE_VERSION,
            findings,
        }
    }

    /// Parse a baseline file.
    pub fn from_json(text: &str) -> Result<Baseline, BaselineError> {
        let b: Baseline = serde_json::from_str(text)?;
        if b.version != BASELINE_VERSION {
            return Err(BaselineError::Version(b.version));
        }
        Ok(b)
    }

    /// The file's text: pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned());
        s.push('\n');
        s
    }

    /// The diagnostics that are not in the baseline, in their original order.
    pub fn new_findings<'a>(
        &self,
        diagnostics: Vec<Diagnostic>,
        text_of: &dyn Fn(&str) -> Option<&'a str>,
    ) -> Vec<Diagnostic> {
        let known: std::collections::BTreeSet<Key> = self
            .findings
            .iter()
            .map(|e| Key {
                path: e.path.clone(),
                rule: e.rule.clone(),
                fingerprint: e.fingerprint.clone(),
                occurrence: e.occurrence,
            })
            .collect();
        let fresh: Vec<bool> = keyed(&diagnostics, text_of)
            .into_iter()
            .map(|(key, _)| !known.contains(&key))
            .collect();
        diagnostics
            .into_iter()
            .zip(fresh)
            .filter_map(|(d, fresh)| fresh.then_some(d))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    path: String,
    rule: String,
    fingerprint: String,
    occurrence: u32,
}

/// Each diagnostic with its key, in input order.
fn keyed<'d, 'a>(
    diagnostics: &'d [Diagnostic],
    text_of: &dyn Fn(&str) -> Option<&'a str>,
) -> Vec<(Key, &'d Diagnostic)> {
    let mut seen: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let text = text_of(&d.location.path).unwrap_or("");
            let fingerprint = fingerprint(text, d.location.start.line);
            let counter = seen
                .entry((d.location.path.clone(), d.rule.clone(), fingerprint.clone()))
                .or_insert(0);
            let occurrence = *counter;
            *counter += 1;
            (
                Key {
                    path: d.location.path.clone(),
                    rule: d.rule.clone(),
                    fingerprint,
                    occurrence,
                },
                d,
            )
        })
        .collect()
}

/// The fingerprint of 1-based `line` of `text`: FNV-1a 64 over the whitespace-collapsed
/// lines `line - 2 ..= line + 2` (missing lines count as empty), as 16 hex digits.
pub fn fingerprint(text: &str, line: u32) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = i64::from(line) - i64::from(CONTEXT_LINES);
    let last = i64::from(line) + i64::from(CONTEXT_LINES);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for n in first..=last {
        let content = usize::try_from(n - 1)
            .ok()
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or("");
        let normalised = content.split_whitespace().collect::<Vec<_>>().join(" ");
        for b in normalised.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_whitespace_and_position() {
        let a = "x;\ny;\n\tsmp_wmb();\n  z = 1;\nw;\n";
        let b = "\n\n\nx;\n y;\nsmp_wmb();   \nz   = 1;\nw;\n";
        assert_eq!(fingerprint(a, 3), fingerprint(b, 6));
        assert_ne!(fingerprint(a, 3), fingerprint(a, 4));
    }

    fn diag(path: &str, text: &str, line: u32) -> Diagnostic {
        let offset: usize = text
            .lines()
            .take(line as usize - 1)
            .map(|l| l.len() + 1)
            .sum();
        let index = ordlint_diagnostics::LineIndex::new(text);
        Diagnostic {
            rule: "barrier-publication".to_owned(),
            severity: ordlint_diagnostics::Severity::Warning,
            message: "m".to_owned(),
            location: ordlint_diagnostics::Location::new(
                path,
                ordlint_diagnostics::Span::new(offset, offset + 1),
                &index,
            ),
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    #[test]
    fn moved_findings_stay_known_and_an_extra_copy_is_new() {
        let old = "a;\nb;\nbarrier();\nc;\nd;\n";
        let base = Baseline::from_diagnostics(&[diag("x.c", old, 3)], &|_| Some(old));
        let moved = format!("{}{old}{old}", "\n".repeat(50));
        let now = vec![diag("x.c", &moved, 53), diag("x.c", &moved, 58)];
        let fresh = base.new_findings(now, &|_| Some(moved.as_str()));
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].location.start.line, 58);
    }

    #[test]
    fn json_round_trips_and_rejects_other_versions() {
        let text = "x;\n";
        let base = Baseline::from_diagnostics(&[diag("x.c", text, 1)], &|_| Some(text));
        let json = base.to_json();
        assert_eq!(Baseline::from_json(&json).ok(), Some(base));
        let newer = json.replace("\"version\": 1", "\"version\": 9");
        assert!(matches!(
            Baseline::from_json(&newer),
            Err(BaselineError::Version(9))
        ));
    }

    #[test]
    fn fingerprint_near_the_edges_is_defined() {
        assert_eq!(fingerprint("a\n", 1).len(), 16);
        assert_eq!(fingerprint("", 0).len(), 16);
    }
}
