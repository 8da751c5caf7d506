//! The book's rule reference, generated from the registry and `rules/<name>.md`:
//! `book/src/rules/<name>.md` (the page with a metadata table on top),
//! `book/src/rules/index.md` (a table of all rules) and the rule entries of
//! `book/src/SUMMARY.md` (the indented items under `- [Rules](rules/index.md)`).
//!
//! [`check`] compares that with the files on disk and lists the differences; [`write()`] makes
//! the files on disk match. Pages with no rule and rules with no page are problems `write`
//! cannot fix: they need a registry line or a page.

use crate::markers::for_readers;
use crate::{REGENERATE, REGENERATE_VIA_TEST};
use ordlint_diagnostics::{FixAvailability, Severity, Tier, RULE_DOCS_BASE};
use ordlint_rules::{all_rules, Langs, RuleDef};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where rule pages live, relative to the repository root.
pub const PAGES_DIR: &str = "rules";

/// Where the generated rule reference lives, relative to the repository root.
pub const REFERENCE_DIR: &str = "book/src/rules";

/// The book's table of contents, relative to the repository root.
pub const SUMMARY: &str = "book/src/SUMMARY.md";

/// The `SUMMARY.md` line under which the generated rule entries are kept.
pub const SUMMARY_ANCHOR: &str = "- [Rules](rules/index.md)";

/// A file I/O failure, with the path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// `SUMMARY.md` lacks the line under which rule entries go.
    #[error("{}: no line `{SUMMARY_ANCHOR}` to put the rule entries under", path.display())]
    NoSummaryAnchor {
        /// The summary file.
        path: PathBuf,
    },
}

/// One way the book's rule reference disagrees with the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A generated file is missing or differs from what the generator writes (path relative
    /// to the repository root).
    Stale(String),
    /// A file under `book/src/rules/` that no rule generates.
    Orphan(String),
    /// A page under `rules/` whose name is not a registered rule.
    PageWithoutRule(String),
    /// A registered rule without `rules/<name>.md`, or whose `page` is not that file's text.
    RuleWithoutPage(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Stale(path) => write!(
                f,
                "{path} is stale: regenerate with `{REGENERATE}` (or `{REGENERATE_VIA_TEST}`) and commit it"
            ),
            Problem::Orphan(path) => write!(
                f,
                "{path} belongs to no rule: remove it with `{REGENERATE}` (or `{REGENERATE_VIA_TEST}`)"
            ),
            Problem::PageWithoutRule(path) => write!(
                f,
                "{path} has no rule: add the rule to crates/ordlint_rules/src/registry.rs or remove the page"
            ),
            Problem::RuleWithoutPage(name) => write!(
                f,
                "rule `{name}` has no page: write {PAGES_DIR}/{name}.md and point its RuleDef's `page` at it with include_str!"
            ),
        }
    }
}

/// The generated files (path relative to the repository root, contents), computed from the
/// registry and the `SUMMARY.md` found under `root`.
pub fn generated(root: &Path) -> Result<Vec<(String, String)>, BookError> {
    let rules = all_rules();
    let mut files = Vec::with_capacity(rules.len() + 2);
    let summary_path = root.join(SUMMARY);
    let summary = read(&summary_path)?;
    let summary = summary_with_rules(&summary, rules)
        .ok_or(BookError::NoSummaryAnchor { path: summary_path })?;
    files.push((SUMMARY.to_owned(), summary));
    files.push((format!("{REFERENCE_DIR}/index.md"), index_page(rules)));
    for rule in rules {
        files.push((format!("{REFERENCE_DIR}/{}.md", rule.name), rule_page(rule)));
    }
    Ok(files)
}

/// Every disagreement between the book, the pages and the registry under `root`.
pub fn check(root: &Path) -> Result<Vec<Problem>, BookError> {
    let mut problems = page_problems(root)?;
    let files = generated(root)?;
    for (path, contents) in &files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(on_disk) if on_disk == *contents => {}
            _ => problems.push(Problem::Stale(path.clone())),
        }
    }
    for orphan in orphans(root, &files)? {
        problems.push(Problem::Orphan(orphan));
    }
    Ok(problems)
}

/// Make the generated files on disk match: write the stale ones, delete orphans. Returns the
/// paths (relative to `root`) that changed. Page/rule mismatches are left to [`check()`].
pub fn write(root: &Path) -> Result<Vec<String>, BookError> {
    let files = generated(root)?;
    let mut changed = Vec::new();
    let dir = root.join(REFERENCE_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| BookError::Io {
        path: dir.clone(),
        source,
    })?;
    for (path, contents) in &files {
        let full = root.join(path);
        if std::fs::read_to_string(&full).ok().as_deref() != Some(contents.as_str()) {
            std::fs::write(&full, contents)
                .map_err(|source| BookError::Io { path: full, source })?;
            changed.push(path.clone());
        }
    }
    for orphan in orphans(root, &files)? {
        let full = root.join(&orphan);
        std::fs::remove_file(&full).map_err(|source| BookError::Io { path: full, source })?;
        changed.push(orphan);
    }
    Ok(changed)
}

/// `rules/*.md` without a rule, and rules whose page is not `rules/<name>.md`.
fn page_problems(root: &Path) -> Result<Vec<Problem>, BookError> {
    let mut problems = Vec::new();
    let rules = all_rules();
    for name in md_files(&root.join(PAGES_DIR))? {
        if !rules.iter().any(|r| r.name == name) {
            problems.push(Problem::PageWithoutRule(format!("{PAGES_DIR}/{name}.md")));
        }
    }
    for rule in rules {
        let path = root.join(PAGES_DIR).join(format!("{}.md", rule.name));
        if std::fs::read_to_string(path).ok().as_deref() != Some(rule.page) {
            problems.push(Problem::RuleWithoutPage(rule.name.to_owned()));
        }
    }
    Ok(problems)
}

/// Files under the reference directory that the generator does not produce.
fn orphans(root: &Path, files: &[(String, String)]) -> Result<Vec<String>, BookError> {
    Ok(md_files(&root.join(REFERENCE_DIR))?
        .into_iter()
        .map(|name| format!("{REFERENCE_DIR}/{name}.md"))
        .filter(|path| !files.iter().any(|(p, _)| p == path))
        .collect())
}

/// Stems of the `.md` files directly in `dir`, sorted; none when `dir` does not exist.
fn md_files(dir: &Path) -> Result<Vec<String>, BookError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BookError::Io {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

fn read(path: &Path) -> Result<String, BookError> {
    std::fs::read_to_string(path).map_err(|source| BookError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The notice on top of every generated file (an HTML comment, invisible in the book).
fn notice(source: &str) -> String {
    format!(
        "<!-- Generated from {source} by `{REGENERATE}`. Edit the source, then regenerate. -->\n"
    )
}

/// The book page of `rule`: its title, a metadata table, and the page's body with
/// expectation markers rewritten for readers.
pub fn rule_page(rule: &RuleDef) -> String {
    let body = strip_title(rule.page);
    let mut out = format!("# {}\n\n", rule.name);
    out.push_str(&notice(&format!(
        "{PAGES_DIR}/{}.md and the rule registry",
        rule.name
    )));
    out.push('\n');
    out.push_str("| Languages | Tier | Default severity | Fix | Pairs across files |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} |\n\n",
        languages(rule.langs),
        tier(rule.tier),
        severity(rule.severity),
        fix(rule.fix),
        if rule.pairing { "yes" } else { "no" },
    ));
    let suppress = if body.contains("\n## How to suppress") {
        " (see [How to suppress](#how-to-suppress))"
    } else {
        ""
    };
    out.push_str(&format!(
        "Show this page in a terminal with `ordlint rule {name}`; silence one site with \
         `ordlint: allow({name})`{suppress}.\n\n",
        name = rule.name
    ));
    out.push_str(&for_readers(body));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The page without a leading `# title` line (and the blank lines after it).
fn strip_title(page: &str) -> &str {
    let trimmed = page.trim_start();
    match trimmed.strip_prefix("# ") {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, body)| body)
            .trim_start_matches(['\n', '\r']),
        None => trimmed,
    }
}

/// The table of all rules.
pub fn index_page(rules: &[&RuleDef]) -> String {
    let mut out = String::from("# Rules\n\n");
    out.push_str(&notice(&format!("{PAGES_DIR}/*.md and the rule registry")));
    out.push('\n');
    let pedantic = rules.iter().filter(|r| r.tier == Tier::Pedantic).count();
    out.push_str(&format!(
        "ordlint has {} rules ({} in the *default* tier, {} *pedantic*).\n",
        rules.len(),
        rules.len() - pedantic,
        pedantic
    ));
    out.push_str(
        "Default rules run unless you ignore them; pedantic rules run only when selected \
         (`--extend-select NAME` or `--select pedantic`).\n\
         `ordlint rule` prints this table in a terminal and `ordlint rule NAME` prints one page.\n\n",
    );
    out.push_str("| Rule | What it flags | Languages | Tier | Severity | Fix |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for rule in rules {
        out.push_str(&format!(
            "| [{name}]({name}.md) | {summary} | {langs} | {tier} | {severity} | {fix} |\n",
            name = rule.name,
            summary = rule.summary().replace('|', "\\|"),
            langs = languages(rule.langs),
            tier = tier(rule.tier),
            severity = severity(rule.severity),
            fix = fix(rule.fix),
        ));
    }
    out.push_str(&format!(
        "\n## Reading a rule page\n\n\
         Every page has the same sections: *What it does*, *Why is this bad* (with the architectures on which the code breaks), *Example*, *Use instead*, *Fix safety*, *When it stays quiet*, *Known false positives*, *How to suppress* and *References*.\n\
         The examples are tests: ordlint's test suite lints every *Example* and every *Use instead* block of every page, so what you read is what the tool does.\n\
         In an example, `// <-- rule-name` marks the line ordlint reports, `// <-- related site of rule-name` marks a partner site listed with the diagnostic (usually the reader of a flag the writer publishes), and `// ^ rule-name` points at the line above.\n\n\
         *Fix* says whether the rule offers a fix: *always*, *sometimes* or *no*.\n\
         Each page's *Fix safety* says whether the fix is *safe* (applied by `--fix`) or *unsafe* (applied only with `--unsafe-fixes`, because a human should read it).\n\n\
         Diagnostics link here: the JSON `url` field of a diagnostic is `{RULE_DOCS_BASE}/<rule>.html`.\n"
    ));
    out
}

/// `summary` with the indented rule entries under [`SUMMARY_ANCHOR`] replaced by one entry
/// per rule; `None` when the anchor line is missing.
pub fn summary_with_rules(summary: &str, rules: &[&RuleDef]) -> Option<String> {
    let mut out = String::with_capacity(summary.len() + rules.len() * 64);
    let mut lines = summary.lines().peekable();
    let mut found = false;
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim_end() != SUMMARY_ANCHOR || found {
            continue;
        }
        found = true;
        while lines
            .peek()
            .is_some_and(|l| l.starts_with([' ', '\t']) && l.contains("](rules/"))
        {
            lines.next();
        }
        for rule in rules {
            out.push_str(&format!("  - [{0}](rules/{0}.md)\n", rule.name));
        }
    }
    found.then_some(out)
}

fn languages(langs: Langs) -> &'static str {
    match langs {
        Langs::C => "C",
        Langs::Rust => "Rust",
        Langs::Both => "C, Rust",
    }
}

fn tier(tier: Tier) -> &'static str {
    match tier {
        Tier::Default => "default",
        Tier::Pedantic => "pedantic",
    }
}

fn severity(severity: Severity) -> &'static str {
    severity.as_str()
}

fn fix(fix: FixAvailability) -> &'static str {
    match fix {
        FixAvailability::Always => "always",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Never => "no",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_entries_are_replaced_under_the_anchor_only() {
        let rules = all_rules();
        let before = "# Summary\n\n- [Rules](rules/index.md)\n  - [gone](rules/gone.md)\n- [Next](next.md)\n";
        let Some(after) = summary_with_rules(before, rules) else {
            panic!("anchor not found");
        };
        assert!(!after.contains("gone"));
        assert!(after.ends_with("- [Next](next.md)\n"));
        for r in rules {
            assert!(after.contains(&format!("  - [{0}](rules/{0}.md)\n", r.name)));
        }
        assert_eq!(
            summary_with_rules(&after, rules).as_deref(),
            Some(after.as_str())
        );
        assert_eq!(summary_with_rules("# Summary\n", rules), None);
    }

    #[test]
    fn title_is_stripped_once() {
        assert_eq!(strip_title("# a\n\n## b\n"), "## b\n");
        assert_eq!(strip_title("## b\n"), "## b\n");
    }

    #[test]
    fn rule_pages_carry_metadata_and_no_test_markers() {
        for rule in all_rules() {
            let page = rule_page(rule);
            assert!(page.starts_with(&format!("# {}\n", rule.name)));
            assert!(page.contains("| Languages | Tier |"));
            assert!(!page.contains("//~"), "{}", rule.name);
        }
    }
}
