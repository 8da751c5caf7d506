//! `ordlint rule [NAME]`: the list, a page for a pipe and for a terminal, unknown names.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ordlint() -> Command {
    let mut c = Command::cargo_bin("ordlint").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_has_one_line_per_rule_with_its_metadata() {
    let (code, out, _) = run(ordlint().arg("rule"));
    assert_eq!(code, 0);
    let mut lines = out.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["rule", "languages", "tier", "severity", "fix", "summary"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), ordlint_rules::all_rules().len());
    for (row, rule) in rows.iter().zip(ordlint_rules::all_rules()) {
        assert_eq!(row.first().copied(), Some(rule.name));
        assert!(matches!(row.get(1).copied(), Some("c" | "rust" | "c,rust")));
        assert!(matches!(row.get(2).copied(), Some("default" | "pedantic")));
        assert!(matches!(
            row.get(3).copied(),
            Some("info" | "warning" | "error")
        ));
        assert!(matches!(
            row.get(4).copied(),
            Some("always" | "sometimes" | "no")
        ));
    }
}

#[test]
fn page_into_a_pipe_is_the_markdown_with_readable_markers() {
    let (code, out, _) = run(ordlint().args(["rule", "barrier-publication"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("# barrier-publication\n"), "{out}");
    assert!(out.contains("## Example\n\n```c\n"));
    assert!(!out.contains('\u{1b}'), "no escape codes into a pipe");
    assert!(!out.contains("//~"), "test markers are rewritten");
    assert!(out.contains("w->lock_acquired = true; // <-- barrier-publication\n"));
    assert!(out.contains("// <-- related site of barrier-publication"));
}

#[test]
fn page_for_a_terminal_has_bold_headings_and_indented_code() {
    let (code, out, _) = run(ordlint()
        .args(["rule", "barrier-publication"])
        .env("CLICOLOR_FORCE", "1"));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("\u{1b}[1mbarrier-publication\u{1b}[0m\n"),
        "{out}"
    );
    assert!(out.contains("\u{1b}[1mExample\u{1b}[0m\n"));
    assert!(!out.contains("```"), "fences are dropped");
    assert!(!out.contains("## "), "heading marks are dropped");
    assert!(out.contains("    void hand_over(struct waiter *w)\n"));
}

#[test]
fn every_registered_rule_has_a_page() {
    for rule in ordlint_rules::all_rules() {
        let (code, out, err) = run(ordlint().args(["rule", rule.name]));
        assert_eq!(code, 0, "{}: {err}", rule.name);
        let expected =
            ordlint_book::terminal::render(rule.page, ordlint_book::terminal::Style::Plain);
        assert_eq!(out, expected, "{}", rule.name);
    }
}

#[test]
fn unknown_rule_suggests_the_closest_names() {
    let (code, out, err) = run(ordlint().args(["rule", "barrier-publicaton"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("unknown rule `barrier-publicaton`; did you mean `barrier-publication`"),
        "{err}"
    );
}

#[test]
fn unknown_rule_with_nothing_close_points_at_the_list() {
    let (code, _, err) = run(ordlint().args(["rule", "zzzzzzzzzzzzzzzzzzzzzzzz"]));
    assert_eq!(code, 2);
    assert!(err.contains("`ordlint rule` lists them all"), "{err}");
}

#[test]
fn triggers_are_one_escaped_alternation_of_the_default_rules_tokens() {
    let (code, out, _) = run(ordlint().args(["rule", "--triggers"]));
    assert_eq!(code, 0);
    let alternatives: Vec<&str> = out.trim_end().split('|').collect();
    assert!(alternatives.contains(&"smp_wmb"), "{out}");
    assert!(alternatives.contains(&"smp_mb__after_atomic"), "{out}");
    assert!(
        !alternatives.contains(&"barrier\\(\\)"),
        "barrier-publication is pedantic: {out}"
    );
    let (code, _, _) = run(ordlint().args(["rule", "--triggers", "volatile-sync"]));
    assert_eq!(code, 2, "--triggers takes no rule name");
    let (code, out, _) = run(ordlint().args([
        "rule",
        "--triggers",
        "--extend-select",
        "barrier-publication,unordered-flag-read",
    ]));
    assert_eq!(code, 0);
    let extended: Vec<&str> = out.trim_end().split('|').collect();
    assert!(extended.contains(&"barrier\\(\\)"), "{out}");
    assert!(
        alternatives.iter().all(|t| extended.contains(t)),
        "the default tokens stay: {out}"
    );
    let (code, _, err) = run(ordlint().args(["rule", "--triggers", "--extend-select", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `nope`"), "{err}");
}
