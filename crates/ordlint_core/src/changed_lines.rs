//! Which lines a patch added or changed, from a unified diff (`git diff -U0 REV`, or a mailed
//! patch given with `--diff-file`), so `ordlint check --since` reports only what a reviewer
//! of that patch should look at.
//!
//! Only the new side of each file counts: a `+` line is changed; a hunk that only deletes
//! lines marks the new lines on both sides of the deletion (a removed `smp_wmb()` makes the
//! store after it wrong without touching it). Context lines are skipped, so a diff with
//! context (`diff -u`, `git format-patch`) gives the same lines as one without.
//!
//! Pure: no I/O. Paths stay as the diff spells them (`b/` stripped) until
//! [`ChangedLines::with_base`] anchors them to the directory they are relative to; lookups
//! compare lexically normalised paths, so the caller resolves symbolic links if it cares.

use ordlint_diagnostics::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A malformed unified diff (exit status 2 in the CLI).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// A `@@` line that is not `@@ -a[,b] +c[,d] @@`.
    #[error("line {line}: malformed hunk header `{text}`")]
    HunkHeader {
        /// 1-based line of the diff text.
        line: usize,
        /// The offending line.
        text: String,
    },
    /// A hunk before any `+++` file header.
    #[error("line {line}: hunk without a `+++` file header")]
    NoFile {
        /// 1-based line of the diff text.
        line: usize,
    },
}

/// Changed lines per file: 1-based inclusive line ranges of the new version, sorted, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedLines {
    files: BTreeMap<PathBuf, Vec<(u32, u32)>>,
}

impl ChangedLines {
    /// Parse a unified diff. Text outside file sections (a mail's headers, a commit message,
    /// `diff --git` and `index` lines) is ignored; files deleted by the patch (`+++ /dev/null`)
    /// are left out.
    pub fn parse(diff: &str) -> Result<ChangedLines, DiffError> {
        let mut changed = ChangedLines::default();
        let mut file: Option<PathBuf> = None;
        let mut seen_file_header = false;
        let mut hunk = Hunk::default();
        for (i, raw) in diff.lines().enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if hunk.open() {
                let first = line.as_bytes().first().copied();
                if matches!(first, Some(b'+' | b'-' | b' ' | b'\\') | None) {
                    if let Some(f) = &file {
                        for (a, b) in hunk.line(first) {
                            changed.add(f, a, b);
                        }
                    }
                    continue;
                }
                // A truncated hunk: close it and read the line as a header.
                if let (Some(f), Some((a, b))) = (&file, hunk.close()) {
                    changed.add(f, a, b);
                }
            }
            if let Some(rest) = line.strip_prefix("+++ ") {
                file = new_path(rest);
                seen_file_header = true;
            } else if line.starts_with("@@ ") {
                let Some((_, old_count, new_start, new_count)) = hunk_header(line) else {
                    return Err(DiffError::HunkHeader {
                        line: i + 1,
                        text: line.to_owned(),
                    });
                };
                if !seen_file_header {
                    return Err(DiffError::NoFile { line: i + 1 });
                }
                // With no new lines, `new_start` is the line *before* the hunk.
                let next_new = if new_count == 0 {
                    new_start + 1
                } else {
                    new_start
                };
                hunk = Hunk {
                    old_left: old_count,
                    new_left: new_count,
                    next_new,
                    pending_deletion: false,
                };
            }
        }
        if let (Some(f), Some((a, b))) = (&file, hunk.close()) {
            changed.add(f, a, b);
        }
        for ranges in changed.files.values_mut() {
            merge(ranges);
        }
        Ok(changed)
    }

    fn add(&mut self, file: &Path, first: u32, last: u32) {
        self.files
            .entry(file.to_path_buf())
            .or_default()
            .push((first, last));
    }

    /// Anchor relative paths at `base` (the repository root for `git diff`, the current
    /// directory for `--diff-file`) and normalise them lexically.
    pub fn with_base(self, base: &Path) -> ChangedLines {
        let mut files: BTreeMap<PathBuf, Vec<(u32, u32)>> = BTreeMap::new();
        for (p, mut ranges) in self.files {
            let entry = files.entry(normalize(&base.join(p))).or_default();
            entry.append(&mut ranges);
            merge(entry);
        }
        ChangedLines { files }
    }

    /// Mark every line of `path` as changed (a new file the diff does not show, such as an
    /// untracked one).
    pub fn add_whole_file(&mut self, path: &Path) {
        self.files.insert(normalize(path), vec![(1, u32::MAX)]);
    }

    /// The files the diff touches, as stored.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// The changed line ranges of `path` (1-based, inclusive), empty when untouched.
    pub fn ranges(&self, path: &Path) -> &[(u32, u32)] {
        self.files
            .get(&normalize(path))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// True when any line of `first..=last` of `path` was added or changed.
    pub fn touches(&self, path: &Path, first: u32, last: u32) -> bool {
        self.ranges(path)
            .iter()
            .any(|&(a, b)| a <= last && first <= b)
    }

    /// True when the primary span of `d` touches a changed line. `resolve` turns the
    /// diagnostic's path into the form the keys were anchored with (e.g. joined to the
    /// current directory). A span ending at column 1 does not touch its end line.
    pub fn touches_diagnostic(&self, d: &Diagnostic, resolve: &dyn Fn(&str) -> PathBuf) -> bool {
        let l = &d.location;
        let last = if l.end.line > l.start.line && l.end.column <= 1 {
            l.end.line - 1
        } else {
            l.end.line.max(l.start.line)
        };
        self.touches(&resolve(&l.path), l.start.line, last)
    }

    /// Keep the diagnostics whose primary span touches a changed line.
    pub fn retain(
        &self,
        diagnostics: Vec<Diagnostic>,
        resolve: &dyn Fn(&str) -> PathBuf,
    ) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| self.touches_diagnostic(d, resolve))
            .collect()
    }
}

/// The state of the hunk being read.
#[derive(Debug, Default)]
struct Hunk {
    /// Old-side lines still expected.
    old_left: u32,
    /// New-side lines still expected.
    new_left: u32,
    /// The new-side number of the next `+` or context line.
    next_new: u32,
    /// Lines were deleted since the last context line and nothing was added in their place.
    pending_deletion: bool,
}

impl Hunk {
    fn open(&self) -> bool {
        self.old_left > 0 || self.new_left > 0
    }

    /// Read one hunk line (by its first byte); returns the new-side ranges it changes.
    fn line(&mut self, first: Option<u8>) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        match first {
            Some(b'+') => {
                out.push((self.next_new, self.next_new));
                self.pending_deletion = false;
                self.next_new += 1;
                self.new_left = self.new_left.saturating_sub(1);
            }
            Some(b'-') => {
                self.pending_deletion = true;
                self.old_left = self.old_left.saturating_sub(1);
            }
            Some(b'\\') => {}
            _ => {
                out.extend(self.gap());
                self.next_new += 1;
                self.old_left = self.old_left.saturating_sub(1);
                self.new_left = self.new_left.saturating_sub(1);
            }
        }
        if !self.open() {
            out.extend(self.gap());
        }
        out
    }

    /// End the hunk early; returns the gap of a trailing deletion.
    fn close(&mut self) -> Option<(u32, u32)> {
        let gap = self.gap();
        *self = Hunk::default();
        gap
    }

    /// The new lines on both sides of a deletion that nothing replaced.
    fn gap(&mut self) -> Option<(u32, u32)> {
        if !std::mem::take(&mut self.pending_deletion) {
            return None;
        }
        Some((self.next_new.saturating_sub(1).max(1), self.next_new.max(1)))
    }
}

/// The path of a `+++ ` header: unquoted, without a trailing tab + timestamp, without the
/// `b/` prefix; `None` for `/dev/null`.
fn new_path(rest: &str) -> Option<PathBuf> {
    let rest = rest.trim_end_matches(['\r', '\n']);
    let raw = if let Some(q) = rest.strip_prefix('"') {
        unquote(q)
    } else {
        rest.split('\t')
            .next()
            .unwrap_or(rest)
            .trim_end()
            .to_owned()
    };
    if raw == "/dev/null" {
        return None;
    }
    let path = raw.strip_prefix("b/").unwrap_or(&raw);
    Some(PathBuf::from(path))
}

/// Undo git's C-style quoting of a path (`"b/a\tb.c"`), up to the closing quote.
fn unquote(s: &str) -> String {
    let mut bytes = Vec::new();
    let mut it = s.bytes().peekable();
    while let Some(b) = it.next() {
        match b {
            b'"' => break,
            b'\\' => match it.next() {
                Some(b'n') => bytes.push(b'\n'),
                Some(b't') => bytes.push(b'\t'),
                Some(b'r') => bytes.push(b'\r'),
                Some(b'a') => bytes.push(7),
                Some(b'b') => bytes.push(8),
                Some(b'f') => bytes.push(12),
                Some(b'v') => bytes.push(11),
                Some(d @ b'0'..=b'7') => {
                    let mut v = u32::from(d - b'0');
                    for _ in 0..2 {
                        match it.peek() {
                            Some(&n @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(n - b'0');
                                it.next();
                            }
                            _ => break,
                        }
                    }
                    bytes.push(u8::try_from(v).unwrap_or(b'?'));
                }
                Some(other) => bytes.push(other),
                None => {}
            },
            other => bytes.push(other),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `@@ -a[,b] +c[,d] @@ …` → (a, b, c, d); a missing count is 1.
fn hunk_header(line: &str) -> Option<(u32, u32, u32, u32)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix('+')?;
    let (new, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if !rest.starts_with("@@") {
        return None;
    }
    let pair = |s: &str| -> Option<(u32, u32)> {
        match s.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    let (a, b) = pair(old)?;
    let (c, d) = pair(new)?;
    Some((a, b, c, d))
}

fn merge(ranges: &mut Vec<(u32, u32)>) {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for &(a, b) in ranges.iter() {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    *ranges = out;
}

/// Remove `.` components and resolve `..` lexically (no file system access).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(c: &ChangedLines, p: &str) -> Vec<(u32, u32)> {
        c.ranges(Path::new(p)).to_vec()
    }

    #[test]
    fn zero_context_hunks_give_the_added_lines() {
        let diff = "diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -3 +3 @@ f()\n-\told;\n+\tnew;\n@@ -10,0 +11,2 @@\n+a\n+b\n";
        let c = ChangedLines::parse(diff).unwrap_or_default();
        assert_eq!(ranges(&c, "x.c"), [(3, 3), (11, 12)]);
    }

    #[test]
    fn context_lines_are_skipped_and_deletions_mark_both_neighbours() {
        let diff = "--- a/d/y.c\n+++ b/d/y.c\n@@ -1,5 +1,4 @@\n a\n b\n-\tsmp_wmb();\n c\n d\n";
        let c = ChangedLines::parse(diff).unwrap_or_default();
        assert_eq!(ranges(&c, "d/y.c"), [(2, 3)]);
    }

    #[test]
    fn deleted_files_and_mail_text_are_ignored() {
        let diff = "From: a <a@b>\nSubject: [PATCH] x\n\n+++ not a header in a message? it is\n---\n--- a/gone.c\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n";
        let c = ChangedLines::parse(diff).unwrap_or_default();
        assert!(c.ranges(Path::new("gone.c")).is_empty());
    }

    #[test]
    fn quoted_and_timestamped_paths_are_read() {
        let diff = "--- \"a/sp ace\\tx.c\"\n+++ \"b/sp ace\\tx.c\"\n@@ -0,0 +1 @@\n+x\n--- old/z.c\t2024-01-01\n+++ z.c\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n";
        let c = ChangedLines::parse(diff).unwrap_or_default();
        assert_eq!(ranges(&c, "sp ace\tx.c"), [(1, 1)]);
        assert_eq!(ranges(&c, "z.c"), [(1, 1)]);
    }

    #[test]
    fn malformed_hunk_header_is_an_error() {
        let diff = "+++ b/x.c\n@@ -a +1 @@\n";
        assert!(matches!(
            ChangedLines::parse(diff),
            Err(DiffError::HunkHeader { line: 2, .. })
        ));
    }

    #[test]
    fn base_anchors_and_normalises_paths() {
        let diff = "+++ b/./k/x.c\n@@ -1 +1 @@\n-a\n+b\n";
        let c = ChangedLines::parse(diff)
            .unwrap_or_default()
            .with_base(Path::new("/repo"));
        assert!(c.touches(Path::new("/repo/sub/../k/x.c"), 1, 1));
        assert!(!c.touches(Path::new("/repo/k/x.c"), 2, 5));
    }
}
