//! The book's rule reference matches the registry and the rule pages.
//!
//! Fails when `book/src/rules/` or the rule entries of `book/src/SUMMARY.md` are stale, when a
//! generated page has no rule, when `rules/NAME.md` has no rule, or when a rule has no page.
//! `ORDLINT_BLESS=1 cargo test -p ordlint_book` (or `cargo run -p ordlint_book`) rewrites the
//! generated files first.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn book_rule_reference_is_up_to_date() {
    let root = root();
    if std::env::var_os("ORDLINT_BLESS").is_some_and(|v| v != "0") {
        let changed = ordlint_book::write(&root).unwrap_or_else(|e| panic!("{e}"));
        for path in changed {
            eprintln!("wrote {path}");
        }
    }
    let problems = ordlint_book::check(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        problems.is_empty(),
        "the book's rule reference disagrees with the rules:\n{}",
        problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn rule_urls_point_into_the_generated_reference() {
    // The book is published with `book/src/rules/NAME.md` at `{RULE_DOCS_BASE}/NAME.html`.
    let base = ordlint_diagnostics::RULE_DOCS_BASE;
    assert!(base.ends_with("/rules"), "{base}");
    for rule in ordlint_rules::all_rules() {
        assert_eq!(
            ordlint_diagnostics::rule_url(rule.name),
            format!("{base}/{}.html", rule.name)
        );
    }
}
