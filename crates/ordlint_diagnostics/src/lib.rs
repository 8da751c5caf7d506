//! Plain data shared by every ordlint crate: byte spans, resolved locations, diagnostics,
//! fixes and rule metadata.
//!
//! Invariant: this crate depends on nothing of ordlint's and holds no behaviour beyond
//! conversions (byte offset to line/column, edit ordering). Everything is `serde`-serialisable
//! so that renderers and the LSP server can pass it on unchanged.

mod line_index;

pub use line_index::LineIndex;

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A half-open byte range `[start, end)` into one source text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets); `end` is clamped to be at least `start`.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty range (an insertion point).
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// True when `other` lies entirely inside `self`.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The same span moved `delta` bytes to the right (used when a slice of a file is parsed).
    pub fn shifted(self, delta: usize) -> Span {
        Span::new(self.start + delta, self.end + delta)
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters (not bytes, not UTF-16 units).
    pub column: u32,
}

/// A span in a named file, with its start and end already resolved to lines and columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path as given on the command line or found by the walk (not canonicalised).
    pub path: String,
    /// Byte range in that file.
    pub span: Span,
    /// Line and column of `span.start`.
    pub start: Position,
    /// Line and column of `span.end`.
    pub end: Position,
}

impl Location {
    /// Resolve `span` in the file `path` whose text is indexed by `index`.
    pub fn new(path: &str, span: Span, index: &LineIndex) -> Self {
        Location {
            path: path.to_owned(),
            span,
            start: index.position(span.start),
            end: index.position(span.end),
        }
    }

    /// Ordering key used to sort output deterministically: path, line, column.
    pub fn sort_key(&self) -> (&str, u32, u32) {
        (&self.path, self.start.line, self.start.column)
    }
}

/// How loudly a diagnostic is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never fails a run on its own in editors, but counts in the CLI.
    Info,
    /// The default for ordering smells.
    Warning,
    /// A definite bug (e.g. an internal error while linting a file).
    Error,
}

impl Severity {
    /// Lowercase name as used in JSON, config files and SARIF mapping.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// May a fix be applied without a human looking at it? Ordered: `DisplayOnly < Unsafe < Safe`,
/// so "may I apply this?" is `fix.applicability >= wanted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown to the user, never applied automatically.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`: touches another file, rewrites a loop or drops a
    /// barrier.
    Unsafe,
    /// Only strengthens ordering inside one file and keeps the meaning.
    Safe,
}

impl Applicability {
    /// Kebab-case name as used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the text at `location` with `replacement` (an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    /// Where the replaced text is (may be in another file than the diagnostic).
    pub location: Location,
    /// The new text.
    pub replacement: String,
}

impl Edit {
    fn order(&self, other: &Edit) -> Ordering {
        (self.location.path.as_str(), self.location.span)
            .cmp(&(other.location.path.as_str(), other.location.span))
    }
}

/// A set of edits that together repair one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    /// Imperative title, e.g. "use smp_store_release() and smp_load_acquire()".
    pub message: String,
    /// Whether the fix may be applied automatically.
    pub applicability: Applicability,
    /// The edits, sorted by (path, span) at construction.
    pub edits: Vec<Edit>,
}

impl Fix {
    fn new(message: impl Into<String>, applicability: Applicability, mut edits: Vec<Edit>) -> Self {
        edits.sort_by(Edit::order);
        edits.dedup();
        Fix {
            message: message.into(),
            applicability,
            edits,
        }
    }

    /// A fix that only strengthens ordering in one file and keeps the meaning.
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::Safe, edits)
    }

    /// A fix a human should check (another file, a loop rewrite, a dropped barrier).
    pub fn unsafe_edits(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::Unsafe, edits)
    }

    /// A fix that is only shown.
    pub fn display_only(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(message, Applicability::DisplayOnly, edits)
    }

    /// True when any edit lies outside the file `path`.
    pub fn touches_other_file(&self, path: &str) -> bool {
        self.edits.iter().any(|e| e.location.path != path)
    }
}

/// A secondary site of a diagnostic, such as the reader that pairs with a writer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Related {
    /// Where the partner site is.
    pub location: Location,
    /// What the partner does, e.g. "reader polls `w->lock_acquired` without acquire".
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Rule name, kebab-case.
    pub rule: String,
    /// Severity after configuration.
    pub severity: Severity,
    /// One line, lowercase start, no trailing period: the place and the risk.
    pub message: String,
    /// The primary site.
    pub location: Location,
    /// Imperative advice, e.g. "use `smp_store_release(&w->lock_acquired, true)`".
    pub help: Option<String>,
    /// The repair, if the rule can build one.
    pub fix: Option<Fix>,
    /// Partner sites, in this or other files.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// Total order used for output: (path, line, column, rule, message).
    pub fn output_order(&self, other: &Diagnostic) -> Ordering {
        self.location
            .sort_key()
            .cmp(&other.location.sort_key())
            .then_with(|| self.rule.cmp(&other.rule))
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// The tier decides whether a rule is on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// On unless ignored.
    Default,
    /// Off unless selected.
    Pedantic,
}

/// Whether a rule can offer a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// Every diagnostic carries a fix.
    Always,
    /// Some diagnostics carry a fix.
    Sometimes,
    /// No diagnostic carries a fix.
    Never,
}

/// Metadata about a rule, handed to renderers so they never import the rules crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Kebab-case name.
    pub name: String,
    /// One-line summary (the first sentence of the rule page).
    pub summary: String,
    /// Default or pedantic.
    pub tier: Tier,
    /// Severity when the configuration does not change it.
    pub default_severity: Severity,
    /// Languages covered, e.g. `["c"]`.
    pub languages: Vec<String>,
    /// Whether a fix is offered.
    pub fix: FixAvailability,
    /// Link to the rule's page in the book.
    pub url: String,
}

/// Base URL of the rule reference; a rule's page is `{RULE_DOCS_BASE}/{name}.html`.
///
/// The book (`book/`, built with mdBook) is published on the project's GitHub Pages site,
/// `https://ordlint.github.io/ordlint/`; `book/src/rules/NAME.md` becomes `rules/NAME.html`
/// there. `ordlint_book`'s tests check that every rule has a generated page under that path.
pub const RULE_DOCS_BASE: &str = "https://ordlint.github.io/ordlint/rules";

/// `text` on one line: every run of whitespace that holds a line break, and every other
/// control character, becomes one space. Messages quote source text (a target written over two
/// lines, a misspelt rule name in a comment), and the human output, editors' problem lists and
/// line-oriented tools show a message, help or note as one line.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() && c != '\n' && c != '\r' {
            // A blank run is dropped with the line break it leads to, and kept otherwise.
            let mut run = String::from(c);
            while let Some(&n) = chars
                .peek()
                .filter(|n| n.is_whitespace() && **n != '\n' && **n != '\r')
            {
                run.push(n);
                chars.next();
            }
            if !matches!(chars.peek(), Some('\n' | '\r')) {
                out.push_str(&run.replace(char::is_control, " "));
            }
        } else if c == '\n' || c == '\r' {
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
            out.push(' ');
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The documentation link of a rule.
pub fn rule_url(name: &str) -> String {
    format!("{RULE_DOCS_BASE}/{name}.html")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn line_breaks_and_the_blanks_around_them_become_one_space() {
        assert_eq!(
            one_line("store to `c->\n\t\tready`"),
            "store to `c-> ready`"
        );
        assert_eq!(
            one_line("unknown rule `volati\r\ne-sync`"),
            "unknown rule `volati e-sync`"
        );
        assert_eq!(one_line("a \t\n  b\tc"), "a b c");
        assert_eq!(one_line("plain  text"), "plain  text");
    }
}
